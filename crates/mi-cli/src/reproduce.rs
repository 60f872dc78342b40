//! `infomax reproduce <experiment>`: runs one of the experiments of `mi-experiments`.
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// a1 | a2 | a3 | a4 | limits | hypersphere | naf | estimators
    pub experiment: String,
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
    /// Output folder (default: results/<experiment>).
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
    /// folder (e.g. brought back from a GPU machine), keeping its config.json (a1–a4 only).
    #[arg(long)]
    pub report_only: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(n) = args.threads {
        let n = i32::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| crate::input_error("--threads must be at least 1"))?;
        tch::set_num_threads(n);
    }
    match args.experiment.as_str() {
        "limits" | "hypersphere" | "naf" | "estimators" if args.learning_rate.is_some() => Err(crate::input_error(format!(
            "--learning-rate applies to a1, a2, a3 and a4; `reproduce {}` sets its own rates",
            args.experiment
        ))),
        "limits" | "hypersphere" | "naf" | "estimators" if args.report_only => Err(crate::input_error(format!(
            "--report-only applies to a1, a2, a3 and a4; rerun `reproduce {}` itself, which keeps what is recorded",
            args.experiment
        ))),
        "estimators" => {
            // the ground-truth estimators table: CPU only, no training (--device/--steps do not apply)
            use mi_experiments::estimators_table::{reproduce, TableProfile};
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
            let out = args.out.clone().unwrap_or_else(|| PathBuf::from("results/estimators"));
            eprintln!("estimators table: profile '{}', {} seed(s), n in {:?} -> {}", profile.name, profile.seeds, profile.sizes, out.display());
            let cells = reproduce(&profile, args.seed, &out, |line| eprintln!("{line}"))?;
            let solved = cells.iter().filter(|c| c.solved).count();
            println!("wrote {} ({} cells, {solved} solved)", out.join("REPORT.md").display(), cells.len());
            Ok(())
        }
        "naf" => run_naf(&args),
        "a1" | "a2" | "a3" | "a4" => {
            run_experiment(&args, |o| mi_experiments::paper_grids::reproduce(&args.experiment, o))
        }
        "limits" => run_experiment(&args, mi_experiments::limits::reproduce),
        "hypersphere" => run_experiment(&args, mi_experiments::hypersphere::reproduce),
        other => Err(crate::input_error(format!(
            "unknown experiment '{other}': expected a1, a2, a3, a4, limits, hypersphere, naf or estimators"
        ))),
    }
}

/// `infomax reproduce naf`: fits a 2-D NAF to three target densities and draws them.
fn run_naf(args: &Args) -> anyhow::Result<()> {
    use mi_experiments::naf::{reproduce, NafConfig};
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
    let choice: mi_torch::DeviceChoice = args.device.parse().map_err(crate::input_error)?;
    // The flows are tiny: the CPU is as fast as a GPU here, so `auto` means the CPU.
    let choice = if choice == mi_torch::DeviceChoice::Auto { mi_torch::DeviceChoice::Cpu } else { choice };
    let device = mi_torch::resolve_device(choice).map_err(crate::input_error)?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("results/naf"));
    eprintln!("naf: profile '{}', seed {}, {} steps per target -> {}", cfg.profile, cfg.seed, cfg.steps, out.display());
    let summary = reproduce(&cfg, device, &out, |line| eprintln!("{line}"))?;
    for t in &summary.targets {
        println!(
            "{:8} held-out NLL {:.4} nats (target entropy {:.4}), mass on wide grid {:.4}",
            t.target, t.final_nll_nats, t.target_entropy_nats, t.learned_mass_on_wide_grid
        );
    }
    println!("wrote {}", out.join("naf.svg").display());
    Ok(())
}

/// `infomax reproduce a1|a2|a3|a4|limits|hypersphere`: the options shared by those experiments,
/// the experiment's entry point, its bad-input errors as exit status 2 (all resumable).
fn run_experiment(
    args: &Args,
    reproduce: impl FnOnce(&mi_experiments::paper_grids::RunOptions) -> mi_experiments::infomax::Result<PathBuf>,
) -> anyhow::Result<()> {
    use mi_experiments::infomax::ExperimentError;
    let opts = mi_experiments::paper_grids::RunOptions {
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
    };
    let out = reproduce(&opts).map_err(|e| match e {
        ExperimentError::Invalid(m) => crate::input_error(m),
        ExperimentError::Torch(t) => crate::input_error(t),
        other => anyhow::Error::new(other),
    })?;
    println!("wrote {}", out.join("REPORT.md").display());
    Ok(())
}
