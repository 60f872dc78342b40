//! `infomax reproduce <experiment>`: runs one of the experiments of `mi-experiments`.
use mi_experiments::ExperimentName;
use mi_train::{ExperimentError, RunOptions};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    pub experiment: ExperimentName,
    /// paper | quick | smoke (default: paper when CUDA is available, otherwise quick).
    #[arg(long)]
    pub profile: Option<String>,
    /// cpu | cuda | auto
    #[arg(long, default_value = "auto")]
    pub device: String,
    #[arg(long)]
    pub runs: Option<usize>,
    #[arg(long)]
    pub steps: Option<usize>,
    /// Adam learning rate of the training loop instead of the profile's (a1–a4 only).
    #[arg(long)]
    pub learning_rate: Option<f64>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output folder (default: a folder of this run's own, runs/<experiment>/<UTC time>/, resumed
    /// by the same command; the committed results are in results/<experiment>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where datasets live (default: $INFOMAX_DATA_DIR, else the repository's datasets/).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// No progress output (results and the report are written as usual).
    #[arg(long)]
    pub quiet: bool,
    /// libtorch's CPU threads (default: libtorch's choice, one per core). On a machine busy with
    /// other work, `--threads 1` avoids threads waiting on each other and can be several times faster.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Train nothing: rewrite summary, plots and report from the runs recorded in the output
    /// folder (e.g. brought back from a GPU machine), keeping its config.json.
    #[arg(long)]
    pub report_only: bool,
    /// Train nothing: print one JSON line per run unit (index, config, run, seed, steps,
    /// cost_core_seconds, done) for these settings and this --out folder. For planning a cluster run.
    #[arg(long)]
    pub list_runs: bool,
    /// Run exactly one unit (an index from --list-runs) and record it in --out/units/; `env` reads
    /// $SLURM_ARRAY_TASK_ID. Merge the units with --report-only afterwards.
    #[arg(long, value_name = "I|env")]
    pub run_index: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(n) = args.threads {
        let n = i32::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| crate::input_error("--threads must be at least 1"))?;
        tch::set_num_threads(n);
    }
    let opts = options(&args)?;
    let out = mi_experiments::reproduce(args.experiment, &opts).map_err(exit_status)?;
    if !opts.list_runs && opts.run_index.is_none() {
        println!("wrote {}", out.join("REPORT.md").display());
    }
    Ok(())
}

fn options(args: &Args) -> anyhow::Result<RunOptions> {
    Ok(RunOptions {
        profile: args.profile.as_deref().map(str::parse).transpose().map_err(crate::input_error)?,
        device: args.device.parse().map_err(crate::input_error)?,
        runs: args.runs,
        steps: args.steps,
        learning_rate: args.learning_rate,
        seed: args.seed,
        out: args.out.clone(),
        data_dir: args.data_dir.clone(),
        quiet: args.quiet,
        report_only: args.report_only,
        list_runs: args.list_runs,
        run_index: args.run_index.as_deref().map(run_index).transpose()?,
    })
}

/// `--run-index`: a number, or `env` for Slurm's `$SLURM_ARRAY_TASK_ID`.
fn run_index(v: &str) -> anyhow::Result<usize> {
    let (text, from) = if v == "env" {
        let t = std::env::var("SLURM_ARRAY_TASK_ID").map_err(|_| {
            crate::input_error("--run-index env reads $SLURM_ARRAY_TASK_ID, which is not set: run inside a Slurm array job, or give the index")
        })?;
        (t, " ($SLURM_ARRAY_TASK_ID)")
    } else {
        (v.to_string(), "")
    };
    text.trim().parse().map_err(|_| crate::input_error(format!("--run-index expects a unit index (0, 1, ...) or `env`, got {text:?}{from}")))
}

/// Bad input (exit status 2) or a failure (1).
fn exit_status(e: ExperimentError) -> anyhow::Error {
    if e.is_bad_input() {
        crate::input_error(e)
    } else {
        anyhow::Error::new(e)
    }
}
