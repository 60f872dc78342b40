//! The copula transform: each column replaced by the normal scores of its ranks,
//! Φ⁻¹(rank / (n + 1)). Mutual information is invariant under strictly monotone maps of each
//! variable, and after this one every margin is (close to) standard normal, which is what k-NN
//! and Gaussian estimators handle best. Ties get the mean of their ranks, so equal values stay
//! equal.
use crate::error::{EstimatorError, Result};
use crate::special::normal_quantile;
use ndarray::{Array2, ArrayView2, Axis};

/// The normal scores of `x`'s ranks, column by column (`n × d`, n ≥ 1, finite values).
pub fn normal_scores(x: &ArrayView2<f64>) -> Result<Array2<f64>> {
    if x.nrows() == 0 {
        return Err(EstimatorError::TooFewSamples { n: 0, reason: "the copula transform needs at least one row".into() });
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(EstimatorError::NonFinite { what: "input of the copula transform" });
    }
    let n = x.nrows();
    let mut out = Array2::zeros(x.raw_dim());
    for (col, mut dst) in x.axis_iter(Axis(1)).zip(out.axis_iter_mut(Axis(1))) {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| col[a].total_cmp(&col[b]));
        let mut start = 0;
        while start < n {
            let mut end = start + 1;
            while end < n && col[order[end]] == col[order[start]] {
                end += 1;
            }
            // ranks start..end (0-based) share the mean rank, 1-based: (start + 1 + end) / 2
            let rank = (start + 1 + end) as f64 / 2.0;
            let score = normal_quantile(rank / (n as f64 + 1.0));
            for &i in &order[start..end] {
                dst[i] = score;
            }
            start = end;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn scores_follow_ranks_ties_share_and_monotone_maps_do_not_matter() {
        let x = array![[3.0, 1.0], [1.0, 1.0], [2.0, 5.0], [10.0, 1.0]];
        let s = normal_scores(&x.view()).unwrap();
        // column 0: ranks 3, 1, 2, 4 of n = 4 → Φ⁻¹(r / 5)
        for (i, r) in [3.0, 1.0, 2.0, 4.0].iter().enumerate() {
            assert!((s[[i, 0]] - normal_quantile(r / 5.0)).abs() < 1e-15);
        }
        // column 1: three tied values share rank 2
        assert_eq!(s[[0, 1]], s[[1, 1]]);
        assert!((s[[0, 1]] - normal_quantile(2.0 / 5.0)).abs() < 1e-15);
        let cubed = x.mapv(|v| v * v * v + 7.0);
        assert_eq!(normal_scores(&cubed.view()).unwrap(), s);
        assert!(normal_scores(&array![[f64::NAN]].view()).is_err());
        assert!(normal_scores(&Array2::<f64>::zeros((0, 2)).view()).is_err());
    }
}
