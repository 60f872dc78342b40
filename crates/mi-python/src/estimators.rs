//! The estimators: KSG (both algorithms, max-norm or per-marginal Euclidean), Kozachenko–Leonenko
//! entropy, the Gaussian estimate, the discrete plug-in and Miller–Madow estimators, the copula
//! transform and permutation tests.
use crate::errors::value_error;
use crate::threads::with_threads;
use mi_estimators::knn::{kl_entropy_nats, ksg_cmi_nats, ksg_mi_nats, KnnOptions, KsgAlgorithm, Norm};
use mi_estimators::{copula, discrete, gaussian, interval, permutation, Result as EstResult};
use ndarray::ArrayView2;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// An estimate and, with permutations, (p-value, null mean, null-corrected estimate).
pub(crate) type Tested = (f64, Option<(f64, f64, f64)>);

fn tested(t: permutation::PermutationTest) -> Tested {
    (t.observed_nats, Some((t.p_value(), t.null_mean_nats(), t.null_corrected_nats())))
}

/// `estimate` on (x, y), with the permutation test when `permutations` > 0.
pub(crate) fn maybe_tested(
    x: &ArrayView2<f64>,
    y: &ArrayView2<f64>,
    permutations: usize,
    seed: u64,
    estimate: impl Fn(&ArrayView2<f64>, &ArrayView2<f64>) -> EstResult<f64>,
) -> EstResult<Tested> {
    if permutations == 0 {
        estimate(x, y).map(|v| (v, None))
    } else {
        permutation::permutation_test(x, y, permutations, seed, estimate).map(tested)
    }
}

/// The k-NN norm named `name` ("max" or "euclidean").
fn parse_norm(name: &str) -> PyResult<Norm> {
    match name {
        "max" => Ok(Norm::Max),
        "euclidean" => Ok(Norm::Euclidean),
        other => Err(value_error(format!("norm {other:?}: expected \"max\" or \"euclidean\""))),
    }
}

/// Default k-NN options with `k` neighbours under the norm named `norm`.
fn knn_options(k: usize, norm: &str) -> PyResult<KnnOptions> {
    Ok(KnnOptions { norm: parse_norm(norm)?, ..KnnOptions::with_k(k) })
}

/// The continuous estimators a permutation test can repeat.
#[derive(Clone, Copy)]
enum Continuous {
    Ksg(KsgAlgorithm, KnnOptions),
    Gaussian,
}

impl Continuous {
    fn parse(name: &str, k: usize, norm: &str) -> PyResult<Self> {
        let opts = knn_options(k, norm)?;
        match name {
            "ksg" | "ksg1" => Ok(Self::Ksg(KsgAlgorithm::One, opts)),
            "ksg2" => Ok(Self::Ksg(KsgAlgorithm::Two, opts)),
            "gaussian" => Ok(Self::Gaussian),
            other => Err(value_error(format!("estimator {other:?}: expected \"ksg\" (= \"ksg1\"), \"ksg2\" or \"gaussian\""))),
        }
    }

    fn estimate(self, x: &ArrayView2<f64>, y: &ArrayView2<f64>) -> EstResult<f64> {
        match self {
            Self::Ksg(alg, opts) => ksg_mi_nats(x, y, alg, &opts),
            Self::Gaussian => gaussian::gaussian_mi_estimate_nats(x, y),
        }
    }
}

/// I(X; Y) in nats by a continuous estimator (`norm`: the k-NN norm, "max" or "euclidean"); with
/// `permutations` > 0 also the permutation null. Returns the estimate and the test's numbers.
#[pyfunction]
#[pyo3(signature = (x, y, estimator, k, norm, permutations, seed, n_jobs))]
#[allow(clippy::too_many_arguments)]
fn continuous_mi(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray2<'_, f64>,
    estimator: &str,
    k: usize,
    norm: &str,
    permutations: usize,
    seed: u64,
    n_jobs: Option<i64>,
) -> PyResult<Tested> {
    let est = Continuous::parse(estimator, k, norm)?;
    let (x, y) = (x.as_array(), y.as_array());
    py.allow_threads(|| with_threads(n_jobs, || maybe_tested(&x, &y, permutations, seed, |a, b| est.estimate(a, b))))?.map_err(value_error)
}

/// An interval as Python receives it: (estimate, lower, upper, standard error, mean of the half
/// estimates, splits), all in nats.
type IntervalTuple = (f64, f64, f64, f64, f64, usize);

fn interval_tuple(i: &interval::Interval) -> IntervalTuple {
    (i.estimate_nats, i.lower_nats, i.upper_nats, i.standard_error_nats, i.half_mean_nats, i.splits)
}

/// I(X; Y) with a `level` interval from random splits into disjoint halves: (estimate, lower,
/// upper, standard error, mean of the half estimates, splits), all in nats.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn continuous_mi_interval(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray2<'_, f64>,
    estimator: &str,
    k: usize,
    norm: &str,
    level: f64,
    seed: u64,
    n_jobs: Option<i64>,
) -> PyResult<IntervalTuple> {
    let est = Continuous::parse(estimator, k, norm)?;
    let (x, y) = (x.as_array(), y.as_array());
    let i = py.allow_threads(|| with_threads(n_jobs, || interval::subsample_interval(&x, &y, level, interval::DEFAULT_SPLITS, seed, |a, b| est.estimate(a, b))))?.map_err(value_error)?;
    Ok(interval_tuple(&i))
}

