//! The dense update scheme: every feature is brought up to date at every step, as scikit-learn
//! does for a dense array, with its three passes over the weights fused into one.
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
use super::{prefetch, update_intercept, Progress, SagaSettings, Shape, Solver};
use crate::error::{ProbeError, Result};
use crate::feature::Feature;

/// Loads row `i` of `x` (standard layout) into `out` as f64.
#[inline(always)]
fn load_row<T: Feature>(x: &[T], d: usize, i: usize, out: &mut [f64]) {
    let row = &x[i * d..(i + 1) * d];
    for (o, v) in out.iter_mut().zip(row) {
        *o = v.to_f64();
    }
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

fn scale_weights(w: &mut [f64], wscale: f64, epoch: usize) -> Result<()> {
    for v in w.iter_mut() {
        *v *= wscale;
        if !v.is_finite() {
            return Err(ProbeError::Diverged { epoch });
        }
    }
    Ok(())
}

/// The dense scheme's weights, with the training features it reads.
pub(crate) struct DenseSolver<'a, T> {
    xs: &'a [T],
    shape: Shape<'a>,
    kernel: Kernel,
    /// Weights, `n_rows × d`, to be multiplied by `progress.wscale`.
    w: Vec<f64>,
    /// Summed gradient memory (Σ over samples of x·g_mem), `n_rows × d`.
    s: Vec<f64>,
    progress: Progress,
    /// Dot products of the weight rows with the next sample.
    dots: Vec<f64>,
    /// The current and the next sample's features as f64.
    xcur: Vec<f64>,
    xnext: Vec<f64>,
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

impl<'a, T: Feature> DenseSolver<'a, T> {
    /// Zero weights and memory, the first two samples drawn, the first one loaded.
    pub(crate) fn start(xs: &'a [T], shape: Shape<'a>, seed: u64) -> Self {
        let (d, n_rows) = (shape.d, shape.n_rows);
        let progress = Progress::start(&shape, seed, n_rows);
        let mut xcur = vec![0.0f64; d];
        load_row(xs, d, progress.i, &mut xcur);
        DenseSolver {
            xs,
            kernel: Kernel::detect(),
            w: vec![0.0f64; n_rows * d],
            s: vec![0.0f64; n_rows * d],
            progress,
            dots: vec![0.0f64; n_rows],
            xcur,
            xnext: vec![0.0f64; d],
            shape,
        }
    }
}

impl<T: Feature> Solver for DenseSolver<'_, T> {
    fn run_epoch(&mut self, cfg: &SagaSettings, epoch: usize) -> Result<()> {
        let (d, step) = (self.shape.d, cfg.step);
        let wscale_update = 1.0 - step * cfg.alpha_scaled;
        let mut cs_prev = 0.0f64;
        for t in 0..self.shape.n {
            let (i_after, ns) = self.progress.begin_step(&self.shape, wscale_update);
            // the sample after next: start fetching its row too
            prefetch(&self.xs[i_after * d..(i_after + 1) * d]);
            let p = &mut self.progress;
            let c = step_constants(step, p.wscale, ns, t, &mut cs_prev);
            load_row(self.xs, d, p.i_next, &mut self.xnext);
            self.kernel.fused_step(&mut self.w, &mut self.s, &self.xcur, &self.xnext, &p.dg, c.a, c.delta, &mut self.dots);
            if cfg.fit_intercept {
                update_intercept(&mut p.b, &mut p.isg, &p.dg, step, c.c1, ns, epoch)?;
            }
            std::mem::swap(&mut self.xcur, &mut self.xnext);
            p.advance(i_after);
            if p.wscale < 1e-9 {
                scale_weights(&mut self.w, p.wscale, epoch)?;
                p.wscale = 1.0;
                cs_prev = 0.0;
                predict_into(&self.w, &p.b, &self.xcur, p.wscale, &mut p.raw);
            } else {
                predict_from_dots(&self.dots, &p.b, p.wscale, &mut p.raw);
            }
        }
        Ok(())
    }

    /// Applies the scale to the weights (the pending step was applied in the fused pass) and
    /// predicts the current sample again.
    fn finish_epoch(&mut self, epoch: usize) -> Result<()> {
        let p = &mut self.progress;
        scale_weights(&mut self.w, p.wscale, epoch)?;
        p.wscale = 1.0;
        predict_into(&self.w, &p.b, &self.xcur, p.wscale, &mut p.raw);
        Ok(())
    }

    fn weights(&self) -> &[f64] {
        &self.w
    }

    fn into_coef(self) -> (Vec<f64>, Vec<f64>) {
        (self.w, self.progress.b)
    }
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

