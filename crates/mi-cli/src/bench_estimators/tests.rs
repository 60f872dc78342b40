use super::summary::{score, FLOOR_NATS};
use super::*;
use mi_estimators::tasks::find;

fn rec(task: &str, seed: u64, estimator: &str, mi: Option<f64>) -> Record {
    Record { task: task.into(), seed, estimator: estimator.into(), true_mi_nats: find(task).unwrap().true_mi_nats(), mi_nats: mi, seconds: 0.5, chosen: None, error: None }
}

#[test]
fn scores_use_the_mean_over_seeds_and_floor_non_positive_estimates() {
    let (a, b) = ("gauss-1x1-rho0.75", "student-2x2-df1");
    let tasks = vec![find(a).unwrap(), find(b).unwrap()];
    let (ta, tb) = (tasks[0].true_mi_nats(), tasks[1].true_mi_nats());
    let records = vec![
        rec(a, 0, "good", Some(ta * 1.1)),
        rec(a, 1, "good", Some(ta * 0.9)),
        rec(b, 0, "good", Some(tb * 1.6)),
        rec(a, 0, "bad", Some(-0.2)),
        rec(b, 0, "bad", None),
    ];
    let (cells, scores) = score(&tasks, &records);
    assert_eq!(cells.len(), 4);
    let good = &scores[0];
    assert_eq!((good.estimator.as_str(), good.tasks, good.within_1_5, good.seeds), ("good", 2, 1, 2));
    // task a: mean exactly the truth → 0; task b: log 1.6
    assert!((good.mean_abs_log_ratio - 0.5 * 1.6f64.ln()).abs() < 1e-12, "{good:?}");
    let bad = &scores[1];
    let want = 0.5 * ((FLOOR_NATS / ta).ln().abs() + (FLOOR_NATS / tb).ln().abs());
    assert!((bad.mean_abs_log_ratio - want).abs() < 1e-12 && bad.within_1_5 == 0, "{bad:?}");
    assert_eq!(cells.iter().find(|c| c.estimator == "bad" && c.task == b).unwrap().failures, 1);
    assert!((good.total_seconds - 1.5).abs() < 1e-12);
}

fn bench_args(out: PathBuf) -> EstimatorsArgs {
    EstimatorsArgs {
        n: 300,
        seeds: 2,
        neural_seeds: 1,
        estimators: "ksg,copula-gaussian".into(),
        external: vec!["const=f() { echo 0.25; }; f".into(), "broken=f() { echo oops; }; f".into()],
        tasks: Some("student-2x2".into()),
        out,
        report_only: false,
    }
}

#[test]
fn runs_every_estimator_resumes_and_regenerates_the_report() {
    let dir = std::env::temp_dir().join(format!("infomax-bench-est-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    run(bench_args(dir.clone())).unwrap();
    let text = std::fs::read_to_string(dir.join("runs.jsonl")).unwrap();
    let records: Vec<Record> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // 2 tasks (student-2x2-df1, -df2; the asinh one too) × 2 seeds × 4 estimators
    let n_tasks = bench_suite().iter().filter(|t| t.id().contains("student-2x2")).count();
    assert_eq!(records.len(), n_tasks * 2 * 4);
    assert!(records.iter().filter(|r| r.estimator == "const").all(|r| r.mi_nats == Some(0.25)));
    let broken: Vec<&Record> = records.iter().filter(|r| r.estimator == "broken").collect();
    assert!(broken.iter().all(|r| r.mi_nats.is_none() && r.error.as_deref().unwrap().contains("oops")), "{broken:?}");
    assert!(records.iter().filter(|r| r.estimator == "ksg").all(|r| r.mi_nats.is_some()));
    let report = std::fs::read_to_string(dir.join("REPORT.md")).unwrap();
    assert!(report.contains("| const |") && report.contains("not measured"), "auto was not run");
    // a second run finds everything done; --report-only regenerates the same report
    run(bench_args(dir.clone())).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("runs.jsonl")).unwrap(), text);
    std::fs::remove_file(dir.join("REPORT.md")).unwrap();
    run(EstimatorsArgs { report_only: true, ..bench_args(dir.clone()) }).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("REPORT.md")).unwrap(), report);
    assert!(dir.join("log_ratio.png").exists());
    // other settings are refused rather than mixed in
    assert!(run(EstimatorsArgs { n: 400, ..bench_args(dir.clone()) }).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_options_are_input_errors() {
    let out = std::env::temp_dir().join("infomax-bench-est-never-written");
    for a in [
        EstimatorsArgs { estimators: "ksg,nope".into(), ..bench_args(out.clone()) },
        EstimatorsArgs { estimators: "copula-infonce".into(), ..bench_args(out.clone()) },
        EstimatorsArgs { external: vec!["no-command".into()], ..bench_args(out.clone()) },
        EstimatorsArgs { external: vec!["ksg=echo 1".into()], ..bench_args(out.clone()) },
        EstimatorsArgs { tasks: Some("no-such-task".into()), ..bench_args(out.clone()) },
    ] {
        let e = run(a).unwrap_err();
        assert!(e.is::<crate::InputError>(), "{e}");
    }
    assert!(!out.exists());
}
