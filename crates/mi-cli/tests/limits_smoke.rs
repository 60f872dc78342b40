//! Smoke-profile run of `infomax reproduce limits`: every code path of the study (staircase
//! training with every objective on both critics, the optimal-critic study, the ln N study with
//! DoE, resume, plots, report) in seconds. Needs no dataset.
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_infomax"))
        .current_dir(repo())
        .args(["reproduce", "limits", "--profile", "smoke", "--device", "cpu", "--threads", "1", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("infomax runs")
}

#[test]
fn limits_smoke_profile() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("limits");
    let o = run(&out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["experiment"], "limits");
    assert_eq!(s["profile"], "smoke");
    // separable on both tasks, concat on the Gaussian one, five objectives each
    assert_eq!(s["runs_done"], 15);
    assert_eq!(s["runs_expected"], 15);
    let series = s["staircase"].as_array().unwrap();
    assert_eq!(series.len(), 3 * 7, "seven reported estimators per (critic, task)");
    let log64 = 64f64.ln();
    for x in series {
        let levels = x["levels"].as_array().unwrap();
        assert_eq!(levels.len(), 5);
        assert_eq!(levels[0]["mi_nats"], 2.0);
        assert!(!x["curve"].as_array().unwrap().is_empty());
        if x["estimator"] == "infonce" {
            for l in levels {
                assert!(l["mean_nats"].as_f64().unwrap() <= log64 + 1e-6, "InfoNCE above log 64: {l}");
            }
        }
    }
    // the optimal critic: NWJ's variance rises with I and the theory columns are there
    let opt = s["optimal"].as_array().unwrap();
    assert_eq!(opt.len(), 3);
    let v: Vec<f64> = opt.iter().map(|l| l["nwj_variance"].as_f64().unwrap()).collect();
    assert!(v[0] < v[1] && v[1] < v[2], "{v:?}");
    for l in opt {
        assert!(l["nwj_variance_theory"].as_f64().unwrap() >= l["nwj_variance_bound"].as_f64().unwrap());
        assert!(l["dv_bias_paired_nats"].as_f64().unwrap() >= 0.0);
    }
    for p in s["infonce_saturation"].as_array().unwrap() {
        assert!(p["max_nats"].as_f64().unwrap() <= p["log_batch"].as_f64().unwrap() + 1e-9);
    }
    // ln N: optimal InfoNCE below ln N; Gaussian DoE defined from N = 256 on, above ln N at N = 1,024
    let cap = s["cap"].as_array().unwrap();
    let ns: Vec<u64> = cap.iter().map(|p| p["n"].as_u64().unwrap()).collect();
    assert_eq!(ns, vec![64, 128, 256, 1024]);
    for p in cap {
        let ln_n = p["ln_n"].as_f64().unwrap();
        if let Some(v) = p["infonce_optimal_max_nats"].as_f64() {
            assert!(v <= ln_n + 1e-9);
        }
        match p["n"].as_u64().unwrap() {
            256 => assert!(p["doe_gaussian_mean_nats"].as_f64().is_some(), "{p}"),
            1024 => assert!(p["doe_gaussian_mean_nats"].as_f64().unwrap() > ln_n, "{p}"),
            _ => {}
        }
    }
    assert!(cap[0]["doe_gaussian_mean_nats"].is_null(), "N = 64 is too few rows for a 20-d conditional covariance");
    assert!(!cap[0]["trained"].as_array().unwrap().is_empty(), "trained separable critics evaluated at N = 64");
    assert!(s["claims"].as_array().unwrap().len() >= 10);
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(report.contains("| Claim | Paper | Criterion | Ours | Verdict |"));
    assert!(report.contains("../estimators/REPORT.md"));
    for f in ["staircase.svg", "staircase_nwj.svg", "optimal_nwj_variance.svg", "infonce_saturation.svg", "cap_ln_n.svg", "config.json"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    // a second run resumes: nothing to train, the records are unchanged
    let runs = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    assert_eq!(runs.lines().count(), 15);
    let o = run(&out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(out.join("runs.jsonl")).unwrap(), runs);
    // different settings in the same folder are refused, not mixed
    let o = run(&out, &["--steps", "5"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("different settings"));
}

#[test]
fn limits_bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    for extra in [&["--steps", "0"][..], &["--runs", "0"], &["--profile", "huge"], &["--device", "tpu"]] {
        let o = Command::new(env!("CARGO_BIN_EXE_infomax"))
            .args(["reproduce", "limits", "--quiet", "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
}
