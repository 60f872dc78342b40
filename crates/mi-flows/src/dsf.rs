//! The deep sigmoidal flow (Huang et al., 2018): per coordinate
//! `y = logit( Σ_j w_j σ(a_j x + b_j) )` with `a_j = softplus(·) + δ > 0` and `w = softmax(·)`,
//! strictly increasing in `x` and onto ℝ, so invertible (numerically: bisection safeguarded by
//! Newton steps, see [`crate::bisect`]; there is no closed form).
use crate::bisect::invert_increasing_newton;
use crate::Flow;
use tch::{nn, Kind, Tensor};

/// The lower bound δ on the slopes `a_j`.
pub const MIN_SLOPE: f64 = 1e-3;

/// Unconstrained parameters of a sigmoid mixture, each of shape `[..., K]` (broadcast against
/// `x.unsqueeze(-1)`).
#[derive(Debug)]
pub struct SigmoidParams {
    /// Raw slopes: `a = softplus(a_raw) + δ`.
    pub a_raw: Tensor,
    /// Offsets.
    pub b: Tensor,
    /// Mixture logits: `w = softmax(w_logit)`.
    pub w_logit: Tensor,
}

impl SigmoidParams {
    /// Splits a tensor `[..., 3K]` into (a_raw, b, w_logit), K each.
    pub fn from_packed(p: &Tensor, k: i64) -> Self {
        let last = p.dim() as i64 - 1;
        Self { a_raw: p.narrow(last, 0, k), b: p.narrow(last, k, k), w_logit: p.narrow(last, 2 * k, k) }
    }
}

/// `y` and `log dy/dx` for the sigmoid-mixture transform, elementwise over `x`.
///
/// Computed in log space, with no clipping: `log z = logsumexp(log w + log σ(u))` and
/// `log(1 − z) = logsumexp(log w + log σ(−u))`, so `y = log z − log(1 − z)` stays accurate far in
/// the tails, and `log dy/dx = logsumexp(log w + log σ(u) + log σ(−u) + log a) − log z − log(1−z)`.
pub fn dsf_transform(x: &Tensor, p: &SigmoidParams) -> (Tensor, Tensor) {
    let a = p.a_raw.softplus() + MIN_SLOPE;
    let u = x.unsqueeze(-1) * &a + &p.b;
    let logw = p.w_logit.log_softmax(-1, None::<Kind>);
    let ls_pos = u.log_sigmoid();
    let ls_neg = (-&u).log_sigmoid();
    let log_z = (&logw + &ls_pos).logsumexp([-1], false);
    let log_1mz = (&logw + &ls_neg).logsumexp([-1], false);
    let y = &log_z - &log_1mz;
    let log_dz = (&logw + &ls_pos + &ls_neg + a.log()).logsumexp([-1], false);
    (y, log_dz - log_z - log_1mz)
}

/// Configuration of an elementwise deep sigmoidal flow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DsfConfig {
    /// Number of coordinates.
    pub dim: i64,
    /// Sigmoids per mixture (K; 4 in the NAF paper).
    pub components: i64,
    /// Sigmoid-mixture transforms composed per coordinate.
    pub layers: i64,
}

/// An elementwise flow: each coordinate goes through `layers` sigmoid-mixture transforms with
/// their own learned parameters.
#[derive(Debug)]
pub struct DeepSigmoidalFlow {
    cfg: DsfConfig,
    a_raw: Tensor,
    b: Tensor,
    w_logit: Tensor,
}

impl DeepSigmoidalFlow {
    /// Builds the flow under `path`: slopes start near 1, offsets ~ N(0, 1), equal weights.
    pub fn new(path: &nn::Path, cfg: DsfConfig) -> crate::Result<Self> {
        if cfg.dim < 1 || cfg.components < 1 || cfg.layers < 1 {
            return Err(crate::FlowError::Config(format!("DSF needs positive sizes, got {cfg:?}")));
        }
        let dims = [cfg.layers, cfg.dim, cfg.components];
        // softplus(0.5413) ≈ 1
        let a_raw = path.var("a_raw", &dims, nn::Init::Randn { mean: 0.5413, stdev: 0.1 });
        let b = path.var("b", &dims, nn::Init::Randn { mean: 0.0, stdev: 1.0 });
        let w_logit = path.zeros("w_logit", &dims);
        Ok(Self { cfg, a_raw, b, w_logit })
    }

    fn layer(&self, l: i64) -> SigmoidParams {
        SigmoidParams { a_raw: self.a_raw.get(l), b: self.b.get(l), w_logit: self.w_logit.get(l) }
    }

    /// Applies layer `l` to every coordinate; returns `(y, per-coordinate log dy/dx)`.
    fn apply_layer(&self, l: i64, x: &Tensor) -> (Tensor, Tensor) {
        dsf_transform(x, &self.layer(l))
    }
}

impl Flow for DeepSigmoidalFlow {
    fn dim(&self) -> i64 {
        self.cfg.dim
    }

    fn forward(&self, x: &Tensor) -> (Tensor, Tensor) {
        let mut h = x.shallow_clone();
        let mut ld = Tensor::zeros_like(x);
        for l in 0..self.cfg.layers {
            let (y, d) = self.apply_layer(l, &h);
            h = y;
            ld += d;
        }
        let total = ld.sum_dim_intlist(1, false, ld.kind());
        (h, total)
    }

    fn inverse(&self, y: &Tensor) -> (Tensor, Tensor) {
        let mut h = y.shallow_clone();
        for l in (0..self.cfg.layers).rev() {
            h = invert_increasing_newton(
                |x| {
                    let (y, ld) = self.apply_layer(l, x);
                    (y, ld.exp())
                },
                &h,
            );
        }
        let (_, ld) = self.forward(&h);
        (h, -ld)
    }

    fn parameters(&self) -> Vec<Tensor> {
        vec![self.a_raw.shallow_clone(), self.b.shallow_clone(), self.w_logit.shallow_clone()]
    }
}
