//! Multinomial logistic regression with an L2 penalty, fitted by SAGA with scikit-learn's semantics.
//!
//! The objective is scikit-learn's: `C · Σᵢ loss(xᵢ, yᵢ) + ½ ‖W‖²` with the cross-entropy loss and
//! an unpenalised intercept. With three or more classes the model is multinomial (one weight row
//! per class); with two it is the binomial model scikit-learn fits (one weight row, the second
//! class being the positive one). Classes are the sorted distinct training labels.
use crate::error::{ProbeError, Result};
use crate::feature::{check_features, check_labels, check_n_features, Feature};
use crate::saga::{saga, saga_step_size, Features, Loss, SagaSettings, UpdateScheme};
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// Rows per parallel chunk in prediction and scoring (fixed, so results do not depend on the
/// number of threads).
const CHUNK_ROWS: usize = 1024;

/// A validated configuration of the SAGA logistic-regression probe. Build it with
/// [`LogisticRegression::builder`]; its defaults are the paper's protocol (C = 10, tol = 0.1, at most
/// 100 epochs, seed 0, with intercept).
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticRegression {
    c: f64,
    tol: f64,
    max_epochs: usize,
    seed: u64,
    fit_intercept: bool,
    update_scheme: UpdateScheme,
}

/// Builder of [`LogisticRegression`]; [`build`](Self::build) checks every value once.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticRegressionBuilder {
    c: f64,
    tol: f64,
    max_epochs: usize,
    seed: u64,
    fit_intercept: bool,
    update_scheme: UpdateScheme,
}

impl Default for LogisticRegressionBuilder {
    fn default() -> Self {
        Self { c: 10.0, tol: 0.1, max_epochs: 100, seed: 0, fit_intercept: true, update_scheme: UpdateScheme::Auto }
    }
}

impl LogisticRegressionBuilder {
    /// Inverse regularisation strength (scikit-learn's `C`), finite and > 0.
    pub fn c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }
    /// Stopping tolerance on `max|ΔW| / max|W|` after an epoch, finite and > 0.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }
    /// Maximum number of epochs (passes of n_samples random draws), ≥ 1 (scikit-learn's `max_iter`).
    pub fn max_epochs(mut self, max_epochs: usize) -> Self {
        self.max_epochs = max_epochs;
        self
    }
    /// Seed of the sample order. Seeds below 2³² give the order of scikit-learn's
    /// `random_state=seed`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Whether to fit an (unpenalised) intercept; default true.
    pub fn fit_intercept(mut self, fit_intercept: bool) -> Self {
        self.fit_intercept = fit_intercept;
        self
    }
    /// How SAGA brings the weights up to date (default [`UpdateScheme::Auto`]: the just-in-time
    /// scheme on data with many zeros); the schemes differ only by rounding.
    pub fn update_scheme(mut self, update_scheme: UpdateScheme) -> Self {
        self.update_scheme = update_scheme;
        self
    }
    /// Checks the values and returns the configuration.
    pub fn build(self) -> Result<LogisticRegression> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(ProbeError::InvalidConfig { name: "C", value: self.c.to_string(), reason: "must be finite and > 0" });
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(ProbeError::InvalidConfig { name: "tol", value: self.tol.to_string(), reason: "must be finite and > 0" });
        }
        if self.max_epochs == 0 {
            return Err(ProbeError::InvalidConfig { name: "max_epochs", value: "0".into(), reason: "must be at least 1" });
        }
        if self.max_epochs > i32::MAX as usize {
            return Err(ProbeError::InvalidConfig { name: "max_epochs", value: self.max_epochs.to_string(), reason: "must be below 2^31" });
        }
        Ok(LogisticRegression {
            c: self.c,
            tol: self.tol,
            max_epochs: self.max_epochs,
            seed: self.seed,
            fit_intercept: self.fit_intercept,
            update_scheme: self.update_scheme,
        })
    }
}

impl Default for LogisticRegression {
    fn default() -> Self {
        Self { c: 10.0, tol: 0.1, max_epochs: 100, seed: 0, fit_intercept: true, update_scheme: UpdateScheme::Auto }
    }
}

