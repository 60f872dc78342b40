//! Unit tests of the pure parts of `slurm.rs`: array specs, the LPT plan, the scripts' text.
use super::scripts::*;
use super::*;

fn job(args: Args) -> Job {
    Job::new(Path::new("/repo"), Path::new("/repo/target/release/infomax"), Path::new("/repo/.venv/libtorch/lib"), args).unwrap()
}

#[test]
fn array_spec_joins_ranges_and_throttles() {
    assert_eq!(array_spec(&[0, 1, 2, 3], None), "0-3");
    assert_eq!(array_spec(&(0..160).collect::<Vec<_>>(), Some(20)), "0-159%20");
    assert_eq!(array_spec(&[3, 7], Some(4)), "3,7%4");
    assert_eq!(array_spec(&[9, 1, 2, 3, 7, 10, 2], None), "1-3,7,9-10");
    assert_eq!(array_spec(&[5], Some(1)), "5%1");
}

#[test]
fn makespan_is_the_longest_first_greedy_schedule() {
    assert_eq!(makespan(&[], 10), 0.0);
    assert_eq!(makespan(&[3.0, 1.0, 2.0], 1), 6.0);
    // LPT: 5 | 4 | 3+3? no: 5 / 4 / 3 then 3 goes to the 3 → 6, then 2 to the 4 → 6
    assert_eq!(makespan(&[5.0, 4.0, 3.0, 3.0, 2.0], 3), 6.0);
    // more workers than jobs: the longest job
    assert_eq!(makespan(&[1.0, 7.0, 2.0], 160), 7.0);
    // 160 equal units on 10 workers: 16 each
    assert_eq!(makespan(&[10.0; 160], 10), 160.0);
}

#[test]
fn human_durations() {
    assert_eq!(human(0.0), "0m 00s");
    assert_eq!(human(450.0), "7m 30s");
    assert_eq!(human(7500.0), "2h 05m");
    assert_eq!(human(3.0 * 86400.0 + 4.0 * 3600.0 + 59.0), "3d 4h");
}

#[test]
fn job_ids_and_units_parse() {
    assert_eq!(parse_job_id("1234\n").unwrap(), "1234");
    assert_eq!(parse_job_id("1234;cluster\n").unwrap(), "1234");
    assert!(parse_job_id("sbatch: error").is_err());
    let u = Unit::parse(r#"{"index":3,"config":"mlp-infonce-t2","run":1,"seed":18446744073709551615,"steps":3001,"cost_core_seconds":42.5,"done":true}"#).unwrap();
    assert_eq!((u.index, u.config.as_str(), u.run, u.cost_core_seconds, u.done), (3, "mlp-infonce-t2", 1, 42.5, true));
}

#[test]
fn bad_options_are_refused_with_the_fix() {
    let mut a = Args::new("a4", "paper");
    a.extra = vec!["--out".into(), "x".into()];
    assert!(format!("{:#}", Job::new(Path::new("/r"), Path::new("/b"), Path::new("/l"), a).unwrap_err()).contains("--out"));
    let mut a = Args::new("a4", "paper");
    a.time = Some("2h; rm -rf /".into());
    assert!(Job::new(Path::new("/r"), Path::new("/b"), Path::new("/l"), a).is_err());
    assert!(Job::new(Path::new("/r"), Path::new("/b"), Path::new("/l"), Args::new("a4\n", "paper")).is_err());
}

#[test]
fn default_folder_and_quoting() {
    assert_eq!(job(Args::new("a4", "paper")).dir, Path::new("/repo/runs/a4-slurm-paper"));
    assert_eq!(shell_quote("--seed"), "--seed");
    assert_eq!(shell_quote("a b"), "'a b'");
    assert_eq!(shell_quote("it's"), "'it'\\''s'");
    assert_eq!(shell_quote(""), "''");
}

fn bash_n(text: &str, name: &str) {
    let path = std::env::temp_dir().join(format!("infomax-xtask-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let out = Command::new("bash").arg("-n").arg(&path).output().expect("bash is needed for this test");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "bash -n {name}: {}\n{text}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn array_script_has_the_right_lines_and_parses() {
    let mut a = Args::new("a4", "paper");
    a.partition = Some("gpu".into());
    a.time = Some("02:00:00".into());
    a.cpus_per_task = 4;
    a.gpus_per_task = Some(1);
    a.max_parallel = Some(20);
    a.extra = vec!["--seed".into(), "1".into(), "--data-dir".into(), "/data/my mnist".into()];
    let j = job(a);
    let s = array_script(&j, &(0..160).collect::<Vec<_>>());
    for line in [
        "#!/bin/bash",
        "#SBATCH --job-name=infomax-a4-paper",
        "#SBATCH --array=0-159%20",
        "#SBATCH --output=/repo/runs/a4-slurm-paper/slurm/logs/%A_%a.out",
        "#SBATCH --cpus-per-task=4",
        "#SBATCH --gres=gpu:1",
        "#SBATCH --partition=gpu",
        "#SBATCH --time=02:00:00",
        "set -euo pipefail",
        "cd /repo",
        "export LD_LIBRARY_PATH=/repo/.venv/libtorch/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}",
        "exec /repo/target/release/infomax reproduce a4 --profile paper --device cuda --seed 1 --data-dir '/data/my mnist' \
         --out /repo/runs/a4-slurm-paper --threads 4 --run-index env",
    ] {
        assert!(s.lines().any(|l| l == line), "missing line {line:?} in\n{s}");
    }
    // every #SBATCH line comes before the first command, or sbatch ignores it
    let first_cmd = s.lines().position(|l| l == "set -euo pipefail").unwrap();
    assert!(s.lines().skip(first_cmd).all(|l| !l.starts_with("#SBATCH")));
    bash_n(&s, "array.sbatch");
}

#[test]
fn cpu_and_resubmit_scripts_and_the_aggregate() {
    let j = job(Args::new("a3", "smoke"));
    let s = array_script(&j, &[3, 7]);
    assert!(s.contains("#SBATCH --array=3,7\n") && s.contains("--device cpu") && !s.contains("--gres"), "{s}");
    bash_n(&s, "array-cpu.sbatch");
    let g = aggregate_script(&j);
    assert!(g.lines().any(|l| l == "#SBATCH --job-name=infomax-a3-smoke-report"), "{g}");
    assert!(g.lines().any(|l| l.starts_with("exec ") && l.ends_with("--device cpu --out /repo/runs/a3-slurm-smoke --report-only")), "{g}");
    assert!(!g.contains("--array") && !g.contains("--run-index"), "{g}");
    bash_n(&g, "aggregate.sbatch");
}

#[test]
fn plan_counts_units_hours_and_walls() {
    let units: Vec<Unit> =
        (0..20).map(|i| Unit { index: i, config: format!("c{}", i / 10), run: (i % 10) as u64, cost_core_seconds: 3600.0, done: i < 5 }).collect();
    let mut a = Args::new("a4", "paper");
    a.resubmit_missing = true;
    let j = job(a);
    let sel = j.select(&units);
    assert_eq!(sel, (5..20).collect::<Vec<_>>());
    let t = plan_text(&j, &units, &sel);
    assert!(t.contains("20 units in the grid, 5 already recorded; 15 to submit, about 15.00 core-hours"), "{t}");
    assert!(t.contains("1 task 15h 00m, 10 tasks 2h 00m, 160 tasks 1h 00m"), "{t}");
}
