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
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output folder (default: results/<experiment>).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let issue = match args.experiment.as_str() {
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
            return Ok(());
        }
        "naf" => "5",
        "a3" | "a4" => "7",
        "a1" | "a2" => "8",
        "limits" => "9",
        "hypersphere" => "10",
        other => return Err(crate::input_error(format!(
            "unknown experiment '{other}': expected a1, a2, a3, a4, limits, hypersphere, naf or estimators"
        ))),
    };
    anyhow::bail!("`infomax reproduce {}` is not implemented yet (issue {issue})", args.experiment)
}
