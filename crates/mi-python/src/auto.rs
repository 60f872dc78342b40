//! `estimator="auto"`: `mi_estimators::auto` (the larger of the null-corrected copula-KSG and
//! copula-Gaussian estimates; rule fixed in docs/estimator-bench.md).
use crate::errors::value_error;
use crate::threads::with_threads;
use mi_estimators::auto::{auto_mi, AutoOptions};
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;

/// One component: (name, estimate, null mean, null-corrected estimate, p-value).
type Component = (String, f64, f64, f64, f64);

/// (estimate, chosen component, components) in nats.
#[pyfunction]
fn auto_estimate(py: Python<'_>, x: PyReadonlyArray2<'_, f64>, y: PyReadonlyArray2<'_, f64>, k: usize, permutations: usize, seed: u64, n_jobs: Option<i64>) -> PyResult<(f64, String, Vec<Component>)> {
    let (x, y) = (x.as_array(), y.as_array());
    let opts = AutoOptions { k, permutations, seed, ..AutoOptions::default() };
    let a = py.allow_threads(|| with_threads(n_jobs, || auto_mi(&x, &y, &opts)))?.map_err(value_error)?;
    let components = a.components.iter().map(|c| (c.estimator.to_string(), c.mi_nats, c.null_mean_nats, c.null_corrected_nats, c.p_value)).collect();
    Ok((a.mi_nats, a.chosen.to_string(), components))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(auto_estimate, m)?)
}
