//! Tests against run-to-run noise: Student's t intervals for one sample (e.g. per-run changes
//! from step 0), Welch's t for two samples of unequal variance (e.g. ConvNet runs against MLP
//! runs), and the t test of a Spearman correlation. Every verdict that compares measurements goes
//! through one of these, so a report never decides on two bare means.

/// An effect with its 95 % interval and two-sided p-value for "the effect is 0".
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TTest {
    /// The estimated effect (a mean, or a difference of means).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Degrees of freedom (Welch–Satterthwaite for two samples).
    pub df: f64,
    /// The 95 % interval `estimate ± t_{0.975, df} · se`.
    pub ci95: (f64, f64),
    /// Two-sided p-value of `estimate / se` under Student's t with `df` degrees of freedom.
    pub p_value: f64,
}

impl TTest {
    fn new(estimate: f64, se: f64, df: f64) -> TTest {
        let half = t_quantile(0.975, df) * se;
        let p_value = if se > 0.0 { t_two_sided_p(estimate / se, df) } else if estimate == 0.0 { 1.0 } else { 0.0 };
        TTest { estimate, se, df, ci95: (estimate - half, estimate + half), p_value }
    }

    /// Whether the interval lies wholly above 0 (a positive effect distinguishable from noise).
    pub fn above_zero(&self) -> bool {
        self.ci95.0 > 0.0
    }

    /// Whether the interval lies wholly below 0.
    pub fn below_zero(&self) -> bool {
        self.ci95.1 < 0.0
    }

    /// `+1.23 [+0.45, +2.01] points, p = 0.004`: each number multiplied by `scale` (100 for
    /// points), `unit` after the interval (may be empty).
    pub fn describe(&self, scale: f64, decimals: usize, unit: &str) -> String {
        let f = |x: f64| format!("{:+.*}", decimals, x * scale);
        let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
        format!("{} [{}, {}]{unit}, {}", f(self.estimate), f(self.ci95.0), f(self.ci95.1), format_p(self.p_value))
    }
}

/// A p-value as reports print it: `p = 0.012` (three decimals), `p < 0.001` below that.
pub fn format_p(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// Student's t test of the mean of `v` (e.g. per-run differences, paired by run). `None` with
/// fewer than two finite values: one run has no noise estimate.
pub fn one_sample(v: &[f64]) -> Option<TTest> {
    let x: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    let n = x.len();
    if n < 2 {
        return None;
    }
    let (m, sd) = crate::stats::mean_sd(&x);
    Some(TTest::new(m, sd / (n as f64).sqrt(), (n - 1) as f64))
}

/// Welch's t test of `mean(a) − mean(b)` (variances not assumed equal). `None` unless each side
/// has at least two finite values.
pub fn welch(a: &[f64], b: &[f64]) -> Option<TTest> {
    let fa: Vec<f64> = a.iter().copied().filter(|x| x.is_finite()).collect();
    let fb: Vec<f64> = b.iter().copied().filter(|x| x.is_finite()).collect();
    if fa.len() < 2 || fb.len() < 2 {
        return None;
    }
    let (ma, sa) = crate::stats::mean_sd(&fa);
    let (mb, sb) = crate::stats::mean_sd(&fb);
    welch_from_stats((ma, sa, fa.len()), (mb, sb, fb.len()))
}

/// Welch's t test of `mean_a − mean_b` from summary statistics (mean, sample sd, runs) when the
/// runs themselves are not kept. `None` unless each side has at least two runs.
pub fn welch_from_stats(a: (f64, f64, usize), b: (f64, f64, usize)) -> Option<TTest> {
    let ((ma, sa, na), (mb, sb, nb)) = (a, b);
    if na < 2 || nb < 2 || !(ma.is_finite() && mb.is_finite() && sa.is_finite() && sb.is_finite()) {
        return None;
    }
    let (va, vb) = (sa * sa / na as f64, sb * sb / nb as f64);
    let df = if va + vb > 0.0 { (va + vb).powi(2) / (va * va / (na - 1) as f64 + vb * vb / (nb - 1) as f64) } else { (na + nb - 2) as f64 };
    Some(TTest::new(ma - mb, (va + vb).sqrt(), df))
}

/// Two-sided p-value of Spearman's ρ over `n` pairs for "no monotone association", from
/// t = ρ·√((n − 2)/(1 − ρ²)) with n − 2 degrees of freedom (the approximation scipy uses).
pub fn spearman_p(rho: f64, n: usize) -> Option<f64> {
    if n < 3 || !rho.is_finite() {
        return None;
    }
    if rho.abs() >= 1.0 {
        return Some(0.0);
    }
    let df = (n - 2) as f64;
    Some(t_two_sided_p(rho * (df / (1.0 - rho * rho)).sqrt(), df))
}

/// P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2).
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    beta_regularized(df / (df + t * t), 0.5 * df, 0.5).clamp(0.0, 1.0)
}

