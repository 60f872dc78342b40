//! `infomax estimate` (issue 4): not implemented yet.
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Samples of X: .npy ([n] or [n, d]; f32, f64 or integer) or .csv (numeric, optional header).
    #[arg(long)]
    pub x: PathBuf,
    /// Samples of Y, same number of rows as X.
    #[arg(long)]
    pub y: PathBuf,
    /// ksg | ksg2 | gaussian | infonce | nwj | dv | mine | smile | js
    #[arg(long, default_value = "ksg")]
    pub estimator: String,
    /// Neighbours for the k-NN estimators.
    #[arg(long, default_value_t = 3)]
    pub k: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object instead of a human line.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`infomax estimate` is not implemented yet (issue 4)")
}
