//! The just-in-time update scheme: scikit-learn's path for CSR input, run on the nonzero entries
//! of a dense array.
//!
//! A feature that is zero in a sample gets no SAGA correction at that step, only the
//! averaged-gradient step `w_j −= delta_t · s_j`, and its summed gradient `s_j` does not change
//! meanwhile. So the steps a feature misses can wait until a sample where it is nonzero needs it,
//! and be applied at once: `w_j −= (cum[now] − cum[last_j]) · s_j`, with `cum` the cumulative sums
//! of the pending steps and `last_j` the step up to which feature `j` is current — scikit-learn's
//! `lagged_update`. At a rescale and at the end of every epoch every feature is brought up to date.
//!
//! Layout: feature-major, each feature's class weights padded to a multiple of four (`kp`), so one
//! feature's update is a few whole vector operations. Each lane is updated by the same IEEE
//! operations whatever the vector width (no FMA), and the dot products sum features in row
//! order, so the AVX and portable builds of the step give the same bits.
use super::{prefetch, update_intercept, Progress, SagaSettings, Shape, Solver};
use crate::error::{ProbeError, Result};
use crate::feature::Feature;

/// Lanes per vector operation on the padded class weights.
const LANES: usize = 4;

/// The padded width of one feature's class weights.
pub(crate) fn padded_rows(n_rows: usize) -> usize {
    n_rows.div_ceil(LANES) * LANES
}

/// The nonzero entries of the rows (compressed sparse rows), as f64.
struct Csr {
    starts: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f64>,
}

impl Csr {
    /// `nonzero` is the number of nonzero entries of `xs`.
    fn from_dense<T: Feature>(xs: &[T], d: usize, nonzero: usize) -> Result<Self> {
        if u32::try_from(d).is_err() {
            return Err(ProbeError::TooLarge { what: "n_features", value: d, max: u32::MAX as usize });
        }
        let mut starts = Vec::with_capacity(xs.len() / d.max(1) + 1);
        let (mut cols, mut vals) = (Vec::with_capacity(nonzero), Vec::with_capacity(nonzero));
        // each row is compacted into scratch without branches (every entry is written, the
        // position only advances past a nonzero one), then appended
        let (mut row_cols, mut row_vals) = (vec![0u32; d], vec![0.0f64; d]);
        starts.push(0);
        for row in xs.chunks_exact(d) {
            let mut k = 0;
            for (j, v) in row.iter().enumerate() {
                let v = v.to_f64();
                row_cols[k] = j as u32;
                row_vals[k] = v;
                k += usize::from(v != 0.0); // k ≤ j here, so the writes stay in the row
            }
            cols.extend_from_slice(&row_cols[..k]);
            vals.extend_from_slice(&row_vals[..k]);
            starts.push(cols.len());
        }
        Ok(Csr { starts, cols, vals })
    }

    #[inline(always)]
    fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.starts[i], self.starts[i + 1]);
        (&self.cols[a..b], &self.vals[a..b])
    }
}

/// Four class weights of one feature.
type V4 = [f64; LANES];

/// The SAGA correction of the current sample's features: per feature `j` with value `v` and per
/// class, `gc = v·dg; w −= gc·a; s += gc`. `V` is the number of four-lane vectors per feature (a
/// constant, so the rows are whole registers); `V = 0` means "read it from `dg`".
#[inline(always)]
fn correct_sample<const V: usize>(w: &mut [V4], s: &mut [V4], cols: &[u32], vals: &[f64], dg: &[V4], a: f64) {
    let nv = if V == 0 { dg.len() } else { V };
    for (&j, &v) in cols.iter().zip(vals) {
        let r = j as usize * nv..(j as usize + 1) * nv;
        for ((w4, s4), g4) in w[r.clone()].iter_mut().zip(&mut s[r]).zip(&dg[..nv]) {
            // whole-vector loads and stores, so that the lane loop vectorises
            let (mut wv, mut sv) = (*w4, *s4);
            for l in 0..LANES {
                let gc = v * g4[l];
                wv[l] -= gc * a;
                sv[l] += gc;
            }
            (*w4, *s4) = (wv, sv);
        }
    }
}

