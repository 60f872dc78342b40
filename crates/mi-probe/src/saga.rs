//! The SAGA solver of scikit-learn's `sag_fast.pyx` (dense data), restructured for speed.
//!
//! # What is the same as scikit-learn
//!
//! Step size (`get_auto_step_size` with `is_saga=True`), the L2 penalty as a running weight scale
//! (`wscale *= 1 - step·α`), the SAGA correction `x·(g − g_mem)·step·(1 − 1/num_seen)/wscale`,
//! the averaged-gradient step replayed through cumulative sums (`cumulative_sums[t] =
//! cumulative_sums[t−1] + step/(wscale·num_seen)`, the pending step being their difference), the
//! intercept update (intercept decay 1 for dense data), the rescale when `wscale < 1e-9` and at the
//! end of every epoch, the stopping rule (after an epoch, stop when `max|ΔW| / max|W| ≤ tol`, or
//! when both are 0) and the sample order (sampling with replacement by scikit-learn's xorshift
//! generator, see [`crate::rng`]).
//!
//! # What is different (the arithmetic is the same, the order of passes is not)
//!
//! For dense data scikit-learn's "just-in-time" update touches every feature at every step, so it
//! makes three passes over the weights per step: the lagged update, the prediction, and the
//! gradient-memory update. Here one fused pass does all three: after step *t* has updated the
//! summed gradient it applies the pending averaged-gradient step of step *t + 1* right away (it
//! depends on nothing else), and accumulates the dot product with the *next* sample (the index
//! sequence is known in advance). The weights are stored class-major (`K × d`) so that the pass
//! runs along contiguous features, with eight fixed accumulator lanes: the summation order does
//! not depend on the machine's vector width, so results are the same everywhere. Weights,
//! gradients and sums are `f64` whatever the feature type.
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

pub(crate) struct SagaSettings {
    /// α / n_samples, α = 1/C.
    pub alpha_scaled: f64,
    pub step: f64,
    pub tol: f64,
    pub max_epochs: usize,
    pub fit_intercept: bool,
    pub seed: u64,
}

pub(crate) struct SagaOutput {
    /// `n_rows × d`, row-major (class-major weights).
    pub coef: Vec<f64>,
    pub intercept: Vec<f64>,
    pub epochs: usize,
    pub converged: bool,
    /// max|ΔW| / max|W| after the last epoch.
    pub last_relative_change: f64,
}

/// scikit-learn's `get_auto_step_size` for the log/multinomial loss with `is_saga=True`.
pub(crate) fn saga_step_size(max_squared_sum: f64, alpha_scaled: f64, fit_intercept: bool, n_samples: usize) -> f64 {
    let l = 0.25 * (max_squared_sum + if fit_intercept { 1.0 } else { 0.0 }) + alpha_scaled;
    let mun = (2.0 * n_samples as f64 * alpha_scaled).min(l);
    1.0 / (2.0 * l + mun)
}

