//! The SAGA solver of scikit-learn's `sag_fast.pyx`, restructured for speed.
//!
//! # What is the same as scikit-learn
//!
//! Step size (`get_auto_step_size` with `is_saga=True`), the L2 penalty as a running weight scale
//! (`wscale *= 1 - step·α`), the SAGA correction `x·(g − g_mem)·step·(1 − 1/num_seen)/wscale`,
//! the averaged-gradient step replayed through cumulative sums (`cumulative_sums[t] =
//! cumulative_sums[t−1] + step/(wscale·num_seen)`, a pending step being their difference), the
//! intercept update (intercept decay 1, scikit-learn's value for dense data), the rescale when
//! `wscale < 1e-9` and at the end of every epoch, the stopping rule (after an epoch, stop when
//! `max|ΔW| / max|W| ≤ tol`, or when both are 0) and the sample order (sampling with replacement
//! by scikit-learn's xorshift generator, see [`crate::rng`]).
//!
//! # Two update schemes (the same iterates, rounded differently)
//!
//! * [`dense`]: scikit-learn's path for a dense array — every feature is brought up to date at
//!   every step — with the three passes over the weights fused into one.
//! * [`sparse`]: scikit-learn's just-in-time path for CSR input — a feature is brought up to date
//!   only when a sample where it is nonzero needs it — used on dense arrays with many zeros
//!   (MNIST pixels, ReLU features). It skips the zeros' work; the arithmetic per update is the same,
//!   but a run of pending steps is applied as one sum, so results differ from the dense scheme by
//!   rounding (tests bound the difference).
//!
//! [`UpdateScheme::Auto`] picks the cheaper scheme from the share of nonzero entries; the choice
//! depends only on the data, so the same data and seed give the same result.
pub mod dense;
pub mod sparse;

use crate::error::{ProbeError, Result};
use crate::feature::Feature;
use crate::rng::SampleOrder;

/// The loss: multinomial (K ≥ 3 classes, one weight row per class) or binomial (2 classes, one
/// weight row, as scikit-learn fits binary problems).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loss {
    Multinomial,
    Binomial,
}

/// How SAGA brings the weights up to date; see the [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateScheme {
    /// The just-in-time scheme when the data have enough zeros to make it cheaper, else dense.
    #[default]
    Auto,
    /// Every feature at every step (scikit-learn's dense-array path).
    Dense,
    /// Only the sample's nonzero features at each step (scikit-learn's CSR path).
    JustInTime,
}

/// Where the just-in-time scheme starts to pay: its work per step is about three passes over the
/// sample's nonzero features (each a vector of the class weights padded to four lanes), the dense
/// scheme's one fused pass over all features. On 60,000 × 392 problems with 10 and 2 classes
/// (`docs/probe-speed.md`) it was faster below a share of nonzero weight-lanes of about 0.55 and
/// 0.8.
const JIT_MAX_WORK_RATIO: f64 = 0.55;

impl UpdateScheme {
    /// The scheme to run on data with `nonzero` of `len` entries nonzero: `Auto` resolved.
    pub(crate) fn resolve(self, nonzero: usize, len: usize, n_rows: usize) -> UpdateScheme {
        match self {
            UpdateScheme::Auto => {
                let lanes_per_weight = sparse::padded_rows(n_rows) as f64 / n_rows as f64;
                let work_ratio = nonzero as f64 / len.max(1) as f64 * lanes_per_weight;
                if work_ratio < JIT_MAX_WORK_RATIO {
                    UpdateScheme::JustInTime
                } else {
                    UpdateScheme::Dense
                }
            }
            other => other,
        }
    }
}

pub(crate) struct SagaSettings {
    /// α / n_samples, α = 1/C.
    pub alpha_scaled: f64,
    pub step: f64,
    pub tol: f64,
    pub max_epochs: usize,
    pub fit_intercept: bool,
    pub seed: u64,
    pub scheme: UpdateScheme,
}

pub(crate) struct SagaOutput {
    /// `n_rows × d`, row-major (class-major weights).
    pub coef: Vec<f64>,
    pub intercept: Vec<f64>,
    pub epochs: usize,
    pub converged: bool,
    /// max|ΔW| / max|W| after the last epoch.
    pub last_relative_change: f64,
    /// The scheme that ran ([`UpdateScheme::Auto`] resolved).
    pub scheme: UpdateScheme,
}

/// scikit-learn's `get_auto_step_size` for the log/multinomial loss with `is_saga=True`.
pub(crate) fn saga_step_size(max_squared_sum: f64, alpha_scaled: f64, fit_intercept: bool, n_samples: usize) -> f64 {
    let l = 0.25 * (max_squared_sum + if fit_intercept { 1.0 } else { 0.0 }) + alpha_scaled;
    let mun = (2.0 * n_samples as f64 * alpha_scaled).min(l);
    1.0 / (2.0 * l + mun)
}

/// The training labels and the shape of the problem (the features are the scheme's own).
pub(crate) struct Shape<'a> {
    pub y: &'a [usize],
    pub n: usize,
    /// `n` for the sample generator (checked to fit).
    pub n_u32: u32,
    pub d: usize,
    pub n_rows: usize,
    pub loss: Loss,
}

