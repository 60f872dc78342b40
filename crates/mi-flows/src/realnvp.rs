//! A RealNVP stack: coupling layers with a fixed permutation between consecutive couplings, and
//! optionally one before the first coupling (the authors' notebook permutes first).
use crate::coupling::{Coupling, CouplingConfig, CouplingKind};
use crate::init::WeightInit;
use crate::permutation::{random_permutations, Permutation};
use crate::{Flow, FlowError, Result};
use tch::{nn, Tensor};

/// Which permutation sits between consecutive couplings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mixing {
    /// Independent uniformly random permutations drawn from this seed (the paper's choice).
    Random { seed: u64 },
    /// Reverse the coordinates.
    Reverse,
}

/// Configuration of a RealNVP stack.
#[derive(Debug, Clone, PartialEq)]
pub struct RealNvpConfig {
    pub dim: i64,
    /// Number of coupling layers.
    pub couplings: usize,
    /// Leading coordinates that condition each coupling (default: `dim / 2`).
    pub d_cond: i64,
    /// Hidden widths of each conditioner network.
    pub hidden: Vec<i64>,
    pub kind: CouplingKind,
    pub init: WeightInit,
    pub last_init: WeightInit,
    pub mixing: Mixing,
    /// A permutation before the first coupling too (`couplings` permutations instead of
    /// `couplings − 1`). The authors' A1 chain starts with one, so its first coupling does not
    /// condition on the image's fixed top-left half.
    pub permute_first: bool,
}

impl RealNvpConfig {
    /// A stack on `dim` coordinates split in halves, with `couplings` couplings, ReLU conditioners
    /// of the given hidden widths, Glorot-uniform kernels, and random permutations from `seed`.
    pub fn new(dim: i64, couplings: usize, hidden: &[i64], kind: CouplingKind, seed: u64) -> Self {
        Self {
            dim,
            couplings,
            d_cond: dim / 2,
            hidden: hidden.to_vec(),
            kind,
            init: WeightInit::GlorotUniform,
            last_init: WeightInit::GlorotUniform,
            mixing: Mixing::Random { seed },
            permute_first: false,
        }
    }

    /// Puts a permutation before the first coupling as well.
    pub fn with_leading_permutation(mut self) -> Self {
        self.permute_first = true;
        self
    }

    /// Sets both kernel initialisations.
    pub fn with_init(mut self, init: WeightInit) -> Self {
        self.init = init;
        self.last_init = init;
        self
    }
}

#[derive(Debug)]
enum Layer {
    Coupling(Coupling),
    Permute(Permutation),
}

impl Layer {
    fn flow(&self) -> &dyn Flow {
        match self {
            Layer::Coupling(c) => c,
            Layer::Permute(p) => p,
        }
    }
}

/// couplings[0], perm[0], couplings[1], …, perm[n−2], couplings[n−1]; with `permute_first`,
/// perm[0], couplings[0], perm[1], …, perm[n−1], couplings[n−1].
#[derive(Debug)]
pub struct RealNvp {
    dim: i64,
    layers: Vec<Layer>,
}

impl RealNvp {
    /// Builds the stack under `path` (couplings named `coupling_0`, …).
    pub fn new(path: &nn::Path, c: &RealNvpConfig) -> Result<Self> {
        if c.couplings == 0 || c.dim < 2 {
            return Err(FlowError::Config(format!(
                "RealNVP needs at least one coupling and two coordinates, got {} and {}",
                c.couplings, c.dim
            )));
        }
        let n_perm = c.couplings - 1 + usize::from(c.permute_first);
        let perms = match c.mixing {
            Mixing::Random { seed } => random_permutations(c.dim as usize, n_perm, seed),
            Mixing::Reverse => vec![(0..c.dim).rev().collect(); n_perm],
        };
        let cc = CouplingConfig {
            dim: c.dim,
            d_cond: c.d_cond,
            hidden: c.hidden.clone(),
            kind: c.kind,
            init: c.init,
            last_init: c.last_init,
        };
        let mut layers = Vec::with_capacity(2 * c.couplings);
        let mut perms = perms.into_iter();
        for i in 0..c.couplings {
            if i > 0 || c.permute_first {
                let p = perms.next().unwrap_or_default();
                layers.push(Layer::Permute(Permutation::from_indices(p, path.device())?));
            }
            layers.push(Layer::Coupling(Coupling::new(&path.sub(format!("coupling_{i}")), &cc)?));
        }
        Ok(Self { dim: c.dim, layers })
    }

    /// The coupling layers in order.
    pub fn couplings(&self) -> impl Iterator<Item = &Coupling> {
        self.layers.iter().filter_map(|l| match l {
            Layer::Coupling(c) => Some(c),
            Layer::Permute(_) => None,
        })
    }

    /// The permutation layers (the leading one, if any, then those between couplings), in order.
    pub fn permutations(&self) -> impl Iterator<Item = &Permutation> {
        self.layers.iter().filter_map(|l| match l {
            Layer::Permute(p) => Some(p),
            Layer::Coupling(_) => None,
        })
    }

    /// The composed permutation of all permutation layers: with couplings that are the identity
    /// the whole stack maps `x` to `x[:, composed]`.
    pub fn composed_permutation(&self) -> Vec<i64> {
        let mut idx: Vec<i64> = (0..self.dim).collect();
        for p in self.permutations() {
            idx = p.indices().iter().map(|&j| idx[j as usize]).collect();
        }
        idx
    }
}

impl Flow for RealNvp {
    fn dim(&self) -> i64 {
        self.dim
    }

    fn forward(&self, x: &Tensor) -> (Tensor, Tensor) {
        let mut h = x.shallow_clone();
        let mut logdet = Tensor::zeros([x.size()[0]], (x.kind(), x.device()));
        for l in &self.layers {
            if let Layer::Permute(p) = l {
                h = p.forward(&h).0;
                continue;
            }
            let (y, ld) = l.flow().forward(&h);
            h = y;
            logdet += ld;
        }
        (h, logdet)
    }

    fn inverse(&self, y: &Tensor) -> (Tensor, Tensor) {
        let mut h = y.shallow_clone();
        let mut logdet = Tensor::zeros([y.size()[0]], (y.kind(), y.device()));
        for l in self.layers.iter().rev() {
            if let Layer::Permute(p) = l {
                h = p.inverse(&h).0;
                continue;
            }
            let (x, ld) = l.flow().inverse(&h);
            h = x;
            logdet += ld;
        }
        (h, logdet)
    }

    fn parameters(&self) -> Vec<Tensor> {
        self.layers.iter().flat_map(|l| l.flow().parameters()).collect()
    }
}