/// Loads row `i` of `x` (standard layout) into `out` as f64.
#[inline(always)]
fn load_row<T: Feature>(x: &[T], d: usize, i: usize, out: &mut [f64]) {
    let row = &x[i * d..(i + 1) * d];
    for (o, v) in out.iter_mut().zip(row) {
        *o = v.to_f64();
    }
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

/// Eight-lane dot product with a fixed summation order.
#[inline(always)]
fn dot8(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (a8, b8) in (&mut ca).zip(&mut cb) {
        let (mut av, mut bv) = ([0.0f64; 8], [0.0f64; 8]);
        av.copy_from_slice(a8);
        bv.copy_from_slice(b8);
        for l in 0..8 {
            acc[l] += av[l] * bv[l];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        tail += x * y;
    }
    reduce8(&acc) + tail
}

#[inline(always)]
fn reduce8(acc: &[f64; 8]) -> f64 {
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

/// The fused pass over one weight row: gradient-memory correction of the current sample,
/// the pending averaged-gradient step, and the dot product with the next sample.
///
/// Per feature j: `gc = x_j·dg; s_j += gc; w_j = (w_j − gc·a) − delta·s_j; acc += w_j·x'_j`.
#[inline(always)]
fn fused_row(w: &mut [f64], s: &mut [f64], x: &[f64], x_next: &[f64], dg: f64, a: f64, delta: f64) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut cw = w.chunks_exact_mut(8);
    let mut cs = s.chunks_exact_mut(8);
    let mut cx = x.chunks_exact(8);
    let mut cn = x_next.chunks_exact(8);
    for (((w8, s8), x8), n8) in (&mut cw).zip(&mut cs).zip(&mut cx).zip(&mut cn) {
        // whole-chunk loads and stores, so that the lane loop vectorises
        let (mut wv, mut sv, mut xv, mut nv) = ([0.0f64; 8], [0.0f64; 8], [0.0f64; 8], [0.0f64; 8]);
        wv.copy_from_slice(w8);
        sv.copy_from_slice(s8);
        xv.copy_from_slice(x8);
        nv.copy_from_slice(n8);
        for l in 0..8 {
            let gc = xv[l] * dg;
            sv[l] += gc;
            wv[l] = (wv[l] - gc * a) - delta * sv[l];
            acc[l] += wv[l] * nv[l];
        }
        s8.copy_from_slice(&sv);
        w8.copy_from_slice(&wv);
    }
    let mut tail = 0.0;
    for (((w1, s1), x1), n1) in
        cw.into_remainder().iter_mut().zip(cs.into_remainder().iter_mut()).zip(cx.remainder()).zip(cn.remainder())
    {
        let gc = x1 * dg;
        let sn = *s1 + gc;
        *s1 = sn;
        let wn = (*w1 - gc * a) - delta * sn;
        *w1 = wn;
        tail += wn * n1;
    }
    reduce8(&acc) + tail
}

/// [`fused_row`] with AVX intrinsics: the same IEEE operations lane by lane (no FMA) and the same
/// eight accumulator lanes reduced in the same order, so the result is bit-identical.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn fused_row_avx(w: &mut [f64], s: &mut [f64], x: &[f64], x_next: &[f64], dg: f64, a: f64, delta: f64) -> f64 {
    use std::arch::x86_64::*;
    let d = w.len().min(s.len()).min(x.len()).min(x_next.len());
    let body = d - d % 8;
    let (wp, sp, xp, np) = (w.as_mut_ptr(), s.as_mut_ptr(), x.as_ptr(), x_next.as_ptr());
    let (vdg, va, vdelta) = (_mm256_set1_pd(dg), _mm256_set1_pd(a), _mm256_set1_pd(delta));
    let mut acc = [_mm256_setzero_pd(), _mm256_setzero_pd()];
    let mut o = 0;
    while o < body {
        for (h, acc_h) in acc.iter_mut().enumerate() {
            // SAFETY: o + 4h + 4 ≤ body ≤ the length of every slice
            let off = o + 4 * h;
            let gc = _mm256_mul_pd(_mm256_loadu_pd(xp.add(off)), vdg);
            let sv = _mm256_add_pd(_mm256_loadu_pd(sp.add(off)), gc);
            _mm256_storeu_pd(sp.add(off), sv);
            let wv = _mm256_sub_pd(_mm256_sub_pd(_mm256_loadu_pd(wp.add(off)), _mm256_mul_pd(gc, va)), _mm256_mul_pd(vdelta, sv));
            _mm256_storeu_pd(wp.add(off), wv);
            *acc_h = _mm256_add_pd(*acc_h, _mm256_mul_pd(wv, _mm256_loadu_pd(np.add(off))));
        }
        o += 8;
    }
    let mut lanes = [0.0f64; 8];
    _mm256_storeu_pd(lanes.as_mut_ptr(), acc[0]);
    _mm256_storeu_pd(lanes.as_mut_ptr().add(4), acc[1]);
    let mut tail = 0.0;
    for j in body..d {
        let gc = x[j] * dg;
        let sn = s[j] + gc;
        s[j] = sn;
        let wn = (w[j] - gc * a) - delta * sn;
        w[j] = wn;
        tail += wn * x_next[j];
    }
    reduce8(&lanes) + tail
}

#[derive(Clone, Copy)]
struct Kernel {
    #[cfg(target_arch = "x86_64")]
    avx: bool,
}

impl Kernel {
    fn detect() -> Self {
        Kernel {
            #[cfg(target_arch = "x86_64")]
            avx: std::arch::is_x86_feature_detected!("avx"),
        }
    }

    /// All weight rows of one step; the dot products with the next sample go to `dots`.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn fused_step(
        self,
        w: &mut [f64],
        s: &mut [f64],
        x: &[f64],
        x_next: &[f64],
        dg: &[f64],
        a: f64,
        delta: f64,
        dots: &mut [f64],
    ) {
        let d = x.len();
        for (k, ((wk, sk), dot)) in w.chunks_exact_mut(d).zip(s.chunks_exact_mut(d)).zip(dots.iter_mut()).enumerate() {
            #[cfg(target_arch = "x86_64")]
            if self.avx {
                // SAFETY: the CPU supports AVX (checked at run time in `detect`).
                *dot = unsafe { fused_row_avx(wk, sk, x, x_next, dg[k], a, delta) };
                continue;
            }
            *dot = fused_row(wk, sk, x, x_next, dg[k], a, delta);
        }
    }

    /// Forces the portable kernel (tests compare both).
    #[cfg(test)]
    fn portable() -> Self {
        Kernel {
            #[cfg(target_arch = "x86_64")]
            avx: false,
        }
    }
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

fn scale_weights(w: &mut [f64], wscale: f64, epoch: usize) -> Result<()> {
    for v in w.iter_mut() {
        *v *= wscale;
        if !v.is_finite() {
            return Err(ProbeError::Diverged { epoch });
        }
    }
    Ok(())
}

/// The training data and the shape of the problem.
struct Problem<'a, T> {
    xs: &'a [T],
    y: &'a [usize],
    n: usize,
    /// `n` for the sample generator (checked to fit).
    n_u32: u32,
    d: usize,
    n_rows: usize,
    loss: Loss,
}

