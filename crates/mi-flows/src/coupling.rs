//! Coupling layers: the first `d_cond` coordinates pass through unchanged and condition a
//! transformation of the remaining `d_trans` coordinates.
use crate::init::{DenseNet, WeightInit};
use crate::Flow;
use tch::{nn, Tensor};

/// How the transformed half is changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CouplingKind {
    /// NICE: `y₂ = x₂ + t(x₁)`; volume preserving (log-det 0).
    Additive,
    /// RealNVP: `y₂ = x₂ ⊙ scale(x₁) + t(x₁)`; log-det `Σ log scale`.
    Affine(Scale),
}

/// How the raw network output `r` becomes a positive scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// `exp(r)` (RealNVP).
    Exp,
    /// `eps + softplus(r)` (the adversarial A1b encoder uses `eps = 1e-7`).
    Softplus { eps: f64 },
}

impl Scale {
    /// Returns `(scale, log scale)` for raw outputs `r`.
    fn apply(self, r: &Tensor) -> (Tensor, Tensor) {
        match self {
            Scale::Exp => (r.exp(), r.shallow_clone()),
            Scale::Softplus { eps } => {
                let s = r.softplus() + eps;
                let ls = s.log();
                (s, ls)
            }
        }
    }
}

/// Configuration of one coupling layer.
#[derive(Debug, Clone, PartialEq)]
pub struct CouplingConfig {
    /// Total number of coordinates.
    pub dim: i64,
    /// How many leading coordinates pass through and condition the rest.
    pub d_cond: i64,
    /// Hidden widths of the conditioner network.
    pub hidden: Vec<i64>,
    pub kind: CouplingKind,
    /// Kernel initialisation of the conditioner's hidden layers and of its last layer.
    pub init: WeightInit,
    pub last_init: WeightInit,
}

/// One coupling layer.
#[derive(Debug)]
pub struct Coupling {
    d_cond: i64,
    d_trans: i64,
    kind: CouplingKind,
    net: DenseNet,
}

impl Coupling {
    /// Builds the layer and its conditioner net (`d_cond → hidden… → d_trans`, or `2·d_trans` for
    /// affine couplings: shift first, then raw scale) under `path`.
    pub fn new(path: &nn::Path, c: &CouplingConfig) -> crate::Result<Self> {
        if c.d_cond <= 0 || c.d_cond >= c.dim {
            return Err(crate::FlowError::Config(format!(
                "coupling needs 0 < d_cond < dim, got d_cond {} and dim {}",
                c.d_cond, c.dim
            )));
        }
        let d_trans = c.dim - c.d_cond;
        let out = match c.kind {
            CouplingKind::Additive => d_trans,
            CouplingKind::Affine(_) => 2 * d_trans,
        };
        let net = DenseNet::new(path, c.d_cond, &c.hidden, out, c.init, c.last_init);
        Ok(Self { d_cond: c.d_cond, d_trans, kind: c.kind, net })
    }

    /// The conditioner network.
    pub fn net(&self) -> &DenseNet {
        &self.net
    }

    /// (shift, scale, log scale) given the conditioning half; scale is `None` for additive.
    fn params(&self, x1: &Tensor) -> (Tensor, Option<(Tensor, Tensor)>) {
        let h = self.net.forward(x1);
        match self.kind {
            CouplingKind::Additive => (h, None),
            CouplingKind::Affine(scale) => {
                let shift = h.narrow(1, 0, self.d_trans);
                let raw = h.narrow(1, self.d_trans, self.d_trans);
                (shift, Some(scale.apply(&raw)))
            }
        }
    }
}

impl Flow for Coupling {
    fn dim(&self) -> i64 {
        self.d_cond + self.d_trans
    }

    fn forward(&self, x: &Tensor) -> (Tensor, Tensor) {
        let x1 = x.narrow(1, 0, self.d_cond);
        let x2 = x.narrow(1, self.d_cond, self.d_trans);
        let (shift, scale) = self.params(&x1);
        let (y2, logdet) = match scale {
            None => (x2 + shift, Tensor::zeros([x.size()[0]], (x.kind(), x.device()))),
            Some((s, ls)) => (x2 * s + shift, ls.sum_dim_intlist(1, false, ls.kind())),
        };
        (Tensor::cat(&[x1, y2], 1), logdet)
    }

    fn inverse(&self, y: &Tensor) -> (Tensor, Tensor) {
        let y1 = y.narrow(1, 0, self.d_cond);
        let y2 = y.narrow(1, self.d_cond, self.d_trans);
        let (shift, scale) = self.params(&y1);
        let (x2, logdet) = match scale {
            None => (y2 - shift, Tensor::zeros([y.size()[0]], (y.kind(), y.device()))),
            Some((s, ls)) => ((y2 - shift) / s, -ls.sum_dim_intlist(1, false, ls.kind())),
        };
        (Tensor::cat(&[y1, x2], 1), logdet)
    }

    fn parameters(&self) -> Vec<Tensor> {
        self.net.parameters()
    }
}
