//! Kernel density estimates for the circle figures (Wang & Isola, Fig. 3), in plain f64: a von
//! Mises KDE of angles on S¹ (with the modified Bessel function I₀ that normalises it) and a 2-D
//! Gaussian KDE of points on a pixel grid.
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
    fn angle_grid_centres_equal_cells_of_one_turn() {
        let g = angle_grid(4);
        let want = [-0.75 * PI, -0.25 * PI, 0.25 * PI, 0.75 * PI];
        assert!(g.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15), "{g:?}");
        assert!(angle_grid(0).is_empty());
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
        // nothing to estimate: all zeros, of the grid's size
        assert_eq!(gaussian_kde_2d(&[], extent, 4, 0.1), vec![0.0; 16]);
    }
}
