//! NWJ (f-divergence bound; TUBA with baseline a = e): mean_i S_ii − e^{−1} mean_{i≠j} exp S_ij.
//! Unbiased, but its variance grows exponentially with the true MI.
use super::{batch_size, diag_mean, offdiag_logmeanexp};
use crate::error::Result;
use ndarray::ArrayView2;

/// The NWJ bound on a B×B score matrix, in nats (−∞ if the off-diagonal mean of e^S overflows).
pub fn nwj(scores: &ArrayView2<f64>) -> Result<f64> {
    let b = batch_size(scores)?;
    Ok(diag_mean(scores) - (offdiag_logmeanexp(b, |i, j| scores[[i, j]]) - 1.0).exp())
}

/// The NWJ bound on a B×B score tensor (differentiable).
#[cfg(feature = "tch")]
pub fn nwj_tensor(scores: &tch::Tensor) -> Result<tch::Tensor> {
    use super::tensor as t;
    let b = t::batch_size(scores)?;
    Ok(t::diag_mean(scores) - (t::offdiag_logmeanexp(scores, b) - 1.0).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn known_values() {
        // off-diagonal scores 1: mean e^{S−1} = 1, so NWJ = mean diag − 1
        let s = array![[3.0, 1.0], [1.0, 5.0]];
        assert!((nwj(&s.view()).unwrap() - 3.0).abs() < 1e-15);
        // overflow gives −∞, not NaN
        let s = Array2::from_shape_fn((3, 3), |(i, j)| if i == j { 0.0 } else { 1e4 });
        assert_eq!(nwj(&s.view()).unwrap(), f64::NEG_INFINITY);
    }

    #[cfg(feature = "tch")]
    #[test]
    fn tensor_form_agrees() {
        use crate::bounds::testing::{random_scores, to_tensor, value};
        for seed in 0..5 {
            let s = random_scores(2 + seed as usize * 9, 1.5, seed);
            let a = nwj(&s.view()).unwrap();
            let t = value(&nwj_tensor(&to_tensor(&s)).unwrap());
            assert!((a - t).abs() < 1e-6, "{a} vs {t}");
        }
    }
}
