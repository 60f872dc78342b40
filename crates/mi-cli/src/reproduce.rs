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
        "estimators" => "4",
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
