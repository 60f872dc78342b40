//! Smoke-profile run of `infomax reproduce hypersphere`: every code path (augmented pairs, the
//! small CNN, the four objectives, evaluation, probes, results, resume, figures, report) on a
//! slice of MNIST. Needs MNIST: `cargo xtask test` fetches it first; without it the test fails and
//! says how to get it.
mod common;
use common::{repo, require_mnist};
use std::path::Path;
use std::process::Command;

fn infomax(args: &[&str], out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_infomax"))
        .current_dir(repo())
        .arg("reproduce")
        .arg("hypersphere")
        .args(args)
        .args(["--device", "cpu", "--quiet", "--out"])
        .arg(out)
        .output()
        .expect("infomax runs")
}

#[test]
fn hypersphere_smoke_profile() {
    require_mnist();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hypersphere");
    let o = infomax(&["--profile", "smoke"], &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["experiment"], "hypersphere");
    assert_eq!(summary["profile"], "smoke");
    assert_eq!(summary["runs_done"], summary["runs_planned"]);
    let opt_circle = summary["uniform_optimum_circle"].as_f64().unwrap();
    assert!((opt_circle + 1.57503).abs() < 1e-4, "{opt_circle}");
    let encoders = summary["encoders"].as_array().unwrap();
    assert_eq!(encoders.len(), 17, "4 on the circle, a random 128-d reference, 12 in the sweep");
    for e in encoders {
        let m = &e["mean"];
        for k in ["linear_accuracy", "probe_layer_accuracy", "knn_accuracy"] {
            let a = m[k].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&a), "{k} = {a} in {e}");
        }
        let (al, un) = (m["l_align"].as_f64().unwrap(), m["l_uniform"].as_f64().unwrap());
        // ‖x − y‖² ≤ 4 on the sphere; L_uniform lies between its optimum (a little below, for a
        // finite sample) and 0 (collapse)
        assert!((0.0..=4.0).contains(&al), "L_align {al}");
        let opt = if e["spec"]["output_dim"] == 2 { opt_circle } else { summary["uniform_optimum_sphere"].as_f64().unwrap() };
        assert!(un <= 1e-9 && un >= opt - 0.05, "L_uniform {un} (optimum {opt})");
        if e["spec"]["objective"]["kind"] == "random" {
            assert!(e["final_loss_mean"].is_null(), "the random network is not trained");
        } else {
            assert!(e["final_loss_mean"].as_f64().unwrap().is_finite());
        }
    }
    assert_eq!(summary["sweep"]["encoders"].as_array().unwrap().len(), 12);
    assert!(summary["sweep"]["spearman_linear_vs_uniform"].as_f64().is_some_and(|r| (-1.0..=1.0).contains(&r)));
    let runs = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    assert_eq!(runs.lines().count(), 17);
    let circle_records = runs.lines().filter(|l| l.contains("\"angles\"")).count();
    assert_eq!(circle_records, 4, "angles are kept for the four 2-D encoders");
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(report.contains("| Claim | Paper | Criterion | Ours | Verdict |") && report.contains("CIFAR-10") && report.contains("Spearman"));
    for f in ["config.json", "circle.svg", "circle.png", "sweep.svg", "sweep.png"] {
        assert!(out.join(f).exists(), "{f}");
    }
    // a second run resumes: nothing to train, the records are unchanged
    let o = infomax(&["--profile", "smoke"], &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(out.join("runs.jsonl")).unwrap(), runs);
    // different settings in the same folder are refused, not mixed
    let o = infomax(&["--profile", "smoke", "--steps", "3"], &out);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("different settings"));
}

#[test]
fn hypersphere_bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["--profile", "fast"][..], &["--profile", "smoke", "--steps", "0"], &["--profile", "smoke", "--runs", "0"], &["--profile", "smoke", "--device", "tpu"]] {
        let o = infomax(args, &dir.path().join("x"));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
}
