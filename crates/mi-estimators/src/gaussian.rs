//! Gaussian closed forms (entropy, MI and canonical correlations from a covariance) and the
//! Gaussian / CCA estimator from samples, which is exact for jointly Gaussian data and wrong after
//! non-linear per-variable transforms (MI is invariant to them; this estimator is not).
use crate::error::{EstimatorError, Result};
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use ndarray_linalg::{Cholesky, Diag, SolveTriangular, SVD, UPLO};

fn check_cov(cov: &ArrayView2<f64>) -> Result<()> {
    let (r, c) = cov.dim();
    if r != c {
        return Err(EstimatorError::NotSquare { rows: r, cols: c });
    }
    if r == 0 {
        return Err(EstimatorError::ShapeMismatch { what: "covariance", expected: "at least 1×1".into(), found: "0×0".into() });
    }
    if cov.iter().any(|v| !v.is_finite()) {
        return Err(EstimatorError::NonFinite { what: "covariance" });
    }
    let scale = cov.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(f64::MIN_POSITIVE);
    for i in 0..r {
        for j in 0..i {
            if (cov[[i, j]] - cov[[j, i]]).abs() > 1e-9 * scale {
                return Err(EstimatorError::NotPositiveDefinite(format!("not symmetric at ({i}, {j})")));
            }
        }
    }
    Ok(())
}

pub(crate) fn cholesky_lower(a: &ArrayView2<f64>) -> Result<Array2<f64>> {
    a.to_owned().cholesky(UPLO::Lower).map_err(|e| EstimatorError::NotPositiveDefinite(e.to_string()))
}

/// log det Σ of a symmetric positive definite matrix, through its Cholesky factor.
pub fn log_det_spd(cov: &ArrayView2<f64>) -> Result<f64> {
    check_cov(cov)?;
    let l = cholesky_lower(cov)?;
    let ld: f64 = l.diag().iter().map(|v| v.ln()).sum::<f64>() * 2.0;
    if !ld.is_finite() {
        return Err(EstimatorError::NotPositiveDefinite("singular".into()));
    }
    Ok(ld)
}

/// Differential entropy of N(μ, Σ): ½ log((2πe)^d det Σ), in nats.
pub fn gaussian_entropy_nats(cov: &ArrayView2<f64>) -> Result<f64> {
    let d = cov.nrows() as f64;
    Ok(0.5 * (d * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln() + log_det_spd(cov)?))
}

fn check_split(cov: &ArrayView2<f64>, dx: usize) -> Result<()> {
    if dx == 0 || dx >= cov.nrows() {
        return Err(EstimatorError::param("dx", dx, format!("must be in 1..{} (X is the first dx coordinates)", cov.nrows())));
    }
    Ok(())
}

/// I(X; Y) for (X, Y) ~ N(μ, Σ), X the first `dx` coordinates:
/// ½ [log det Σ_XX + log det Σ_YY − log det Σ], in nats.
pub fn gaussian_mi_nats(cov: &ArrayView2<f64>, dx: usize) -> Result<f64> {
    check_cov(cov)?;
    check_split(cov, dx)?;
    let sxx = cov.slice(s![..dx, ..dx]);
    let syy = cov.slice(s![dx.., dx..]);
    Ok((0.5 * (log_det_spd(&sxx)? + log_det_spd(&syy)? - log_det_spd(cov)?)).max(0.0))
}

/// Canonical correlations between X (the first `dx` coordinates) and Y of a covariance, sorted in
/// decreasing order (min(dx, dy) of them, each in [0, 1]).
pub fn canonical_correlations(cov: &ArrayView2<f64>, dx: usize) -> Result<Array1<f64>> {
    check_cov(cov)?;
    check_split(cov, dx)?;
    let lx = cholesky_lower(&cov.slice(s![..dx, ..dx]))?;
    let ly = cholesky_lower(&cov.slice(s![dx.., dx..]))?;
    let sxy = cov.slice(s![..dx, dx..]).to_owned();
    // M = Lx⁻¹ Σxy Ly⁻ᵀ, whose singular values are the canonical correlations
    let a = lx.solve_triangular(UPLO::Lower, Diag::NonUnit, &sxy).map_err(|e| EstimatorError::Linalg(e.to_string()))?;
    let mt = ly.solve_triangular(UPLO::Lower, Diag::NonUnit, &a.t().to_owned()).map_err(|e| EstimatorError::Linalg(e.to_string()))?;
    let (_, sigma, _) = mt.svd(false, false).map_err(|e| EstimatorError::Linalg(e.to_string()))?;
    let mut rho: Vec<f64> = sigma.iter().map(|v| v.clamp(0.0, 1.0)).collect();
    rho.sort_by(|a, b| b.total_cmp(a));
    Ok(Array1::from(rho))
}

