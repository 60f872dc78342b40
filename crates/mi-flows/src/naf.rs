//! A 2-D neural autoregressive flow: each layer transforms one coordinate with a learned
//! sigmoid mixture and the other with a sigmoid mixture whose parameters an MLP emits from the
//! first coordinate (a triangular Jacobian); consecutive layers swap the roles of the coordinates.
use crate::bisect::invert_increasing_newton;
use crate::dsf::{dsf_transform, SigmoidParams};
use crate::init::{DenseNet, WeightInit};
use crate::{Flow, FlowError, Result};
use tch::{nn, Tensor};

/// Configuration of a 2-D NAF.
#[derive(Debug, Clone, PartialEq)]
pub struct Naf2dConfig {
    /// Autoregressive layers (the conditioning coordinate alternates 0, 1, 0, …).
    pub layers: usize,
    /// Sigmoids per mixture (K).
    pub components: i64,
    /// Hidden widths of each conditioner MLP (input 1, output 3K).
    pub hidden: Vec<i64>,
}

impl Default for Naf2dConfig {
    /// Three layers, K = 16, conditioners 1→64→64→48: about 15k parameters.
    fn default() -> Self {
        Self { layers: 3, components: 16, hidden: vec![64, 64] }
    }
}

#[derive(Debug)]
struct NafLayer {
    cond: i64,
    k: i64,
    first: Tensor,
    net: DenseNet,
}

impl NafLayer {
    fn transformed(&self) -> i64 {
        1 - self.cond
    }

    fn assemble(&self, c: Tensor, t: Tensor) -> Tensor {
        if self.cond == 0 {
            Tensor::stack(&[c, t], 1)
        } else {
            Tensor::stack(&[t, c], 1)
        }
    }

    fn first_params(&self) -> SigmoidParams {
        SigmoidParams::from_packed(&self.first, self.k)
    }

    fn second_params(&self, xc: &Tensor) -> SigmoidParams {
        SigmoidParams::from_packed(&self.net.forward(&xc.unsqueeze(1)), self.k)
    }

    fn forward(&self, x: &Tensor) -> (Tensor, Tensor) {
        let xc = x.select(1, self.cond);
        let xt = x.select(1, self.transformed());
        let (yc, ldc) = dsf_transform(&xc, &self.first_params());
        let (yt, ldt) = dsf_transform(&xt, &self.second_params(&xc));
        (self.assemble(yc, yt), ldc + ldt)
    }

    fn inverse(&self, y: &Tensor) -> (Tensor, Tensor) {
        let yc = y.select(1, self.cond);
        let yt = y.select(1, self.transformed());
        let p1 = self.first_params();
        let with_slope = |p: &SigmoidParams, x: &Tensor| {
            let (y, ld) = dsf_transform(x, p);
            (y, ld.exp())
        };
        let xc = invert_increasing_newton(|x| with_slope(&p1, x), &yc);
        let p2 = tch::no_grad(|| self.second_params(&xc));
        let xt = invert_increasing_newton(|x| with_slope(&p2, x), &yt);
        let x = self.assemble(xc, xt);
        let (_, ld) = self.forward(&x);
        (x, -ld)
    }
}

/// A neural autoregressive flow on ℝ².
#[derive(Debug)]
pub struct Naf2d {
    layers: Vec<NafLayer>,
}

impl Naf2d {
    /// Builds the flow under `path` (layers `layer_0`, …): learned first-coordinate mixtures with
    /// slopes near 1 and offsets ~ N(0, 1); Glorot-uniform conditioners.
    pub fn new(path: &nn::Path, cfg: &Naf2dConfig) -> Result<Self> {
        if cfg.layers == 0 || cfg.components < 1 {
            return Err(FlowError::Config(format!("NAF needs at least one layer and one component, got {cfg:?}")));
        }
        let k = cfg.components;
        let layers = (0..cfg.layers)
            .map(|i| {
                let p = path.sub(format!("layer_{i}"));
                let a = Tensor::randn([k], (p.kind(), p.device())) * 0.1 + 0.5413;
                let b = Tensor::randn([k], (p.kind(), p.device()));
                let w = Tensor::zeros([k], (p.kind(), p.device()));
                let first = p.var_copy("first", &Tensor::cat(&[a, b, w], 0));
                let net = DenseNet::new(
                    &p.sub("conditioner"),
                    1,
                    &cfg.hidden,
                    3 * k,
                    WeightInit::GlorotUniform,
                    WeightInit::GlorotUniform,
                );
                NafLayer { cond: (i % 2) as i64, k, first, net }
            })
            .collect();
        Ok(Self { layers })
    }
}

impl Flow for Naf2d {
    fn dim(&self) -> i64 {
        2
    }

    fn forward(&self, x: &Tensor) -> (Tensor, Tensor) {
        let mut h = x.shallow_clone();
        let mut ld = Tensor::zeros([x.size()[0]], (x.kind(), x.device()));
        for l in &self.layers {
            let (y, d) = l.forward(&h);
            h = y;
            ld += d;
        }
        (h, ld)
    }

    /// Inverts layer by layer, each coordinate by Newton-safeguarded bisection (no gradient is
    /// recorded).
    fn inverse(&self, y: &Tensor) -> (Tensor, Tensor) {
        let mut h = y.shallow_clone();
        let mut ld = Tensor::zeros([y.size()[0]], (y.kind(), y.device()));
        for l in self.layers.iter().rev() {
            let (x, d) = l.inverse(&h);
            h = x;
            ld += d;
        }
        (h, ld)
    }

    fn parameters(&self) -> Vec<Tensor> {
        self.layers
            .iter()
            .flat_map(|l| std::iter::once(l.first.shallow_clone()).chain(l.net.parameters()))
            .collect()
    }
}
