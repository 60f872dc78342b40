//! `infomax probe` (issue 6): not implemented yet.
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Training features: .npy or .csv, one row per sample.
    #[arg(long)]
    pub train_x: PathBuf,
    /// Training labels: integer .npy or one-column .csv.
    #[arg(long)]
    pub train_y: PathBuf,
    #[arg(long)]
    pub test_x: PathBuf,
    #[arg(long)]
    pub test_y: PathBuf,
    /// Inverse L2 regularisation strength (scikit-learn's C).
    #[arg(long, default_value_t = 10.0)]
    pub c: f64,
    /// Stop when max|ΔW| / max|W| < tol after an epoch.
    #[arg(long, default_value_t = 0.1)]
    pub tol: f64,
    #[arg(long, default_value_t = 100)]
    pub max_epochs: usize,
    /// minmax | standard | none (fitted on the training features).
    #[arg(long, default_value = "minmax")]
    pub scale: String,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`infomax probe` is not implemented yet (issue 6)")
}
