//! `discrete="x"|"y"|"both"`: `mi_estimators::mixed` (Ross's estimator with one categorical
//! side, Gao et al.'s mixed KSG when either side mixes point masses and continuous values).
use crate::errors::value_error;
use crate::threads::with_threads;
use mi_estimators::mixed::{category_ids, discrete_continuous_mi_nats, mixed_ksg_mi_nats};
use crate::estimators::{maybe_tested, Tested};
use ndarray::ArrayView2;
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;

fn estimate(side: &str, k: usize, x: &ArrayView2<f64>, y: &ArrayView2<f64>) -> mi_estimators::Result<f64> {
    match side {
        "x" => discrete_continuous_mi_nats(&category_ids(x)?, y, k),
        "y" => discrete_continuous_mi_nats(&category_ids(y)?, x, k),
        _ => mixed_ksg_mi_nats(x, y, k),
    }
}

/// The estimate in nats and, with permutations, (p-value, null mean, null-corrected estimate).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn mixed_mi(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray2<'_, f64>,
    side: &str,
    k: usize,
    permutations: usize,
    seed: u64,
    n_jobs: Option<i64>,
) -> PyResult<Tested> {
    if !matches!(side, "x" | "y" | "both") {
        return Err(value_error(format!("discrete {side:?}: expected \"x\", \"y\" or \"both\"")));
    }
    let (x, y) = (x.as_array(), y.as_array());
    py.allow_threads(|| with_threads(n_jobs, || maybe_tested(&x, &y, permutations, seed, |a, b| estimate(side, k, a, b))))?.map_err(value_error)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mixed_mi, m)?)
}
