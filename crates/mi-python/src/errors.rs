//! Errors of the Rust crates as Python exceptions: bad input is a `ValueError` carrying the
//! crate's message (which says what was expected), never a panic across the FFI boundary.
use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

pub fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}