/// The next sample's features brought up to `cum[t1]` (`w −= (cum[t1] − cum[last_j])·s`,
/// `last_j = t1`) and their dot products with the class weights, summed in row order into `dots`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn catch_up_sample<const V: usize>(w: &mut [V4], s: &[V4], last: &mut [u32], cum: &[f64], t1: u32, cols: &[u32], vals: &[f64], dots: &mut [V4]) {
    if V == 0 {
        let nv = dots.len();
        catch_up_sweep(w, s, last, cum, t1, cols, vals, dots, nv);
    } else {
        // with a constant width the sums stay in registers
        let mut acc = [[0.0f64; LANES]; V];
        catch_up_sweep(w, s, last, cum, t1, cols, vals, &mut acc, V);
        dots[..V].copy_from_slice(&acc);
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn catch_up_sweep(w: &mut [V4], s: &[V4], last: &mut [u32], cum: &[f64], t1: u32, cols: &[u32], vals: &[f64], acc: &mut [V4], nv: usize) {
    let now = cum[t1 as usize];
    acc.fill([0.0; LANES]);
    for (&j, &v) in cols.iter().zip(vals) {
        let j = j as usize;
        let lag = now - cum[last[j] as usize];
        last[j] = t1;
        let r = j * nv..(j + 1) * nv;
        for ((w4, s4), d4) in w[r.clone()].iter_mut().zip(&s[r]).zip(acc[..nv].iter_mut()) {
            let (mut wv, sv, mut dv) = (*w4, *s4, *d4);
            for l in 0..LANES {
                wv[l] -= lag * sv[l];
                dv[l] += wv[l] * v;
            }
            (*w4, *d4) = (wv, dv);
        }
    }
}

/// The just-in-time scheme's weights, with the nonzero entries of the training features.
pub(crate) struct SparseSolver<'a> {
    csr: Csr,
    shape: Shape<'a>,
    /// Padded class-weight width.
    kp: usize,
    /// Weights, `d × kp`, to be multiplied by `progress.wscale`.
    w: Vec<f64>,
    /// Summed gradient memory, `d × kp`.
    s: Vec<f64>,
    /// Feature `j` is current up to `cum[last[j]]`.
    last: Vec<u32>,
    /// `cum[t]`: the sum of the pending steps of steps `0..t` since the last rescale.
    cum: Vec<f64>,
    progress: Progress,
    /// Dot products of the class weights with the next sample, `kp`.
    dots: Vec<f64>,
    avx: bool,
}

impl<'a> SparseSolver<'a> {
    /// Zero weights and memory, the first two samples drawn.
    /// `nonzero` is the number of nonzero entries of `xs`.
    pub(crate) fn start<T: Feature>(xs: &[T], nonzero: usize, shape: Shape<'a>, seed: u64) -> Result<Self> {
        let (d, kp) = (shape.d, padded_rows(shape.n_rows));
        let csr = Csr::from_dense(xs, d, nonzero)?;
        Ok(SparseSolver {
            csr,
            kp,
            w: vec![0.0; d * kp],
            s: vec![0.0; d * kp],
            last: vec![0; d],
            cum: vec![0.0; shape.n + 1],
            progress: Progress::start(&shape, seed, kp),
            dots: vec![0.0; kp],
            #[cfg(target_arch = "x86_64")]
            avx: std::arch::is_x86_feature_detected!("avx"),
            #[cfg(not(target_arch = "x86_64"))]
            avx: false,
            shape,
        })
    }

    /// Step `t`: the current sample's correction, the intercept, and the next sample's features
    /// brought up to `cum[t + 1]` with their dot products in `dots`.
    #[inline(always)]
    fn step<const V: usize>(&mut self, t: usize, step: f64, wscale_update: f64, cfg: &SagaSettings, epoch: usize) -> Result<()> {
        let (i_after, ns) = self.progress.begin_step(&self.shape, wscale_update);
        let (cols, vals) = self.csr.row(i_after);
        prefetch(cols);
        prefetch(vals);
        let p = &mut self.progress;
        let c1 = step * (1.0 - 1.0 / ns);
        let a = c1 / p.wscale;
        let (w, s) = (self.w.as_chunks_mut::<LANES>().0, self.s.as_chunks_mut::<LANES>().0);
        let (cols, vals) = self.csr.row(p.i);
        correct_sample::<V>(w, s, cols, vals, p.dg.as_chunks::<LANES>().0, a);
        self.cum[t + 1] = self.cum[t] + step / (p.wscale * ns);
        if cfg.fit_intercept {
            update_intercept(&mut p.b, &mut p.isg, &p.dg, step, c1, ns, epoch)?;
        }
        let (cols, vals) = self.csr.row(p.i_next);
        let dots = self.dots.as_chunks_mut::<LANES>().0;
        catch_up_sample::<V>(w, s, &mut self.last, &self.cum, (t + 1) as u32, cols, vals, dots);
        p.advance(i_after);
        Ok(())
    }