impl LogisticRegression {
    /// A builder holding the defaults (the paper's protocol).
    pub fn builder() -> LogisticRegressionBuilder {
        LogisticRegressionBuilder::default()
    }
    pub fn c(&self) -> f64 {
        self.c
    }
    pub fn tol(&self) -> f64 {
        self.tol
    }
    pub fn max_epochs(&self) -> usize {
        self.max_epochs
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn fit_intercept(&self) -> bool {
        self.fit_intercept
    }
    pub fn update_scheme(&self) -> UpdateScheme {
        self.update_scheme
    }

    /// Fits the probe on `x` (`n × d`, f32 or f64) and integer labels `y` (`n`, ≥ 0, at least two
    /// distinct values). Errors on empty or non-finite features, a row-count mismatch, negative
    /// labels, a single class, or floating-point overflow in the solver (unscaled features).
    pub fn fit<T: Feature>(&self, x: ArrayView2<'_, T>, y: ArrayView1<'_, i64>) -> Result<LogisticModel> {
        let (n, d) = x.dim();
        if n == 0 || d == 0 {
            return Err(ProbeError::Empty { what: "training features", rows: n, cols: d });
        }
        let owned: Vec<T>;
        let xs: &[T] = match x.as_slice() {
            Some(s) => s,
            None => {
                owned = x.iter().copied().collect();
                &owned
            }
        };
        let (max_squared_sum, nonzero) = feature_stats(xs, d);
        if !max_squared_sum.is_finite() {
            // a NaN or ±∞ (the check says where), or values whose squares overflow
            check_features("training features", &x)?;
            return Err(ProbeError::FeaturesTooLarge { max_squared_sum });
        }
        check_labels("training labels", n, &y)?;
        let mut classes: Vec<i64> = y.to_vec();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() < 2 {
            return Err(ProbeError::TooFewClasses { found: classes.len() });
        }
        let encoded: Vec<usize> = y.iter().map(|l| classes.binary_search(l).unwrap_or(0)).collect();
        let (loss, n_rows) = if classes.len() == 2 { (Loss::Binomial, 1) } else { (Loss::Multinomial, classes.len()) };
        // SAGA keeps one gradient per sample and weight row; refuse what cannot sensibly fit in
        // memory (e.g. a label column that is really a continuous target) rather than abort
        const MAX_MEMORY_ENTRIES: usize = 1 << 30; // 8 GiB of f64
        let entries = n.saturating_mul(n_rows);
        if entries > MAX_MEMORY_ENTRIES {
            return Err(ProbeError::TooLarge { what: "n_samples × n_classes (SAGA's gradient memory)", value: entries, max: MAX_MEMORY_ENTRIES });
        }

        let alpha_scaled = (1.0 / self.c) / n as f64;
        let step = saga_step_size(max_squared_sum, alpha_scaled, self.fit_intercept, n);
        let settings = SagaSettings {
            alpha_scaled,
            step,
            tol: self.tol,
            max_epochs: self.max_epochs,
            fit_intercept: self.fit_intercept,
            seed: self.seed,
            scheme: self.update_scheme,
        };
        let out = saga(Features { xs, n, d, nonzero }, &encoded, loss, n_rows, &settings)?;
        let coef = Array2::from_shape_vec((n_rows, d), out.coef)
            .map_err(|_| ProbeError::TooLarge { what: "coefficients", value: n_rows * d, max: isize::MAX as usize })?;
        Ok(LogisticModel {
            classes,
            coef,
            intercept: Array1::from(out.intercept),
            c: self.c,
            epochs: out.epochs,
            converged: out.converged,
            step_size: step,
            last_relative_change: out.last_relative_change,
            update_scheme: Some(out.scheme),
        })
    }
}

/// One pass over the training features: the largest squared row norm (scikit-learn's
/// `max_squared_sum`; not finite when a value is not, or when the squares overflow) and the number
/// of nonzero entries (for SAGA's choice of update scheme).
fn feature_stats<T: Feature>(xs: &[T], d: usize) -> (f64, usize) {
    let (mut max_squared_sum, mut nonzero, mut finite) = (0.0f64, 0usize, true);
    for row in xs.chunks_exact(d) {
        let (mut squares, mut row_nonzero) = (0.0f64, 0usize);
        for v in row {
            let v = v.to_f64();
            squares += v * v;
            row_nonzero += usize::from(v != 0.0);
        }
        finite &= squares.is_finite();
        max_squared_sum = max_squared_sum.max(squares);
        nonzero += row_nonzero;
    }
    (if finite { max_squared_sum } else { f64::INFINITY }, nonzero)
}

/// A fitted probe: scikit-learn's `classes_`, `coef_`, `intercept_` and `n_iter_`, and the solver's
/// step size and convergence.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LogisticModel {
    classes: Vec<i64>,
    coef: Array2<f64>,
    intercept: Array1<f64>,
    c: f64,
    epochs: usize,
    converged: bool,
    step_size: f64,
    last_relative_change: f64,
    /// The scheme SAGA ran (None for a model built with `from_parts`).
    update_scheme: Option<UpdateScheme>,
}

