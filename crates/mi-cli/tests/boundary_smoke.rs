//! `infomax reproduce boundary --profile smoke`: the four boundaries trained on a slice of MNIST,
//! every module probed, the heatmap and curves drawn, the report written, resumed and regenerated.
//! Needs MNIST: `cargo xtask test` fetches it first; without it the test fails and says how.
mod common;
use common::{repo, require_mnist};
use std::path::Path;
use std::process::{Command, Output};

fn infomax(extra: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_infomax"))
        .current_dir(repo())
        .args(["reproduce", "boundary", "--profile", "smoke", "--device", "cpu", "--threads", "1", "--quiet"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .expect("infomax runs")
}

#[test]
fn boundary_smoke_profile() {
    require_mnist();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("boundary");
    let o = infomax(&[], &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["experiment"], "boundary");
    assert_eq!(s["depths"], serde_json::json!(["A", "AB", "ABC", "ABCD"]));
    let b = s["boundaries"].as_array().unwrap();
    assert_eq!(b.iter().map(|b| b["name"].as_str().unwrap()).collect::<Vec<_>>(), ["p1", "p2", "p3", "bilinear"]);
    for (k, b) in b.iter().enumerate() {
        assert_eq!(b["encoder_depth"], k);
        assert_eq!(b["curve"].as_array().unwrap().len(), 3, "evaluations at steps 0, 10, 20");
        let fin = &b["final"];
        assert_eq!(fin["step"], 20);
        for d in fin["test_accuracy_by_depth"].as_array().unwrap() {
            let a = d["mean"].as_f64().unwrap();
            assert!(a > 0.3 && a <= 1.0, "{a}");
        }
        assert!(fin["i_est_test_nats"]["mean"].as_f64().unwrap().is_finite());
    }
    let runs = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    assert_eq!(runs.lines().count(), 4 * 3);
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(report.contains("| Claim | Paper | Criterion | Ours | Verdict |") && report.matches("not measured").count() >= 4, "one run: no verdict can be decided\n{report}");
    for plot in ["heatmap", "accuracy_a", "accuracy_abcd", "i_est"] {
        assert!(out.join(format!("{plot}.svg")).exists() && out.join(format!("{plot}.png")).exists(), "{plot} missing");
    }
    // resumed: nothing retrained; --report-only regenerates the report from the records
    assert!(infomax(&[], &out).status.success());
    assert_eq!(std::fs::read_to_string(out.join("runs.jsonl")).unwrap(), runs);
    std::fs::remove_file(out.join("REPORT.md")).unwrap();
    assert!(infomax(&["--report-only"], &out).status.success());
    assert_eq!(std::fs::read_to_string(out.join("REPORT.md")).unwrap(), report);
}
