//! Run units one at a time, as a cluster's array tasks do: `--list-runs`, `--run-index I|env`,
//! and `--report-only` merging whatever units exist — the same summary as one sequential run.
//! Uses `reproduce naf` (three units, no data needed) with one libtorch thread, so that two runs
//! give the same numbers.
use std::path::Path;
use std::process::{Command, Output};

fn infomax(args: &[&str], out: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_infomax"))
        .args(["reproduce", "naf", "--profile", "smoke", "--steps", "20", "--threads", "1", "--quiet", "--out"])
        .arg(out)
        .args(args)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .envs(env.iter().copied())
        .output()
        .expect("infomax runs")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn listed(out: &Path) -> Vec<serde_json::Value> {
    ok(&infomax(&["--list-runs"], out, &[])).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn done(out: &Path) -> Vec<bool> {
    listed(out).iter().map(|u| u["done"].as_bool().unwrap()).collect()
}

/// summary.json without what depends on the machine's speed.
fn numbers(out: &Path) -> serde_json::Value {
    let mut s: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for t in s["targets"].as_array_mut().unwrap() {
        t.as_object_mut().unwrap().retain(|k, _| !k.contains("seconds"));
    }
    s
}

#[test]
fn units_run_alone_and_merge_into_the_sequential_result() {
    let dir = tempfile::tempdir().unwrap();
    let (cluster, local) = (dir.path().join("cluster"), dir.path().join("local"));
    let units = listed(&cluster);
    assert_eq!(units.len(), 3);
    assert_eq!(units[1]["config"], "moons");
    assert!(units.iter().all(|u| u["steps"] == 20 && u["cost_core_seconds"].as_f64().unwrap() > 0.0 && u["done"] == false));
    assert!(!cluster.exists(), "--list-runs writes nothing");

    ok(&infomax(&["--run-index", "1"], &cluster, &[]));
    assert!(cluster.join("units/moons.run0.jsonl").exists());
    assert!(!cluster.join("summary.json").exists() && !cluster.join("runs.jsonl").exists(), "one unit writes only its own file");
    assert_eq!(done(&cluster), [false, true, false]);
    let again = infomax(&["--run-index", "1"], &cluster, &[]);
    ok(&again);
    assert!(String::from_utf8_lossy(&again.stderr).is_empty(), "quiet");
    let loud = Command::new(env!("CARGO_BIN_EXE_infomax"))
        .args(["reproduce", "naf", "--profile", "smoke", "--steps", "20", "--run-index", "1", "--out"])
        .arg(&cluster)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&loud.stderr).contains("already recorded"), "{}", String::from_utf8_lossy(&loud.stderr));

    // Slurm's array task id
    ok(&infomax(&["--run-index", "env"], &cluster, &[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_JOB_ID", "77")]));
    let unit0 = std::fs::read_to_string(cluster.join("units/ring.run0.jsonl")).unwrap();
    let header: serde_json::Value = serde_json::from_str(unit0.lines().next().unwrap()).unwrap();
    assert_eq!((header["index"].as_u64(), header["provenance"]["slurm_array_task_id"].as_str()), (Some(0), Some("0")));
    assert_eq!(header["provenance"]["slurm_array_job_id"], "77");
    assert!(header["provenance"]["host"].is_string() && header["provenance"]["device"] == "Cpu");

    // two of three: the report says what is missing
    ok(&infomax(&["--report-only"], &cluster, &[]));
    let report = std::fs::read_to_string(cluster.join("REPORT.md")).unwrap();
    assert!(report.contains("**Incomplete: 1 of 3 run units are missing** — units 2 (mixture run 0)"), "{report}");
    assert_eq!(std::fs::read_to_string(cluster.join("runs.jsonl")).unwrap().lines().count(), 2);

    ok(&infomax(&["--run-index", "2"], &cluster, &[]));
    ok(&infomax(&["--report-only"], &cluster, &[]));
    assert!(!std::fs::read_to_string(cluster.join("REPORT.md")).unwrap().contains("Incomplete"));
    ok(&infomax(&[], &local, &[]));
    assert_eq!(numbers(&cluster), numbers(&local), "units run alone and merged = one sequential run");
    let lines = |d: &Path| std::fs::read_to_string(d.join("runs.jsonl")).unwrap().lines().count();
    assert_eq!((lines(&cluster), lines(&local)), (3, 3));
}

#[test]
fn bad_unit_requests_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    for (args, env, says) in [
        (vec!["--run-index", "3"], vec![], "--run-index 3 is out of range: `reproduce naf` has 3 units at these settings (0 to 2)"),
        (vec!["--run-index", "one"], vec![], "--run-index expects a unit index"),
        (vec!["--run-index", "env"], vec![], "$SLURM_ARRAY_TASK_ID, which is not set"),
        (vec!["--run-index", "env"], vec![("SLURM_ARRAY_TASK_ID", "x")], "got \"x\" ($SLURM_ARRAY_TASK_ID)"),
        (vec!["--run-index", "0", "--report-only"], vec![], "cannot be combined"),
    ] {
        let o = infomax(&args, &out, &env);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
