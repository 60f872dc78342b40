//! Smoke-profile runs of `infomax reproduce a1`, `a2`, `a3` and `a4`: every code path of the experiments
//! (data, training loop, evaluation, probe, results, resume, plots, report) on a slice of MNIST.
//! They need MNIST: `cargo xtask test` fetches it first; without it they fail and say how to get it.
mod common;
use common::{repo, require_mnist};
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(experiment: &str, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_infomax"))
        .current_dir(repo())
        .args(["reproduce", experiment, "--profile", "smoke", "--device", "cpu", "--quiet", "--out"])
        .arg(out)
        .output()
        .expect("infomax runs")
}

/// Runs the smoke profile, checks the common outputs and returns the folder (kept alive by the
/// returned guard) for experiment-specific checks.
fn smoke(experiment: &str, n_configs: usize, plots: &[&str]) -> (tempfile::TempDir, PathBuf) {
    require_mnist();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(experiment);
    let o = run(experiment, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["experiment"], experiment);
    assert_eq!(summary["profile"], "smoke");
    let pixels = summary["baseline"]["pixels_test_accuracy"].as_f64().unwrap();
    assert!(pixels > 0.6 && pixels < 0.95, "pixel baseline {pixels}");
    let configs = summary["configs"].as_array().unwrap();
    assert_eq!(configs.len(), n_configs);
    for c in configs {
        assert_eq!(c["runs"], 1, "{c}");
        let fin = &c["final"];
        assert_eq!(fin["step"], 20);
        let acc = fin["test_accuracy_mean"].as_f64().unwrap();
        assert!(acc > 0.3 && acc <= 1.0, "{acc}");
        assert!(fin["i_est_mean"].as_f64().unwrap().is_finite());
        assert_eq!(c["curve"].as_array().unwrap().len(), 3, "evaluations at steps 0, 10, 20");
    }
    let runs = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    assert_eq!(runs.lines().count(), n_configs * 3);
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(report.contains("| Claim | Paper | Criterion | Ours | Verdict |"));
    for plot in plots {
        assert!(out.join(format!("{plot}.svg")).exists(), "{plot}.svg missing");
        assert!(out.join(format!("{plot}.png")).exists(), "{plot}.png missing");
    }
    // a second run resumes: nothing to train, the records are unchanged
    let o = run(experiment, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(out.join("runs.jsonl")).unwrap(), runs);
    // --report-only rewrites summary and report from the records, training nothing and keeping
    // config.json (the provenance of the runs) byte for byte
    let config = std::fs::read(out.join("config.json")).unwrap();
    std::fs::remove_file(out.join("REPORT.md")).unwrap();
    std::fs::remove_file(out.join("summary.json")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_infomax"))
        .current_dir(repo())
        .args(["reproduce", experiment, "--profile", "smoke", "--device", "cpu", "--quiet", "--report-only", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read_to_string(out.join("REPORT.md")).unwrap().contains("| Claim | Paper | Criterion | Ours | Verdict |"));
    assert!(out.join("summary.json").exists());
    assert_eq!(std::fs::read(out.join("config.json")).unwrap(), config);
    assert_eq!(std::fs::read_to_string(out.join("runs.jsonl")).unwrap(), runs);
    // different settings in the same folder are refused, not mixed
    let o = Command::new(env!("CARGO_BIN_EXE_infomax"))
        .current_dir(repo())
        .args(["reproduce", experiment, "--profile", "smoke", "--steps", "11", "--device", "cpu", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("different settings"));
    (dir, out)
}

#[test]
fn a4_smoke_profile() {
    smoke("a4", 8, &["accuracy_nwj", "gap_nce"]);
}

#[test]
fn a3_smoke_profile() {
    let (_guard, out) = smoke("a3", 6, &["accuracy_nwj", "i_est_nce"]);
    // without CIFAR-10 in the data folder its part is skipped, and the report says how to add it
    if !repo().join("datasets/cifar10/test_batch.bin").exists() && std::env::var_os("INFOMAX_DATA_DIR").is_none() {
        let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
        assert!(report.contains("## CIFAR-10") && report.contains("skipped") && report.contains("cargo xtask data cifar10"), "{report}");
        assert!(!out.join("cifar10").exists());
    }
}

/// Writes the six CIFAR-10 batch files at their official sizes: labels cycle through the classes
/// and every pixel of an image is its label × 20 plus uniform noise in 0..70, so both halves of an
/// image carry its class (the pixel probe can beat chance only if images and labels stay paired).
fn synthetic_cifar10(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let names = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"];
    for (f, name) in names.iter().enumerate() {
        let mut bytes = Vec::with_capacity(10_000 * 3073);
        for i in 0..10_000usize {
            let label = ((i * 7 + f) % 10) as u8;
            bytes.push(label);
            for _ in 0..3072 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push(label * 20 + (state % 70) as u8);
            }
        }
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn a3_smoke_profile_runs_on_cifar10_when_it_is_present() {
    require_mnist();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    std::fs::create_dir_all(&root).unwrap();
    // MNIST from the repository's data folder (fetched there when missing), CIFAR-10 synthetic
    let mnist = repo().join("datasets/mnist");
    std::fs::create_dir_all(&mnist).unwrap();
    std::os::unix::fs::symlink(&mnist, root.join("mnist")).unwrap();
    let out = dir.path().join("a3");
    let reproduce = || {
        Command::new(env!("CARGO_BIN_EXE_infomax"))
            .current_dir(repo())
            .args(["reproduce", "a3", "--profile", "smoke", "--device", "cpu", "--quiet", "--data-dir"])
            .arg(&root)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };

    // incomplete CIFAR-10 files fail before any training, saying what is wrong and how to fix it
    std::fs::create_dir_all(root.join("cifar10")).unwrap();
    std::fs::write(root.join("cifar10/data_batch_1.bin"), [0u8; 3073]).unwrap();
    let o = reproduce();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("data_batch_1.bin") && err.contains("cargo xtask data cifar10"), "{err}");
    assert!(!out.join("runs.jsonl").exists(), "nothing was trained");

    synthetic_cifar10(&root.join("cifar10"));
    let o = reproduce();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c = out.join("cifar10");
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(c.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["experiment"], "a3-cifar10");
    let pixels = summary["baseline"]["pixels_test_accuracy"].as_f64().unwrap();
    assert!(pixels > 0.3, "the pixel probe must beat chance (0.1) on the synthetic classes: {pixels}");
    let configs = summary["configs"].as_array().unwrap();
    assert_eq!(configs.len(), 6);
    for cfg in configs {
        assert_eq!(cfg["encoder"], "mlp");
        assert_eq!(cfg["final"]["step"], 20);
        assert!(cfg["final"]["i_est_mean"].as_f64().unwrap().is_finite(), "{cfg}");
    }
    let config: serde_json::Value = serde_json::from_slice(&std::fs::read(c.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["settings"]["dataset"], "cifar10");
    assert_eq!(std::fs::read_to_string(c.join("runs.jsonl")).unwrap().lines().count(), 6 * 3);
    let own = std::fs::read_to_string(c.join("REPORT.md")).unwrap();
    assert!(own.contains("A3 on CIFAR-10") && own.contains("3 × 16 × 32") && own.contains("accuracy_nwj.svg"), "{own}");
    assert!(c.join("i_est_nce.png").exists());
    // the MNIST report summarises the CIFAR-10 claims and links the full report
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    let section = &report[report.find("## CIFAR-10").expect("a CIFAR-10 section")..];
    assert!(section.contains("(cifar10/REPORT.md)") && section.contains("| Claim | Paper | Criterion | Ours | Verdict |"), "{section}");
    // MNIST's own results are unaffected: same settings as without CIFAR-10
    let mnist_config: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("config.json")).unwrap()).unwrap();
    assert!(mnist_config["settings"].get("dataset").is_none());
    assert_eq!(std::fs::read_to_string(out.join("runs.jsonl")).unwrap().lines().count(), 6 * 3);
}

#[test]
fn a2_smoke_profile_records_jacobian_conditioning() {
    let (_guard, out) = smoke("a2", 2, &["accuracy", "i_est", "conditioning_nce", "conditioning_nwj"]);
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for c in summary["configs"].as_array().unwrap() {
        for p in c["curve"].as_array().unwrap() {
            let q: Vec<f64> = p["log_condition_percentiles"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            assert_eq!(q.len(), 6);
            assert!(q.windows(2).all(|w| w[0] <= w[1]), "percentiles must be sorted: {q:?}");
            assert!(q[0] >= 0.0);
        }
        // near-identity encoder at step 0: condition numbers ≈ 1
        let first = &c["curve"][0]["log_condition_percentiles"];
        assert!(first[5].as_f64().unwrap() < 0.1, "{first}");
    }
}

#[test]
fn a1_smoke_profile_keeps_the_adversarial_encoder_invertible() {
    let (_guard, out) = smoke("a1", 2, &["accuracy", "i_est", "adversarial_accuracy"]);
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("adversarial.json")).unwrap()).unwrap();
    let runs = file["runs"].as_array().expect("adversarial.json lists its seeds under `runs`");
    assert_eq!(runs.len(), 2, "the smoke profile runs two A1b seeds");
    assert_ne!(runs[0]["seed"], runs[1]["seed"]);
    for adv in runs {
        let err = adv["round_trip_max_abs_error"].as_f64().unwrap();
        assert!(err < 1e-3, "g1^-1(g1(x)) differs from x by {err} (f32)");
        let err64 = adv["round_trip_max_abs_error_f64"].as_f64().unwrap();
        assert!(err64 < 1e-9, "g1^-1(g1(x)) differs from x by {err64} (f64)");
        assert!(adv["log_abs_det_mean"].as_f64().unwrap().is_finite());
        let points = adv["points"].as_array().unwrap();
        assert_eq!(points.iter().map(|p| p["iteration"].as_u64().unwrap()).collect::<Vec<_>>(), vec![0, 2, 4]);
        for p in points {
            let a = p["test_accuracy"].as_f64().unwrap();
            assert!(a > 0.1 && a <= 1.0, "{a}");
        }
    }
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(report.contains("A1b"), "the report covers A1b");
}

#[test]
fn bad_arguments_exit_2() {
    let o = Command::new(env!("CARGO_BIN_EXE_infomax")).args(["reproduce", "a9"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(env!("CARGO_BIN_EXE_infomax")).args(["reproduce", "a4", "--profile", "fast"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("paper, quick or smoke"));
}

#[test]
fn learning_rate_is_checked_and_only_for_the_infomax_grids() {
    let dir = tempfile::tempdir().unwrap();
    for lr in ["0", "-1e-4", "nan"] {
        let o = Command::new(env!("CARGO_BIN_EXE_infomax"))
            .args(["reproduce", "a4", "--profile", "smoke", "--device", "cpu", "--quiet", &format!("--learning-rate={lr}"), "--out"])
            .arg(dir.path().join("a4"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "--learning-rate {lr}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("positive"), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = Command::new(env!("CARGO_BIN_EXE_infomax")).args(["reproduce", "limits", "--learning-rate", "1e-3"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--learning-rate does not apply to `reproduce limits`") && err.contains("it takes --runs, --steps"), "{err}");
}
