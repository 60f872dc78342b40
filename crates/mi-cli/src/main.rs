//! `infomax`: estimate mutual information from data files, probe features, run experiments.
//!
//! Exit status: 0 on success, 2 on bad input (unreadable or malformed files, mismatched shapes,
//! invalid options), 1 on any other failure. Errors are one line on stderr, never a backtrace.
use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod bench;
mod bench_estimators;
mod estimate;
mod probe;
mod reproduce;
mod tasks;

#[derive(Parser)]
#[command(name = "infomax", version, about = "Mutual information estimation and the experiments of \
Tschannen et al., \"On Mutual Information Maximization for Representation Learning\" (ICLR 2020)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Estimate I(X; Y) in nats from two data files with the same number of rows.
    Estimate(estimate::Args),
    /// Fit a linear probe (SAGA multinomial logistic regression) on features and report accuracy.
    Probe(probe::Args),
    /// Run one of the paper's experiments and write results, plots and a report.
    Reproduce(reproduce::Args),
    /// The ground-truth tasks: list them with their exact MI, or sample one to .npy files.
    Tasks(tasks::Args),
    /// Time training steps of one configuration (`bench train`).
    Bench(bench::Args),
    /// Report the libtorch this binary runs against and whether it sees a GPU.
    Doctor,
}

/// Bad input from the user: reported with exit status 2.
#[derive(Debug)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for InputError {}

/// Wraps anything displayable as an [`InputError`] (exit status 2).
pub fn input_error(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::Error::new(InputError(e.to_string()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // libtorch's freed CPU memory stays in the heap for the next step's tensors (1.1–1.3× faster
    // training; see mi_torch::retain_freed_memory)
    let allocator = mi_torch::retain_freed_memory();
    let result = match cli.command {
        Command::Estimate(args) => estimate::run(args),
        Command::Probe(args) => probe::run(args),
        Command::Reproduce(args) => reproduce::run(args),
        Command::Tasks(args) => tasks::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Doctor => {
            println!("libtorch: {}", mi_torch::libtorch_lib_dir());
            println!("cuda available: {}", mi_torch::cuda_available());
            println!("cuda devices: {}", mi_torch::cuda_device_count());
            println!("cpu threads: {}", tch::get_num_threads());
            match allocator {
                Some(a) => println!("allocator: freed memory kept (glibc mmap threshold {} MiB, trim threshold {} MiB)", a.mmap_threshold_bytes >> 20, a.trim_threshold_bytes >> 20),
                None => println!("allocator: the C library's defaults (not glibc, or it refused the settings)"),
            }
            // libtorch's CPU matrix products must bind to its own BLAS (see ARCHITECTURE.md)
            let blas = mi_torch::blas_library("sgemm_");
            let own = blas.as_deref().is_some_and(|l| l.contains("libtorch_cpu"));
            println!(
                "blas (sgemm_): {}{}",
                blas.as_deref().unwrap_or("not found"),
                if own { "" } else { " — not libtorch's own: expect slow CPU training (link order, see ARCHITECTURE.md)" }
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.is::<InputError>() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
