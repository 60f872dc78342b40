//! `cargo xtask data mnist|cifar10 [--data-dir DIR] [--verify]`: fetch and verify a dataset.
//!
//! Without `--verify`: makes the dataset appear in `<data dir>/<name>/` (a no-op when it is already
//! there and its checksums match), then loads it once as a check. With `--verify`: fetches nothing;
//! checks that the files are there and their checksums match.
use anyhow::{bail, Context, Result};
use mi_data::{cifar10, mnist};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// mnist | cifar10
    pub dataset: String,
    /// Where datasets live (default: `datasets/` in the repository, or $INFOMAX_DATA_DIR).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Check the checksums of files already present (fetches nothing).
    #[arg(long)]
    pub verify: bool,
}

fn data_root(root: &Path, explicit: Option<&Path>) -> PathBuf {
    match (explicit, std::env::var_os(mi_data::DATA_DIR_ENV)) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(v)) if !v.is_empty() => PathBuf::from(v),
        _ => root.join("datasets"),
    }
}

pub fn run(root: &Path, args: Args) -> Result<()> {
    let base = data_root(root, args.data_dir.as_deref());
    let t = Instant::now();
    let mut progress = |m: &str| eprintln!("{m}");
    match args.dataset.as_str() {
        "mnist" => {
            let dir = base.join("mnist");
            if args.verify {
                mnist::check(&dir)?;
                mnist::verify(&dir)?;
                println!("MNIST in {}: the four files are present and match the official MD5s.", dir.display());
                return Ok(());
            }
            let outcome = mnist::ensure(&dir, &mut progress)?;
            let m = mnist::load(&dir).with_context(|| format!("loading MNIST from {}", dir.display()))?;
            match outcome {
                mnist::Outcome::Present => println!(
                    "MNIST in {}: already present and verified (official MD5s); nothing to do.",
                    dir.display()
                ),
                mnist::Outcome::Fetched(source) => {
                    println!("MNIST in {}: fetched from {source} and verified (official MD5s).", dir.display())
                }
            }
            println!(
                "  {} training + {} test images of 28×28 ({:.1} s)",
                m.train_images.shape()[0],
                m.test_images.shape()[0],
                t.elapsed().as_secs_f64()
            );
        }
        "cifar10" => {
            let dir = base.join("cifar10");
            if args.verify {
                let report = cifar10::verify(&dir)?;
                println!("CIFAR-10 in {}: {report}", dir.display());
                return Ok(());
            }
            let outcome = cifar10::ensure(&dir, &mut progress)?;
            let c = cifar10::load(&dir).with_context(|| format!("loading CIFAR-10 from {}", dir.display()))?;
            match outcome {
                cifar10::Outcome::Present => println!("CIFAR-10 in {}: already present; nothing to do.", dir.display()),
                cifar10::Outcome::Fetched => println!("CIFAR-10 in {}: fetched and verified (archive MD5).", dir.display()),
                cifar10::Outcome::Extracted => {
                    println!("CIFAR-10 in {}: extracted from the archive placed by hand (MD5 verified).", dir.display())
                }
            }
            println!(
                "  {} training + {} test images of 3×32×32 ({:.1} s)",
                c.train_images.shape()[0],
                c.test_images.shape()[0],
                t.elapsed().as_secs_f64()
            );
        }
        other => bail!("unknown dataset '{other}': expected `mnist` or `cifar10`"),
    }
    Ok(())
}
