//! Densities and statistics for the circle figures and the sweep (plain Rust, f64): the modified
//! Bessel function I₀, a von Mises kernel density estimate of angles, a 2-D Gaussian kernel
//! density estimate of points on a grid, and Spearman's rank correlation.
use std::f64::consts::PI;

/// The modified Bessel function of the first kind of order 0, `Σ_k (x/2)^{2k} / (k!)²`
/// (the series converges for every x; accurate to a few ulps for |x| ≤ 100).
pub fn bessel_i0(x: f64) -> f64 {
    let q = x * x / 4.0;
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for k in 1..500 {
        term *= q / (k as f64 * k as f64);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

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

/// `n` angles evenly covering `[−π, π)` (the left edge of each of n equal cells plus half a cell).
pub fn angle_grid(n: usize) -> Vec<f64> {
    (0..n).map(|i| -PI + (i as f64 + 0.5) * 2.0 * PI / n as f64).collect()
}

/// A von Mises kernel density estimate at the angles `at`:
/// `(1/n) Σ_i exp(κ cos(θ − θ_i)) / (2π I₀(κ))`, a density on the circle (integrates to 1 over
/// one turn). Empty `angles` give zeros.
pub fn von_mises_kde(angles: &[f64], kappa: f64, at: &[f64]) -> Vec<f64> {
    if angles.is_empty() {
        return vec![0.0; at.len()];
    }
    // exp(κ (cos − 1)) / (2π I₀(κ) e^{−κ}) avoids overflow for large κ
    let norm = 2.0 * PI * bessel_i0(kappa) * (-kappa).exp() * angles.len() as f64;
    let cs: Vec<(f64, f64)> = angles.iter().map(|a| (a.cos(), a.sin())).collect();
    at.iter()
        .map(|&th| {
            let (c, s) = (th.cos(), th.sin());
            // cos(θ − θ_i) = cos θ cos θ_i + sin θ sin θ_i
            cs.iter().map(|&(ci, si)| (kappa * (c * ci + s * si - 1.0)).exp()).sum::<f64>() / norm
        })
        .collect()
}

/// A 2-D Gaussian kernel density estimate of `points` on a `pixels × pixels` grid over
/// `[−extent, extent]²` (row 0 at the top, y increasing upwards), bandwidth `sigma`: the points
/// are binned at the cell centres, then blurred by a separable Gaussian (truncated at 4σ).
/// Values are a density (per unit area); mass falling outside the grid is lost.
pub fn gaussian_kde_2d(points: &[(f64, f64)], extent: f64, pixels: usize, sigma: f64) -> Vec<f64> {
    let mut h = vec![0.0; pixels * pixels];
    if points.is_empty() || pixels == 0 {
        return h;
    }
    let cell = 2.0 * extent / pixels as f64;
    for &(x, y) in points {
        let c = ((x + extent) / cell).floor();
        let r = ((extent - y) / cell).floor();
        if c >= 0.0 && r >= 0.0 && (c as usize) < pixels && (r as usize) < pixels {
            h[r as usize * pixels + c as usize] += 1.0;
        }
    }
    let radius = (4.0 * sigma / cell).ceil() as isize;
    let kernel: Vec<f64> = (-radius..=radius).map(|k| (-0.5 * (k as f64 * cell / sigma).powi(2)).exp()).collect();
    let ksum: f64 = kernel.iter().sum();
    let kernel: Vec<f64> = kernel.iter().map(|k| k / ksum).collect();
    let blur = |src: &[f64], horizontal: bool| -> Vec<f64> {
        let mut out = vec![0.0; pixels * pixels];
        for r in 0..pixels {
            for c in 0..pixels {
                let mut acc = 0.0;
                for (k, w) in kernel.iter().enumerate() {
                    let off = k as isize - radius;
                    let (rr, cc) = if horizontal { (r as isize, c as isize + off) } else { (r as isize + off, c as isize) };
                    if rr >= 0 && cc >= 0 && (rr as usize) < pixels && (cc as usize) < pixels {
                        acc += w * src[rr as usize * pixels + cc as usize];
                    }
                }
                out[r * pixels + c] = acc;
            }
        }
        out
    };
    let out = blur(&blur(&h, true), false);
    let scale = 1.0 / (points.len() as f64 * cell * cell);
    out.into_iter().map(|v| v * scale).collect()
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

/// The median of finite values (`None` when there is none).
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

    #[test]
    fn bessel_i0_known_values() {
        assert_eq!(bessel_i0(0.0), 1.0);
        assert!((bessel_i0(1.0) - 1.266_065_877_752_008_4).abs() < 1e-14);
        assert!((bessel_i0(4.0) - 11.301_921_952_136_33).abs() < 1e-12);
        assert!((bessel_i0(20.0) / 4.355_828_255_955_353e7 - 1.0).abs() < 1e-12);
        assert_eq!(bessel_i0(-3.0), bessel_i0(3.0));
    }

    #[test]
    fn uniformity_optima_of_the_reference() {
        // circle at t = 2, S² at t = 1, S^127 at t = 2 (hypersphere-and-flows.md)
        assert!((uniform_optimum(2, 2.0) + 1.57503).abs() < 1e-5);
        assert!((uniform_optimum(2, 2.0) - (-4.0 + bessel_i0(4.0).ln())).abs() < 1e-12);
        assert!((uniform_optimum(3, 1.0) + 1.40478).abs() < 1e-5);
        assert!((uniform_optimum(128, 2.0) + 3.93753).abs() < 1e-5);
        assert_eq!(hyp0f1(3.0, 0.0), 1.0);
    }

    #[test]
    fn von_mises_kde_is_a_density_peaked_at_the_data() {
        let grid = angle_grid(720);
        let d = von_mises_kde(&[0.5, 3.1], 20.0, &grid);
        let mass: f64 = d.iter().sum::<f64>() * 2.0 * PI / 720.0;
        assert!((mass - 1.0).abs() < 1e-9, "{mass}");
        let argmax = grid[d.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0];
        assert!((argmax - 0.5).abs() < 0.01 || (argmax - 3.1).abs() < 0.01);
        // the kernel wraps around ±π: a point at 3.1 puts mass just past −π too
        let at = von_mises_kde(&[3.1], 20.0, &[-3.1, 0.0]);
        assert!(at[0] > 100.0 * at[1]);
        // uniform angles give ≈ 1/(2π) everywhere
        let even = angle_grid(1000);
        let u = von_mises_kde(&even, 5.0, &[0.0, 1.0, -2.0]);
        assert!(u.iter().all(|v| (v - 1.0 / (2.0 * PI)).abs() < 1e-6), "{u:?}");
        assert_eq!(von_mises_kde(&[], 5.0, &[0.0]), vec![0.0]);
    }

    #[test]
    fn gaussian_kde_2d_keeps_mass_and_position() {
        let pts: Vec<(f64, f64)> = (0..200).map(|i| ((i as f64 * 0.1).cos(), (i as f64 * 0.1).sin())).collect();
        let (extent, pixels) = (1.5, 60);
        let d = gaussian_kde_2d(&pts, extent, pixels, 0.08);
        let cell = 2.0 * extent / pixels as f64;
        let mass: f64 = d.iter().sum::<f64>() * cell * cell;
        assert!((mass - 1.0).abs() < 1e-6, "{mass}");
        // density on the circle, none at the centre
        let at = |x: f64, y: f64| d[((extent - y) / cell).floor() as usize * pixels + ((x + extent) / cell).floor() as usize];
        assert!(at(1.0, 0.0) > 0.1 && at(0.0, 0.0) < 1e-9);
        // y increases upwards: a point at the top lands in the first rows
        let top = gaussian_kde_2d(&[(0.0, 1.4)], extent, pixels, 0.05);
        let first_rows: f64 = top[..3 * pixels].iter().sum();
        assert!(first_rows * cell * cell > 0.5);
    }

    #[test]
    fn spearman_and_ranks() {
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
        assert_eq!(median(&[f64::NAN]), None);
    }
}