/// What the epoch loop needs from an update scheme.
pub(crate) trait Solver {
    /// One epoch: `n` steps on the sampled indices. `epoch` is 1-based (for errors).
    fn run_epoch(&mut self, cfg: &SagaSettings, epoch: usize) -> Result<()>;
    /// Brings every weight up to date, applies the scale and predicts the current sample again.
    fn finish_epoch(&mut self, epoch: usize) -> Result<()>;
    /// The weights after [`finish_epoch`](Self::finish_epoch), in the scheme's own layout (the
    /// stopping rule only needs maxima, which do not depend on it).
    fn weights(&self) -> &[f64];
    /// Class-major coefficients (`n_rows × d`) and intercepts.
    fn into_coef(self) -> (Vec<f64>, Vec<f64>);
}

/// What both schemes carry from step to step besides the weights: intercepts, gradient memory,
/// the weight scale, the current prediction and the sample order.
pub(crate) struct Progress {
    /// Intercepts and their summed gradient memory.
    pub b: Vec<f64>,
    pub isg: Vec<f64>,
    /// Gradient memory: the last gradient of each sample, `n × n_rows`.
    pub mem: Vec<f64>,
    pub seen: Vec<bool>,
    pub num_seen: usize,
    pub wscale: f64,
    /// Prediction for the current sample (`n_rows`), and the scratch rows of one step.
    pub raw: Vec<f64>,
    pub grad: Vec<f64>,
    /// `grad − g_mem` of the current sample; its entries beyond `n_rows` stay 0.
    pub dg: Vec<f64>,
    pub order: SampleOrder,
    /// Indices of the current and the next sample.
    pub i: usize,
    pub i_next: usize,
}

impl Progress {
    /// Zero intercepts and memory (so the first prediction is 0), the first two samples drawn.
    pub(crate) fn start(shape: &Shape<'_>, seed: u64, dg_len: usize) -> Self {
        let (n, n_rows) = (shape.n, shape.n_rows);
        let mut order = SampleOrder::from_random_state(seed);
        let i = order.next_index(shape.n_u32);
        let i_next = order.next_index(shape.n_u32);
        Progress {
            b: vec![0.0f64; n_rows],
            isg: vec![0.0f64; n_rows],
            mem: vec![0.0f64; n * n_rows],
            seen: vec![false; n],
            num_seen: 0,
            wscale: 1.0,
            raw: vec![0.0f64; n_rows],
            grad: vec![0.0f64; n_rows],
            dg: vec![0.0f64; dg_len.max(n_rows)],
            order,
            i,
            i_next,
        }
    }

    /// The first half of a step on the current sample: draws the sample after next and starts
    /// fetching its label and gradient memory, counts the current sample as seen, computes its
    /// gradient, shrinks the weight scale and swaps the gradient memory (the difference goes to
    /// `dg`). Returns the sample after next and `num_seen` as f64.
    #[inline(always)]
    pub(crate) fn begin_step(&mut self, shape: &Shape<'_>, wscale_update: f64) -> (usize, f64) {
        let n_rows = shape.n_rows;
        let i_after = self.order.next_index(shape.n_u32);
        prefetch(&self.mem[i_after * n_rows..(i_after + 1) * n_rows]);
        prefetch(&shape.y[i_after..i_after + 1]);
        prefetch(&self.seen[i_after..i_after + 1]);
        let i = self.i;
        if !self.seen[i] {
            self.seen[i] = true;
            self.num_seen += 1;
        }
        loss_gradient(shape.loss, &self.raw, shape.y[i], &mut self.grad);
        self.wscale *= wscale_update;
        swap_gradient_memory(&mut self.mem[i * n_rows..(i + 1) * n_rows], &self.grad, &mut self.dg[..n_rows]);
        (i_after, self.num_seen as f64)
    }

    /// Moves on: the next sample becomes the current one.
    #[inline(always)]
    pub(crate) fn advance(&mut self, i_after: usize) {
        self.i = self.i_next;
        self.i_next = i_after;
    }
}

/// The training features: `xs` is `n × d`, row-major, with `nonzero` nonzero entries.
pub(crate) struct Features<'a, T> {
    pub xs: &'a [T],
    pub n: usize,
    pub d: usize,
    pub nonzero: usize,
}

/// Runs SAGA on the features with encoded targets `y` (class index; 0/1 for the binomial loss).
/// `n_rows` is the number of weight rows (K, or 1 for the binomial loss).
pub(crate) fn saga<T: Feature>(x: Features<'_, T>, y: &[usize], loss: Loss, n_rows: usize, cfg: &SagaSettings) -> Result<SagaOutput> {
    let Features { xs, n, d, nonzero } = x;
    let n_u32 = u32::try_from(n).map_err(|_| ProbeError::TooLarge { what: "n_samples", value: n, max: u32::MAX as usize })?;
    let shape = Shape { y, n, n_u32, d, n_rows, loss };
    let scheme = cfg.scheme.resolve(nonzero, xs.len(), n_rows);
    match scheme {
        UpdateScheme::JustInTime => epochs(sparse::SparseSolver::start(xs, nonzero, shape, cfg.seed)?, cfg, scheme),
        _ => epochs(dense::DenseSolver::start(xs, shape, cfg.seed), cfg, scheme),
    }
}