    #[inline(always)]
    fn run_epoch_body<const V: usize>(&mut self, cfg: &SagaSettings, epoch: usize) -> Result<()> {
        let step = cfg.step;
        let wscale_update = 1.0 - step * cfg.alpha_scaled;
        self.cum[0] = 0.0;
        for t in 0..self.shape.n {
            self.step::<V>(t, step, wscale_update, cfg, epoch)?;
            if self.progress.wscale < 1e-9 {
                self.bring_all_up_to_date(t + 1, epoch)?;
                self.cum[t + 1] = 0.0;
                self.last.fill((t + 1) as u32);
                self.predict_current();
            } else {
                let p = &mut self.progress;
                for (k, r) in p.raw.iter_mut().enumerate() {
                    *r = p.wscale * self.dots[k] + p.b[k];
                }
            }
        }
        Ok(())
    }

    /// The epoch with the class width as a constant where it is small (the common case).
    #[inline(always)]
    fn run_epoch_dispatch(&mut self, cfg: &SagaSettings, epoch: usize) -> Result<()> {
        match self.kp / LANES {
            1 => self.run_epoch_body::<1>(cfg, epoch),
            2 => self.run_epoch_body::<2>(cfg, epoch),
            3 => self.run_epoch_body::<3>(cfg, epoch),
            4 => self.run_epoch_body::<4>(cfg, epoch),
            _ => self.run_epoch_body::<0>(cfg, epoch),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn run_epoch_avx(&mut self, cfg: &SagaSettings, epoch: usize) -> Result<()> {
        self.run_epoch_dispatch(cfg, epoch)
    }

    /// Every feature brought up to `cum[u]` and multiplied by the weight scale, which becomes 1.
    fn bring_all_up_to_date(&mut self, u: usize, epoch: usize) -> Result<()> {
        let (kp, now, wscale) = (self.kp, self.cum[u], self.progress.wscale);
        for (j, (w, s)) in self.w.chunks_exact_mut(kp).zip(self.s.chunks_exact(kp)).enumerate() {
            let lag = now - self.cum[self.last[j] as usize];
            for (wv, sv) in w.iter_mut().zip(s) {
                *wv -= lag * sv;
                *wv *= wscale;
                if !wv.is_finite() {
                    return Err(ProbeError::Diverged { epoch });
                }
            }
        }
        self.progress.wscale = 1.0;
        Ok(())
    }

    /// The current sample's prediction from up-to-date weights.
    fn predict_current(&mut self) {
        let (kp, p) = (self.kp, &mut self.progress);
        self.dots.fill(0.0);
        let (cols, vals) = self.csr.row(p.i);
        for (&j, &v) in cols.iter().zip(vals) {
            let w = &self.w[j as usize * kp..(j as usize + 1) * kp];
            for (d, wv) in self.dots.iter_mut().zip(w) {
                *d += wv * v;
            }
        }
        for (k, r) in p.raw.iter_mut().enumerate() {
            *r = p.wscale * self.dots[k] + p.b[k];
        }
    }
}

impl Solver for SparseSolver<'_> {
    fn run_epoch(&mut self, cfg: &SagaSettings, epoch: usize) -> Result<()> {
        #[cfg(target_arch = "x86_64")]
        if self.avx {
            // SAFETY: the CPU supports AVX (checked at run time in `start`).
            return unsafe { self.run_epoch_avx(cfg, epoch) };
        }
        self.run_epoch_dispatch(cfg, epoch)
    }

    fn finish_epoch(&mut self, epoch: usize) -> Result<()> {
        self.bring_all_up_to_date(self.shape.n, epoch)?;
        self.last.fill(0);
        self.predict_current();
        Ok(())
    }

    fn weights(&self) -> &[f64] {
        &self.w
    }

    fn into_coef(self) -> (Vec<f64>, Vec<f64>) {
        let (d, n_rows, kp) = (self.shape.d, self.shape.n_rows, self.kp);
        let mut coef = vec![0.0; n_rows * d];
        for (j, w) in self.w.chunks_exact(kp).enumerate() {
            for k in 0..n_rows {
                coef[k * d + j] = w[k];
            }
        }
        (coef, self.progress.b)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{saga, saga_step_size, Features, Loss, SagaOutput, SagaSettings, UpdateScheme};
    use crate::synthetic;

    /// Blobs with the part below 0.5 cut to zero (ReLU-like: about a third of the entries left).
    fn sparse_blobs(n: usize, d: usize, classes: usize) -> (Vec<f64>, Vec<usize>) {
        let (x, y) = synthetic::blobs(n, d, classes, 7, 0, -1);
        (x.iter().map(|v| (v - 0.5).max(0.0)).collect(), y.iter().map(|&c| c as usize).collect())
    }

    fn fit(x: &[f64], y: &[usize], d: usize, classes: usize, c: f64, tol: f64, scheme: UpdateScheme) -> SagaOutput {
        let n = y.len();
        let (loss, n_rows) = if classes == 2 { (Loss::Binomial, 1) } else { (Loss::Multinomial, classes) };
        let max_sq = x.chunks_exact(d).map(|r| r.iter().map(|v| v * v).sum::<f64>()).fold(0.0, f64::max);
        let alpha_scaled = 1.0 / c / n as f64;
        let step = saga_step_size(max_sq, alpha_scaled, true, n);
        let cfg = SagaSettings { alpha_scaled, step, tol, max_epochs: 60, fit_intercept: true, seed: 3, scheme };
        saga(Features { xs: x, n, d, nonzero: count_nonzero(x) }, y, loss, n_rows, &cfg).unwrap()
    }

    fn count_nonzero(xs: &[f64]) -> usize {
        xs.iter().filter(|v| **v != 0.0).count()
    }

    fn max_abs(v: &[f64]) -> f64 {
        v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
    }

    #[test]
    fn just_in_time_and_dense_schemes_give_the_same_iterates() {
        // 2 classes: one weight row (V = 1); 3 and 10: V = 1 and 3; 21: the variable-width kernel.
        // C = 1e-3 shrinks the weight scale below 1e-9 within an epoch, so the rescale runs too.
        for (classes, c) in [(2, 10.0), (3, 10.0), (10, 10.0), (21, 10.0), (10, 1e-3), (2, 1e-3)] {
            let d = 17;
            let (x, y) = sparse_blobs(500, d, classes);
            let density = x.iter().filter(|v| **v != 0.0).count() as f64 / x.len() as f64;
            assert!(density < 0.4, "{density}");
            let dense = fit(&x, &y, d, classes, c, 1e-4, UpdateScheme::Dense);
            let jit = fit(&x, &y, d, classes, c, 1e-4, UpdateScheme::JustInTime);
            assert_eq!((dense.scheme, jit.scheme), (UpdateScheme::Dense, UpdateScheme::JustInTime));
            assert_eq!(dense.epochs, jit.epochs, "{classes} classes, C = {c}");
            let gap: Vec<f64> = dense.coef.iter().zip(&jit.coef).map(|(a, b)| a - b).collect();
            let rel = max_abs(&gap) / max_abs(&dense.coef);
            assert!(max_abs(&dense.coef) > 0.0 && rel < 1e-10, "{classes} classes, C = {c}: relative gap {rel}");
            for (a, b) in dense.intercept.iter().zip(&jit.intercept) {
                assert!((a - b).abs() < 1e-10 * (1.0 + a.abs()), "{classes} classes, C = {c}: intercept {a} vs {b}");
            }
        }
    }

    #[test]
    fn auto_picks_just_in_time_only_on_data_with_many_zeros() {
        let d = 17;
        let (x, y) = sparse_blobs(300, d, 10);
        assert_eq!(fit(&x, &y, d, 10, 10.0, 0.1, UpdateScheme::Auto).scheme, UpdateScheme::JustInTime);
        let full: Vec<f64> = x.iter().map(|v| v + 0.25).collect();
        assert_eq!(fit(&full, &y, d, 10, 10.0, 0.1, UpdateScheme::Auto).scheme, UpdateScheme::Dense);
        // the same data and seed give the same bits
        let (a, b) = (fit(&x, &y, d, 10, 10.0, 0.1, UpdateScheme::Auto), fit(&x, &y, d, 10, 10.0, 0.1, UpdateScheme::Auto));
        assert_eq!((a.coef, a.intercept), (b.coef, b.intercept));
    }

    #[test]
    fn avx_and_portable_builds_give_the_same_bits() {
        use super::super::{epochs, Shape};
        let d = 17;
        for classes in [3, 10, 21] {
            let (x, y) = sparse_blobs(400, d, classes);
            let run = |avx: bool| {
                let shape = Shape { y: &y, n: 400, n_u32: 400, d, n_rows: classes, loss: Loss::Multinomial };
                let mut solver = super::SparseSolver::start(&x, count_nonzero(&x), shape, 5).unwrap();
                solver.avx &= avx;
                let cfg = SagaSettings { alpha_scaled: 1e-3, step: 0.05, tol: 1e-6, max_epochs: 5, fit_intercept: true, seed: 5, scheme: UpdateScheme::JustInTime };
                let out = epochs(solver, &cfg, UpdateScheme::JustInTime).unwrap();
                (out.coef, out.intercept)
            };
            assert_eq!(run(true), run(false), "{classes} classes");
        }
    }

    #[test]
    fn padding_is_to_whole_vectors() {
        assert_eq!([1, 3, 4, 5, 10, 21].map(super::padded_rows), [4, 4, 4, 8, 12, 24]);
    }
}