impl LogisticModel {
    /// A model from given parameters (e.g. coefficients fitted elsewhere), to predict with or to
    /// evaluate the objective at. `coef` is `K × d` for K ≥ 3 classes and `1 × d` for two;
    /// `classes` must be sorted, distinct and ≥ 0.
    pub fn from_parts(classes: Vec<i64>, coef: Array2<f64>, intercept: Array1<f64>, c: f64) -> Result<Self> {
        if classes.len() < 2 {
            return Err(ProbeError::TooFewClasses { found: classes.len() });
        }
        if classes.windows(2).any(|w| w[0] >= w[1]) || classes[0] < 0 {
            return Err(ProbeError::InvalidConfig { name: "classes", value: format!("{classes:?}"), reason: "must be sorted, distinct and ≥ 0" });
        }
        let rows = if classes.len() == 2 { 1 } else { classes.len() };
        if coef.nrows() != rows || intercept.len() != rows || coef.ncols() == 0 {
            return Err(ProbeError::InvalidConfig {
                name: "coef",
                value: format!("{:?} with {} intercepts", coef.dim(), intercept.len()),
                reason: "expected K × d coefficients (1 × d for two classes) and as many intercepts",
            });
        }
        if !(c.is_finite() && c > 0.0) {
            return Err(ProbeError::InvalidConfig { name: "C", value: c.to_string(), reason: "must be finite and > 0" });
        }
        Ok(Self { classes, coef, intercept, c, epochs: 0, converged: false, step_size: f64::NAN, last_relative_change: f64::NAN, update_scheme: None })
    }

    /// The sorted distinct training labels.
    pub fn classes(&self) -> &[i64] {
        &self.classes
    }
    /// Coefficients, `K × d` (`1 × d` for two classes), like scikit-learn's `coef_`.
    pub fn coef(&self) -> &Array2<f64> {
        &self.coef
    }
    /// Intercepts, `K` (1 for two classes).
    pub fn intercept(&self) -> &Array1<f64> {
        &self.intercept
    }
    pub fn n_features(&self) -> usize {
        self.coef.ncols()
    }
    pub fn c(&self) -> f64 {
        self.c
    }
    /// Epochs run (scikit-learn's `n_iter_`).
    pub fn epochs(&self) -> usize {
        self.epochs
    }
    /// Whether the stopping rule was met (false when `max_epochs` ran out first).
    pub fn converged(&self) -> bool {
        self.converged
    }
    /// SAGA's step size (scikit-learn's `get_auto_step_size`).
    pub fn step_size(&self) -> f64 {
        self.step_size
    }
    /// `max|ΔW| / max|W|` over the last epoch.
    pub fn last_relative_change(&self) -> f64 {
        self.last_relative_change
    }
    /// The update scheme SAGA ran ([`UpdateScheme::Auto`] resolved; None for `from_parts`).
    pub fn update_scheme(&self) -> Option<UpdateScheme> {
        self.update_scheme
    }

    /// Raw scores `X Wᵀ + b`, `n × K` (`n × 1` for two classes).
    pub fn decision_function<T: Feature>(&self, x: ArrayView2<'_, T>) -> Result<Array2<f64>> {
        check_features("features", &x)?;
        check_n_features("features", self.n_features(), x.ncols())?;
        let n = x.nrows();
        let rows = self.coef.nrows();
        let starts: Vec<usize> = (0..n).step_by(CHUNK_ROWS).collect();
        let parts: Vec<Array2<f64>> = starts
            .par_iter()
            .map(|&s0| {
                let chunk = x.slice(s![s0..(s0 + CHUNK_ROWS).min(n), ..]).mapv(Feature::to_f64);
                let mut z = chunk.dot(&self.coef.t());
                z += &self.intercept;
                z
            })
            .collect();
        let mut out = Array2::zeros((n, rows));
        for (&s0, p) in starts.iter().zip(parts) {
            out.slice_mut(s![s0..s0 + p.nrows(), ..]).assign(&p);
        }
        Ok(out)
    }