/// Conditional I(X; Y | Z) in nats by the Frenzel–Pompe k-NN estimator under the norm `norm`.
#[pyfunction]
fn conditional_mi(py: Python<'_>, x: PyReadonlyArray2<'_, f64>, y: PyReadonlyArray2<'_, f64>, z: PyReadonlyArray2<'_, f64>, k: usize, norm: &str, n_jobs: Option<i64>) -> PyResult<f64> {
    let opts = knn_options(k, norm)?;
    let (x, y, z) = (x.as_array(), y.as_array(), z.as_array());
    py.allow_threads(|| with_threads(n_jobs, || ksg_cmi_nats(&x, &y, &z, &opts)))?.map_err(value_error)
}

/// I(X; Y | Z) with a `level` interval from random splits of the rows (of X, Y and Z together)
/// into disjoint halves: (estimate, lower, upper, standard error, mean of the half estimates,
/// splits), all in nats.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn conditional_mi_interval(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray2<'_, f64>,
    z: PyReadonlyArray2<'_, f64>,
    k: usize,
    norm: &str,
    level: f64,
    seed: u64,
    n_jobs: Option<i64>,
) -> PyResult<IntervalTuple> {
    let opts = knn_options(k, norm)?;
    let (x, y, z) = (x.as_array(), y.as_array(), z.as_array());
    let i = py
        .allow_threads(|| with_threads(n_jobs, || interval::subsample_interval_conditional(&x, &y, &z, level, interval::DEFAULT_SPLITS, seed, |a, b, c| ksg_cmi_nats(a, b, c, &opts))))?
        .map_err(value_error)?;
    Ok(interval_tuple(&i))
}

/// Differential entropy in nats by the Kozachenko–Leonenko k-NN estimator under the norm `norm`.
#[pyfunction]
fn kl_entropy(py: Python<'_>, x: PyReadonlyArray2<'_, f64>, k: usize, norm: &str, n_jobs: Option<i64>) -> PyResult<f64> {
    let x = x.as_array();
    let opts = KnnOptions { standardize: false, ..knn_options(k, norm)? };
    py.allow_threads(|| with_threads(n_jobs, || kl_entropy_nats(&x, &opts)))?.map_err(value_error)
}

/// I(X; Y) in nats of paired integer labels: plug-in, or Miller–Madow corrected. With
/// `permutations` > 0 also the permutation null.
#[pyfunction]
fn discrete_mi(x: PyReadonlyArray1<'_, i64>, y: PyReadonlyArray1<'_, i64>, miller_madow: bool, permutations: usize, seed: u64) -> PyResult<Tested> {
    let x = x.as_array().to_vec();
    let y = y.as_array().to_vec();
    let f = |a: &[i64], b: &[i64]| if miller_madow { discrete::miller_madow_mi_nats(a, b) } else { discrete::plugin_mi_nats(a, b) };
    let observed = f(&x, &y).map_err(value_error)?;
    if permutations == 0 {
        return Ok((observed, None));
    }
    // the same permutation test as the continuous estimators, on one-column views of the labels;
    // dense codes 0..m first (MI ignores the label values), so the f64 view is exact for any i64
    let (xc, yc) = (dense_codes(&x), dense_codes(&y));
    let xf = ndarray::Array2::from_shape_fn((x.len(), 1), |(i, _)| xc[i] as f64);
    let yf = ndarray::Array2::from_shape_fn((y.len(), 1), |(i, _)| yc[i] as f64);
    let to_labels = |a: &ArrayView2<f64>| a.column(0).iter().map(|&v| v as i64).collect::<Vec<i64>>();
    let t = permutation::permutation_test(&xf.view(), &yf.view(), permutations, seed, |a, b| f(&to_labels(a), &to_labels(b))).map_err(value_error)?;
    Ok(tested(t))
}

/// Each label replaced by its rank among the distinct labels (0, 1, …): below 2⁵³, so exact in f64.
fn dense_codes(v: &[i64]) -> Vec<usize> {
    let mut distinct = v.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    v.iter().map(|l| distinct.partition_point(|d| d < l)).collect()
}

/// Entropy in nats of integer labels: plug-in, or Miller–Madow corrected.
#[pyfunction]
fn discrete_entropy(x: PyReadonlyArray1<'_, i64>, miller_madow: bool) -> PyResult<f64> {
    let x = x.as_array().to_vec();
    if miller_madow { discrete::miller_madow_entropy_nats(&x) } else { discrete::plugin_entropy_nats(&x) }.map_err(value_error)
}

/// Each column replaced by the normal scores of its ranks.
#[pyfunction]
fn copula_normal_scores<'py>(py: Python<'py>, x: PyReadonlyArray2<'py, f64>) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let x = x.as_array();
    let out = py.allow_threads(|| copula::normal_scores(&x)).map_err(value_error)?;
    Ok(out.into_pyarray(py))
}

/// The exact I(X; Y) in nats of a Gaussian with covariance `cov`, X the first `dx` coordinates.
#[pyfunction]
fn gaussian_mi_from_cov(cov: PyReadonlyArray2<'_, f64>, dx: usize) -> PyResult<f64> {
    gaussian::gaussian_mi_nats(&cov.as_array(), dx).map_err(value_error)
}

/// The exact differential entropy in nats of a Gaussian with covariance `cov`.
#[pyfunction]
fn gaussian_entropy_from_cov(cov: PyReadonlyArray2<'_, f64>) -> PyResult<f64> {
    gaussian::gaussian_entropy_nats(&cov.as_array()).map_err(value_error)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(continuous_mi, m)?)?;
    m.add_function(wrap_pyfunction!(conditional_mi, m)?)?;
    m.add_function(wrap_pyfunction!(conditional_mi_interval, m)?)?;
    m.add_function(wrap_pyfunction!(continuous_mi_interval, m)?)?;
    m.add_function(wrap_pyfunction!(kl_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(discrete_mi, m)?)?;
    m.add_function(wrap_pyfunction!(discrete_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(copula_normal_scores, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_mi_from_cov, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_entropy_from_cov, m)?)?;
    Ok(())
}
