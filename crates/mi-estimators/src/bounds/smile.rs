//! SMILE (Song & Ermon 2020): train with JS, report DV with the scores clipped to [−τ, τ] in the
//! partition term: mean_i S_ii − log mean_{i≠j} exp(clip(S_ij, −τ, τ)). τ = ∞ gives DV.
use super::{batch_size, diag_mean, offdiag_logmeanexp};
use crate::error::{EstimatorError, Result};
use ndarray::ArrayView2;

pub(super) fn check_tau(tau: f64) -> Result<()> {
    if tau.is_nan() || tau <= 0.0 {
        return Err(EstimatorError::param("tau", tau, "must be > 0 (f64::INFINITY for no clipping)"));
    }
    Ok(())
}

/// The SMILE(τ) estimate on a B×B score matrix, in nats.
pub fn smile(scores: &ArrayView2<f64>, tau: f64) -> Result<f64> {
    let b = batch_size(scores)?;
    check_tau(tau)?;
    Ok(diag_mean(scores) - offdiag_logmeanexp(b, |i, j| scores[[i, j]].clamp(-tau, tau)))
}

/// SMILE(τ) on a B×B score tensor: its value is the clipped DV of [`smile`], its gradient that of
/// the JS objective (`js + (dv_clipped − js).detach()`), as in Song & Ermon's implementation.
#[cfg(feature = "tch")]
pub fn smile_tensor(scores: &tch::Tensor, tau: f64) -> Result<tch::Tensor> {
    use super::tensor as t;
    let b = t::batch_size(scores)?;
    check_tau(tau)?;
    let clipped = if tau.is_finite() { scores.clamp(-tau, tau) } else { scores.shallow_clone() };
    let dv = t::diag_mean(scores) - t::offdiag_logmeanexp(&clipped, b);
    let js = super::js::js_tensor(scores)?;
    Ok(&js + (dv - &js).detach())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::{dv, testing::random_scores};

    #[test]
    fn infinite_tau_is_dv_and_clipping_matters() {
        let s = random_scores(8, 4.0, 3);
        assert!((smile(&s.view(), f64::INFINITY).unwrap() - dv(&s.view()).unwrap()).abs() < 1e-12);
        // clipping at τ bounds the partition term: SMILE ≥ mean diag − τ
        let v = smile(&s.view(), 1.0).unwrap();
        assert!(v >= s.diag().mean().unwrap() - 1.0 - 1e-12);
        assert!(smile(&s.view(), 0.0).is_err() && smile(&s.view(), f64::NAN).is_err());
    }

    #[cfg(feature = "tch")]
    #[test]
    fn tensor_form_agrees() {
        use crate::bounds::testing::{to_tensor, value};
        for seed in 0..5 {
            let s = random_scores(2 + seed as usize * 9, 4.0, seed);
            for tau in [1.0, 5.0, f64::INFINITY] {
                let a = smile(&s.view(), tau).unwrap();
                let t = value(&smile_tensor(&to_tensor(&s), tau).unwrap());
                assert!((a - t).abs() < 1e-6, "τ = {tau}: {a} vs {t}");
            }
        }
    }
}
