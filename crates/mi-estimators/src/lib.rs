//! Mutual-information estimators that need no neural network and no libtorch.
//!
//! ```
//! use mi_estimators::{knn::{ksg1_mi_nats, KnnOptions}, tasks::Task, gaussian::gaussian_mi_estimate_nats};
//!
//! // 2,000 samples of a bivariate Gaussian with ρ = 0.75 (true MI 0.4133 nats), seed 7
//! let task = Task::bivariate_gaussian(0.75)?;
//! let (x, y) = task.sample(2_000, 7);
//! let ksg = ksg1_mi_nats(&x.view(), &y.view(), &KnnOptions::with_k(3))?;
//! let cca = gaussian_mi_estimate_nats(&x.view(), &y.view())?;
//! assert!((ksg - task.true_mi_nats()).abs() < 0.05);
//! assert!((cca - task.true_mi_nats()).abs() < 0.05);
//!
//! // a variational bound on a B×B critic-score matrix; InfoNCE never exceeds log B
//! let scores = ndarray::Array2::from_shape_fn((4, 4), |(i, j)| if i == j { 3.0 } else { 0.0 });
//! let nce = mi_estimators::bounds::infonce(&scores.view())?;
//! assert!(nce <= 4f64.ln());
//! # Ok::<(), mi_estimators::EstimatorError>(())
//! ```
//!
//! What is here (see `ARCHITECTURE.md`):
//! * [`discrete`]: entropy, conditional entropy, KL divergence and MI of probability arrays;
//!   plug-in and Miller–Madow estimators from integer samples.
//! * [`gaussian`]: Gaussian entropy and MI from a covariance, canonical correlations, and the
//!   Gaussian / CCA estimator from samples.
//! * [`bounds`]: variational bounds on a B×B score matrix — InfoNCE, NWJ, DV (+ MINE's moving
//!   average), TUBA, JS, SMILE(τ), I_α, and [`bounds::Bound`], which names them and dispatches
//!   to them. With the `tch` feature, the same bounds on tensors (`*_tensor`, differentiable), in
//!   the same files.
//! * [`knn`]: KSG 1 and 2 and the Kozachenko–Leonenko entropy (max-norm), k-d tree or parallel
//!   brute force, standardisation on by default, optional seeded jitter.
//! * [`tasks`]: the ground-truth tasks (seeded samplers with exact MI — Gaussian, Student-t,
//!   additive-noise bases under MI-preserving maps): the 15-task suite and the 40-task benchmark.
//! * [`auto`]: the estimate when the estimator is not known in advance — the larger of the
//!   null-corrected copula-KSG and copula-Gaussian estimates (a rule fixed before benchmarking).
//! * [`mixed`]: k-NN MI for categorical–continuous (Ross 2014) and mixed discrete–continuous data
//!   (Gao et al. 2017).
//! * [`copula`], [`permutation`], [`interval`]: rank → normal scores, permutation tests of I = 0,
//!   subsampling intervals.
//! * [`special`]: digamma, ln Γ, log-sum-exp, softplus, erf and Φ.
//!
//! All quantities are in nats. No function of this crate panics on user input: errors are
//! [`EstimatorError`]. The crate does no file or screen I/O.

pub mod auto;
pub mod bounds;
pub mod copula;
pub mod discrete;
mod error;
pub mod gaussian;
pub mod interval;
pub mod knn;
pub mod mixed;
pub mod permutation;
pub mod special;
pub mod tasks;

pub use error::{EstimatorError, Result};
