//! The ground-truth estimators table (`cargo xtask reproduce estimators`): every non-neural
//! estimator of `mi-estimators` on tasks with exactly known MI, at several sample sizes and seeds.
//!
//! For each (estimator, task, n) cell: the estimates over seeds, their mean ± sd, the log relative
//! error log(mean / I) and "solved" (|log(mean / I)| < log 1.5, as in Czyż et al.'s benchmark).
//! Written to the output folder: `config.json`, `runs.jsonl` (one line per estimate, with its
//! wall time), `summary.json` (the cells) and `REPORT.md` (the table, generated from the cells).
//! Sample `s` of a task uses sampler seed `seed · 1000 + s`; the n samples of a smaller size are the
//! first rows of the larger one.
use mi_data::atomic::write_atomic;
use mi_estimators::gaussian::gaussian_mi_estimate_nats;
use mi_estimators::knn::{ksg_mi_nats, KnnOptions, KsgAlgorithm};
use mi_estimators::tasks::{Task, Transform};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// An estimator of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableEstimator {
    /// KSG algorithm 1, k neighbours (standardised, no jitter)
    Ksg1 { k: usize },
    /// KSG algorithm 2, k neighbours (standardised, no jitter)
    Ksg2 { k: usize },
    /// Gaussian / CCA
    Gaussian,
}

impl TableEstimator {
    pub fn id(&self) -> String {
        match self {
            Self::Ksg1 { k } => format!("ksg1-k{k}"),
            Self::Ksg2 { k } => format!("ksg2-k{k}"),
            Self::Gaussian => "gaussian".into(),
        }
    }

    /// The estimate in nats.
    pub fn estimate(&self, x: &ndarray::ArrayView2<f64>, y: &ndarray::ArrayView2<f64>) -> Result<f64, mi_estimators::EstimatorError> {
        match *self {
            Self::Ksg1 { k } => ksg_mi_nats(x, y, KsgAlgorithm::One, &KnnOptions::with_k(k)),
            Self::Ksg2 { k } => ksg_mi_nats(x, y, KsgAlgorithm::Two, &KnnOptions::with_k(k)),
            Self::Gaussian => gaussian_mi_estimate_nats(x, y),
        }
    }
}

/// The size of a table run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableProfile {
    pub name: String,
    pub sizes: Vec<usize>,
    pub seeds: usize,
    pub estimators: Vec<TableEstimator>,
    #[serde(skip)]
    pub tasks: Vec<Task>,
}

fn tasks(full: bool) -> Vec<Task> {
    let ok = |t: mi_estimators::Result<Task>| t.expect("the table's task parameters are valid constants");
    let g = || ok(Task::bivariate_gaussian(0.75));
    let mut v = vec![
        g(),
        ok(g().with_transform(Transform::Cube)),
        ok(g().with_transform(Transform::NormalCdf)),
        ok(Task::bivariate_gaussian(0.95)),
        ok(Task::equicorrelated(2, 0.5)),
        ok(Task::equicorrelated(5, 0.5)),
        ok(Task::equicorrelated(5, 0.5).and_then(|t| t.with_transform(Transform::HalfCube))),
        ok(Task::equicorrelated(5, 0.5).and_then(|t| t.with_transform(Transform::Cube))),
        ok(Task::sparse_pairs(5, 0.8)),
        ok(Task::sparse_pairs(5, 0.8).and_then(|t| t.with_x_transform(Transform::Affine { scale: 3.0, shift: 1.0 })).and_then(|t| t.with_y_transform(Transform::Asinh))),
        ok(Task::equicorrelated(25, 0.5)),
        ok(Task::staircase(20, 2.0)),
    ];
    if full {
        v.push(ok(Task::staircase(20, 4.0)));
        v.push(ok(Task::staircase(20, 2.0).and_then(|t| t.with_transform(Transform::Cube))));
        v.push(ok(Task::equicorrelated(50, 0.5)));
    }
    v
}

