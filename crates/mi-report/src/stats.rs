//! The statistics the reports quote: mean ± sd over runs, percentiles of a spread, ranks and
//! Spearman's correlation, medians. Plain f64 slices, so every experiment summarises the same way.

/// Mean and sample standard deviation (divisor n − 1); sd 0 for a single value, both NaN for none.
/// Non-finite values are not filtered (a NaN run shows as NaN).
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let m = v.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return (m, 0.0);
    }
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
    (m, var.sqrt())
}

/// Mean, unbiased sample variance, and count of the finite values (non-finite ones are left out).
/// Unlike [`mean_sd`], the variance of a single value is NaN (it is unknown, not zero): this is
/// for comparing a measured variance with a theoretical one.
pub fn mean_var(values: impl IntoIterator<Item = f64>) -> (f64, f64, usize) {
    // Welford's update: stable for values with a large common offset
    let (mut n, mut mean, mut m2) = (0usize, 0.0, 0.0);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        n += 1;
        let delta = v - mean;
        mean += delta / n as f64;
        m2 += delta * (v - mean);
    }
    let var = if n > 1 { m2 / (n - 1) as f64 } else { f64::NAN };
    (if n > 0 { mean } else { f64::NAN }, var, n)
}

/// Percentiles (min, 20th, 40th, 60th, 80th, max) of the non-NaN values, interpolated linearly
/// between order statistics as numpy's default does. ±∞ is kept (a singular Jacobian's log
/// condition number is +∞); a percentile falling between a finite value and +∞ is +∞ rather than
/// the NaN that interpolating would give. `None` when there is no value.
pub fn percentiles6(values: &[f64]) -> Option<[f64; 6]> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (v.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        let frac = pos - lo as f64;
        if lo == hi || frac == 0.0 {
            v[lo]
        } else if v[hi].is_infinite() {
            v[hi] // between a finite value and +∞ (a singular Jacobian)
        } else {
            v[lo] + (v[hi] - v[lo]) * frac
        }
    };
    Some([at(0.0), at(0.2), at(0.4), at(0.6), at(0.8), at(1.0)])
}

/// The mean of the 40th and 60th percentiles of [`percentiles6`]'s output: the centre of the
/// spread that summaries keep. It is NOT the median (which those six values do not determine).
pub fn mid_40_60(p: &[f64; 6]) -> f64 {
    0.5 * (p[2] + p[3])
}

/// Ranks 1…n of `v`, ties sharing their average rank (NaN is not allowed: the caller filters).
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation: the Pearson correlation of the (average) ranks. `None` with
/// fewer than three pairs, lengths that differ, a non-finite value, or a constant input.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 3 || a.iter().chain(b).any(|v| !v.is_finite()) {
        return None;
    }
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    (va > 0.0 && vb > 0.0).then(|| cov / (va * vb).sqrt())
}

/// The median of the finite values (`None` when there is none).
pub fn median(v: &[f64]) -> Option<f64> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    Some(if s.len() % 2 == 1 { s[m] } else { 0.5 * (s[m - 1] + s[m]) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mean_and_sample_sd() {
        let (m, sd) = mean_sd(&[0.8, 0.9]);
        assert!((m - 0.85).abs() < 1e-12 && (sd - 0.005f64.sqrt()).abs() < 1e-12);
        assert_eq!(mean_sd(&[0.85]), (0.85, 0.0));
        let (m, sd) = mean_sd(&[]);
        assert!(m.is_nan() && sd.is_nan());
        assert_eq!(mean_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).0, 5.0);
    }

    #[test]
    fn mean_var_leaves_out_non_finite_values() {
        let (m, v, n) = mean_var([1.0, 2.0, 3.0, f64::NAN, f64::INFINITY]);
        assert_eq!((m, v, n), (2.0, 1.0, 3));
        let (m, v, n) = mean_var([5.0]);
        assert_eq!((m, n), (5.0, 1));
        assert!(v.is_nan());
        // a large common offset does not cost the variance its precision
        let (_, v, _) = mean_var([1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0]);
        assert!((v - 1.0).abs() < 1e-6, "{v}");
        assert!(mean_var(std::iter::empty()).0.is_nan());
    }

    proptest! {
        #[test]
        fn mean_sd_and_mean_var_agree(v in proptest::collection::vec(-1e3f64..1e3, 2..40)) {
            let (m, sd) = mean_sd(&v);
            let (m2, var, n) = mean_var(v.iter().copied());
            prop_assert_eq!(n, v.len());
            prop_assert!((m - m2).abs() < 1e-9);
            prop_assert!((sd * sd - var).abs() < 1e-6 * (1.0 + var));
        }

        #[test]
        fn percentiles_are_ordered_and_bracket_the_data(v in proptest::collection::vec(-1e3f64..1e3, 1..40)) {
            let p = percentiles6(&v).unwrap();
            prop_assert!(p.windows(2).all(|w| w[0] <= w[1]), "{:?}", p);
            prop_assert_eq!(p[0], v.iter().copied().fold(f64::INFINITY, f64::min));
            prop_assert_eq!(p[5], v.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            let mid = mid_40_60(&p);
            prop_assert!(p[2] <= mid && mid <= p[3]);
        }
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let v: Vec<f64> = (0..=10).map(f64::from).collect();
        assert_eq!(percentiles6(&v), Some([0.0, 2.0, 4.0, 6.0, 8.0, 10.0]));
        let p = percentiles6(&[3.0, 1.0]).unwrap();
        assert!((p[1] - 1.4).abs() < 1e-12 && (p[4] - 2.6).abs() < 1e-12);
        assert_eq!(percentiles6(&[]), None);
        assert_eq!(percentiles6(&[f64::NAN]), None);
        // +∞ (a singular Jacobian) is kept and sorts last; between it and a finite value is +∞
        let p = percentiles6(&[1.0, f64::INFINITY]).unwrap();
        assert_eq!(p, [1.0, f64::INFINITY, f64::INFINITY, f64::INFINITY, f64::INFINITY, f64::INFINITY]);
        // NaN is left out, not sorted in
        assert_eq!(percentiles6(&[f64::NAN, 0.0, 10.0]).unwrap()[1], 2.0);
    }

    #[test]
    fn mid_40_60_is_not_the_median() {
        // three values: the 40th percentile is 0.8, the 60th 1 + 0.2 · 9 = 2.8; the median is 1
        let v = [0.0, 1.0, 10.0];
        let p = percentiles6(&v).unwrap();
        assert!((p[2] - 0.8).abs() < 1e-12 && (p[3] - 2.8).abs() < 1e-12, "{p:?}");
        assert!((mid_40_60(&p) - 1.8).abs() < 1e-12);
        assert_eq!(median(&v), Some(1.0));
    }

    #[test]
    fn spearman_ranks_and_median() {
        assert_eq!(ranks(&[10.0, 30.0, 20.0, 20.0]), vec![1.0, 4.0, 2.5, 2.5]);
        assert_eq!(spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 25.0, 100.0]), Some(1.0));
        assert_eq!(spearman(&[1.0, 2.0, 3.0, 4.0], &[4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        // scipy.stats.spearmanr([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) = 0.8
        assert!((spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap() - 0.8).abs() < 1e-12);
        // with ties: spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) = 0.9486832980505138
        assert!((spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]).unwrap() - 0.948_683_298_050_513_8).abs() < 1e-12);
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0, 2.0], &[1.0, 2.0]), None);
        assert_eq!(spearman(&[1.0, f64::NAN, 2.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN, f64::INFINITY, 7.0]), Some(7.0));
        assert_eq!(median(&[f64::NAN]), None);
    }
}
