//! The engine every experiment runs on.
//!
//! An experiment implements [`Experiment`] (settings per profile, run units, one run, summary,
//! report); [`driver::run`] does the rest once for all: device and profile, checking the
//! user's overrides, provenance, the results folder ([`results::ResultsDir`]: atomic writes,
//! resume, refusal to mix settings; [`folder`]: a user's own folder by default), the resumable
//! loop over units, rewriting summary and report after each, and `--report-only`.
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

pub use error::{ExperimentError, Result};
pub use experiment::{Context, Experiment, Figure, Report};
pub use options::{Override, RunOptions};
pub use profile::Profile;
pub use results::{ResultsDir, RunKey};
