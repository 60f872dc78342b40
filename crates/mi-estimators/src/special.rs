//! Special functions and numerically careful helpers: digamma, log-sum-exp, softplus, erf/erfc and
//! the standard normal CDF. Written here (no dependency) and tested against known values.

/// The digamma function ψ(x) = d/dx log Γ(x) for x > 0 (NaN for x ≤ 0 or NaN).
///
/// Shifts x up with ψ(x) = ψ(x + 1) − 1/x until x ≥ 10, then uses the asymptotic series
/// ψ(x) ≈ ln x − 1/(2x) − Σ B₂ₙ/(2n x²ⁿ); absolute error below 1e-14 on (0, ∞).
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x.is_infinite() {
        return f64::INFINITY;
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    // B2/2 = 1/12, B4/4 = -1/120, B6/6 = 1/252, B8/8 = -1/240, B10/10 = 1/132, B12/12 = -691/32760
    let series = inv2
        * (1.0 / 12.0
            - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 * (1.0 / 132.0 - inv2 * (691.0 / 32760.0))))));
    acc + x.ln() - 0.5 * inv - series
}

/// log Σ exp(vᵢ), stable for any finite inputs; −∞ for an empty slice or all −∞.
pub fn logsumexp(values: impl IntoIterator<Item = f64> + Clone) -> f64 {
    let m = values.clone().into_iter().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    if m == f64::INFINITY {
        return f64::INFINITY;
    }
    let s: f64 = values.into_iter().map(|v| (v - m).exp()).sum();
    m + s.ln()
}

/// log(eᵃ + eᵇ), stable.
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    if m == f64::INFINITY {
        return f64::INFINITY;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// softplus(x) = log(1 + eˣ), stable for any x.
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The error function erf(x), absolute error ~1e-15.
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return -erf(-x);
    }
    if x < 3.0 {
        erf_series(x)
    } else {
        1.0 - erfc_cf(x)
    }
}

/// The complementary error function erfc(x) = 1 − erf(x), accurate in the tails.
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 3.0 {
        // relative accuracy ~1e-11 at x = 3 (erfc(3) ≈ 2e-5), better below
        1.0 - erf_series(x)
    } else {
        erfc_cf(x)
    }
}

/// The standard normal CDF Φ(x) = ½ erfc(−x/√2).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// erf(x) = 2/√π e^{−x²} Σₙ 2ⁿ x^{2n+1} / (1·3···(2n+1)): all terms positive, no cancellation.
fn erf_series(x: f64) -> f64 {
    let x2 = x * x;
    let mut term = x;
    let mut sum = x;
    let mut n = 0.0;
    while term > sum * 1e-17 {
        n += 1.0;
        term *= 2.0 * x2 / (2.0 * n + 1.0);
        sum += term;
        if n > 500.0 {
            break;
        }
    }
    2.0 / std::f64::consts::PI.sqrt() * (-x2).exp() * sum
}

/// erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated backwards
/// (x ≥ 3: 200 terms are far more than needed for full precision).
fn erfc_cf(x: f64) -> f64 {
    let mut f = x;
    for n in (1..=200).rev() {
        f = x + (n as f64 / 2.0) / f;
    }
    (-x * x).exp() / std::f64::consts::PI.sqrt() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digamma_known_values() {
        let euler = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + euler).abs() < 1e-14);
        assert!((digamma(0.5) - (-euler - 2.0 * 2f64.ln())).abs() < 1e-14);
        // ψ(n) = H_{n-1} − γ
        let mut h = 0.0;
        for n in 1..200 {
            assert!((digamma(n as f64) - (h - euler)).abs() < 1e-13, "n = {n}");
            h += 1.0 / n as f64;
        }
        assert!((digamma(1e6) - 13.815510057964275).abs() < 1e-12);
        assert!((digamma(0.1) - (-10.423754940411076)).abs() < 1e-12);
        assert!(digamma(0.0).is_nan() && digamma(-1.0).is_nan());
    }

    #[test]
    fn erf_known_values() {
        let cases = [
            (0.0, 0.0),
            (0.5, 0.520_499_877_813_046_5),
            (1.0, 0.842_700_792_949_714_9),
            (2.0, 0.995_322_265_018_952_7),
            (3.5, 0.999_999_256_901_627_7),
        ];
        for (x, v) in cases {
            assert!((erf(x) - v).abs() < 1e-14, "erf({x}) = {} vs {v}", erf(x));
            assert!((erf(-x) + v).abs() < 1e-14);
        }
        let tails = [(1.0, 0.157_299_207_050_285_1), (3.0, 2.209_049_699_858_544e-5), (5.0, 1.537_459_794_428_035e-12), (10.0, 2.088_487_583_762_545e-45)];
        for (x, v) in tails {
            assert!(((erfc(x) - v) / v).abs() < 1e-12, "erfc({x}) = {} vs {v}", erfc(x));
        }
        assert!((normal_cdf(1.96) - 0.975_002_104_851_779_5).abs() < 1e-14);
        assert!((normal_cdf(-1.0) - 0.158_655_253_931_457_05).abs() < 1e-14);
        // monotone across the switch points
        let mut prev = -1.0;
        for i in 0..4000 {
            let x = -10.0 + i as f64 * 0.005;
            let v = normal_cdf(x);
            assert!(v >= prev, "Φ not monotone at {x}");
            prev = v;
        }
    }

    #[test]
    fn logsumexp_is_stable() {
        assert_eq!(logsumexp([1e4, 1e4]), 1e4 + 2f64.ln());
        assert_eq!(logsumexp(Vec::<f64>::new()), f64::NEG_INFINITY);
        assert!((logsumexp([0.0, 0.0, 0.0]) - 3f64.ln()).abs() < 1e-15);
        assert!((log_add_exp(-1e4, -1e4) - (-1e4 + 2f64.ln())).abs() < 1e-9);
        assert_eq!(softplus(1e4), 1e4);
        assert!(softplus(-1e4) >= 0.0 && softplus(-1e4) < 1e-300);
        assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-15);
    }
}