impl TableProfile {
    /// `paper` (all tasks, n ∈ {1k, 5k, 10k}, 10 seeds), `quick` (12 tasks, n ∈ {1k, 5k, 10k},
    /// 3 seeds; about 5 minutes on 2 cores) or `smoke` (12 tasks, n = 1,000, 1 seed).
    pub fn named(name: &str) -> Result<Self, String> {
        let estimators = vec![TableEstimator::Ksg1 { k: 3 }, TableEstimator::Ksg2 { k: 3 }, TableEstimator::Gaussian];
        let (sizes, seeds, full) = match name {
            "paper" => (vec![1_000, 5_000, 10_000], 10, true),
            "quick" => (vec![1_000, 5_000, 10_000], 3, false),
            "smoke" => (vec![1_000], 1, false),
            other => return Err(format!("unknown profile '{other}': expected paper, quick or smoke")),
        };
        Ok(TableProfile { name: name.into(), sizes, seeds, estimators, tasks: tasks(full) })
    }
}

/// One estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub estimator: String,
    pub task: String,
    pub n: usize,
    pub seed: u64,
    /// None when the estimator refused the data (its error is in `error`)
    pub mi_nats: Option<f64>,
    pub error: Option<String>,
    pub seconds: f64,
}

/// One (estimator, task, n) cell of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub estimator: String,
    pub task: String,
    pub dx: usize,
    pub dy: usize,
    pub true_mi_nats: f64,
    pub n: usize,
    pub estimates_nats: Vec<f64>,
    pub mean_nats: Option<f64>,
    pub sd_nats: Option<f64>,
    /// log(mean / true); None when the mean is not positive
    pub log_relative_error: Option<f64>,
    /// |log(mean / true)| < log 1.5
    pub solved: bool,
}

