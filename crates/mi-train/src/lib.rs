//! The engine every experiment runs on.
//!
//! An experiment implements [`Experiment`] (settings per profile, run units, one run, summary,
//! report); [`driver::run`] does the rest once for all: device and profile, checking the
//! user's overrides, provenance, the results folder ([`results::ResultsDir`]: atomic writes,
//! resume, refusal to mix settings; [`folder`]: a user's own folder by default), the resumable
//! loop over units, rewriting summary and report after each, and `--report-only`. Each finished
//! unit is a file of its own ([`units`]), so units can also run one per process
//! (`--run-index`, e.g. as a Slurm array task) and be merged later.
//!
//! Invariant: nothing here knows a particular experiment.
pub mod driver;
pub mod error;
pub mod experiment;
pub mod folder;
pub mod options;
pub mod profile;
pub mod progress;
pub mod results;
pub mod units;

pub use error::{ExperimentError, Result};
pub use experiment::{Context, Experiment, Figure, Report, UnitPlan};
pub use options::{Override, RunOptions};
pub use profile::Profile;
pub use results::{ResultsDir, RunKey};
