//! `cargo xtask`: every workflow of the project, so that a contributor needs nothing but cargo.
//!
//! This crate must build and run without libtorch: it installs libtorch (`setup`) and then drives
//! the crates that need it as child processes.
mod bench;
mod data;
mod device;
mod python;
mod setup;
mod slurm;
mod slurm_cluster;
mod slurm_test;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "infomax workflows: setup, test, reproduce, slurm, slurm-test, data, bench, device-bundle")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install what the build needs: system OpenBLAS (apt, as root) and PyTorch 2.11.0 in `.venv`.
    /// Idempotent: does nothing when everything is already there.
    Setup,
    /// Run setup if needed, then every test of the workspace (libtorch crates, doc tests, property
    /// tests, the tidy check), the Python package's (wheel built and installed into .venv, pytest)
    /// and the Slurm test.
    Test {
        /// Extra arguments passed to `cargo test` after `--` (e.g. a test name filter).
        #[arg(last = true)]
        rest: Vec<String>,
    },
    /// Reproduce an experiment (the names `infomax reproduce --help` lists): builds the `infomax`
    /// binary in release mode and runs `infomax reproduce <experiment> [ARGS]`; without `--out` the
    /// results go to a folder of their own under runs/<experiment>/.
    Reproduce {
        /// Which experiment.
        experiment: String,
        /// Passed on to `infomax reproduce` (e.g. `--profile quick --seed 1`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Fetch and verify a dataset into `datasets/<name>/` (mnist, cifar10).
    Data(data::Args),
    /// Benchmarks side by side with the tools people use today (scikit-learn, scipy, PyTorch),
    /// written to results/bench/; `bench estimators [ARGS]` scores every estimator on the 40-task
    /// ground-truth benchmark into results/bench-estimators/ (ARGS go to `infomax bench
    /// estimators`, e.g. `--external mine="python my_mi.py"`).
    Bench {
        /// Nothing for the speed comparisons, or `estimators`.
        what: Option<String>,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Bundle what a borrowed accelerator machine needs to run `infomax` (stripped binary,
    /// OpenBLAS, MNIST; gzip, under 48 MiB) into `.device/`, for `scripts/device/a4-paper-gpu.sh`.
    DeviceBundle,
    /// Run a reproduction as a Slurm job array, one run unit per task, and the report after it:
    /// writes DIR/slurm/array.sbatch and aggregate.sbatch, prints the plan (units, core-hours,
    /// projected wall times) and submits both with sbatch (or only writes them, --dry-run).
    Slurm(slurm::Args),
    /// Build the `infomax` Python wheel (PyO3 + maturin, abi3) into target/wheels/.
    Wheel,
    /// Test `cargo xtask slurm` end to end on a real one-node Slurm that it starts (and stops)
    /// itself: installs slurm-wlm and munge with apt when absent (as root).
    SlurmTest,
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Setup => setup::run(&repo_root()).map(|_| ()),
        Cmd::Test { rest } => test(&rest),
        Cmd::Reproduce { experiment, args } => reproduce(&experiment, &args),
        Cmd::Data(args) => data::run(&repo_root(), args),
        Cmd::Bench { what: None, .. } => bench::run(&repo_root()),
        Cmd::Bench { what: Some(w), args } if w == "estimators" => bench_estimators(&args),
        Cmd::Bench { what: Some(w), .. } => Err(anyhow::anyhow!("unknown benchmark '{w}': expected nothing (the speed comparisons) or estimators")),
        Cmd::DeviceBundle => device::run(&repo_root()),
        Cmd::Slurm(args) => slurm::run(&repo_root(), args),
        Cmd::SlurmTest => slurm_test::run(&repo_root()),
        Cmd::Wheel => python::build_wheel(&repo_root()).map(|_| ()),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// The repository root: the parent of this crate's manifest directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn test(rest: &[String]) -> Result<()> {
    let root = repo_root();
    let torch = setup::run(&root)?;
    // the smoke tests fail without MNIST rather than skip: fetch it once, before they run
    let mnist = mi_data::mnist::default_dir(None);
    mi_data::mnist::ensure(&mnist, &mut |m| println!("{m}")).with_context(|| format!("MNIST in {}", mnist.display()))?;
    let mut cmd = cargo();
    cmd.current_dir(&root)
        .args(["test", "--workspace", "--features", "mi-estimators/tch"])
        // rustdoc links doc tests without our rpath; give it the library folder instead
        .env("LD_LIBRARY_PATH", setup::prepend_path_var("LD_LIBRARY_PATH", &torch.lib_dir))
        .env("LIBTORCH", &torch.libtorch)
        // end-to-end tests that need the package registries (e.g. the PyPI path of the MNIST fetch)
        .env("INFOMAX_NETWORK_TESTS", "1")
        .env("PROPTEST_CASES", std::env::var("PROPTEST_CASES").unwrap_or_else(|_| "64".into()));
    if !rest.is_empty() {
        cmd.arg("--").args(rest);
    }
    println!("xtask test: running {cmd:?}");
    let status = cmd.status()?;
    if !status.success() {
        bail!("workspace tests failed ({status})");
    }
    println!("xtask test: all workspace tests passed (libtorch at {})", torch.libtorch.display());
    // the Python package: its wheel built, installed into .venv, its pytest suite run
    python::test(&root)?;
    // the cluster path is part of what CI proves; skipping it must be a visible decision
    if std::env::var("INFOMAX_SKIP_SLURM_TEST").as_deref() == Ok("1") {
        eprintln!("\n{}\nxtask test: SKIPPED the Slurm test (INFOMAX_SKIP_SLURM_TEST=1): `cargo xtask slurm` is NOT tested\n{}\n", "!".repeat(78), "!".repeat(78));
        return Ok(());
    }
    slurm_test::run(&root)
}

/// Builds the release `infomax` binary (after setup) and returns its path.
fn release_infomax(root: &Path) -> Result<PathBuf> {
    setup::run(root)?;
    let status = cargo().current_dir(root).args(["build", "--release", "-p", "mi-cli"]).status()?;
    if !status.success() {
        bail!("building the infomax binary failed ({status})");
    }
    Ok(root.join("target").join("release").join("infomax"))
}

/// `infomax bench estimators --out results/bench-estimators ARGS` (an `--out` in ARGS wins).
fn bench_estimators(args: &[String]) -> Result<()> {
    let root = repo_root();
    let bin = release_infomax(&root)?;
    let mut cmd = Command::new(&bin);
    cmd.current_dir(&root).args(["bench", "estimators"]);
    if !args.iter().any(|a| a == "--out" || a.starts_with("--out=")) {
        cmd.args(["--out", "results/bench-estimators"]);
    }
    let status = cmd.args(args).status()?;
    if !status.success() {
        bail!("`infomax bench estimators` failed ({status})");
    }
    Ok(())
}

fn reproduce(experiment: &str, args: &[String]) -> Result<()> {
    // the list of experiments is the binary's (`infomax reproduce --help`): an unknown name is
    // refused there, with the names it knows
    let root = repo_root();
    let bin = release_infomax(&root)?;
    let status = Command::new(&bin).current_dir(&root).arg("reproduce").arg(experiment).args(args).status()?;
    if !status.success() {
        bail!("`infomax reproduce {experiment}` failed ({status})");
    }
    Ok(())
}
