//! I_α (Poole et al. 2019): TUBA whose per-row baseline interpolates, with weight α, InfoNCE's
//! leave-one-out baseline and a learned baseline b_i:
//! a_ij = α · mean_{k≠j} exp S_ik + (1 − α) · exp b_i,
//! I_α = 1 + mean_{i≠j}[S_ii − log a_ij] − mean_{i≠j} exp(S_ij − log a_ii).
//! α = 0 is TUBA with baseline b (NWJ for b ≡ 1); α → 1 approaches a leave-one-out InfoNCE.
//! Written as in the authors' reference implementation, in log space.
use super::{batch_size, offdiag_logmeanexp};
use crate::error::{EstimatorError, Result};
use crate::special::{log_add_exp, logsumexp};
use ndarray::{Array2, ArrayView1, ArrayView2};

pub(super) fn check_alpha(alpha: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&alpha) {
        return Err(EstimatorError::param("alpha", alpha, "must be in [0, 1]"));
    }
    Ok(())
}

/// log mean_{k≠j} exp S_ik for every (i, j), through prefix and suffix log-sum-exps (exact, O(B²)).
fn leave_one_out_logmeanexp(s: &ArrayView2<f64>) -> Array2<f64> {
    let b = s.nrows();
    let mut out = Array2::zeros((b, b));
    let norm = ((b - 1) as f64).ln();
    let mut prefix = vec![f64::NEG_INFINITY; b + 1];
    let mut suffix = vec![f64::NEG_INFINITY; b + 1];
    for i in 0..b {
        for j in 0..b {
            prefix[j + 1] = log_add_exp(prefix[j], s[[i, j]]);
        }
        for j in (0..b).rev() {
            suffix[j] = log_add_exp(suffix[j + 1], s[[i, j]]);
        }
        for j in 0..b {
            out[[i, j]] = logsumexp([prefix[j], suffix[j + 1]]) - norm;
        }
    }
    out
}

/// I_α on a B×B score matrix with a per-row log-baseline of length B and α ∈ [0, 1], in nats.
pub fn interpolated(scores: &ArrayView2<f64>, log_baseline: &ArrayView1<f64>, alpha: f64) -> Result<f64> {
    let b = batch_size(scores)?;
    check_alpha(alpha)?;
    if log_baseline.len() != b {
        return Err(EstimatorError::ShapeMismatch { what: "log baseline", expected: b.to_string(), found: log_baseline.len().to_string() });
    }
    if log_baseline.iter().any(|v| !v.is_finite()) {
        return Err(EstimatorError::NonFinite { what: "log baseline" });
    }
    let loo = leave_one_out_logmeanexp(scores);
    let (la, l1a) = (alpha.ln(), (1.0 - alpha).ln());
    let base = |i: usize, j: usize| log_add_exp(la + loo[[i, j]], l1a + log_baseline[i]);
    let mut joint = 0.0;
    for i in 0..b {
        for j in 0..b {
            if i != j {
                joint += scores[[i, i]] - base(i, j);
            }
        }
    }
    joint /= (b * (b - 1)) as f64;
    let diag_base: Vec<f64> = (0..b).map(|i| base(i, i)).collect();
    let marg = offdiag_logmeanexp(b, |i, j| scores[[i, j]] - diag_base[i]).exp();
    Ok(1.0 + joint - marg)
}

/// I_α on a B×B score tensor with a per-row log-baseline tensor of shape `[B]` (differentiable).
#[cfg(feature = "tch")]
pub fn interpolated_tensor(scores: &tch::Tensor, log_baseline: &tch::Tensor, alpha: f64) -> Result<tch::Tensor> {
    use super::tensor as t;
    use tch::Tensor;
    let b = t::batch_size(scores)?;
    t::check_baseline(log_baseline, b)?;
    check_alpha(alpha)?;
    // leave-one-out log mean exp through prefix/suffix log-cumsum-exps
    let prefix = scores.logcumsumexp(1);
    let suffix = scores.flip([1i64]).logcumsumexp(1).flip([1i64]);
    let ninf = Tensor::full([b, 1], f64::NEG_INFINITY, (scores.kind(), scores.device()));
    let before = Tensor::cat(&[ninf.shallow_clone(), prefix.narrow(1, 0, b - 1)], 1);
    let after = Tensor::cat(&[suffix.narrow(1, 1, b - 1), ninf], 1);
    let loo = Tensor::stack(&[before, after], 0).logsumexp([0i64], false) - ((b - 1) as f64).ln();
    let learned = (log_baseline.unsqueeze(1) + (1.0 - alpha).ln()).expand([b, b], false);
    let base = Tensor::stack(&[loo + alpha.ln(), learned], 0).logsumexp([0i64], false);
    let joint = t::offdiag_mean(&(scores.diagonal(0, 0, 1).unsqueeze(1) - &base), b);
    let marg = t::offdiag_logmeanexp(&(scores - base.diagonal(0, 0, 1).unsqueeze(1)), b).exp();
    Ok(joint - marg + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::{testing::random_scores, tuba};
    use ndarray::Array1;

    #[test]
    fn alpha_zero_is_tuba_and_loo_is_exact() {
        let s = random_scores(7, 2.0, 2);
        let lb = Array1::from_shape_fn(7, |i| 0.3 * i as f64 - 1.0);
        let a = interpolated(&s.view(), &lb.view(), 0.0).unwrap();
        assert!((a - tuba(&s.view(), &lb.view()).unwrap()).abs() < 1e-12);
        let loo = leave_one_out_logmeanexp(&s.view());
        for i in 0..7 {
            for j in 0..7 {
                let direct = logsumexp((0..7).filter(|&k| k != j).map(|k| s[[i, k]])) - 6f64.ln();
                assert!((loo[[i, j]] - direct).abs() < 1e-12);
            }
        }
        assert!(interpolated(&s.view(), &lb.view(), 1.5).is_err());
    }

    #[cfg(feature = "tch")]
    #[test]
    fn tensor_form_agrees() {
        use crate::bounds::testing::{to_tensor, value};
        for seed in 0..5 {
            let b = 2 + seed as usize * 9;
            let s = random_scores(b, 2.0, seed);
            let lb = random_scores(b, 0.5, seed + 50).column(0).to_owned();
            for alpha in [0.0, 0.01, 0.5, 0.99, 1.0] {
                let a = interpolated(&s.view(), &lb.view(), alpha).unwrap();
                let lbt = tch::Tensor::from_slice(lb.as_slice().unwrap());
                let t = value(&interpolated_tensor(&to_tensor(&s), &lbt, alpha).unwrap());
                assert!((a - t).abs() < 1e-6, "α = {alpha}: {a} vs {t}");
            }
        }
    }
}
