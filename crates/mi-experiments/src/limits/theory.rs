//! Closed forms for the Gaussian staircase and the estimators that need no training: the optimal
//! critic, the exact moments of NWJ and DV under it, and the Gaussian difference-of-entropies
//! (DoE) estimator. Everything here is f64 and plain ndarray.
//!
//! The staircase task: d independent coordinate pairs, y_c = ρ x_c + s ε_c with s² = 1 − ρ²,
//! I = −(d/2) log(1 − ρ²). Its density ratio r(x, y) = p(x, y) / (p(x) p(y)) is
//!
//! log r(x, y) = I − ‖y − ρx‖² / (2s²) + ‖y‖² / 2,
//!
//! the optimal critic of InfoNCE and DV (any shift) and, shifted by one, of NWJ.
//!
//! Moments on a B×B batch (S_ij = log r(x_i, y_j), off-diagonal pairs stand in for p(x)p(y)):
//! * under p, Var[log r] = d ρ² (per coordinate Var[u²/2 − ε²/2] = ρ² with u = y_c, Corr(u, ε) = s);
//! * under q = p(x)p(y), E[r²] = (1 − ρ²)^{−d} = e^{2I} (Mehler: Σ_k ρ^{2k} per coordinate);
//! * the off-diagonal mean Z = mean_{i≠j} r_ij: only identical pairs (i, j) and swapped pairs
//!   (j, i) are correlated, E[r_ij r_ji] = (1 − ρ⁴)^{−d} (a 4-cycle: Σ_k ρ^{4k}), so
//!   Var[Z] = [(e^{2I} − 1) + ((1 − ρ⁴)^{−d} − 1)] / (B(B − 1)), and Z is uncorrelated with the
//!   diagonal mean J = mean_i log r_ii (E[r(x_i, y_j) | x_i] = 1).
//! * NWJ on S + 1 is 1 + J − Z: unbiased, Var[NWJ] = dρ²/B + Var[Z]. Song & Ermon's bound with
//!   M = B(B − 1) samples of q reads Var ≥ (e^I − 1)/M (it holds with room to spare: e^{2I} ≥ e^I).
//! * DV = J − log Z: E[DV] − I = −E[log Z] ≥ 0 (Jensen), ≈ Var[Z]/2 while Var[Z] ≪ 1 (delta method).
//! * Higher moments: per coordinate, E_q[r^k] < ∞ iff ρ < 1/(k − 1) (the exponent of r^k φ(x)φ(y)
//!   must stay negative definite: (k − 1)ρ² − kρ + 1 > 0). So for ρ ≥ 1/3 the sample variance of
//!   NWJ has infinite variance and a finite experiment under-reads Var[NWJ]; for ρ ≥ 1/2 even the
//!   third moment is infinite.
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// ρ of a staircase with `dim` pairs and total MI `mi_nats`: sqrt(1 − exp(−2I/d)).
pub fn staircase_rho(dim: usize, mi_nats: f64) -> f64 {
    (-(-2.0 * mi_nats / dim as f64).exp_m1()).sqrt()
}

/// S_ij = log r(x_i, y_j) for the staircase with `dim = x.ncols()` pairs and MI `mi_nats`,
/// through one matrix product (x yᵀ) and the row norms.
pub fn optimal_scores(x: &ArrayView2<f64>, y: &ArrayView2<f64>, mi_nats: f64) -> Array2<f64> {
    let d = x.ncols();
    let rho = staircase_rho(d, mi_nats);
    let s2 = 1.0 - rho * rho;
    let xx: Array1<f64> = x.map_axis(Axis(1), |r| r.dot(&r));
    let yy: Array1<f64> = y.map_axis(Axis(1), |r| r.dot(&r));
    let xy = x.dot(&y.t());
    // −(‖y‖² − 2ρ x·y + ρ²‖x‖²)/(2s²) + ‖y‖²/2 = −ρ²(‖x‖² + ‖y‖²)/(2s²) + ρ x·y / s²
    Array2::from_shape_fn(xy.dim(), |(i, j)| mi_nats - rho * rho * (xx[i] + yy[j]) / (2.0 * s2) + rho * xy[[i, j]] / s2)
}