/// Mean, sample sd (None for fewer than 2 values), log relative error and "solved" of estimates.
pub fn summarise(estimates: &[f64], true_mi: f64) -> (Option<f64>, Option<f64>, Option<f64>, bool) {
    if estimates.is_empty() {
        return (None, None, None, false);
    }
    let n = estimates.len() as f64;
    let mean = estimates.iter().sum::<f64>() / n;
    let sd = (estimates.len() > 1).then(|| (estimates.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    let lre = (mean > 0.0 && true_mi > 0.0).then(|| (mean / true_mi).ln());
    let solved = lre.is_some_and(|l| l.abs() < 1.5f64.ln());
    (Some(mean), sd, lre, solved)
}

/// Runs the table; `progress` gets one line per finished cell.
pub fn run_table(profile: &TableProfile, seed: u64, mut progress: impl FnMut(&str)) -> (Vec<RunRecord>, Vec<Cell>) {
    let mut runs = vec![];
    let mut cells = vec![];
    let max_n = profile.sizes.iter().copied().max().unwrap_or(0);
    for task in &profile.tasks {
        let samples: Vec<_> = (0..profile.seeds as u64).map(|s| task.sample(max_n, seed.wrapping_mul(1000).wrapping_add(s))).collect();
        for &n in &profile.sizes {
            for est in &profile.estimators {
                let mut estimates = vec![];
                for (s, (x, y)) in samples.iter().enumerate() {
                    let (xv, yv) = (x.slice(ndarray::s![..n, ..]), y.slice(ndarray::s![..n, ..]));
                    let t0 = Instant::now();
                    let r = est.estimate(&xv, &yv);
                    let seconds = t0.elapsed().as_secs_f64();
                    if let Ok(v) = r {
                        estimates.push(v);
                    }
                    runs.push(RunRecord {
                        estimator: est.id(),
                        task: task.id(),
                        n,
                        seed: seed.wrapping_mul(1000).wrapping_add(s as u64),
                        mi_nats: r.as_ref().ok().copied(),
                        error: r.err().map(|e| e.to_string()),
                        seconds,
                    });
                }
                let (mean, sd, lre, solved) = summarise(&estimates, task.true_mi_nats());
                let cell = Cell {
                    estimator: est.id(),
                    task: task.id(),
                    dx: task.dx(),
                    dy: task.dy(),
                    true_mi_nats: task.true_mi_nats(),
                    n,
                    estimates_nats: estimates,
                    mean_nats: mean,
                    sd_nats: sd,
                    log_relative_error: lre,
                    solved,
                };
                progress(&format!(
                    "{:<44} n={:<6} {:<9} {} (true {:.4})",
                    cell.task,
                    n,
                    cell.estimator,
                    fmt_mean_sd(&cell),
                    cell.true_mi_nats
                ));
                cells.push(cell);
            }
        }
    }
    (runs, cells)
}

fn fmt_mean_sd(c: &Cell) -> String {
    match (c.mean_nats, c.sd_nats) {
        (Some(m), Some(s)) => format!("{m:.3} ± {s:.3}"),
        (Some(m), None) => format!("{m:.3}"),
        _ => "—".into(),
    }
}

/// The markdown report: one row per (task, n), one column per estimator.
pub fn markdown(profile: &TableProfile, seed: u64, cells: &[Cell]) -> String {
    let mut ests: Vec<String> = vec![];
    for c in cells {
        if !ests.contains(&c.estimator) {
            ests.push(c.estimator.clone());
        }
    }
    let mut s = String::new();
    s += "# Estimators on ground-truth tasks\n\n";
    s += &format!(
        "Generated by `cargo xtask reproduce estimators --profile {}` (seed {seed}) from `summary.json`; do not edit.\n\n",
        profile.name
    );
    s += &format!(
        "Each cell: mean ± sd of the estimate in nats over {} seed(s), then log(mean / true MI) in brackets; \
         ✓ marks \"solved\" (|log(mean / true)| < log 1.5). KSG uses k = 3, standardised columns, no jitter; \
         max-norm. Transforms act on each coordinate (`x:`/`y:` on one side only) and leave the true MI unchanged.\n\n",
        profile.seeds
    );
    s += "| task | dims | true MI | n |";
    for e in &ests {
        s += &format!(" {e} |");
    }
    s += "\n|---|---|---|---|";
    for _ in &ests {
        s += "---|";
    }
    s += "\n";
    let mut keys: Vec<(String, usize)> = vec![];
    for c in cells {
        let k = (c.task.clone(), c.n);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    for (task, n) in &keys {
        let row: Vec<&Cell> = cells.iter().filter(|c| &c.task == task && c.n == *n).collect();
        let Some(first) = row.first() else { continue };
        s += &format!("| `{task}` | {}+{} | {:.4} | {n} |", first.dx, first.dy, first.true_mi_nats);
        for e in &ests {
            match row.iter().find(|c| &c.estimator == e) {
                Some(c) => {
                    let lre = c.log_relative_error.map(|l| format!(" [{l:+.2}]")).unwrap_or_else(|| " [—]".into());
                    s += &format!(" {}{lre}{} |", fmt_mean_sd(c), if c.solved { " ✓" } else { "" });
                }
                None => s += " |",
            }
        }
        s += "\n";
    }
    s += "\n## Solved cells per estimator\n\n| estimator | solved | of |\n|---|---|---|\n";
    for e in &ests {
        let mine: Vec<&Cell> = cells.iter().filter(|c| &c.estimator == e).collect();
        s += &format!("| {e} | {} | {} |\n", mine.iter().filter(|c| c.solved).count(), mine.len());
    }
    if let Some(max_n) = cells.iter().map(|c| c.n).max() {
        s += &format!("\n## At n = {max_n}: cells off by more than 10 % (|log(mean / true)| > 0.1)\n\n");
        for e in &ests {
            let off: Vec<String> = cells
                .iter()
                .filter(|c| &c.estimator == e && c.n == max_n && c.log_relative_error.is_none_or(|l| l.abs() > 0.1))
                .map(|c| format!("`{}` ({})", c.task, c.log_relative_error.map_or("—".into(), |l| format!("{l:+.2}"))))
                .collect();
            s += &format!("- {e}: {}\n", if off.is_empty() { "none".to_string() } else { off.join(", ") });
        }
    }
    s += "\nHow to read it: the Gaussian estimator is exact on the untransformed Gaussian tasks (up to its \
          finite-sample bias, ≈ dx·dy/2n upwards), wrong after cube transforms and biased low after Φ, \
          although neither changes the MI; KSG is accurate in 1+1 and 2+2 dimensions whatever the transform, degrades in 5+5 under \
          heavy-tailed transforms and with many independent coordinates (the sparse task), and is biased low \
          in high dimension (25×25 blocks, the 20-d staircase).\n";
    s
}

/// Errors of the table writer.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error(transparent)]
    Data(#[from] mi_data::DataError),
    #[error("could not serialise results: {0}")]
    Json(#[from] serde_json::Error),
}

fn write_json(path: &Path, v: &impl Serialize) -> Result<(), TableError> {
    let mut text = serde_json::to_string_pretty(v)?;
    text.push('\n');
    Ok(write_atomic(path, text.as_bytes())?)
}

/// Runs the table and writes `config.json`, `runs.jsonl`, `summary.json` and `REPORT.md` into `out`.
pub fn reproduce(profile: &TableProfile, seed: u64, out: &Path, progress: impl FnMut(&str)) -> Result<Vec<Cell>, TableError> {
    let config = serde_json::json!({
        "experiment": "estimators",
        "settings": {
            "profile": profile.name,
            "seed": seed,
            "sizes": profile.sizes,
            "seeds": profile.seeds,
            "estimators": profile.estimators.iter().map(|e| e.id()).collect::<Vec<_>>(),
            "tasks": profile.tasks.iter().map(|t| serde_json::json!({"id": t.id(), "dx": t.dx(), "dy": t.dy(), "true_mi_nats": t.true_mi_nats()})).collect::<Vec<_>>(),
            "knn": {"k": 3, "standardize": true, "jitter": null, "norm": "max"},
        },
        "infomax_version": env!("CARGO_PKG_VERSION"),
        "cpu_threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    });
    write_json(&out.join("config.json"), &config)?;
    let (runs, cells) = run_table(profile, seed, progress);
    let mut jsonl = String::new();
    for r in &runs {
        jsonl += &serde_json::to_string(r)?;
        jsonl.push('\n');
    }
    write_atomic(&out.join("runs.jsonl"), jsonl.as_bytes())?;
    write_json(&out.join("summary.json"), &serde_json::json!({ "profile": profile.name, "seed": seed, "cells": cells }))?;
    write_atomic(&out.join("REPORT.md"), markdown(profile, seed, &cells).as_bytes())?;
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_statistics() {
        let _rng = crate::test_rng_lock();
        let (m, s, l, ok) = summarise(&[1.0, 2.0, 3.0], 2.0);
        assert_eq!(m, Some(2.0));
        assert!((s.unwrap() - 1.0).abs() < 1e-15);
        assert_eq!(l, Some(0.0));
        assert!(ok);
        let (_, _, l, ok) = summarise(&[3.1], 2.0);
        assert!(l.unwrap() > 1.5f64.ln() && !ok);
        assert_eq!(summarise(&[-0.1], 1.0).2, None);
        assert!(!summarise(&[], 1.0).3);
    }

    #[test]
    fn tiny_table_is_plausible_and_written() {
        let _rng = crate::test_rng_lock();
        let mut p = TableProfile::named("smoke").unwrap();
        p.tasks = vec![Task::bivariate_gaussian(0.75).unwrap(), Task::bivariate_gaussian(0.75).unwrap().with_transform(Transform::Cube).unwrap()];
        p.sizes = vec![2_000];
        p.seeds = 2;
        let dir = std::env::temp_dir().join(format!("infomax-estimators-table-{}", std::process::id()));
        let cells = reproduce(&p, 0, &dir, |_| {}).unwrap();
        assert_eq!(cells.len(), 2 * 3);
        let get = |task: &str, est: &str| cells.iter().find(|c| c.task == task && c.estimator == est).unwrap();
        assert!(get("gauss-1x1-rho0.75", "gaussian").solved);
        assert!(get("gauss-1x1-rho0.75+cube", "ksg1-k3").solved);
        assert!(get("gauss-1x1-rho0.75+cube", "gaussian").mean_nats.unwrap() < 0.35);
        let report = std::fs::read_to_string(dir.join("REPORT.md")).unwrap();
        assert!(report.contains("| `gauss-1x1-rho0.75+cube` | 1+1 | 0.4133 | 2000 |"), "{report}");
        let runs = std::fs::read_to_string(dir.join("runs.jsonl")).unwrap();
        assert_eq!(runs.lines().count(), 2 * 3 * 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
