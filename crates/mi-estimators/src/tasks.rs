//! The ground-truth task suite: seeded samplers of (X, Y) with exactly known I(X; Y).
//!
//! Base distributions (all Gaussian, so the MI has a closed form):
//! * [`Base::Gaussian`]: bivariate, correlation ρ; I = −½ log(1 − ρ²).
//! * [`Base::Staircase`]: `dim` independent coordinate pairs each with correlation ρ chosen so
//!   that the total is `mi_nats` (Poole et al.'s "staircase" family, dim = 20):
//!   ρ = sqrt(1 − exp(−2I/dim)).
//! * [`Base::Equicorrelated`]: 2m Gaussian coordinates with all off-diagonal correlations r, X the
//!   first m: I = ½[−log(1 − r) + 2 log(1 + (m − 1)r) − log(1 + (2m − 1)r)].
//! * [`Base::SparsePairs`]: X, Y each m-dimensional standard normal, with only two coordinate pairs
//!   (x₁, y₁), (x₂, y₂) correlated (ρ); I = −log(1 − ρ²).
//!
//! Per-variable transforms ([`Transform`]) are injective and act coordinate-wise on X or on Y, so
//! they leave the MI unchanged (the Jacobians cancel): a task keeps its true MI under any chain of
//! them, while estimators that assume Gaussianity or a scale do not. Each task has a stable id.
use crate::error::{EstimatorError, Result};
use crate::special::normal_cdf;
use ndarray::Array2;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

/// The suite's tasks, in a fixed order: the first [`SUITE_QUICK`] are the `quick` table of
/// `reproduce estimators`, the rest are the larger ones its `paper` profile adds. Every id is
/// unique; [`find`] looks one up.
pub fn suite() -> Vec<Task> {
    // the parameters are valid constants; a task that failed to build would be a bug here
    let mut v = vec![];
    let mut push = |t: Result<Task>| {
        if let Ok(t) = t {
            v.push(t);
        }
    };
    let g = || Task::bivariate_gaussian(0.75);
    push(g());
    push(g().and_then(|t| t.with_transform(Transform::Cube)));
    push(g().and_then(|t| t.with_transform(Transform::NormalCdf)));
    push(Task::bivariate_gaussian(0.95));
    push(Task::equicorrelated(2, 0.5));
    push(Task::equicorrelated(5, 0.5));
    push(Task::equicorrelated(5, 0.5).and_then(|t| t.with_transform(Transform::HalfCube)));
    push(Task::equicorrelated(5, 0.5).and_then(|t| t.with_transform(Transform::Cube)));
    push(Task::sparse_pairs(5, 0.8));
    push(
        Task::sparse_pairs(5, 0.8)
            .and_then(|t| t.with_x_transform(Transform::Affine { scale: 3.0, shift: 1.0 }))
            .and_then(|t| t.with_y_transform(Transform::Asinh)),
    );
    push(Task::equicorrelated(25, 0.5));
    push(Task::staircase(20, 2.0));
    push(Task::staircase(20, 4.0));
    push(Task::staircase(20, 2.0).and_then(|t| t.with_transform(Transform::Cube)));
    push(Task::equicorrelated(50, 0.5));
    v
}

/// How many of [`suite`]'s tasks the smaller (`quick`) table uses.
pub const SUITE_QUICK: usize = 12;

/// The suite task with this id; an error listing the ids otherwise.
pub fn find(id: &str) -> Result<Task> {
    let all = suite();
    let ids: Vec<String> = all.iter().map(Task::id).collect();
    all.into_iter().find(|t| t.id() == id).ok_or_else(|| EstimatorError::InvalidParameter {
        name: "task",
        value: id.to_string(),
        reason: format!("not a task of the suite; expected one of {}", ids.join(", ")),
    })
}

/// The Gaussian distribution a task starts from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Base {
    Gaussian { rho: f64 },
    Staircase { dim: usize, mi_nats: f64 },
    Equicorrelated { m: usize, r: f64 },
    SparsePairs { m: usize, rho: f64 },
}

