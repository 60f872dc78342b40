//! Ground-truth tasks: seeded samplers of (X, Y) with exactly known I(X; Y).
//!
//! A [`Task`] is a base distribution with a closed-form MI ([`Base`]: Gaussian families,
//! Student-t, additive uniform noise) and a chain of injective maps applied to X and to Y
//! ([`Transform`]: per-coordinate monotone maps, a spiral, a Swiss-roll embedding). MI is
//! invariant under such maps, so every task's truth is its base's closed form, while estimators
//! that assume Gaussianity, a scale or linear dependence are put to the test. Each task has a
//! stable id.
//!
//! Two lists: [`suite`] (15 tasks, the table of `reproduce estimators`) and [`bench_suite`] (40
//! tasks modelled on the "Beyond Normal" benchmark of Czyż et al. 2023, for `cargo xtask bench
//! estimators` and `infomax tasks`). [`find`] looks an id up in both.
//!
//! ```
//! use mi_estimators::tasks::{find, Task, Transform};
//! let t = Task::student_t(2, 1.0).unwrap().with_transform(Transform::Asinh).unwrap();
//! assert_eq!(t.id(), "student-2x2-df1+asinh");
//! assert_eq!(find(&t.id()).unwrap(), t);
//! let (x, y) = t.sample(100, 7);
//! assert_eq!((x.ncols(), y.ncols()), (2, 2));
//! assert!(t.true_mi_nats() > 0.0); // uncorrelated, yet dependent
//! ```
use crate::error::Result;
use ndarray::Array2;
use rand::SeedableRng;

mod base;
mod suites;
mod transform;

pub use base::{student_t_entropy_nats, Base};
pub use suites::{all, bench_suite, find, suite, SUITE_QUICK};
pub use transform::Transform;

/// A ground-truth task: a base distribution and per-variable transform chains.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Task {
    pub base: Base,
    /// applied in order to X
    pub x_transforms: Vec<Transform>,
    /// applied in order to Y
    pub y_transforms: Vec<Transform>,
}

impl Task {
    /// A task from a base distribution, checking its parameters.
    pub fn new(base: Base) -> Result<Task> {
        base.check()?;
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
    /// Two correlated coordinate pairs (ρ) among m, nothing else correlated.
    pub fn sparse_pairs(m: usize, rho: f64) -> Result<Task> {
        Task::new(Base::SparsePairs { m, rho, within: 0.0 })
    }
    /// Two correlated coordinate pairs (ρ) among m, and correlation `within` inside X and inside Y.
    pub fn sparse_pairs_within(m: usize, rho: f64, within: f64) -> Result<Task> {
        Task::new(Base::SparsePairs { m, rho, within })
    }
    pub fn student_t(m: usize, df: f64) -> Result<Task> {
        Task::new(Base::StudentT { m, df })
    }
    pub fn additive_uniform(eps: f64) -> Result<Task> {
        Task::new(Base::AdditiveUniform { eps })
    }

    /// Adds `t` to the transform chains of both X and Y.
    pub fn with_transform(self, t: Transform) -> Result<Task> {
        self.with_x_transform(t)?.with_y_transform(t)
    }
    /// Adds `t` to the transform chain of X only.
    pub fn with_x_transform(mut self, t: Transform) -> Result<Task> {
        t.check_dim(self.dx())?;
        self.x_transforms.push(t);
        Ok(self)
    }
    /// Adds `t` to the transform chain of Y only.
    pub fn with_y_transform(mut self, t: Transform) -> Result<Task> {
        t.check_dim(self.dy())?;
        self.y_transforms.push(t);
        Ok(self)
    }

    /// Stable identifier, e.g. `gauss-1x1-rho0.75+cube` or `equicorr-5x5-r0.5+x:asinh`.
    pub fn id(&self) -> String {
        let mut id = self.base.id();
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

    /// Dimension of X (after its transforms).
    pub fn dx(&self) -> usize {
        self.x_transforms.iter().fold(self.base.dim(), |d, t| t.out_dim(d))
    }

    /// Dimension of Y (after its transforms).
    pub fn dy(&self) -> usize {
        self.y_transforms.iter().fold(self.base.dim(), |d, t| t.out_dim(d))
    }

    /// The exact I(X; Y) in nats.
    pub fn true_mi_nats(&self) -> f64 {
        self.base.true_mi_nats()
    }

    /// n samples (X: n × dx, Y: n × dy), a deterministic function of `seed`.
    pub fn sample(&self, n: usize, seed: u64) -> (Array2<f64>, Array2<f64>) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let (x, y) = self.base.sample(n, &mut rng);
        let x = self.x_transforms.iter().fold(x, |a, t| t.apply(a));
        let y = self.y_transforms.iter().fold(y, |a, t| t.apply(a));
        (x, y)
    }
}

#[cfg(test)]
mod tests;