/// Exact Var[Z] of the off-diagonal mean of r on a B×B batch of the staircase (see module docs).
pub fn offdiag_ratio_mean_variance(dim: usize, mi_nats: f64, batch: usize) -> f64 {
    let rho = staircase_rho(dim, mi_nats);
    let pairs = (batch * (batch - 1)) as f64;
    let same = (2.0 * mi_nats).exp_m1();
    let swapped = (-(dim as f64) * (-(rho.powi(4))).ln_1p()).exp_m1();
    (same + swapped) / pairs
}

/// Exact Var[NWJ] of the optimal critic (scores log r + 1) on a B×B batch of the staircase.
pub fn nwj_optimal_variance(dim: usize, mi_nats: f64, batch: usize) -> f64 {
    let rho = staircase_rho(dim, mi_nats);
    dim as f64 * rho * rho / batch as f64 + offdiag_ratio_mean_variance(dim, mi_nats, batch)
}

/// Song & Ermon's lower bound on the variance of NWJ with M samples of q: (e^I − 1)/M.
pub fn song_ermon_variance_bound(mi_nats: f64, m: usize) -> f64 {
    mi_nats.exp_m1() / m as f64
}

/// The delta-method bias of DV with the optimal critic, E[DV] − I ≈ Var[Z]/2 (valid while Var[Z] ≪ 1).
pub fn dv_optimal_bias_delta(dim: usize, mi_nats: f64, batch: usize) -> f64 {
    offdiag_ratio_mean_variance(dim, mi_nats, batch) / 2.0
}

/// The lower Cholesky factor of a symmetric positive-definite matrix, or `None` when it is not
/// (numerically) positive definite.
// `!(sum > tol)` on purpose: a NaN pivot is not positive definite either
#[allow(clippy::neg_cmp_op_on_partial_ord)]
pub fn cholesky(a: &ArrayView2<f64>) -> Option<Array2<f64>> {
    let n = a.nrows();
    if a.ncols() != n {
        return None;
    }
    let mut l = Array2::<f64>::zeros((n, n));
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[[i, j]];
            for k in 0..j {
                sum -= l[[i, k]] * l[[j, k]];
            }
            if i == j {
                if !(sum > 1e-12 * a[[i, i]].abs().max(1e-300)) || !sum.is_finite() {
                    return None;
                }
                l[[i, i]] = sum.sqrt();
            } else {
                l[[i, j]] = sum / l[[j, j]];
            }
        }
    }
    Some(l)
}

/// Solves L z = b for lower-triangular L (forward substitution).
fn forward_solve(l: &Array2<f64>, b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut z = vec![0.0; n];
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[[i, k]] * z[k];
        }
        z[i] = s / l[[i, i]];
    }
    z
}

/// Mean negative log-density (nats) of the rows of `resid` under N(0, Σ) with Σ = L Lᵀ.
fn gaussian_nll(resid: &ArrayView2<f64>, l: &Array2<f64>) -> f64 {
    let d = resid.ncols() as f64;
    let log_det: f64 = 2.0 * l.diag().iter().map(|v| v.ln()).sum::<f64>();
    let mut quad = 0.0;
    for row in resid.outer_iter() {
        let z = forward_solve(l, &row.to_vec());
        quad += z.iter().map(|v| v * v).sum::<f64>();
    }
    0.5 * (d * (2.0 * std::f64::consts::PI).ln() + log_det) + 0.5 * quad / resid.nrows() as f64
}

/// Maximum-likelihood covariance of the rows of `r` about zero (residuals already centred).
fn covariance(r: &ArrayView2<f64>) -> Array2<f64> {
    r.t().dot(r) / r.nrows() as f64
}

