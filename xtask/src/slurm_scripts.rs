//! What `cargo xtask slurm` writes and prints: the plan (core-hours, projected wall times) and
//! the two batch scripts, built as pure functions of the job and its units, then written.
use super::{Job, Unit};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Slurm's `--array` value for these task ids: ranges joined by commas, then `%K`.
pub fn array_spec(indices: &[usize], max_parallel: Option<u32>) -> String {
    let mut ids = indices.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut parts = vec![];
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        parts.push(if j == i { ids[i].to_string() } else { format!("{}-{}", ids[i], ids[j]) });
        i = j + 1;
    }
    let mut spec = parts.join(",");
    if let Some(k) = max_parallel {
        spec.push_str(&format!("%{k}"));
    }
    spec
}

/// The time the last of `workers` parallel workers finishes when the jobs go, longest first, each
/// to the worker free soonest (the classic LPT schedule; within 4/3 of the optimum). Slurm starts
/// array tasks in index order, not by length, so this is the good case, not a promise.
pub fn makespan(costs: &[f64], workers: usize) -> f64 {
    let mut loads = vec![0.0f64; workers.max(1)];
    let mut sorted = costs.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    for c in sorted {
        let least = loads.iter_mut().min_by(|a, b| a.total_cmp(b)).expect("at least one worker");
        *least += c;
    }
    loads.into_iter().fold(0.0, f64::max)
}

/// `seconds` as a short human duration (`3d 4h`, `2h 05m`, `7m 30s`).
pub fn human(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    let (d, h, m, sec) = (s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else {
        format!("{m}m {sec:02}s")
    }
}

/// The plan printed before anything is submitted.
pub fn plan_text(job: &Job, units: &[Unit], selected: &[usize]) -> String {
    let costs: Vec<f64> = selected.iter().map(|&i| units[i].cost_core_seconds).collect();
    let done = units.iter().filter(|u| u.done).count();
    let core_hours = costs.iter().fold(0.0, |a, c| a + c) / 3600.0; // `sum` of nothing is -0.0
    let mut t = format!(
        "slurm plan: {} (profile {}) into {}\n  {} units in the grid, {done} already recorded; {} to submit, about {core_hours:.2} core-hours (infomax's estimate)\n",
        job.args.experiment,
        job.args.profile,
        job.dir.display(),
        units.len(),
        selected.len()
    );
    let walls: Vec<String> = [1usize, 10, 160].iter().map(|&p| format!("{p} task{} {}", if p == 1 { "" } else { "s" }, human(makespan(&costs, p)))).collect();
    t.push_str(&format!("  projected wall time (one core per task, longest first): {}\n", walls.join(", ")));
    if let Some(k) = job.args.max_parallel {
        t.push_str(&format!("  with --max-parallel {k}: {}\n", human(makespan(&costs, k as usize))));
    }
    if done > 0 && !job.args.resubmit_missing {
        t.push_str("  (recorded units end at once in their task; --resubmit-missing submits only the others)\n");
    }
    t
}

/// `s` as one shell word.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+%@".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `#SBATCH` lines and the shell lines both scripts share.
fn script_head(job: &Job, name: &str, what: &str) -> Vec<String> {
    let a = &job.args;
    let mut l = vec![
        "#!/bin/bash".to_string(),
        format!("# {what}"),
        "# Written by `cargo xtask slurm`; submit with sbatch (the xtask does).".into(),
        format!("#SBATCH --job-name={name}"),
        "#SBATCH --ntasks=1".into(),
    ];
    if let Some(p) = &a.partition {
        l.push(format!("#SBATCH --partition={p}"));
    }
    if let Some(t) = &a.time {
        l.push(format!("#SBATCH --time={t}"));
    }
    l
}

/// The shell body: strict mode, the checkout, our libtorch, thread counts, then `infomax`.
fn script_body(job: &Job, threads: u32, args: &[String]) -> Vec<String> {
    let q = |p: &Path| shell_quote(&p.display().to_string());
    let words: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
    vec![
        String::new(),
        "set -euo pipefail".into(),
        format!("cd {}", q(&job.root)),
        // compute nodes may not honour the binary's rpath; `:+` keeps `set -u` happy when unset
        format!("export LD_LIBRARY_PATH={}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}", q(&job.lib_dir)),
        // BLAS and OpenMP threads to the task's cores, as the local runs of slurm-test do
        format!("export OMP_NUM_THREADS={threads} OPENBLAS_NUM_THREADS={threads}"),
        format!("exec {} {}", q(&job.bin), words.join(" ")),
    ]
}

/// `array.sbatch`: one unit per task, the task id is the unit index.
pub fn array_script(job: &Job, indices: &[usize]) -> String {
    let a = &job.args;
    let logs = job.slurm_dir().join("logs");
    let mut l = script_head(job, &format!("infomax-{}-{}", a.experiment, a.profile), "One run unit of the grid per array task.");
    l.push(format!("#SBATCH --array={}", array_spec(indices, a.max_parallel)));
    l.push(format!("#SBATCH --output={}", logs.join("%A_%a.out").display()));
    l.push(format!("#SBATCH --cpus-per-task={}", a.cpus_per_task));
    if let Some(g) = a.gpus_per_task {
        l.push(format!("#SBATCH --gres=gpu:{g}"));
    }
    l.extend(script_body(job, a.cpus_per_task, &job.task_args()));
    l.join("\n") + "\n"
}

/// `aggregate.sbatch`: merges whatever units exist into runs.jsonl, summary, plots and report.
pub fn aggregate_script(job: &Job) -> String {
    let a = &job.args;
    let logs = job.slurm_dir().join("logs");
    let mut l = script_head(job, &format!("infomax-{}-{}-report", a.experiment, a.profile), "Merge the units into runs.jsonl, summary.json, plots and REPORT.md.");
    l.push(format!("#SBATCH --output={}", logs.join("aggregate_%j.out").display()));
    l.push("#SBATCH --cpus-per-task=1".into());
    l.extend(script_body(job, 1, &job.report_args()));
    l.join("\n") + "\n"
}

/// Writes both scripts (and the log folder, which Slurm does not create).
pub fn write_scripts(job: &Job, indices: &[usize]) -> Result<(PathBuf, PathBuf)> {
    let dir = job.slurm_dir();
    std::fs::create_dir_all(dir.join("logs")).with_context(|| format!("creating {}", dir.join("logs").display()))?;
    let array = dir.join("array.sbatch");
    let aggregate = dir.join("aggregate.sbatch");
    std::fs::write(&array, array_script(job, indices)).with_context(|| format!("writing {}", array.display()))?;
    std::fs::write(&aggregate, aggregate_script(job)).with_context(|| format!("writing {}", aggregate.display()))?;
    Ok((array, aggregate))
}
