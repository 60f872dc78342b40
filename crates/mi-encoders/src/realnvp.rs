//! RealNVP encoders of A1: 30 couplings on 392 coordinates, the first 196 conditioning the other
//! 196 through Dense(196→512, ReLU) → Dense(512→512, ReLU) → Dense(512→196 or 392) nets with
//! truncated N(0, 1e-4²) kernels and zero biases, a fixed seeded random permutation before each
//! coupling (30 permutations, as in the authors' notebook). Additive (A1a, volume preserving, ≈ a permutation at initialisation; 13,922,040
//! parameters) or affine with scale = 1e-7 + softplus(raw) (A1b; 16,938,480 parameters).
use crate::{Encoder, Result};
use mi_flows::{CouplingKind, Flow, Mixing, RealNvp, RealNvpConfig, Scale, WeightInit};
use tch::{nn, Tensor};

/// The ε of the A1b scale `ε + softplus(raw)`.
pub const AFFINE_SCALE_EPS: f64 = 1e-7;

/// The paper's configuration on `dim` coordinates (392 for MNIST halves) with permutations drawn
/// from `seed`.
pub fn paper_config(dim: i64, kind: CouplingKind, seed: u64) -> RealNvpConfig {
    let init = WeightInit::TruncatedNormal { std: 1e-4 };
    RealNvpConfig {
        dim,
        couplings: 30,
        d_cond: dim / 2,
        hidden: vec![512, 512],
        kind,
        init,
        last_init: init,
        mixing: Mixing::Random { seed },
        permute_first: true,
    }
}

/// A bijective encoder: a RealNVP stack whose forward map is the representation.
#[derive(Debug)]
pub struct RealNvpEncoder {
    flow: RealNvp,
}

impl RealNvpEncoder {
    /// Builds the stack under `path`.
    pub fn new(path: &nn::Path, cfg: &RealNvpConfig) -> Result<Self> {
        Ok(Self { flow: RealNvp::new(path, cfg)? })
    }

    /// A1a: additive couplings on MNIST halves (392 coordinates).
    pub fn additive_paper(path: &nn::Path, seed: u64) -> Result<Self> {
        Self::new(path, &paper_config(392, CouplingKind::Additive, seed))
    }

    /// A1b: affine couplings with scale `1e-7 + softplus(raw)` on MNIST halves.
    pub fn affine_paper(path: &nn::Path, seed: u64) -> Result<Self> {
        let kind = CouplingKind::Affine(Scale::Softplus { eps: AFFINE_SCALE_EPS });
        Self::new(path, &paper_config(392, kind, seed))
    }

    /// The underlying flow (inverse and log-determinant).
    pub fn flow(&self) -> &RealNvp {
        &self.flow
    }
}

impl Encoder for RealNvpEncoder {
    fn encode(&self, x: &Tensor) -> Tensor {
        self.flow.forward(&x.flatten(1, -1)).0
    }
    fn input_dim(&self) -> i64 {
        self.flow.dim()
    }
    fn output_dim(&self) -> i64 {
        self.flow.dim()
    }
    fn parameters(&self) -> Vec<Tensor> {
        self.flow.parameters()
    }
}
