//! `infomax reproduce naf` and `estimators` through the shared driver: smoke profiles end to end,
//! resume, `--report-only` from the recorded folder, and the overrides they refuse. No data needed.
use std::path::Path;
use std::process::{Command, Output};

fn infomax(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_infomax"))
        .args(["reproduce"])
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .output()
        .expect("infomax runs")
}

fn json(path: std::path::PathBuf) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn estimators_smoke_table_resumes_and_regenerates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("estimators");
    ok(&infomax(&["estimators", "--profile", "smoke"], &out));
    let summary = json(out.join("summary.json"));
    assert_eq!(summary["experiment"], "estimators");
    let cells = summary["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 12 * 3, "12 tasks × 3 estimators at n = 1,000");
    let gauss = cells.iter().find(|c| c["task"] == "gauss-1x1-rho0.75" && c["estimator"] == "gaussian").unwrap();
    assert!((gauss["mean_nats"].as_f64().unwrap() - 0.4133).abs() < 0.1, "{gauss}");
    let runs = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    assert_eq!(runs.lines().count(), 12 * 3);
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(report.contains("| `gauss-1x1-rho0.75` | 1+1 | 0.4133 | 1000 |") && !report.contains("Claims of the paper"), "{report}");

    ok(&infomax(&["estimators", "--profile", "smoke"], &out));
    assert_eq!(std::fs::read_to_string(out.join("runs.jsonl")).unwrap(), runs, "resumed: nothing recomputed");
    let before = std::fs::read(out.join("summary.json")).unwrap();
    std::fs::remove_file(out.join("summary.json")).unwrap();
    ok(&infomax(&["estimators", "--profile", "smoke", "--report-only"], &out));
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);

    let o = infomax(&["estimators", "--profile", "smoke", "--steps", "5"], &dir.path().join("x"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--steps does not apply to `reproduce estimators`"));
}

#[test]
fn naf_smoke_picture_is_redrawn_from_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("naf");
    ok(&infomax(&["naf", "--profile", "smoke", "--steps", "20"], &out));
    let summary = json(out.join("summary.json"));
    let targets = summary["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 3);
    for t in targets {
        assert!(t["final_nll_nats"].as_f64().unwrap().is_finite(), "{t}");
        assert_eq!(t["steps"], 20);
    }
    assert_eq!(json(out.join("config.json"))["settings_from_command_line"], serde_json::json!({"--steps": 20}));
    for f in ["naf.svg", "naf.png", "panels_ring.png", "panels_moons.png", "panels_mixture.png", "REPORT.md"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let svg = std::fs::read_to_string(out.join("naf.svg")).unwrap();
    assert_eq!(svg.matches("data:image/png;base64,").count(), 3);

    std::fs::remove_file(out.join("naf.svg")).unwrap();
    std::fs::remove_file(out.join("naf.png")).unwrap();
    ok(&infomax(&["naf", "--profile", "smoke", "--steps", "20", "--report-only"], &out));
    assert_eq!(std::fs::read_to_string(out.join("naf.svg")).unwrap(), svg);
    assert!(out.join("naf.png").exists());

    let o = infomax(&["naf", "--profile", "smoke", "--runs", "2"], &dir.path().join("x"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--runs does not apply to `reproduce naf`"));
}
