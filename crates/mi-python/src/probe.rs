//! The SAGA logistic-regression probe (`mi_probe::LogisticRegression`), fitted from Python.
use crate::errors::value_error;
use crate::threads::with_threads;
use mi_probe::{Feature, LogisticModel, LogisticRegression};
use ndarray::ArrayView2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

type Fitted<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<i64>>, usize, bool);

fn fit_any<'py, T: Feature>(
    py: Python<'py>,
    x: ArrayView2<'_, T>,
    y: PyReadonlyArray1<'_, i64>,
    probe: &LogisticRegression,
    n_jobs: Option<i64>,
) -> PyResult<Fitted<'py>> {
    let y = y.as_array();
    let model: LogisticModel = py.allow_threads(|| with_threads(n_jobs, || probe.fit(x, y)))?.map_err(value_error)?;
    Ok((
        model.coef().clone().into_pyarray(py),
        model.intercept().clone().into_pyarray(py),
        model.classes().to_vec().into_pyarray(py),
        model.epochs(),
        model.converged(),
    ))
}

fn build(c: f64, tol: f64, max_iter: usize, fit_intercept: bool, seed: u64) -> PyResult<LogisticRegression> {
    LogisticRegression::builder().c(c).tol(tol).max_epochs(max_iter).fit_intercept(fit_intercept).seed(seed).build().map_err(value_error)
}

/// Fits on f64 features; returns (coef, intercept, classes, epochs, converged) in scikit-learn's
/// shapes (coef is 1 × d for two classes).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn saga_fit_f64<'py>(py: Python<'py>, x: PyReadonlyArray2<'py, f64>, y: PyReadonlyArray1<'py, i64>, c: f64, tol: f64, max_iter: usize, fit_intercept: bool, seed: u64, n_jobs: Option<i64>) -> PyResult<Fitted<'py>> {
    let probe = build(c, tol, max_iter, fit_intercept, seed)?;
    fit_any(py, x.as_array(), y, &probe, n_jobs)
}

/// The same on f32 features (no copy to f64).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn saga_fit_f32<'py>(py: Python<'py>, x: PyReadonlyArray2<'py, f32>, y: PyReadonlyArray1<'py, i64>, c: f64, tol: f64, max_iter: usize, fit_intercept: bool, seed: u64, n_jobs: Option<i64>) -> PyResult<Fitted<'py>> {
    let probe = build(c, tol, max_iter, fit_intercept, seed)?;
    fit_any(py, x.as_array(), y, &probe, n_jobs)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(saga_fit_f64, m)?)?;
    m.add_function(wrap_pyfunction!(saga_fit_f32, m)?)?;
    Ok(())
}
