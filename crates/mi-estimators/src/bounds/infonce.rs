//! InfoNCE (CPC): log B + mean_i [S_ii − logsumexp_j S_ij]. Low variance; never above log B.
use super::batch_size;
use crate::error::Result;
use crate::special::logsumexp;
use ndarray::ArrayView2;

/// InfoNCE on a B×B score matrix, in nats; ≤ log B (the cap to report next to it).
///
/// The value is not clamped: each term S_ii − logsumexp_j S_ij is ≤ 0 in floating point too
/// (logsumexp is max + ln Σ exp(S_ij − max), and the sum includes exp(0) = 1), so the cap holds
/// by construction and the tests of it test the computation, not a clamp.
pub fn infonce(scores: &ArrayView2<f64>) -> Result<f64> {
    let b = batch_size(scores)?;
    let mean: f64 = scores.outer_iter().enumerate().map(|(i, row)| row[i] - logsumexp(row.iter().copied())).sum::<f64>() / b as f64;
    Ok((b as f64).ln() + mean)
}

/// InfoNCE on a B×B score tensor (differentiable): `log B + mean(diag(S) − logsumexp(S, dim 1))`.
#[cfg(feature = "tch")]
pub fn infonce_tensor(scores: &tch::Tensor) -> Result<tch::Tensor> {
    let b = super::tensor::batch_size(scores)?;
    let terms = scores.diagonal(0, 0, 1) - scores.logsumexp([1i64], false);
    Ok(terms.mean(scores.kind()) + (b as f64).ln())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::testing::random_scores;
    use ndarray::Array2;

    #[test]
    fn known_values() {
        // all scores equal: every row is uniform, InfoNCE = log B + log(1/B) = 0
        let s = Array2::<f64>::zeros((4, 4));
        assert!(infonce(&s.view()).unwrap().abs() < 1e-15);
        // a dominant diagonal approaches log B
        let s = Array2::from_shape_fn((8, 8), |(i, j)| if i == j { 100.0 } else { 0.0 });
        assert!(((infonce(&s.view()).unwrap()) - 8f64.ln()).abs() < 1e-12);
        assert!(infonce(&Array2::<f64>::zeros((1, 1)).view()).is_err());
        assert!(infonce(&Array2::<f64>::zeros((2, 3)).view()).is_err());
        assert!(infonce(&random_scores(16, 1.0, 1).view()).unwrap() <= 16f64.ln());
    }

    #[cfg(feature = "tch")]
    #[test]
    fn tensor_form_agrees() {
        use crate::bounds::testing::{to_tensor, value};
        for seed in 0..5 {
            let s = random_scores(3 + seed as usize * 7, 2.0, seed);
            let a = infonce(&s.view()).unwrap();
            let t = value(&infonce_tensor(&to_tensor(&s)).unwrap());
            assert!((a - t).abs() < 1e-6, "{a} vs {t}");
        }
        assert!(infonce_tensor(&tch::Tensor::zeros([2, 3], (tch::Kind::Double, tch::Device::Cpu))).is_err());
    }
}