/// What SAGA carries from step to step.
struct State {
    /// Weights, `n_rows × d`, to be multiplied by `wscale`.
    w: Vec<f64>,
    /// Summed gradient memory (Σ over samples of x·g_mem), `n_rows × d`.
    s: Vec<f64>,
    /// Intercepts and their summed gradient memory.
    b: Vec<f64>,
    isg: Vec<f64>,
    /// Gradient memory: the last gradient of each sample, `n × n_rows`.
    mem: Vec<f64>,
    seen: Vec<bool>,
    num_seen: usize,
    wscale: f64,
    /// Prediction for the current sample, and the scratch rows of one step.
    raw: Vec<f64>,
    grad: Vec<f64>,
    dg: Vec<f64>,
    dots: Vec<f64>,
    /// The current and the next sample's features as f64.
    xcur: Vec<f64>,
    xnext: Vec<f64>,
    order: SampleOrder,
    /// Indices of the current and the next sample.
    i: usize,
    i_next: usize,
}

/// The constants of one step: `c1 = step·(1 − 1/num_seen)`, the SAGA correction's factor
/// `a = c1/wscale`, and the pending averaged-gradient step `delta` (a difference of cumulative
/// sums, as scikit-learn keeps them).
struct StepConstants {
    c1: f64,
    a: f64,
    delta: f64,
}

/// [`StepConstants`] for step `t` of an epoch; advances the cumulative sum `cs_prev`.
#[inline(always)]
fn step_constants(step: f64, wscale: f64, ns: f64, t: usize, cs_prev: &mut f64) -> StepConstants {
    let c1 = step * (1.0 - 1.0 / ns);
    let a = c1 / wscale;
    let inc = step / (wscale * ns);
    let cs = if t == 0 { inc } else { *cs_prev + inc };
    let delta = cs - *cs_prev;
    *cs_prev = cs;
    StepConstants { c1, a, delta }
}

