//! `infomax estimate` and `infomax tasks` as a user runs them: a task sampled to files and
//! estimated, and malformed input answered with one clear line and exit status 2 (no panic, no
//! backtrace).
use std::path::Path;
use std::process::{Command, Output};

fn infomax(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_infomax")).current_dir(dir).args(args).output().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn a_sampled_task_is_estimated_and_bad_input_exits_2() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let o = infomax(&["tasks", "sample", "student-2x2-df1", "--n", "2000", "--seed", "1", "--out", "t"], p);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = infomax(&["estimate", "--x", "t/x.npy", "--y", "t/y.npy", "--estimator", "auto", "--json"], p);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p.join("t/task.json")).unwrap()).unwrap();
    let (got, want) = (r["mi_nats"].as_f64().unwrap(), truth["true_mi_nats"].as_f64().unwrap());
    assert!((got - want).abs() < 0.1, "auto {got} vs truth {want}");

    write(p, "nan.csv", "1,2\nnan,3\n4,5\n");
    write(p, "const.csv", "1,2\n1,3\n1,5\n1,6\n");
    write(p, "ok.csv", "1,2\n2,3\n3,5\n4,6\n");
    write(p, "short.csv", "1\n2\n3\n");
    write(p, "table.csv", "a,b\n1,2\n2,3\n3,5\n4,7\n5,1\n");
    let cases: &[(&[&str], &str)] = &[
        (&["estimate", "--x", "nan.csv", "--y", "ok.csv"], "finite"),
        (&["estimate", "--x", "const.csv", "--y", "ok.csv"], "constant"),
        (&["estimate", "--x", "ok.csv", "--y", "ok.csv", "--k", "4"], "k < n"),
        (&["estimate", "--x", "ok.csv", "--y", "short.csv"], "rows"),
        (&["estimate", "--data", "table.csv", "--columns", "a;nope"], "no column is named 'nope'"),
        (&["estimate", "--data", "table.csv", "--columns", "a;b", "--estimator", "plugin", "--copula"], "copula"),
        (&["estimate", "--x", "ok.csv", "--y", "ok.csv", "--estimator", "auto", "--ci", "0.9"], "--ci"),
        (&["estimate", "--x", "missing.npy", "--y", "ok.csv"], "missing.npy"),
        (&["tasks", "sample", "no-such-task", "--out", "t2"], "expected one of"),
    ];
    for (args, says) in cases {
        let o = infomax(args, p);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?} should say '{says}': {err}");
        assert!(!err.contains("panicked") && !err.contains("backtrace") && err.trim().lines().count() == 1, "{args:?}: {err}");
    }
}
