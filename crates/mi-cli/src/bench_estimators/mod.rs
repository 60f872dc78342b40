//! `infomax bench estimators`: every estimator on every task of the 40-task benchmark
//! (`mi_estimators::tasks::bench_suite`), scored against the exact MI; `cargo xtask bench
//! estimators` runs it into `results/bench-estimators/`. The metric and the rule of `auto` are in
//! docs/estimator-bench.md.
//!
//! Built-in estimators run in this process through the same code as `infomax estimate` (so a row
//! is what a user of `estimate` gets, with its defaults); an external one is any command that
//! reads two .npy files (X, Y) and prints I(X; Y) in nats as the last line of its output.
//! Records go to `runs.jsonl` as each estimate finishes, so an interrupted run resumes where it
//! stopped; `--report-only` regenerates summary and report from them.
use crate::estimate::{estimate_arrays, Args as EstimateArgs};
use mi_estimators::tasks::{bench_suite, Task};
use mi_train::results::ResultsDir;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod summary;

/// The estimators a plain run compares.
pub const DEFAULT_ESTIMATORS: &str = "ksg,ksg-euclidean,copula-ksg,copula-ksg-euclidean,gaussian,copula-gaussian,auto,infonce";

#[derive(clap::Args)]
pub struct EstimatorsArgs {
    /// Rows per sample of a task.
    #[arg(long, default_value_t = 5_000)]
    pub n: usize,
    /// Samples (seeds 0, 1, …) per task for the non-neural estimators.
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// Samples per task for the neural estimators (each trains a critic: ~40 s on 2 cores).
    #[arg(long, default_value_t = 1)]
    pub neural_seeds: u64,
    /// Comma-separated built-in estimators: ksg, ksg2, gaussian, auto, infonce, nwj, dv, mine,
    /// smile, js; copula-ksg, copula-gaussian (… on normal scores of the ranks); ksg-euclidean,
    /// copula-ksg-euclidean (per-marginal Euclidean norm).
    #[arg(long, default_value = DEFAULT_ESTIMATORS)]
    pub estimators: String,
    /// NAME=COMMAND, repeatable: an external estimator. `COMMAND X.npy Y.npy` (run by sh) must
    /// print I(X; Y) in nats as the last line of its standard output.
    #[arg(long = "external")]
    pub external: Vec<String>,
    /// Only the tasks whose id contains this text.
    #[arg(long)]
    pub tasks: Option<String>,
    /// Results folder (config.json, runs.jsonl, summary.json, REPORT.md, log_ratio.svg/png).
    #[arg(long)]
    pub out: PathBuf,
    /// Regenerate summary and report from the recorded runs without estimating.
    #[arg(long)]
    pub report_only: bool,
}

/// One estimate of one task sample.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub task: String,
    pub seed: u64,
    pub estimator: String,
    pub true_mi_nats: f64,
    /// None when the estimator failed (see `error`)
    pub mi_nats: Option<f64>,
    /// wall-clock seconds of the estimate (in-process for built-ins; the whole process for
    /// external commands)
    pub seconds: f64,
    /// the component `auto` chose
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How an estimator is run.
#[derive(Debug, Clone)]
enum Runner {
    /// `infomax estimate` with these arguments
    BuiltIn(Box<EstimateArgs>),
    /// `sh -c "COMMAND \"$1\" \"$2\"" sh X.npy Y.npy`
    External(String),
}

#[derive(Debug, Clone)]
struct Estimator {
    name: String,
    runner: Runner,
    neural: bool,
}

fn estimators(args: &EstimatorsArgs) -> anyhow::Result<Vec<Estimator>> {
    let mut v = vec![];
    for name in args.estimators.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (copula, base) = match name.strip_prefix("copula-") {
            Some(b) => (true, b),
            None => (false, name),
        };
        let (norm, base) = match base.strip_suffix("-euclidean") {
            Some(b) => ("euclidean", b),
            None => ("max", base),
        };
        let e = EstimateArgs { copula, norm: norm.into(), ..EstimateArgs::defaults(base) };
        // the estimate's own checks name the estimators it knows
        crate::estimate::check_estimator(&e).map_err(|err| crate::input_error(format!("--estimators: {name}: {err}")))?;
        let neural = !matches!(base, "ksg" | "ksg2" | "gaussian" | "auto");
        if neural && copula {
            return Err(crate::input_error(format!("--estimators: {name}: the copula variant is for ksg, ksg2 and gaussian")));
        }
        v.push(Estimator { name: name.to_string(), runner: Runner::BuiltIn(Box::new(e)), neural });
    }
    for spec in &args.external {
        let (name, cmd) = spec.split_once('=').filter(|(n, c)| !n.trim().is_empty() && !c.trim().is_empty()).ok_or_else(|| {
            crate::input_error(format!("--external '{spec}': expected NAME=COMMAND, e.g. --external mine=\"python my_mi.py\""))
        })?;
        if v.iter().any(|e: &Estimator| e.name == name.trim()) {
            return Err(crate::input_error(format!("--external '{spec}': the name {name} is taken; choose another")));
        }
        v.push(Estimator { name: name.trim().to_string(), runner: Runner::External(cmd.to_string()), neural: false });
    }
    if v.is_empty() {
        return Err(crate::input_error("no estimator: pass --estimators and/or --external"));
    }
    Ok(v)
}

fn tasks(args: &EstimatorsArgs) -> anyhow::Result<Vec<Task>> {
    let all: Vec<Task> = bench_suite().into_iter().filter(|t| args.tasks.as_deref().is_none_or(|f| t.id().contains(f))).collect();
    if all.is_empty() {
        return Err(crate::input_error(format!("--tasks '{}' matches no task id (`infomax tasks list`)", args.tasks.as_deref().unwrap_or(""))));
    }
    Ok(all)
}

