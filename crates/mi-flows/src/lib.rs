//! Normalizing flows on tch.
//!
//! ```no_run
//! use mi_flows::{Flow, RealNvp, RealNvpConfig, CouplingKind, Naf2d, Naf2dConfig, Target2d, FitConfig};
//! use tch::{nn, Device, Kind, Tensor};
//!
//! // A RealNVP stack on 8 coordinates: 4 affine couplings, random permutations between them.
//! let vs = nn::VarStore::new(Device::Cpu);
//! let cfg = RealNvpConfig::new(8, 4, &[32, 32], CouplingKind::Affine(mi_flows::Scale::Exp), 0);
//! let flow = RealNvp::new(&vs.root(), &cfg)?;
//! let x = Tensor::randn([16, 8], (Kind::Float, Device::Cpu));
//! let (y, logdet) = flow.forward(&x);
//! let (x_back, logdet_inv) = flow.inverse(&y);
//!
//! // A 2-D neural autoregressive flow fitted to a ring by maximum likelihood.
//! let vs = nn::VarStore::new(Device::Cpu);
//! let naf = Naf2d::new(&vs.root(), &Naf2dConfig::default())?;
//! let report = mi_flows::fit_2d(&naf, &vs, &Target2d::ring(), &FitConfig::default())?;
//! assert!(report.final_nll.is_finite());
//! # Ok::<(), mi_flows::FlowError>(())
//! ```
//!
//! What is here: additive (NICE) and affine (RealNVP) coupling layers ([`Coupling`]), fixed
//! permutations ([`Permutation`]), a RealNVP stack ([`RealNvp`]) with forward, inverse and
//! log-determinant; the deep sigmoidal flow ([`DeepSigmoidalFlow`], inverse by bisection) and a 2-D
//! neural autoregressive flow ([`Naf2d`]); 2-D target densities with exact log-densities
//! ([`Target2d`]: ring, two moons, Gaussian mixture) and maximum-likelihood fitting ([`fit_2d`]).
//!
//! Every flow implements [`Flow`]: `forward(x) = (y, log|det ∂y/∂x|)` and
//! `inverse(y) = (x, log|det ∂x/∂y|)`, both per sample. Models are plain structs built from a
//! `tch::nn::Path`; the `VarStore` owns the parameters. Randomness comes from libtorch's generator
//! (seed with `mi_torch::seed_everything`) and from explicit seeds (permutations, data).
pub mod bisect;
pub mod coupling;
pub mod density;
pub mod dsf;
pub mod error;
pub mod init;
pub mod naf;
pub mod permutation;
pub mod realnvp;
pub mod train;

pub use coupling::{Coupling, CouplingConfig, CouplingKind, Scale};
pub use density::{grid, standard_normal_log_density, Target2d};
pub use dsf::{dsf_transform, DeepSigmoidalFlow, DsfConfig, SigmoidParams};
pub use error::{FlowError, Result};
pub use init::{count_parameters, DenseNet, WeightInit};
pub use mi_torch;
pub use naf::{Naf2d, Naf2dConfig};
pub use permutation::Permutation;
pub use realnvp::{Mixing, RealNvp, RealNvpConfig};
pub use train::{fit_2d, flow_density, flow_log_density, FitConfig, FitReport};

use tch::Tensor;

/// An invertible map on ℝᴰ with a tractable log-determinant, applied to batches `[B, D]`.
pub trait Flow {
    /// Number of coordinates D.
    fn dim(&self) -> i64;
    /// `(y, log|det ∂y/∂x|)`, the latter of shape `[B]`.
    fn forward(&self, x: &Tensor) -> (Tensor, Tensor);
    /// `(x, log|det ∂x/∂y|)`: the inverse map and its log-determinant (minus the forward one).
    fn inverse(&self, y: &Tensor) -> (Tensor, Tensor);
    /// Shallow clones of the trainable parameters.
    fn parameters(&self) -> Vec<Tensor>;
    /// Number of scalar parameters.
    fn num_parameters(&self) -> i64 {
        count_parameters(&self.parameters())
    }
}
