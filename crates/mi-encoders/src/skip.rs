//! The skip-connection MLP of A2: `x ← relu(Wx + b) + x` for layers 1–4 and `x ← Wx + b + x` for
//! layer 5, kernels from a truncated N(0, 1e-4²) (draws beyond 2 sd redrawn, as TensorFlow's
//! `truncated_normal` in the authors' notebook), zero biases: within about 1e-3 of the identity at
//! initialisation (770,280 parameters at dimension 392).
use crate::{Encoder, EncoderError, Result};
use mi_flows::{init::dense, WeightInit};
use tch::{nn, Tensor};

/// Sizes and initialisation of a skip-connection MLP.
#[derive(Debug, Clone, PartialEq)]
pub struct SkipMlpConfig {
    pub dim: i64,
    pub layers: usize,
    /// Standard deviation of the truncated N(0, std²) kernel initialisation (cut at ±2 std).
    pub init_std: f64,
}

impl SkipMlpConfig {
    /// The paper's setting: 5 residual Dense(392) layers, std 1e-4.
    pub fn paper() -> Self {
        Self { dim: 392, layers: 5, init_std: 1e-4 }
    }
}

/// Residual MLP of constant width.
#[derive(Debug)]
pub struct SkipMlp {
    cfg: SkipMlpConfig,
    layers: Vec<nn::Linear>,
}

impl SkipMlp {
    /// Builds it under `path` (layers `0`, `1`, …).
    pub fn new(path: &nn::Path, cfg: &SkipMlpConfig) -> Result<Self> {
        if cfg.dim < 1 || cfg.layers == 0 || cfg.init_std.is_nan() || cfg.init_std < 0.0 {
            return Err(EncoderError::Config(format!("skip-MLP needs positive sizes and std ≥ 0: {cfg:?}")));
        }
        let init = WeightInit::TruncatedNormal { std: cfg.init_std };
        let layers = (0..cfg.layers).map(|i| dense(&path.sub(i.to_string()), cfg.dim, cfg.dim, init)).collect();
        Ok(Self { cfg: cfg.clone(), layers })
    }

    /// The paper's skip-MLP (5 × Dense(392), truncated N(0, 1e-4²)).
    pub fn paper(path: &nn::Path) -> Result<Self> {
        Self::new(path, &SkipMlpConfig::paper())
    }
}

impl Encoder for SkipMlp {
    fn encode(&self, x: &Tensor) -> Tensor {
        let n = self.layers.len();
        let mut h = x.flatten(1, -1);
        for (i, l) in self.layers.iter().enumerate() {
            let z = h.linear(&l.ws, l.bs.as_ref());
            h = if i + 1 < n { z.relu() + h } else { z + h };
        }
        h
    }
    fn input_dim(&self) -> i64 {
        self.cfg.dim
    }
    fn output_dim(&self) -> i64 {
        self.cfg.dim
    }
    fn parameters(&self) -> Vec<Tensor> {
        self.layers
            .iter()
            .flat_map(|l| std::iter::once(l.ws.shallow_clone()).chain(l.bs.iter().map(Tensor::shallow_clone)))
            .collect()
    }
}
