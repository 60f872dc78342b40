//! The InfoMax machinery A1–A4 share (not an experiment itself): configurations, the two views,
//! the networks of a configuration, the training loop with its evaluations, the probe, the grid's
//! summary and report pieces, and [`grid::Grid`], the one [`mi_train::Experiment`] every
//! InfoMax grid is, given its [`grid::PairGrid`] definition.
pub mod config;
pub mod grid;
pub mod models;
pub mod probe;
pub mod report;
pub mod summary;
pub mod train;
#[cfg(test)]
pub mod fixtures;
pub mod views;

pub use config::*;
pub use models::*;
pub use probe::*;
pub use summary::*;
pub use train::*;
pub use views::*;
