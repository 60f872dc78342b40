//! Jensen–Shannon (f-GAN): mean_i −softplus(−S_ii) − mean_{i≠j} softplus(S_ij). A training
//! signal, not an MI bound: report NWJ or DV of the trained critic (SMILE does exactly that).
use super::batch_size;
use crate::error::Result;
use crate::special::softplus;
use ndarray::ArrayView2;

/// The JS objective on a B×B score matrix.
pub fn js(scores: &ArrayView2<f64>) -> Result<f64> {
    let b = batch_size(scores)?;
    let joint = -(0..b).map(|i| softplus(-scores[[i, i]])).sum::<f64>() / b as f64;
    let mut marg = 0.0;
    for ((i, j), &v) in scores.indexed_iter() {
        if i != j {
            marg += softplus(v);
        }
    }
    Ok(joint - marg / (b * (b - 1)) as f64)
}

/// The JS objective on a B×B score tensor (differentiable).
#[cfg(feature = "tch")]
pub fn js_tensor(scores: &tch::Tensor) -> Result<tch::Tensor> {
    use super::tensor as t;
    let b = t::batch_size(scores)?;
    let joint = -(-scores.diagonal(0, 0, 1)).softplus().mean(scores.kind());
    Ok(joint - t::offdiag_mean(&scores.softplus(), b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn known_values() {
        // all zeros: −log 2 − log 2
        let s = Array2::<f64>::zeros((3, 3));
        assert!((js(&s.view()).unwrap() + 2.0 * 2f64.ln()).abs() < 1e-15);
        // a perfect critic approaches 0 from below
        let s = Array2::from_shape_fn((3, 3), |(i, j)| if i == j { 50.0 } else { -50.0 });
        let v = js(&s.view()).unwrap();
        assert!(v < 0.0 && v > -1e-20);
    }

    #[cfg(feature = "tch")]
    #[test]
    fn tensor_form_agrees() {
        use crate::bounds::testing::{random_scores, to_tensor, value};
        for seed in 0..5 {
            let s = random_scores(2 + seed as usize * 9, 4.0, seed);
            let a = js(&s.view()).unwrap();
            let t = value(&js_tensor(&to_tensor(&s)).unwrap());
            assert!((a - t).abs() < 1e-6, "{a} vs {t}");
        }
    }
}
