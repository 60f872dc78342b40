//! TUBA (Poole et al. 2019) with a baseline a(x) > 0 given as log a_i per row of the score matrix:
//! 1 + mean_i [S_ii − log a_i] − mean_{i≠j} exp(S_ij − log a_i).
//! With log a ≡ 1 this is NWJ; the baseline of the row variable matches [`super::interpolated`].
use super::{batch_size, diag_mean, offdiag_logmeanexp};
use crate::error::{EstimatorError, Result};
use ndarray::{ArrayView1, ArrayView2};

/// TUBA on a B×B score matrix with a per-row log-baseline of length B, in nats.
pub fn tuba(scores: &ArrayView2<f64>, log_baseline: &ArrayView1<f64>) -> Result<f64> {
    let b = batch_size(scores)?;
    if log_baseline.len() != b {
        return Err(EstimatorError::ShapeMismatch { what: "log baseline", expected: b.to_string(), found: log_baseline.len().to_string() });
    }
    if log_baseline.iter().any(|v| !v.is_finite()) {
        return Err(EstimatorError::NonFinite { what: "log baseline" });
    }
    let joint = diag_mean(scores) - log_baseline.mean().unwrap_or(0.0);
    let marg = offdiag_logmeanexp(b, |i, j| scores[[i, j]] - log_baseline[i]).exp();
    Ok(1.0 + joint - marg)
}

/// TUBA on a B×B score tensor with a per-row log-baseline tensor of shape `[B]` (differentiable).
#[cfg(feature = "tch")]
pub fn tuba_tensor(scores: &tch::Tensor, log_baseline: &tch::Tensor) -> Result<tch::Tensor> {
    use super::tensor as t;
    let b = t::batch_size(scores)?;
    t::check_baseline(log_baseline, b)?;
    let joint = t::diag_mean(scores) - log_baseline.mean(scores.kind());
    let marg = t::offdiag_logmeanexp(&(scores - log_baseline.unsqueeze(1)), b).exp();
    Ok(joint - marg + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::{nwj, testing::random_scores};
    use ndarray::Array1;

    #[test]
    fn tuba_with_baseline_e_is_nwj() {
        for seed in 0..5 {
            let s = random_scores(6, 1.0, seed);
            let a = tuba(&s.view(), &Array1::from_elem(6, 1.0).view()).unwrap();
            assert!((a - nwj(&s.view()).unwrap()).abs() < 1e-12);
        }
        let s = random_scores(6, 1.0, 0);
        assert!(tuba(&s.view(), &Array1::zeros(5).view()).is_err());
    }

    #[cfg(feature = "tch")]
    #[test]
    fn tensor_form_agrees() {
        use crate::bounds::testing::{to_tensor, value};
        for seed in 0..5 {
            let b = 2 + seed as usize * 9;
            let s = random_scores(b, 1.5, seed);
            let la = random_scores(b, 0.5, seed + 100).column(0).to_owned();
            let a = tuba(&s.view(), &la.view()).unwrap();
            let lat = tch::Tensor::from_slice(la.as_slice().unwrap());
            let t = value(&tuba_tensor(&to_tensor(&s), &lat).unwrap());
            assert!((a - t).abs() < 1e-6, "{a} vs {t}");
        }
    }
}