/// The `q` quantile (0.5 < q < 1) of Student's t with `df` degrees of freedom, by bisection on
/// [`t_two_sided_p`] (monotone in t), to about 1e-12.
pub fn t_quantile(q: f64, df: f64) -> f64 {
    if !(0.5..1.0).contains(&q) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    let target = 2.0 * (1.0 - q);
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while t_two_sided_p(hi, df) > target {
        hi *= 2.0;
        if hi > 1e12 {
            return f64::INFINITY;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_two_sided_p(mid, df) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-13 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: about 15 digits).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // reflection: Γ(x)Γ(1 − x) = π / sin(πx)
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum = C[1..].iter().enumerate().fold(C[0], |s, (i, c)| s + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularised incomplete beta function I_x(a, b), by its continued fraction (modified
/// Lentz), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where that converges faster.
fn beta_regularized(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    d = 1.0 / if d.abs() < TINY { TINY } else { d };
    let mut h = d;
    for m in 1..500 {
        let m = m as f64;
        for num in [m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)), -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0))] {
            d = 1.0 + num * d;
            d = 1.0 / if d.abs() < TINY { TINY } else { d };
            c = 1.0 + num / c;
            if c.abs() < TINY {
                c = TINY;
            }
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn student_t_matches_scipy() {
        // 2 · scipy.stats.t.sf(2.0, 10) = 0.07338803477074037
        assert!(close(t_two_sided_p(2.0, 10.0), 0.073_388_034_770_740_37, 1e-12));
        // Cauchy (df 1): P(|T| ≥ 1) = 0.5
        assert!(close(t_two_sided_p(1.0, 1.0), 0.5, 1e-12));
        assert_eq!(t_two_sided_p(0.0, 5.0), 1.0);
        // scipy.stats.t.ppf(0.975, df) for df = 10, 1, 1e6
        assert!(close(t_quantile(0.975, 10.0), 2.228_138_851_986_274, 1e-9));
        assert!(close(t_quantile(0.975, 1.0), 12.706_204_736_174_694, 1e-8));
        assert!(close(t_quantile(0.975, 1e6), 1.959_966_356_814_107, 1e-6));
        assert!(t_quantile(0.3, 3.0).is_nan() && t_two_sided_p(1.0, 0.0).is_nan());
    }

    #[test]
    fn welch_matches_scipy() {
        // scipy.stats.ttest_ind([1, 2, 3, 4], [2, 4, 6, 8, 10], equal_var=False):
        // statistic = -2.2514363231593695, pvalue = 0.06913359319239237, df = 5.520787746170677
        let t = welch(&[1.0, 2.0, 3.0, 4.0], &[2.0, 4.0, 6.0, 8.0, 10.0]).unwrap();
        assert!(close(t.estimate, -3.5, 1e-12));
        assert!(close(t.estimate / t.se, -2.251_436_323_159_369_5, 1e-9), "{t:?}");
        assert!(close(t.df, 5.520_787_746_170_677, 1e-9), "{t:?}");
        assert!(close(t.p_value, 0.069_133_593_192_392_37, 1e-9), "{t:?}");
        assert!(t.below_zero() == (t.ci95.1 < 0.0) && !t.above_zero());
        assert!(welch(&[1.0], &[1.0, 2.0]).is_none());
        let (sa, sb) = (crate::stats::mean_sd(&[1.0, 2.0, 3.0, 4.0]).1, crate::stats::mean_sd(&[2.0, 4.0, 6.0, 8.0, 10.0]).1);
        assert_eq!(welch_from_stats((2.5, sa, 4), (6.0, sb, 5)), Some(t));
        assert!(welch_from_stats((2.5, 0.0, 1), (6.0, sb, 5)).is_none());
    }

    #[test]
    fn one_sample_interval_and_p() {
        // scipy.stats.ttest_1samp([0.01, 0.02, 0.015], 0): t = 5.196..., p = 0.035098718645984656
        let t = one_sample(&[0.01, 0.02, 0.015]).unwrap();
        assert!(close(t.estimate / t.se, 5.196_152_422_706_632, 1e-9));
        assert!(close(t.p_value, 0.035_098_718_645_984_66, 1e-9), "{t:?}");
        assert!(t.above_zero() && t.ci95.0 < 0.015 && t.ci95.1 > 0.015);
        assert!(one_sample(&[0.5]).is_none() && one_sample(&[0.5, f64::NAN]).is_none());
        // a constant sample: no noise, the effect is either exactly 0 or certain
        assert_eq!(one_sample(&[0.0, 0.0]).unwrap().p_value, 1.0);
        assert_eq!(one_sample(&[1.0, 1.0]).unwrap().p_value, 0.0);
        assert_eq!(t.describe(100.0, 1, "points"), "+1.5 [+0.3, +2.7] points, p = 0.035");
        assert_eq!(t.describe(1.0, 3, ""), "+0.015 [+0.003, +0.027], p = 0.035");
    }

    #[test]
    fn spearman_p_matches_scipy() {
        // scipy.stats.spearmanr over 12 pairs with rho = -0.39 (t approximation): p = 0.2101032468529815
        assert!(close(spearman_p(-0.39, 12).unwrap(), 0.210_103_246_852_981_5, 1e-9), "{:?}", spearman_p(-0.39, 12));
        assert_eq!(spearman_p(1.0, 5), Some(0.0));
        assert_eq!(spearman_p(0.5, 2), None);
    }
}