/// The two cross-entropies and their difference, in nats.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DoeEstimate {
    /// Cross-entropy of held-out y under the Gaussian fitted to the training y: ≥ H(Y) in expectation
    /// over the held-out sample (for Gaussian data, up to the fit's error).
    pub h_y_nats: f64,
    /// Cross-entropy of held-out y under the linear-Gaussian model y | x fitted on the training half.
    pub h_y_given_x_nats: f64,
    /// DoE = h_y − h_y_given_x: neither an upper nor a lower bound, and not capped by log N.
    pub mi_nats: f64,
}

/// Difference of entropies with Gaussian models (McAllester & Stratos): fit N(μ, Σ) to y and a
/// linear-Gaussian model y | x ~ N(A x + b, Σ_e) by maximum likelihood on the first half of the
/// rows, measure both cross-entropies on the second half. `None` when a covariance cannot be
/// estimated (too few training rows: the residual covariance needs more than dx + 1 + dy rows).
///
/// Failure modes: the models are Gaussian, so on non-Gaussian data (e.g. y ↦ y³) each
/// cross-entropy overstates its entropy by a different amount and the difference can be far off
/// in either direction; with few samples the fitted conditional overfits and DoE is too low.
pub fn gaussian_doe(x: &ArrayView2<f64>, y: &ArrayView2<f64>) -> Option<DoeEstimate> {
    let n = x.nrows();
    let half = n / 2;
    let (dx, dy) = (x.ncols(), y.ncols());
    if half < dx + dy + 2 || n - half < 1 {
        return None;
    }
    let (xtr, xte) = (x.slice(ndarray::s![..half, ..]), x.slice(ndarray::s![half.., ..]));
    let (ytr, yte) = (y.slice(ndarray::s![..half, ..]), y.slice(ndarray::s![half.., ..]));
    // marginal model
    let mu = ytr.mean_axis(Axis(0))?;
    let ctr = &ytr - &mu;
    let l_y = cholesky(&covariance(&ctr.view()).view())?;
    let h_y = gaussian_nll(&(&yte - &mu).view(), &l_y);
    // conditional model: least squares on [x, 1]
    let design = |x: &ArrayView2<f64>| {
        let mut d = Array2::<f64>::ones((x.nrows(), dx + 1));
        d.slice_mut(ndarray::s![.., ..dx]).assign(x);
        d
    };
    let (dtr, dte) = (design(&xtr), design(&xte));
    let gram = dtr.t().dot(&dtr);
    let l_g = cholesky(&gram.view())?;
    let rhs = dtr.t().dot(&ytr); // (dx + 1) × dy
    // coefficients W = gram⁻¹ rhs, column by column through the Cholesky factor
    let mut w = Array2::<f64>::zeros((dx + 1, dy));
    for c in 0..dy {
        let z = forward_solve(&l_g, &rhs.column(c).to_vec());
        // back substitution with Lᵀ
        let mut sol = vec![0.0; dx + 1];
        for i in (0..=dx).rev() {
            let mut s = z[i];
            for k in i + 1..=dx {
                s -= l_g[[k, i]] * sol[k];
            }
            sol[i] = s / l_g[[i, i]];
        }
        w.column_mut(c).assign(&Array1::from(sol));
    }
    let res_tr = &ytr - &dtr.dot(&w);
    let l_e = cholesky(&covariance(&res_tr.view()).view())?;
    let h_cond = gaussian_nll(&(&yte - &dte.dot(&w)).view(), &l_e);
    Some(DoeEstimate { h_y_nats: h_y, h_y_given_x_nats: h_cond, mi_nats: h_y - h_cond })
}

