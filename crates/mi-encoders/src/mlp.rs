//! The MLP encoder of A3/A4: Dense(392→300, ReLU) → Dense(300→300, ReLU) → Dense(300→100),
//! Glorot-uniform kernels, zero biases (238,300 parameters).
use crate::{Encoder, EncoderError, Result};
use mi_flows::{DenseNet, WeightInit};
use tch::{nn, Tensor};

/// Sizes of an MLP encoder.
#[derive(Debug, Clone, PartialEq)]
pub struct MlpConfig {
    pub input_dim: i64,
    pub hidden: Vec<i64>,
    pub output_dim: i64,
}

impl MlpConfig {
    /// The paper's MLP on MNIST halves: 392 → 300 → 300 → 100.
    pub fn paper() -> Self {
        Self { input_dim: 392, hidden: vec![300, 300], output_dim: 100 }
    }
    /// The same MLP on CIFAR-10 halves (3 × 16 × 32 = 1536 inputs).
    pub fn cifar() -> Self {
        Self { input_dim: 1536, ..Self::paper() }
    }
}

/// ReLU MLP with a linear output layer.
#[derive(Debug)]
pub struct Mlp {
    cfg: MlpConfig,
    net: DenseNet,
}

impl Mlp {
    /// Builds the MLP under `path` (layers `0`, `1`, …).
    pub fn new(path: &nn::Path, cfg: &MlpConfig) -> Result<Self> {
        if cfg.input_dim < 1 || cfg.output_dim < 1 || cfg.hidden.iter().any(|&h| h < 1) {
            return Err(EncoderError::Config(format!("MLP sizes must be positive: {cfg:?}")));
        }
        let net = DenseNet::new(
            path,
            cfg.input_dim,
            &cfg.hidden,
            cfg.output_dim,
            WeightInit::GlorotUniform,
            WeightInit::GlorotUniform,
        );
        Ok(Self { cfg: cfg.clone(), net })
    }

    /// The paper's MLP (392 → 300 → 300 → 100).
    pub fn paper(path: &nn::Path) -> Result<Self> {
        Self::new(path, &MlpConfig::paper())
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &MlpConfig {
        &self.cfg
    }
}

impl Encoder for Mlp {
    fn encode(&self, x: &Tensor) -> Tensor {
        self.net.forward(&x.flatten(1, -1))
    }
    fn input_dim(&self) -> i64 {
        self.cfg.input_dim
    }
    fn output_dim(&self) -> i64 {
        self.cfg.output_dim
    }
    fn parameters(&self) -> Vec<Tensor> {
        self.net.parameters()
    }
}