/// A coordinate-wise, strictly monotone map (so MI-preserving when applied to X or Y alone).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Transform {
    /// t ↦ scale · t + shift (scale ≠ 0).
    Affine { scale: f64, shift: f64 },
    /// t ↦ Φ(t), the standard normal CDF (values in (0, 1); saturates to 1 in f64 above t ≈ 8.3).
    NormalCdf,
    /// t ↦ asinh t.
    Asinh,
    /// t ↦ t · sqrt|t|.
    HalfCube,
    /// t ↦ t³.
    Cube,
}

impl Transform {
    /// Applies the map to one value.
    pub fn apply(&self, t: f64) -> f64 {
        match *self {
            Transform::Affine { scale, shift } => scale * t + shift,
            Transform::NormalCdf => normal_cdf(t),
            Transform::Asinh => t.asinh(),
            Transform::HalfCube => t * t.abs().sqrt(),
            Transform::Cube => t * t * t,
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
        }
    }

    fn validate(&self) -> Result<()> {
        if let Transform::Affine { scale, shift } = *self {
            if !(scale.is_finite() && shift.is_finite() && scale != 0.0) {
                return Err(EstimatorError::param("affine scale", scale, "must be finite and non-zero (shift finite)"));
            }
        }
        Ok(())
    }
}

/// A ground-truth task: a base distribution and per-variable transform chains.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Task {
    pub base: Base,
    /// applied in order to every coordinate of X
    pub x_transforms: Vec<Transform>,
    /// applied in order to every coordinate of Y
    pub y_transforms: Vec<Transform>,
}