    /// Predicted labels (ties go to the first class, as `numpy.argmax`).
    pub fn predict<T: Feature>(&self, x: ArrayView2<'_, T>) -> Result<Array1<i64>> {
        let z = self.decision_function(x)?;
        Ok(z.outer_iter().map(|r| self.classes[self.argmax(r)]).collect())
    }

    /// Class probabilities, `n × K` (K columns also for two classes).
    pub fn predict_proba<T: Feature>(&self, x: ArrayView2<'_, T>) -> Result<Array2<f64>> {
        let z = self.decision_function(x)?;
        let k = self.classes.len();
        let mut p = Array2::zeros((z.nrows(), k));
        for (zr, mut pr) in z.outer_iter().zip(p.outer_iter_mut()) {
            if k == 2 {
                let p1 = 1.0 / (1.0 + (-zr[0]).exp());
                pr[0] = 1.0 - p1;
                pr[1] = p1;
            } else {
                let m = zr.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                let sum: f64 = zr.iter().map(|v| (v - m).exp()).sum();
                for (pv, zv) in pr.iter_mut().zip(zr) {
                    *pv = (zv - m).exp() / sum;
                }
            }
        }
        Ok(p)
    }

    /// Accuracy of [`predict`](Self::predict) on `x` against `y`.
    pub fn score<T: Feature>(&self, x: ArrayView2<'_, T>, y: ArrayView1<'_, i64>) -> Result<f64> {
        check_labels("labels", x.nrows(), &y)?;
        let pred = self.predict(x)?;
        crate::metrics::accuracy(y, pred.view())
    }

    /// The objective `C · Σᵢ loss(xᵢ, yᵢ) + ½ ‖W‖²` (intercept unpenalised) at this model's
    /// parameters. Every label of `y` must be one of the model's classes.
    pub fn objective<T: Feature>(&self, x: ArrayView2<'_, T>, y: ArrayView1<'_, i64>) -> Result<f64> {
        check_labels("labels", x.nrows(), &y)?;
        let mut encoded = Vec::with_capacity(y.len());
        for (row, l) in y.iter().enumerate() {
            match self.classes.binary_search(l) {
                Ok(k) => encoded.push(k),
                Err(_) => {
                    return Err(ProbeError::InvalidConfig {
                        name: "labels",
                        value: format!("{l} at row {row}"),
                        reason: "not one of the classes the model was fitted on",
                    })
                }
            }
        }
        let z = self.decision_function(x)?;
        let binary = self.classes.len() == 2;
        let losses: Vec<f64> = z
            .axis_chunks_iter(Axis(0), CHUNK_ROWS)
            .into_par_iter()
            .enumerate()
            .map(|(c, zc)| {
                let mut sum = 0.0;
                for (r, zr) in zc.outer_iter().enumerate() {
                    let yi = encoded[c * CHUNK_ROWS + r];
                    sum += if binary {
                        // log(1 + e^z) − y z, stably
                        let zz = zr[0];
                        let l1pe = if zz > 0.0 { zz + (-zz).exp().ln_1p() } else { zz.exp().ln_1p() };
                        l1pe - yi as f64 * zz
                    } else {
                        let m = zr.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                        let lse = m + zr.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                        lse - zr[yi]
                    };
                }
                sum
            })
            .collect();
        let loss: f64 = losses.iter().sum();
        let penalty = 0.5 * self.coef.iter().map(|w| w * w).sum::<f64>();
        Ok(self.c * loss + penalty)
    }

    fn argmax(&self, r: ArrayView1<'_, f64>) -> usize {
        if self.classes.len() == 2 {
            return usize::from(r[0] > 0.0);
        }
        let mut best = 0;
        for (k, &v) in r.iter().enumerate() {
            if v > r[best] {
                best = k;
            }
        }
        best
    }
}
