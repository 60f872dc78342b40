//! Injective maps applied to X or to Y alone. Each is a bijection onto its image, so I(f(X); Y) =
//! I(X; Y): a task keeps its base distribution's exact MI under any chain of them, while
//! estimators that assume Gaussian margins, a scale or linear dependence do not.
use crate::error::{EstimatorError, Result};
use crate::special::{erfc, normal_cdf};
use ndarray::Array2;

/// Means (±) and standard deviation of the two equal components of [`Transform::Bimodal`].
const BIMODAL_MEAN: f64 = 1.0;
const BIMODAL_SD: f64 = 0.4;

/// A map applied to every row of X or of Y.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Transform {
    /// t ↦ scale · t + shift (scale ≠ 0), per coordinate.
    Affine { scale: f64, shift: f64 },
    /// t ↦ Φ(t), the standard normal CDF, per coordinate: uniform margins (saturates to 1 in f64
    /// above t ≈ 8.3).
    NormalCdf,
    /// t ↦ asinh t, per coordinate (tames heavy tails).
    Asinh,
    /// t ↦ t · sqrt|t|, per coordinate (heavier tails).
    HalfCube,
    /// t ↦ t³, per coordinate.
    Cube,
    /// t ↦ t + 0.4 sin t + 0.2 sin(1.7t + 1) + 0.03 sin(3.3t − 2.5), per coordinate; its
    /// derivative is ≥ 1 − 0.4 − 0.34 − 0.099 > 0, so it is strictly increasing.
    WigglyA,
    /// t ↦ t − 0.4 sin(0.4t) + 0.17 sin(1.3t + 3.5) + 0.02 sin(4.3t − 2.5), per coordinate
    /// (derivative ≥ 1 − 0.16 − 0.221 − 0.086 > 0): a second wiggle so X and Y differ.
    WigglyB,
    /// t ↦ F⁻¹(Φ(t)), F the CDF of the mixture ½ N(−1, 0.4²) + ½ N(1, 0.4²), per coordinate: a
    /// standard normal becomes bimodal.
    Bimodal,
    /// v ↦ R(speed · ‖v‖²) v, R(θ) the rotation by θ in the plane of coordinates (i, j): points
    /// further out are turned further (a spiral; a diffeomorphism, its inverse turns back by the
    /// same angle since the rotation keeps ‖v‖).
    Spiral { i: usize, j: usize, speed: f64 },
    /// A single coordinate u ∈ (0, 1) ↦ (s cos s, s sin s) / (4.5π), s = 1.5π(1 + 2u): a 1-D
    /// variable embedded as a 2-D Swiss roll (injective since the radius s grows with u).
    SwissRoll,
}

impl Transform {
    /// The map applied to every row of `a` (n × d); the result has [`Transform::out_dim`]`(d)`
    /// columns. Call [`Transform::check_dim`] first.
    pub fn apply(&self, mut a: Array2<f64>) -> Array2<f64> {
        match *self {
            Transform::Spiral { i, j, speed } => {
                for mut row in a.rows_mut() {
                    let theta = speed * row.dot(&row);
                    let (s, c) = theta.sin_cos();
                    let (vi, vj) = (row[i], row[j]);
                    row[i] = c * vi - s * vj;
                    row[j] = s * vi + c * vj;
                }
                a
            }
            Transform::SwissRoll => Array2::from_shape_fn((a.nrows(), 2), |(r, c)| {
                let s = 1.5 * std::f64::consts::PI * (1.0 + 2.0 * a[[r, 0]]);
                let v = if c == 0 { s * s.cos() } else { s * s.sin() };
                v / (4.5 * std::f64::consts::PI)
            }),
            _ => {
                a.mapv_inplace(|v| self.apply_scalar(v));
                a
            }
        }
    }

    /// The coordinate-wise maps on one value (the identity for the row-wise ones).
    fn apply_scalar(&self, t: f64) -> f64 {
        match *self {
            Transform::Affine { scale, shift } => scale * t + shift,
            Transform::NormalCdf => normal_cdf(t),
            Transform::Asinh => t.asinh(),
            Transform::HalfCube => t * t.abs().sqrt(),
            Transform::Cube => t * t * t,
            Transform::WigglyA => t + 0.4 * t.sin() + 0.2 * (1.7 * t + 1.0).sin() + 0.03 * (3.3 * t - 2.5).sin(),
            Transform::WigglyB => t - 0.4 * (0.4 * t).sin() + 0.17 * (1.3 * t + 3.5).sin() + 0.02 * (4.3 * t - 2.5).sin(),
            Transform::Bimodal => bimodal_quantile_of_normal(t),
            Transform::Spiral { .. } | Transform::SwissRoll => t,
        }
    }

    /// Columns after the map when it gets `d` columns.
    pub fn out_dim(&self, d: usize) -> usize {
        match self {
            Transform::SwissRoll => 2,
            _ => d,
        }
    }

    /// Stable short name used in task ids.
    pub fn id(&self) -> String {
        match *self {
            Transform::Affine { scale, shift } => format!("affine({scale},{shift})"),
            Transform::NormalCdf => "phi".into(),
            Transform::Asinh => "asinh".into(),
            Transform::HalfCube => "halfcube".into(),
            Transform::Cube => "cube".into(),
            Transform::WigglyA => "wiggly-a".into(),
            Transform::WigglyB => "wiggly-b".into(),
            Transform::Bimodal => "bimodal".into(),
            Transform::Spiral { i, j, speed } => format!("spiral({i},{j},{})", (speed * 1e4).round() / 1e4),
            Transform::SwissRoll => "swissroll".into(),
        }
    }