/// −½ Σᵢ log(1 − ρᵢ²) for canonical correlations ρᵢ ∈ [0, 1] (∞ if some ρᵢ = 1).
pub fn mi_from_canonical_correlations_nats(rho: &[f64]) -> f64 {
    rho.iter().map(|r| -0.5 * (-(r * r)).ln_1p()).sum()
}

/// Sample covariance (divisor n − 1) of the columns of `z` (n × d).
pub fn sample_covariance(z: &ArrayView2<f64>) -> Result<Array2<f64>> {
    let n = z.nrows();
    if n < 2 {
        return Err(EstimatorError::TooFewSamples { n, reason: "a covariance needs at least 2 samples".into() });
    }
    let mean = z.mean_axis(Axis(0)).ok_or(EstimatorError::TooFewSamples { n, reason: "empty".into() })?;
    let c = z - &mean;
    Ok(c.t().dot(&c) / (n as f64 - 1.0))
}

/// The Gaussian / CCA estimator: fits a Gaussian to the samples (sample covariance) and returns its
/// MI, −½ Σ log(1 − ρ̂ᵢ²) over the sample canonical correlations. Needs n > dx + dy.
pub fn gaussian_mi_estimate_nats(x: &ArrayView2<f64>, y: &ArrayView2<f64>) -> Result<f64> {
    let (n, dx) = x.dim();
    let dy = y.ncols();
    if y.nrows() != n {
        return Err(EstimatorError::ShapeMismatch { what: "X and Y rows", expected: n.to_string(), found: y.nrows().to_string() });
    }
    if dx == 0 || dy == 0 {
        return Err(EstimatorError::ShapeMismatch { what: "columns", expected: "at least 1".into(), found: format!("dx = {dx}, dy = {dy}") });
    }
    if n <= dx + dy {
        return Err(EstimatorError::TooFewSamples { n, reason: format!("the Gaussian estimator needs more samples than dimensions ({})", dx + dy) });
    }
    if x.iter().chain(y.iter()).any(|v| !v.is_finite()) {
        return Err(EstimatorError::NonFinite { what: "samples" });
    }
    let z = ndarray::concatenate(Axis(1), &[x.view(), y.view()]).map_err(|e| EstimatorError::Linalg(e.to_string()))?;
    let cov = sample_covariance(&z.view())?;
    let rho = canonical_correlations(&cov.view(), dx)?;
    Ok(mi_from_canonical_correlations_nats(&rho.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn bivariate_closed_form() {
        let rho = 0.75f64;
        let cov = array![[1.0, rho], [rho, 1.0]];
        let mi = gaussian_mi_nats(&cov.view(), 1).unwrap();
        assert!((mi - 0.413_339_286_592_233_9).abs() < 1e-12, "{mi}");
        let cc = canonical_correlations(&cov.view(), 1).unwrap();
        assert!((cc[0] - rho).abs() < 1e-12);
        let h = gaussian_entropy_nats(&array![[1.0]].view()).unwrap();
        assert!((h - 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln()).abs() < 1e-14);
    }

    #[test]
    fn equicorrelated_block_closed_form() {
        for (m, want) in [(2usize, 0.2939), (3, 0.4133), (5, 0.5928), (25, 1.2922)] {
            let d = 2 * m;
            let cov = Array2::from_shape_fn((d, d), |(i, j)| if i == j { 1.0 } else { 0.5 });
            let mi = gaussian_mi_nats(&cov.view(), m).unwrap();
            let exact = ((m + 1) as f64).ln() - 0.5 * ((2 * m + 1) as f64).ln();
            assert!((mi - exact).abs() < 1e-10 && (mi - want).abs() < 1e-4, "m = {m}: {mi}");
            let cc = canonical_correlations(&cov.view(), m).unwrap();
            assert!((mi_from_canonical_correlations_nats(cc.as_slice().unwrap()) - exact).abs() < 1e-10);
        }
    }

    #[test]
    fn bad_covariances_are_errors() {
        assert!(matches!(gaussian_mi_nats(&array![[1.0, 2.0], [2.0, 1.0]].view(), 1), Err(EstimatorError::NotPositiveDefinite(_))));
        assert!(gaussian_mi_nats(&array![[1.0, 0.0], [0.0, 1.0]].view(), 2).is_err());
        assert!(gaussian_mi_nats(&array![[1.0, 0.5], [0.0, 1.0]].view(), 1).is_err());
        assert!(gaussian_entropy_nats(&Array2::<f64>::zeros((2, 3)).view()).is_err());
        let x = array![[1.0], [2.0]];
        assert!(matches!(gaussian_mi_estimate_nats(&x.view(), &x.view()), Err(EstimatorError::TooFewSamples { .. })));
    }
}
