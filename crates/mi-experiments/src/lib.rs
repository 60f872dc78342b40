//! The experiments, one module each, on the engine of `mi-train`.
//!
//! Each experiment implements [`mi_train::Experiment`] (the InfoMax grids A1–A4 through
//! [`infomax::grid::PairGrid`], which they share). [`ExperimentName`] is the list the CLI offers
//! and [`reproduce`] the one place that maps a name to its experiment. No experiment module
//! imports another's.
pub mod a1;
pub mod a2;
pub mod a3;
pub mod a4;
pub mod boundary;
pub mod estimators;
pub mod hypersphere;
pub mod infomax;
pub mod limits;
pub mod naf;
pub mod neural_estimate;

pub use mi_torch;
use infomax::grid::Grid;
use mi_train::{driver, Result, RunOptions};
use std::path::PathBuf;

/// Every experiment `infomax reproduce` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExperimentName {
    /// §3.1, Fig. 1: invertible encoders (A1a grid, A1b adversarial encoder)
    A1,
    /// §3.1, Fig. 2: skip-MLP encoders near identity, Jacobian conditioning
    A2,
    /// §3.2, Fig. 3: critic capacity (MNIST; CIFAR-10 halves when present)
    A3,
    /// §3.3, Fig. 4: encoder architecture vs estimator
    A4,
    /// what variational MI estimators cannot do, on data with known MI
    Limits,
    /// alignment and uniformity on the hypersphere (Wang & Isola)
    Hypersphere,
    /// a neural autoregressive flow between 2-D densities (the slides' picture)
    Naf,
    /// every non-neural estimator on tasks with known MI
    Estimators,
    /// the slides' encoder–critic boundary: P1–P3 and every module probed
    Boundary,
}

/// Runs experiment `name` with the user's options through the driver; returns its folder.
pub fn reproduce(name: ExperimentName, opts: &RunOptions) -> Result<PathBuf> {
    use ExperimentName::*;
    match name {
        A1 => driver::run(&Grid(a1::A1), opts),
        A2 => driver::run(&Grid(a2::A2), opts),
        A3 => driver::run(&Grid(a3::A3 { dataset: infomax::Dataset::Mnist }), opts),
        A4 => driver::run(&Grid(a4::A4), opts),
        Limits => driver::run(&limits::Limits, opts),
        Hypersphere => driver::run(&hypersphere::Hypersphere, opts),
        Naf => driver::run(&naf::Naf, opts),
        Estimators => driver::run(&estimators::Estimators, opts),
        Boundary => driver::run(&boundary::Boundary, opts),
    }
}

/// libtorch's random generator is global and unit tests run on parallel threads: tests that seed
/// it and then draw (network initialisation, sampling) hold this lock so that another test's
/// draws cannot interleave and make a seeded result differ from run to run.
#[cfg(test)]
pub(crate) fn test_rng_lock() -> std::sync::MutexGuard<'static, ()> {
    static RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());
    RNG.lock().unwrap_or_else(|e| e.into_inner())
}