impl Task {
    /// A task from a base distribution, checking its parameters.
    pub fn new(base: Base) -> Result<Task> {
        let unit = |name: &'static str, v: f64| {
            if v.is_finite() && v.abs() < 1.0 {
                Ok(())
            } else {
                Err(EstimatorError::param(name, v, "must be in (−1, 1)"))
            }
        };
        match base {
            Base::Gaussian { rho } => unit("rho", rho)?,
            Base::Staircase { dim, mi_nats } => {
                if dim == 0 {
                    return Err(EstimatorError::param("dim", dim, "must be ≥ 1"));
                }
                if !(mi_nats.is_finite() && mi_nats >= 0.0) {
                    return Err(EstimatorError::param("mi_nats", mi_nats, "must be finite and ≥ 0"));
                }
            }
            Base::Equicorrelated { m, r } => {
                if m == 0 {
                    return Err(EstimatorError::param("m", m, "must be ≥ 1"));
                }
                if !(r.is_finite() && (0.0..1.0).contains(&r)) {
                    return Err(EstimatorError::param("r", r, "must be in [0, 1)"));
                }
            }
            Base::SparsePairs { m, rho } => {
                if m < 2 {
                    return Err(EstimatorError::param("m", m, "must be ≥ 2 (two correlated pairs)"));
                }
                unit("rho", rho)?;
            }
        }
        Ok(Task { base, x_transforms: vec![], y_transforms: vec![] })
    }

    pub fn bivariate_gaussian(rho: f64) -> Result<Task> {
        Task::new(Base::Gaussian { rho })
    }
    pub fn staircase(dim: usize, mi_nats: f64) -> Result<Task> {
        Task::new(Base::Staircase { dim, mi_nats })
    }
    pub fn equicorrelated(m: usize, r: f64) -> Result<Task> {
        Task::new(Base::Equicorrelated { m, r })
    }
    pub fn sparse_pairs(m: usize, rho: f64) -> Result<Task> {
        Task::new(Base::SparsePairs { m, rho })
    }

    /// Adds `t` to the transform chains of both X and Y.
    pub fn with_transform(mut self, t: Transform) -> Result<Task> {
        t.validate()?;
        self.x_transforms.push(t);
        self.y_transforms.push(t);
        Ok(self)
    }
    /// Adds `t` to the transform chain of X only.
    pub fn with_x_transform(mut self, t: Transform) -> Result<Task> {
        t.validate()?;
        self.x_transforms.push(t);
        Ok(self)
    }
    /// Adds `t` to the transform chain of Y only.
    pub fn with_y_transform(mut self, t: Transform) -> Result<Task> {
        t.validate()?;
        self.y_transforms.push(t);
        Ok(self)
    }

    /// Stable identifier, e.g. `gauss-1x1-rho0.75+cube` or `equicorr-5x5-r0.5+x:asinh`.
    pub fn id(&self) -> String {
        let mut id = match self.base {
            Base::Gaussian { rho } => format!("gauss-1x1-rho{rho}"),
            Base::Staircase { dim, mi_nats } => format!("staircase-{dim}x{dim}-mi{mi_nats}"),
            Base::Equicorrelated { m, r } => format!("equicorr-{m}x{m}-r{r}"),
            Base::SparsePairs { m, rho } => format!("sparse-{m}x{m}-rho{rho}"),
        };
        let n = self.x_transforms.len().max(self.y_transforms.len());
        for i in 0..n {
            match (self.x_transforms.get(i), self.y_transforms.get(i)) {
                (Some(a), Some(b)) if a == b => id += &format!("+{}", a.id()),
                (a, b) => {
                    if let Some(a) = a {
                        id += &format!("+x:{}", a.id());
                    }
                    if let Some(b) = b {
                        id += &format!("+y:{}", b.id());
                    }
                }
            }
        }
        id
    }

    /// Dimension of X.
    pub fn dx(&self) -> usize {
        match self.base {
            Base::Gaussian { .. } => 1,
            Base::Staircase { dim, .. } => dim,
            Base::Equicorrelated { m, .. } | Base::SparsePairs { m, .. } => m,
        }
    }

    /// Dimension of Y.
    pub fn dy(&self) -> usize {
        self.dx()
    }

    /// The exact I(X; Y) in nats.
    pub fn true_mi_nats(&self) -> f64 {
        match self.base {
            Base::Gaussian { rho } => -0.5 * (-(rho * rho)).ln_1p(),
            Base::Staircase { mi_nats, .. } => mi_nats,
            Base::Equicorrelated { m, r } => {
                let m = m as f64;
                0.5 * (-(-r).ln_1p() + 2.0 * ((m - 1.0) * r).ln_1p() - ((2.0 * m - 1.0) * r).ln_1p())
            }
            Base::SparsePairs { rho, .. } => -(-(rho * rho)).ln_1p(),
        }
    }

    /// n samples (X: n × dx, Y: n × dy), a deterministic function of `seed`.
    pub fn sample(&self, n: usize, seed: u64) -> (Array2<f64>, Array2<f64>) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let mut z = || -> f64 { StandardNormal.sample(&mut rng) };
        let (dx, dy) = (self.dx(), self.dy());
        let mut x = Array2::zeros((n, dx));
        let mut y = Array2::zeros((n, dy));
        for i in 0..n {
            match self.base {
                Base::Gaussian { rho } => pair(&mut x, &mut y, i, 0, rho, &mut z),
                Base::Staircase { dim, mi_nats } => {
                    let rho = (-(-2.0 * mi_nats / dim as f64).exp_m1()).sqrt();
                    for c in 0..dim {
                        pair(&mut x, &mut y, i, c, rho, &mut z);
                    }
                }
                Base::Equicorrelated { m, r } => {
                    let w = z();
                    let (a, b) = (r.sqrt(), (1.0 - r).sqrt());
                    for c in 0..m {
                        x[[i, c]] = a * w + b * z();
                    }
                    for c in 0..m {
                        y[[i, c]] = a * w + b * z();
                    }
                }
                Base::SparsePairs { m, rho } => {
                    for c in 0..m {
                        pair(&mut x, &mut y, i, c, if c < 2 { rho } else { 0.0 }, &mut z);
                    }
                }
            }
        }
        for t in &self.x_transforms {
            x.mapv_inplace(|v| t.apply(v));
        }
        for t in &self.y_transforms {
            y.mapv_inplace(|v| t.apply(v));
        }
        (x, y)
    }
}