/// The epoch loop and scikit-learn's stopping rule; `scheme` is the one `solver` runs.
fn epochs<S: Solver>(mut solver: S, cfg: &SagaSettings, scheme: UpdateScheme) -> Result<SagaOutput> {
    let mut prev = vec![0.0f64; solver.weights().len()];
    let mut epochs = 0;
    let mut converged = false;
    let mut last_relative_change = f64::INFINITY;
    for epoch in 0..cfg.max_epochs {
        epochs = epoch + 1;
        solver.run_epoch(cfg, epoch + 1)?;
        solver.finish_epoch(epoch + 1)?;
        let (max_change, max_weight) = weight_change(&mut prev, solver.weights());
        last_relative_change = relative_change(max_change, max_weight);
        if has_converged(max_change, max_weight, cfg.tol) {
            converged = true;
            break;
        }
    }
    let (coef, intercept) = solver.into_coef();
    Ok(SagaOutput { coef, intercept, epochs, converged, last_relative_change, scheme })
}

/// Asks the CPU to start fetching `data` into the cache (sample indices are drawn ahead, so the
/// next-but-one sample's row, label and gradient memory can be on their way during a step).
#[inline(always)]
fn prefetch<T>(data: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        let bytes = std::mem::size_of_val(data);
        let base = data.as_ptr() as *const i8;
        let mut off = 0;
        while off < bytes {
            // SAFETY: prefetching never faults, and the address is inside `data` anyway.
            unsafe { std::arch::x86_64::_mm_prefetch(base.add(off), std::arch::x86_64::_MM_HINT_T0) };
            off += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}

/// Gradient of the loss w.r.t. the raw prediction, as scikit-learn's Cython losses compute it.
#[inline(always)]
fn loss_gradient(loss: Loss, raw: &[f64], y: usize, grad: &mut [f64]) {
    match loss {
        Loss::Multinomial => {
            let mut max = raw[0];
            for &r in &raw[1..] {
                if max < r {
                    max = r;
                }
            }
            let mut sum = 0.0;
            for (g, &r) in grad.iter_mut().zip(raw) {
                *g = (r - max).exp();
                sum += *g;
            }
            for (k, g) in grad.iter_mut().enumerate() {
                *g /= sum;
                *g -= if k == y { 1.0 } else { 0.0 };
            }
        }
        Loss::Binomial => {
            let yt = y as f64;
            let r = raw[0];
            grad[0] = if r > -37.0 {
                let e = (-r).exp();
                ((1.0 - yt) - yt * e) / (1.0 + e)
            } else {
                r.exp() - yt
            };
        }
    }
}

/// Replaces a sample's gradient memory `m` by `grad`, leaving the difference `grad − m` in `dg`.
#[inline(always)]
fn swap_gradient_memory(m: &mut [f64], grad: &[f64], dg: &mut [f64]) {
    for ((dgk, &g), &mk) in dg.iter_mut().zip(grad).zip(m.iter()) {
        *dgk = g - mk;
    }
    m.copy_from_slice(grad);
}

/// The intercept update (intercept decay 1 for dense data); Err when an intercept stops being
/// finite.
#[inline(always)]
fn update_intercept(b: &mut [f64], isg: &mut [f64], dg: &[f64], step: f64, c1: f64, ns: f64, epoch: usize) -> Result<()> {
    for k in 0..b.len() {
        isg[k] += dg[k];
        let gcb = dg[k] * c1;
        b[k] -= (step * isg[k] / ns * 1.0) + gcb;
        if !b[k].is_finite() {
            return Err(ProbeError::Diverged { epoch });
        }
    }
    Ok(())
}

/// The largest weight change since `prev` and the largest weight, in absolute value; `prev`
/// becomes `w`.
fn weight_change(prev: &mut [f64], w: &[f64]) -> (f64, f64) {
    let mut max_change = 0.0f64;
    let mut max_weight = 0.0f64;
    for (p, &v) in prev.iter_mut().zip(w) {
        max_weight = max_weight.max(v.abs());
        max_change = max_change.max((v - *p).abs());
        *p = v;
    }
    (max_change, max_weight)
}

/// max|ΔW| / max|W|: 0 when nothing moved from all-zero weights, ∞ when they moved from zero.
fn relative_change(max_change: f64, max_weight: f64) -> f64 {
    if max_weight != 0.0 {
        max_change / max_weight
    } else if max_change == 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// scikit-learn's stopping rule: `max|ΔW| / max|W| ≤ tol`, or both 0.
fn has_converged(max_change: f64, max_weight: f64, tol: f64) -> bool {
    (max_weight != 0.0 && max_change / max_weight <= tol) || (max_weight == 0.0 && max_change == 0.0)
}