    /// Checks the parameters and that the map applies to `d` columns.
    pub fn check_dim(&self, d: usize) -> Result<()> {
        match *self {
            Transform::Affine { scale, shift } if !(scale.is_finite() && shift.is_finite() && scale != 0.0) => {
                Err(EstimatorError::param("affine scale", scale, "must be finite and non-zero (shift finite)"))
            }
            Transform::Spiral { i, j, speed } if !(i < j && j < d && speed.is_finite()) => Err(EstimatorError::param(
                "spiral plane",
                format!("({i}, {j}) at speed {speed}"),
                format!("needs i < j < {d} (the variable has {d} coordinates) and a finite speed"),
            )),
            Transform::SwissRoll if d != 1 => {
                Err(EstimatorError::param("swissroll input", d, "embeds a single coordinate: the variable must have 1 column"))
            }
            _ => Ok(()),
        }
    }
}

/// F⁻¹(Φ(t)) for the bimodal mixture F, by bisection on the tail that keeps full precision (the
/// upper tail for t > 0, then odd symmetry), so |t| up to ~38 maps without saturating.
fn bimodal_quantile_of_normal(t: f64) -> f64 {
    if t < 0.0 {
        return -bimodal_quantile_of_normal(-t);
    }
    // upper tails: ½ erfc(t/√2) for the normal, the mixture's below
    let target = 0.5 * erfc(t / std::f64::consts::SQRT_2);
    let tail = |s: f64| {
        let q = |m: f64| 0.5 * erfc((s - m) / (BIMODAL_SD * std::f64::consts::SQRT_2));
        0.5 * (q(BIMODAL_MEAN) + q(-BIMODAL_MEAN))
    };
    // the mixture's median is 0, and its tail at μ + 40σ is below any target a finite t gives
    let (mut lo, mut hi) = (0.0, BIMODAL_MEAN + 40.0 * BIMODAL_SD);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if tail(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn coordinate_maps_are_strictly_monotone() {
        let coordinate = [
            Transform::NormalCdf,
            Transform::Asinh,
            Transform::HalfCube,
            Transform::Cube,
            Transform::Affine { scale: -3.0, shift: 1.0 },
            Transform::WigglyA,
            Transform::WigglyB,
            Transform::Bimodal,
        ];
        for tr in coordinate {
            let grid = Array2::from_shape_fn((1201, 1), |(i, _)| -6.0 + i as f64 * 0.01);
            let vals = tr.apply(grid);
            let inc = vals.column(0).windows(2).into_iter().all(|w| w[1] > w[0]);
            let dec = vals.column(0).windows(2).into_iter().all(|w| w[1] < w[0]);
            assert!(inc || dec, "{tr:?} not monotone");
        }
    }

    #[test]
    fn bimodal_map_sends_a_normal_to_the_mixture() {
        // the mixture's CDF at the image of t equals Φ(t), and the image is bimodal: few points
        // near 0, many near ±1
        let mix_cdf = |s: f64| 0.5 * (normal_cdf((s - BIMODAL_MEAN) / BIMODAL_SD) + normal_cdf((s + BIMODAL_MEAN) / BIMODAL_SD));
        for t in [-3.0, -1.0, -0.2, 0.0, 0.5, 2.0, 4.0] {
            let s = bimodal_quantile_of_normal(t);
            assert!((mix_cdf(s) - normal_cdf(t)).abs() < 1e-12, "t = {t}");
        }
        assert!(bimodal_quantile_of_normal(0.0).abs() < 1e-12);
        assert!(bimodal_quantile_of_normal(30.0).is_finite() && bimodal_quantile_of_normal(30.0) > bimodal_quantile_of_normal(20.0));
    }

    #[test]
    fn spiral_keeps_norms_and_turns_outer_points_further() {
        let tr = Transform::Spiral { i: 0, j: 1, speed: 0.5 };
        let a = array![[1.0, 0.0, 2.0], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0]];
        let b = tr.apply(a.clone());
        for r in 0..3 {
            assert!((a.row(r).dot(&a.row(r)) - b.row(r).dot(&b.row(r))).abs() < 1e-12);
        }
        // row 0: ‖v‖² = 5, angle 2.5 in the (0, 1) plane; coordinate 2 untouched
        assert!((b[[0, 0]] - 2.5f64.cos()).abs() < 1e-12 && (b[[0, 1]] - 2.5f64.sin()).abs() < 1e-12 && b[[0, 2]] == 2.0);
        assert!((b[[1, 0]] - 2.0 * 2.0f64.cos()).abs() < 1e-12);
        assert!(tr.check_dim(2).is_ok() && tr.check_dim(1).is_err());
        assert!(Transform::Spiral { i: 1, j: 1, speed: 1.0 }.check_dim(3).is_err());
    }

    #[test]
    fn swiss_roll_embeds_one_column_in_two_injectively() {
        let u = Array2::from_shape_fn((999, 1), |(i, _)| (i as f64 + 1.0) / 1000.0);
        let e = Transform::SwissRoll.apply(u);
        assert_eq!(e.ncols(), 2);
        // the radius grows strictly with u, so no two inputs share an image
        let radius: Vec<f64> = e.rows().into_iter().map(|r| r.dot(&r).sqrt()).collect();
        assert!(radius.windows(2).all(|w| w[1] > w[0]));
        assert!(Transform::SwissRoll.check_dim(2).is_err() && Transform::SwissRoll.out_dim(1) == 2);
        assert!(Transform::Affine { scale: 0.0, shift: 0.0 }.check_dim(1).is_err());
    }
}
