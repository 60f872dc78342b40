//! `n_jobs` as scikit-learn spells it: `None` or −1 is every core (rayon's global pool), n ≥ 1 is a
//! pool of n threads for this call.
use crate::errors::value_error;
use pyo3::PyResult;

pub fn with_threads<R: Send>(n_jobs: Option<i64>, work: impl FnOnce() -> R + Send) -> PyResult<R> {
    match n_jobs {
        None | Some(-1) => Ok(work()),
        Some(n) if n >= 1 => {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(n as usize).build().map_err(value_error)?;
            Ok(pool.install(work))
        }
        Some(n) => Err(value_error(format!("n_jobs = {n}: expected None, -1 (every core) or a number of threads ≥ 1"))),
    }
}