pub fn run(args: EstimatorsArgs) -> anyhow::Result<()> {
    if args.n < 10 || args.seeds == 0 {
        return Err(crate::input_error("--n must be at least 10 and --seeds at least 1"));
    }
    let (tasks, estimators) = (tasks(&args)?, estimators(&args)?);
    let settings = serde_json::json!({ "n": args.n, "seeds": args.seeds, "neural_seeds": args.neural_seeds, "tasks": args.tasks });
    let config = serde_json::json!({
        "experiment": "bench-estimators",
        "settings": settings,
        "estimators": estimators.iter().map(|e| e.name.clone()).collect::<Vec<_>>(),
        "external": args.external,
        "provenance": mi_train::results::Provenance::collect("cpu"),
    });
    let dir = if args.report_only { ResultsDir::open_recorded(&args.out, &config)?.0 } else { ResultsDir::open(&args.out, &config)? };
    let mut records: Vec<Record> = dir.records()?;
    if !args.report_only {
        measure(&args, &tasks, &estimators, &dir, &mut records)?;
    }
    summary::write(&dir, &tasks, &records, args.n)
}

/// Runs every (task, seed, estimator) not yet in `records`, appending each as it finishes.
fn measure(args: &EstimatorsArgs, tasks: &[Task], estimators: &[Estimator], dir: &ResultsDir, records: &mut Vec<Record>) -> anyhow::Result<()> {
    let scratch = std::env::temp_dir().join(format!("infomax-bench-estimators-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let todo: Vec<(usize, u64, usize)> = (0..tasks.len())
        .flat_map(|t| (0..args.seeds).flat_map(move |s| (0..estimators.len()).map(move |e| (t, s, e))))
        .filter(|&(_, s, e)| s < if estimators[e].neural { args.neural_seeds } else { args.seeds })
        .filter(|&(t, s, e)| !records.iter().any(|r| r.task == tasks[t].id() && r.seed == s && r.estimator == estimators[e].name))
        .collect();
    let started = Instant::now();
    let mut sample: Option<(usize, u64, ndarray::Array2<f64>, ndarray::Array2<f64>)> = None;
    for (done, &(t, s, e)) in todo.iter().enumerate() {
        let task = &tasks[t];
        if sample.as_ref().is_none_or(|(st, ss, ..)| (*st, *ss) != (t, s)) {
            let (x, y) = task.sample(args.n, s);
            sample = Some((t, s, x, y));
        }
        let (_, _, x, y) = sample.as_ref().expect("drawn above");
        let r = estimate_one(&estimators[e], task, s, x, y, &scratch);
        let eta = started.elapsed().as_secs_f64() / (done + 1) as f64 * (todo.len() - done - 1) as f64;
        eprintln!(
            "[{}/{}] {} seed {s} {}: {} (truth {:.4}) in {:.2} s; ETA {:.0} s",
            done + 1,
            todo.len(),
            r.task,
            r.estimator,
            r.mi_nats.map(|v| format!("{v:.4}")).unwrap_or_else(|| format!("failed: {}", r.error.as_deref().unwrap_or(""))),
            r.true_mi_nats,
            r.seconds,
            eta
        );
        records.push(r);
        let lines: String = records.iter().map(|r| serde_json::to_string(r).map(|l| l + "\n")).collect::<Result<_, _>>()?;
        dir.write_text(ResultsDir::RUNS, &lines)?;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

fn estimate_one(e: &Estimator, task: &Task, seed: u64, x: &ndarray::Array2<f64>, y: &ndarray::Array2<f64>, scratch: &Path) -> Record {
    let start = Instant::now();
    let (value, chosen) = match &e.runner {
        Runner::BuiltIn(a) => {
            let a = EstimateArgs { seed, json: true, ..(**a).clone() };
            estimate_arrays(&a, x.clone(), y.clone()).map(|r| (r.mi_nats, r.auto.map(|a| a.chosen.to_string()))).map_err(|e| format!("{e:#}"))
        }
        Runner::External(cmd) => external(cmd, x, y, scratch).map(|v| (v, None)),
    }
    .map_or_else(|err| (Err(err), None), |(v, c)| (Ok(v), c));
    let seconds = start.elapsed().as_secs_f64();
    let (mi_nats, error) = match value {
        Ok(v) if v.is_finite() => (Some(v), None),
        Ok(v) => (None, Some(format!("not a finite number: {v}"))),
        Err(err) => (None, Some(err)),
    };
    Record { task: task.id(), seed, estimator: e.name.clone(), true_mi_nats: task.true_mi_nats(), mi_nats, seconds, chosen, error }
}

/// Runs an external estimator on X and Y written as .npy files; the last line of its standard
/// output is the estimate in nats.
fn external(cmd: &str, x: &ndarray::Array2<f64>, y: &ndarray::Array2<f64>, scratch: &Path) -> Result<f64, String> {
    let (px, py) = (scratch.join("x.npy"), scratch.join("y.npy"));
    mi_data::array_file::write_npy_f64(&px, x).map_err(|e| e.to_string())?;
    mi_data::array_file::write_npy_f64(&py, y).map_err(|e| e.to_string())?;
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{cmd} \"$1\" \"$2\""))
        .arg("sh")
        .arg(&px)
        .arg(&py)
        .output()
        .map_err(|e| format!("could not start sh: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("exited with {}: {}", out.status, err.lines().last().unwrap_or("")));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    last.trim().parse::<f64>().map_err(|_| format!("the last line of its output, '{last}', is not a number (print the estimate in nats last)"))
}

#[cfg(test)]
mod tests;
