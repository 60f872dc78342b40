//! `infomax._native`: the Rust side of the `infomax` Python package. Each function takes NumPy
//! arrays (any memory order; the Python layer has already checked shapes and converted dtypes),
//! releases the GIL while it computes, runs rayon work on `n_jobs` threads, and turns every error
//! of the Rust crates into a Python `ValueError` with the crates' own message.
//!
//! The user-facing API (argument checking, result objects, the scikit-learn estimator) is the
//! Python package in `python/infomax/`; this module is deliberately thin.
use pyo3::prelude::*;

mod auto;
mod errors;
mod estimators;
mod mixed;
mod probe;
mod tasks;
mod threads;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    estimators::register(m)?;
    auto::register(m)?;
    mixed::register(m)?;
    tasks::register(m)?;
    probe::register(m)?;
    Ok(())
}