/// x = e₁, y = ρ e₁ + sqrt(1 − ρ²) e₂ in column c of row i.
fn pair(x: &mut Array2<f64>, y: &mut Array2<f64>, i: usize, c: usize, rho: f64, z: &mut impl FnMut() -> f64) {
    let (a, b) = (z(), z());
    x[[i, c]] = a;
    y[[i, c]] = rho * a + (1.0 - rho * rho).sqrt() * b;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gaussian::{gaussian_mi_estimate_nats, gaussian_mi_nats};

    #[test]
    fn the_suite_has_fifteen_tasks_with_unique_ids_and_find_names_the_others() {
        let ids: Vec<String> = suite().iter().map(Task::id).collect();
        assert_eq!(ids.len(), 15);
        let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
        assert_eq!(find("gauss-1x1-rho0.75+cube").unwrap().true_mi_nats(), find("gauss-1x1-rho0.75").unwrap().true_mi_nats());
        let e = find("nope").unwrap_err().to_string();
        assert!(e.contains("nope") && e.contains("staircase-20x20-mi2"), "{e}");
    }

    #[test]
    fn true_mi_matches_closed_forms() {
        assert!((Task::bivariate_gaussian(0.75).unwrap().true_mi_nats() - 0.413_339).abs() < 1e-6);
        for (m, want) in [(2, 0.2939), (3, 0.4133), (5, 0.5928), (25, 1.2922), (50, 1.6243)] {
            let t = Task::equicorrelated(m, 0.5).unwrap();
            assert!((t.true_mi_nats() - want).abs() < 1e-4, "m = {m}");
        }
        let t = Task::equicorrelated(4, 0.3).unwrap();
        let cov = Array2::from_shape_fn((8, 8), |(i, j)| if i == j { 1.0 } else { 0.3 });
        assert!((t.true_mi_nats() - gaussian_mi_nats(&cov.view(), 4).unwrap()).abs() < 1e-12);
        assert_eq!(Task::staircase(20, 4.0).unwrap().true_mi_nats(), 4.0);
        assert!((Task::sparse_pairs(5, 0.8).unwrap().true_mi_nats() - 2.0 * 0.510_825_623_765_990_7).abs() < 1e-12);
    }

    #[test]
    fn samples_are_seeded_and_have_the_right_mi() {
        let tasks = [
            Task::bivariate_gaussian(0.75).unwrap(),
            Task::staircase(20, 2.0).unwrap(),
            Task::equicorrelated(5, 0.5).unwrap(),
            Task::sparse_pairs(5, 0.8).unwrap(),
        ];
        for t in &tasks {
            let (x, y) = t.sample(20_000, 1);
            assert_eq!((x.ncols(), y.ncols()), (t.dx(), t.dy()));
            assert_eq!(t.sample(20_000, 1), (x.clone(), y.clone()));
            assert_ne!(t.sample(10, 2).0, t.sample(10, 1).0);
            // the Gaussian estimator is consistent on the untransformed tasks: within 0.03 nats
            let est = gaussian_mi_estimate_nats(&x.view(), &y.view()).unwrap();
            assert!((est - t.true_mi_nats()).abs() < 0.03 + 0.003 * t.dx() as f64, "{}: {est} vs {}", t.id(), t.true_mi_nats());
        }
    }

    #[test]
    fn ids_and_transforms() {
        let t = Task::bivariate_gaussian(0.75).unwrap().with_transform(Transform::Cube).unwrap();
        assert_eq!(t.id(), "gauss-1x1-rho0.75+cube");
        let t = Task::equicorrelated(5, 0.5).unwrap().with_x_transform(Transform::Asinh).unwrap();
        assert_eq!(t.id(), "equicorr-5x5-r0.5+x:asinh");
        let t = Task::staircase(20, 2.0).unwrap().with_transform(Transform::Affine { scale: 2.0, shift: -1.0 }).unwrap();
        assert_eq!(t.id(), "staircase-20x20-mi2+affine(2,-1)");
        assert!(Task::bivariate_gaussian(0.5).unwrap().with_transform(Transform::Affine { scale: 0.0, shift: 0.0 }).is_err());
        assert!(Task::bivariate_gaussian(1.0).is_err() && Task::equicorrelated(3, -0.1).is_err() && Task::sparse_pairs(1, 0.5).is_err());
        for tr in [Transform::NormalCdf, Transform::Asinh, Transform::HalfCube, Transform::Cube, Transform::Affine { scale: -3.0, shift: 1.0 }] {
            // strictly monotone on a grid
            let vals: Vec<f64> = (-40..=40).map(|i| tr.apply(i as f64 * 0.2)).collect();
            let inc = vals.windows(2).all(|w| w[1] > w[0]);
            let dec = vals.windows(2).all(|w| w[1] < w[0]);
            assert!(inc || dec, "{tr:?} not monotone");
        }
    }
}