/// InfoNCE of the optimal critic on an N×N batch, computed in row blocks (never holding the N×N
/// matrix): log N + mean_i [S_ii − logsumexp_j S_ij]. Always ≤ log N.
pub fn infonce_optimal_blocked(x: &ArrayView2<f64>, y: &ArrayView2<f64>, mi_nats: f64, block: usize) -> f64 {
    let n = x.nrows();
    let mut acc = 0.0;
    let mut start = 0;
    while start < n {
        let len = block.max(1).min(n - start);
        let s = optimal_scores(&x.slice(ndarray::s![start..start + len, ..]), y, mi_nats);
        for (k, row) in s.outer_iter().enumerate() {
            acc += row[start + k] - mi_estimators::special::logsumexp(row.iter().copied());
        }
        start += len;
    }
    (n as f64).ln() + (acc / n as f64).min(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mi_report::stats::mean_var;
    use mi_estimators::bounds::{dv, infonce, nwj};
    use mi_estimators::tasks::{Task, Transform};

    /// log r from the densities directly, one pair at a time.
    fn log_ratio_direct(x: &[f64], y: &[f64], mi: f64) -> f64 {
        let rho = staircase_rho(x.len(), mi);
        let s2 = 1.0 - rho * rho;
        let mut v = 0.0;
        for (a, b) in x.iter().zip(y) {
            // log N(b; ρa, s²) − log N(b; 0, 1)
            v += -0.5 * s2.ln() - (b - rho * a).powi(2) / (2.0 * s2) + b * b / 2.0;
        }
        v
    }

    #[test]
    fn optimal_scores_match_the_densities() {
        let t = Task::staircase(5, 3.0).unwrap();
        let (x, y) = t.sample(7, 1);
        let s = optimal_scores(&x.view(), &y.view(), 3.0);
        for i in 0..7 {
            for j in 0..7 {
                let want = log_ratio_direct(&x.row(i).to_vec(), &y.row(j).to_vec(), 3.0);
                assert!((s[[i, j]] - want).abs() < 1e-10, "{} vs {want}", s[[i, j]]);
            }
        }
    }

    /// The optimal critic's NWJ is unbiased with exactly the variance of the module docs, and DV
    /// is biased upwards by ≈ Var[Z]/2: checked by simulation with ρ = 1/4 (E_q[r⁴] is finite only
    /// for ρ < 1/3, so only there does the sample variance converge at the usual rate). Dropping
    /// the swapped-pair term, or counting M = B instead of B(B − 1) samples, misses by more than
    /// the tolerance.
    #[test]
    fn nwj_and_dv_of_the_optimal_critic_follow_the_theory() {
        let (d, b, trials) = (4usize, 8usize, 50_000usize);
        let mi = -(d as f64) / 2.0 * (1.0 - 0.0625f64).ln(); // ρ = 1/4 per pair
        assert!((staircase_rho(d, mi) - 0.25).abs() < 1e-12);
        let t = Task::staircase(d, mi).unwrap();
        let (mut nwjs, mut zs, mut gaps) = (vec![], vec![], vec![]);
        for k in 0..trials {
            let (x, y) = t.sample(b, 1000 + k as u64);
            let s = optimal_scores(&x.view(), &y.view(), mi);
            let n = nwj(&(&s + 1.0).view()).unwrap();
            let z = s.indexed_iter().filter(|((i, j), _)| i != j).map(|(_, v)| v.exp()).sum::<f64>() / (b * (b - 1)) as f64;
            gaps.push(dv(&s.view()).unwrap() - n);
            nwjs.push(n);
            zs.push(z);
        }
        let (m, v, _) = mean_var(nwjs);
        let want_v = nwj_optimal_variance(d, mi, b);
        assert!((m - mi).abs() < 4.0 * (want_v / trials as f64).sqrt(), "E[NWJ] {m} vs I = {mi}");
        assert!((v / want_v - 1.0).abs() < 0.03, "Var[NWJ] {v} vs theory {want_v}");
        let (mz, vz, _) = mean_var(zs);
        let want_z = offdiag_ratio_mean_variance(d, mi, b);
        assert!((mz - 1.0).abs() < 4.0 * (want_z / trials as f64).sqrt(), "E[Z] = {mz}");
        assert!((vz / want_z - 1.0).abs() < 0.03, "Var[Z] {vz} vs theory {want_z}");
        let no_swap = (2.0 * mi).exp_m1() / (b * (b - 1)) as f64;
        assert!((vz / no_swap - 1.0).abs() > 0.04, "the test must tell the swapped-pair term apart");
        assert!(v >= song_ermon_variance_bound(mi, b * (b - 1)));
        // DV − NWJ = Z − 1 − log Z ≥ 0: its mean is DV's bias (E[NWJ] = I) with little noise
        let (bias, _, _) = mean_var(gaps);
        let want_bias = dv_optimal_bias_delta(d, mi, b);
        assert!(bias > 0.0 && (bias / want_bias - 1.0).abs() < 0.15, "DV bias {bias} vs delta method {want_bias}");
    }

    #[test]
    fn infonce_of_the_optimal_critic_never_exceeds_log_b_and_blocks_agree() {
        let t = Task::staircase(20, 10.0).unwrap();
        for b in [4usize, 16, 64] {
            let (x, y) = t.sample(b, b as u64);
            let s = optimal_scores(&x.view(), &y.view(), 10.0);
            let full = infonce(&s.view()).unwrap();
            assert!(full <= (b as f64).ln());
            // at 10 nats ≫ log b the bound saturates
            assert!(full > (b as f64).ln() - 0.5, "b = {b}: {full}");
            let blocked = infonce_optimal_blocked(&x.view(), &y.view(), 10.0, 5);
            assert!((blocked - full).abs() < 1e-10);
        }
    }

    #[test]
    fn gaussian_doe_recovers_high_mi_beyond_log_n_and_fails_on_cubes() {
        let t = Task::staircase(20, 10.0).unwrap();
        let (x, y) = t.sample(4096, 3);
        let e = gaussian_doe(&x.view(), &y.view()).unwrap();
        // held-out cross-entropies with 2,048 fitting rows: within 0.6 nats of the truth, and far
        // above the ln N ≈ 8.3 that caps lower bounds from N samples
        assert!((e.mi_nats - 10.0).abs() < 0.6, "{e:?}");
        assert!(e.mi_nats > (4096f64).ln());
        // the marginal cross-entropy is close to the true entropy (d/2) log(2πe)
        let h = 10.0 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln();
        assert!((e.h_y_nats - h).abs() < 0.3, "{} vs {h}", e.h_y_nats);
        // too few rows for the conditional covariance: not defined rather than nonsense
        let (xs, ys) = t.sample(64, 3);
        assert!(gaussian_doe(&xs.view(), &ys.view()).is_none());
        // y ↦ y³ keeps the MI but breaks the Gaussian models
        let tc = Task::staircase(20, 10.0).unwrap().with_y_transform(Transform::Cube).unwrap();
        let (xc, yc) = tc.sample(4096, 3);
        let c = gaussian_doe(&xc.view(), &yc.view()).unwrap();
        assert!((c.mi_nats - 10.0).abs() > 1.0, "{c:?}");
    }

    #[test]
    fn cholesky_and_stats() {
        let a = ndarray::array![[4.0, 2.0], [2.0, 3.0]];
        let l = cholesky(&a.view()).unwrap();
        assert!((l.dot(&l.t()) - &a).iter().all(|v| v.abs() < 1e-12));
        assert!(cholesky(&ndarray::array![[1.0, 2.0], [2.0, 1.0]].view()).is_none());
        let (m, v, n) = mean_var([1.0, 2.0, 3.0, f64::NAN, f64::INFINITY]);
        assert_eq!((m, v, n), (2.0, 1.0, 3));
        // the variance formula's pieces: B(B−1) pairs, e^{2I} − 1 and the swapped-pair term
        let rho = staircase_rho(20, 2.0);
        assert!((-10.0 * (1.0 - rho * rho).ln() - 2.0).abs() < 1e-12);
        let want = ((4f64).exp() - 1.0 + ((1.0 - rho.powi(4)).powi(-20) - 1.0)) / (64.0 * 63.0);
        assert!((offdiag_ratio_mean_variance(20, 2.0, 64) / want - 1.0).abs() < 1e-12);
    }
}
