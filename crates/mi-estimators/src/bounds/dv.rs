//! Donsker–Varadhan: mean_i S_ii − log mean_{i≠j} exp S_ij. Tighter than NWJ for the same scores;
//! the batch estimate is biased (log outside the mean). MINE reports this value.
use super::{batch_size, diag_mean, offdiag_logmeanexp};
use crate::error::Result;
use ndarray::ArrayView2;

/// The DV bound on a B×B score matrix, in nats. Invariant to adding a constant to all scores.
pub fn dv(scores: &ArrayView2<f64>) -> Result<f64> {
    let b = batch_size(scores)?;
    Ok(diag_mean(scores) - offdiag_logmeanexp(b, |i, j| scores[[i, j]]))
}

/// The DV bound on a B×B score tensor (differentiable).
#[cfg(feature = "tch")]
pub fn dv_tensor(scores: &tch::Tensor) -> Result<tch::Tensor> {
    use super::tensor as t;
    let b = t::batch_size(scores)?;
    Ok(t::diag_mean(scores) - t::offdiag_logmeanexp(scores, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn known_values() {
        // diag mean 1, off-diagonal all 0: DV = 1 − log 1 = 1
        let s = array![[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        assert!((dv(&s.view()).unwrap() - 1.0).abs() < 1e-15);
        let s = array![[0.0, 1.0], [3.0, 0.0]];
        let want = -((1f64.exp() + 3f64.exp()) / 2.0).ln();
        assert!((dv(&s.view()).unwrap() - want).abs() < 1e-14);
        assert!(dv(&array![[f64::NAN, 0.0], [0.0, 0.0]].view()).is_err());
    }

    #[cfg(feature = "tch")]
    #[test]
    fn tensor_form_agrees() {
        use crate::bounds::testing::{random_scores, to_tensor, value};
        for seed in 0..5 {
            let s = random_scores(2 + seed as usize * 9, 3.0, seed);
            let a = dv(&s.view()).unwrap();
            let t = value(&dv_tensor(&to_tensor(&s)).unwrap());
            assert!((a - t).abs() < 1e-6, "{a} vs {t}");
        }
    }
}
