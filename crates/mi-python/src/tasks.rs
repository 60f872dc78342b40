//! The ground-truth tasks (`mi_estimators::tasks`: the 40-task benchmark and the 15-task suite).
use crate::errors::value_error;
use mi_estimators::tasks;
use numpy::{IntoPyArray, PyArray2};
use pyo3::prelude::*;

/// (id, dim X, dim Y, true MI in nats) of every task of a list, in its order: "bench" (the 40-task
/// estimator benchmark), "reproduce" (the 15 tasks of `reproduce estimators`) or "all".
#[pyfunction]
#[pyo3(signature = (suite = "bench"))]
fn task_list(suite: &str) -> PyResult<Vec<(String, usize, usize, f64)>> {
    let list = match suite {
        "bench" => tasks::bench_suite(),
        "reproduce" => tasks::suite(),
        "all" => tasks::all(),
        other => return Err(value_error(format!("suite {other:?}: expected \"bench\", \"reproduce\" or \"all\""))),
    };
    Ok(list.iter().map(|t| (t.id(), t.dx(), t.dy(), t.true_mi_nats())).collect())
}

type Pair<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<f64>>);

/// n samples (X, Y) of the task with this id, a deterministic function of `seed`.
#[pyfunction]
fn task_sample<'py>(py: Python<'py>, id: &str, n: usize, seed: u64) -> PyResult<Pair<'py>> {
    let task = tasks::find(id).map_err(value_error)?;
    let (x, y) = py.allow_threads(|| task.sample(n, seed));
    Ok((x.into_pyarray(py), y.into_pyarray(py)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(task_list, m)?)?;
    m.add_function(wrap_pyfunction!(task_sample, m)?)?;
    Ok(())
}
