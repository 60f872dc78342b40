//! `infomax reproduce <experiment>`: runs one of the experiments of `mi-experiments`.
use mi_experiments::ExperimentName;
use mi_train::{folder, ExperimentError, RunOptions};
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
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(n) = args.threads {
        let n = i32::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| crate::input_error("--threads must be at least 1"))?;
        tch::set_num_threads(n);
    }
    let opts = options(&args)?;
    let out = match args.experiment {
        ExperimentName::Estimators => run_estimators(&args, &opts)?,
        ExperimentName::Naf => run_naf(&args, &opts)?,
        name => mi_experiments::reproduce(name, &opts).map_err(exit_status)?,
    };
    println!("wrote {}", out.join("REPORT.md").display());
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
    })
}

/// Bad input (exit status 2) or a failure (1).
fn exit_status(e: ExperimentError) -> anyhow::Error {
    if e.is_bad_input() {
        crate::input_error(e)
    } else {
        anyhow::Error::new(e)
    }
}

/// What `naf` and `estimators` (not on the driver yet) refuse.
fn refuse_unsupported(args: &Args, name: &str) -> anyhow::Result<()> {
    if args.learning_rate.is_some() {
        return Err(crate::input_error(format!("--learning-rate applies to a1, a2, a3 and a4; `reproduce {name}` sets its own rates")));
    }
    if args.report_only {
        return Err(crate::input_error(format!("--report-only does not apply to `reproduce {name}` yet; rerun it, it takes minutes")));
    }
    Ok(())
}

/// The folder of a run of `name` without `--out`: a new one of its own.
fn out_dir(name: &str, opts: &RunOptions, settings: serde_json::Value) -> anyhow::Result<PathBuf> {
    match &opts.out {
        Some(o) => Ok(o.clone()),
        None => folder::default_for(name, &settings, false).map_err(exit_status),
    }
}

/// `infomax reproduce estimators`: the ground-truth estimators table (CPU only, no training).
fn run_estimators(args: &Args, opts: &RunOptions) -> anyhow::Result<PathBuf> {
    use mi_experiments::estimators_table::{reproduce, TableProfile};
    refuse_unsupported(args, "estimators")?;
    let mut profile = TableProfile::named(args.profile.as_deref().unwrap_or("quick")).map_err(crate::input_error)?;
    if let Some(runs) = args.runs {
        if runs == 0 {
            return Err(crate::input_error("--runs must be at least 1"));
        }
        profile.seeds = runs;
    }
    if args.steps.is_some() {
        return Err(crate::input_error("--steps does not apply to `reproduce estimators` (nothing is trained)"));
    }
    let out = out_dir("estimators", opts, serde_json::json!({ "profile": profile.name, "seeds": profile.seeds, "seed": args.seed }))?;
    eprintln!("estimators table: profile '{}', {} seed(s), n in {:?} -> {}", profile.name, profile.seeds, profile.sizes, out.display());
    let cells = reproduce(&profile, args.seed, &out, |line| eprintln!("{line}"))?;
    let solved = cells.iter().filter(|c| c.solved).count();
    eprintln!("estimators table: {} cells, {solved} solved", cells.len());
    Ok(out)
}

/// `infomax reproduce naf`: fits a 2-D NAF to three target densities and draws them.
fn run_naf(args: &Args, opts: &RunOptions) -> anyhow::Result<PathBuf> {
    use mi_experiments::naf::{reproduce, NafConfig};
    refuse_unsupported(args, "naf")?;
    let profile = args.profile.as_deref().unwrap_or("quick");
    let mut cfg = NafConfig::named(profile, args.seed).map_err(crate::input_error)?;
    if let Some(steps) = args.steps {
        if steps == 0 {
            return Err(crate::input_error("--steps must be at least 1"));
        }
        cfg.steps = steps;
    }
    if args.runs.is_some_and(|r| r != 1) {
        return Err(crate::input_error("`reproduce naf` makes one picture: --runs does not apply"));
    }
    // The flows are tiny: the CPU is as fast as a GPU here, so `auto` means the CPU.
    let choice = if opts.device == mi_torch::DeviceChoice::Auto { mi_torch::DeviceChoice::Cpu } else { opts.device };
    let device = mi_torch::resolve_device(choice).map_err(crate::input_error)?;
    let out = out_dir("naf", opts, serde_json::to_value(&cfg)?)?;
    std::fs::create_dir_all(&out)?;
    eprintln!("naf: profile '{}', seed {}, {} steps per target -> {}", cfg.profile, cfg.seed, cfg.steps, out.display());
    let summary = reproduce(&cfg, device, &out, |line| eprintln!("{line}"))?;
    for t in &summary.targets {
        eprintln!(
            "{:8} held-out NLL {:.4} nats (target entropy {:.4}), mass on wide grid {:.4}",
            t.target, t.final_nll_nats, t.target_entropy_nats, t.learned_mass_on_wide_grid
        );
    }
    Ok(out)
}
