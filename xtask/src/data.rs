//! `cargo xtask data mnist|cifar10 [--data-dir DIR] [--verify]` (issue 3): not implemented yet.
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// mnist | cifar10
    pub dataset: String,
    /// Where datasets live (default: `datasets/` in the repository, or $INFOMAX_DATA_DIR).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Check the checksums of files already present.
    #[arg(long)]
    pub verify: bool,
}

pub fn run(_root: &Path, args: Args) -> Result<()> {
    bail!("`cargo xtask data {}` is not implemented yet (issue 3)", args.dataset)
}
