//! The optimum of L_uniform on the sphere, the reference the study's uniformity is read against.
//! (The figures' kernel densities and the sweep's rank correlations are `mi_report`'s.)

/// The confluent hypergeometric limit function `₀F₁(; b; z) = Σ_k z^k / ((b)_k k!)` for z ≥ 0
/// (the series has positive terms and converges for every z).
pub fn hyp0f1(b: f64, z: f64) -> f64 {
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for k in 0..2000 {
        term *= z / ((b + k as f64) * (k as f64 + 1.0));
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// The optimum of `L_uniform(t)` on the sphere S^{m−1} ⊂ ℝ^m: `−2t + log ₀F₁(; m/2; t²)`,
/// attained by the uniform distribution (m = 2: `−2t + log I₀(2t)`).
pub fn uniform_optimum(m: i64, t: f64) -> f64 {
    -2.0 * t + hyp0f1(m as f64 / 2.0, t * t).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mi_report::kde::bessel_i0;

    #[test]
    fn uniformity_optima_of_the_reference() {
        // circle at t = 2, S² at t = 1, S^127 at t = 2 (hypersphere-and-flows.md)
        assert!((uniform_optimum(2, 2.0) + 1.57503).abs() < 1e-5);
        assert!((uniform_optimum(2, 2.0) - (-4.0 + bessel_i0(4.0).ln())).abs() < 1e-12);
        assert!((uniform_optimum(3, 1.0) + 1.40478).abs() < 1e-5);
        assert!((uniform_optimum(128, 2.0) + 3.93753).abs() < 1e-5);
        assert_eq!(hyp0f1(3.0, 0.0), 1.0);
    }
}
