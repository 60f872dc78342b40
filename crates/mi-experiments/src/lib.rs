//! The paper's experiments, as library code the `infomax` binary and `cargo xtask reproduce` drive.
//!
//! What belongs here (see `ARCHITECTURE.md`): the training loop (two encoders, a critic, a bound,
//! one Adam optimiser), periodic evaluation with a fresh probe, one module per experiment (A1–A4,
//! limits, hypersphere, the NAF picture), neural MI estimation from samples, profiles
//! (`paper`/`quick`/`smoke`), and the results writer (atomic JSON, plots, reports).
pub use mi_torch;
pub mod adversarial;
pub mod chart;
pub mod estimators_table;
pub mod grid;
pub mod heatmap;
pub mod hypersphere;
pub mod infomax;
pub mod limits;
pub mod naf;
pub mod neural_estimate;
pub mod paper_grids;
pub mod profile;
pub mod progress;
pub mod report;
pub mod results;
pub mod scatter;

/// libtorch's random generator is global and unit tests run on parallel threads: tests that seed
/// it and then draw (network initialisation, sampling) hold this lock so that another test's
/// draws cannot interleave and make a seeded result differ from run to run.
#[cfg(test)]
pub(crate) fn test_rng_lock() -> std::sync::MutexGuard<'static, ()> {
    static RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());
    RNG.lock().unwrap_or_else(|e| e.into_inner())
}