/// `raw[k] = wscale · (w_k · x) + b[k]` for every weight row.
#[inline(always)]
fn predict_into(w: &[f64], b: &[f64], x: &[f64], wscale: f64, raw: &mut [f64]) {
    let d = x.len();
    for (k, r) in raw.iter_mut().enumerate() {
        *r = wscale * dot8(&w[k * d..(k + 1) * d], x) + b[k];
    }
}

/// The prediction from the dot products the fused pass left in `dots`.
#[inline(always)]
fn predict_from_dots(dots: &[f64], b: &[f64], wscale: f64, raw: &mut [f64]) {
    for (k, r) in raw.iter_mut().enumerate() {
        *r = wscale * dots[k] + b[k];
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

impl State {
    /// Zero weights and memory, the first two samples drawn, the first one loaded and predicted.
    fn start<T: Feature>(p: &Problem<'_, T>, seed: u64) -> Self {
        let (n, d, n_rows) = (p.n, p.d, p.n_rows);
        let kd = n_rows * d;
        let mut st = State {
            w: vec![0.0f64; kd],
            s: vec![0.0f64; kd],
            b: vec![0.0f64; n_rows],
            isg: vec![0.0f64; n_rows],
            mem: vec![0.0f64; n * n_rows],
            seen: vec![false; n],
            num_seen: 0,
            wscale: 1.0,
            raw: vec![0.0f64; n_rows],
            grad: vec![0.0f64; n_rows],
            dg: vec![0.0f64; n_rows],
            dots: vec![0.0f64; n_rows],
            xcur: vec![0.0f64; d],
            xnext: vec![0.0f64; d],
            order: SampleOrder::from_random_state(seed),
            i: 0,
            i_next: 0,
        };
        st.i = st.order.next_index(p.n_u32);
        load_row(p.xs, d, st.i, &mut st.xcur);
        predict_into(&st.w, &st.b, &st.xcur, st.wscale, &mut st.raw);
        st.i_next = st.order.next_index(p.n_u32);
        st
    }

    /// Starts fetching the row, label and gradient memory of sample `i` into the cache.
    #[inline(always)]
    fn prefetch_sample<T: Feature>(&self, p: &Problem<'_, T>, i: usize) {
        prefetch(&p.xs[i * p.d..(i + 1) * p.d]);
        prefetch(&self.mem[i * p.n_rows..(i + 1) * p.n_rows]);
        prefetch(&p.y[i..i + 1]);
        prefetch(&self.seen[i..i + 1]);
    }

    /// One epoch: `n` steps on the sampled indices. `epoch` is 1-based (for errors).
    fn run_epoch<T: Feature>(&mut self, p: &Problem<'_, T>, cfg: &SagaSettings, kernel: Kernel, epoch: usize) -> Result<()> {
        let n_rows = p.n_rows;
        let step = cfg.step;
        let wscale_update = 1.0 - step * cfg.alpha_scaled;
        let mut cs_prev = 0.0f64;
        for t in 0..p.n {
            // the sample after next: start fetching its row, label and gradient memory
            let i_after = self.order.next_index(p.n_u32);
            self.prefetch_sample(p, i_after);
            let i = self.i;
            if !self.seen[i] {
                self.seen[i] = true;
                self.num_seen += 1;
            }
            loss_gradient(p.loss, &self.raw, p.y[i], &mut self.grad);
            self.wscale *= wscale_update;
            swap_gradient_memory(&mut self.mem[i * n_rows..(i + 1) * n_rows], &self.grad, &mut self.dg);
            let ns = self.num_seen as f64;
            let c = step_constants(step, self.wscale, ns, t, &mut cs_prev);

            load_row(p.xs, p.d, self.i_next, &mut self.xnext);
            kernel.fused_step(&mut self.w, &mut self.s, &self.xcur, &self.xnext, &self.dg, c.a, c.delta, &mut self.dots);

            if cfg.fit_intercept {
                update_intercept(&mut self.b, &mut self.isg, &self.dg, step, c.c1, ns, epoch)?;
            }
            std::mem::swap(&mut self.xcur, &mut self.xnext);
            self.i = self.i_next;
            self.i_next = i_after;
            if self.wscale < 1e-9 {
                scale_weights(&mut self.w, self.wscale, epoch)?;
                self.wscale = 1.0;
                cs_prev = 0.0;
                predict_into(&self.w, &self.b, &self.xcur, self.wscale, &mut self.raw);
            } else {
                predict_from_dots(&self.dots, &self.b, self.wscale, &mut self.raw);
            }
        }
        Ok(())
    }

    /// End of an epoch: applies the scale to the weights (the pending step was applied in the
    /// fused pass) and predicts the current sample again.
    fn finish_epoch(&mut self, epoch: usize) -> Result<()> {
        scale_weights(&mut self.w, self.wscale, epoch)?;
        self.wscale = 1.0;
        predict_into(&self.w, &self.b, &self.xcur, self.wscale, &mut self.raw);
        Ok(())
    }
}

/// Runs SAGA on `xs` (`n × d`, row-major) with encoded targets `y` (class index; 0/1 for the
/// binomial loss). `n_rows` is the number of weight rows (K, or 1 for the binomial loss).
pub(crate) fn saga<T: Feature>(
    xs: &[T],
    n: usize,
    d: usize,
    y: &[usize],
    loss: Loss,
    n_rows: usize,
    cfg: &SagaSettings,
) -> Result<SagaOutput> {
    let n_u32 = u32::try_from(n).map_err(|_| ProbeError::TooLarge { what: "n_samples", value: n, max: u32::MAX as usize })?;
    let problem = Problem { xs, y, n, n_u32, d, n_rows, loss };
    let mut prev = vec![0.0f64; n_rows * d];
    let kernel = Kernel::detect();
    let mut st = State::start(&problem, cfg.seed);

    let mut epochs = 0;
    let mut converged = false;
    let mut last_relative_change = f64::INFINITY;
    for epoch in 0..cfg.max_epochs {
        epochs = epoch + 1;
        st.run_epoch(&problem, cfg, kernel, epoch + 1)?;
        st.finish_epoch(epoch + 1)?;
        let (max_change, max_weight) = weight_change(&mut prev, &st.w);
        last_relative_change = relative_change(max_change, max_weight);
        if has_converged(max_change, max_weight, cfg.tol) {
            converged = true;
            break;
        }
    }
    Ok(SagaOutput { coef: st.w, intercept: st.b, epochs, converged, last_relative_change })
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_and_portable_kernels_agree_bit_for_bit() {
        for d in [1usize, 7, 8, 13, 50, 392] {
            let k = 3;
            let x: Vec<f64> = (0..d).map(|j| ((j * 7919) % 101) as f64 / 37.0 - 1.2).collect();
            let xn: Vec<f64> = (0..d).map(|j| ((j * 104729) % 97) as f64 / 41.0 - 0.9).collect();
            let w0: Vec<f64> = (0..k * d).map(|j| ((j * 31) % 17) as f64 * 0.013 - 0.1).collect();
            let s0: Vec<f64> = (0..k * d).map(|j| ((j * 13) % 23) as f64 * 0.021 - 0.2).collect();
            let dg = [0.3, -0.7, 0.11];
            let run = |kernel: Kernel| {
                let (mut w, mut s, mut dots) = (w0.clone(), s0.clone(), vec![0.0; k]);
                kernel.fused_step(&mut w, &mut s, &x, &xn, &dg, 0.0123, 0.000456, &mut dots);
                (w, s, dots)
            };
            let (a, b) = (run(Kernel::detect()), run(Kernel::portable()));
            assert_eq!(a, b, "d = {d}");
            // and the portable kernel computes what it says
            let (w, s, dots) = b;
            for kk in 0..k {
                let mut dot = 0.0;
                for j in 0..d {
                    let gc = x[j] * dg[kk];
                    let sn = s0[kk * d + j] + gc;
                    let wn = (w0[kk * d + j] - gc * 0.0123) - 0.000456 * sn;
                    assert_eq!(s[kk * d + j], sn);
                    assert_eq!(w[kk * d + j], wn);
                    dot += wn * xn[j];
                }
                assert!((dots[kk] - dot).abs() <= 1e-12 * (1.0 + dot.abs()));
            }
        }
    }
}

