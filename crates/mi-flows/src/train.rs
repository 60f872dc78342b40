//! Fitting a flow to a 2-D target density by maximum likelihood on its samples.
use crate::density::{standard_normal_log_density, Target2d};
use crate::{Flow, FlowError, Result};
use rand::SeedableRng;
use tch::{nn, nn::OptimizerConfig, Tensor};

/// log p(x) = log N(f(x); 0, I) + log|det ∂f/∂x| of a flow `f` towards a standard normal.
pub fn flow_log_density(flow: &dyn Flow, x: &Tensor) -> Tensor {
    let (z, ld) = flow.forward(x);
    standard_normal_log_density(&z) + ld
}

/// How to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitConfig {
    pub steps: usize,
    pub batch: usize,
    /// Adam's initial learning rate; it follows a cosine decay to a tenth of this.
    pub lr: f64,
    /// Seeds the data stream and the held-out sample.
    pub seed: u64,
    /// Size of the held-out sample on which the final NLL is measured.
    pub eval_samples: usize,
    /// Record the training loss every this many steps.
    pub log_every: usize,
}

impl Default for FitConfig {
    fn default() -> Self {
        Self { steps: 3000, batch: 512, lr: 5e-3, seed: 0, eval_samples: 8192, log_every: 100 }
    }
}

/// What a fit did.
#[derive(Debug, Clone, PartialEq)]
pub struct FitReport {
    pub steps: usize,
    /// (step, training NLL in nats of that step's batch), every `log_every` steps.
    pub loss_history: Vec<(usize, f64)>,
    /// Mean −log p_flow on a held-out target sample, in nats.
    pub final_nll: f64,
    /// Mean −log p_target on the same sample (a Monte-Carlo estimate of the target's entropy, the
    /// lowest NLL any model can reach in expectation), in nats.
    pub target_entropy: f64,
}

/// Fits `flow` (whose parameters live in `vs`) to `target` by minimising the NLL of fresh target
/// batches with Adam. Works in the VarStore's kind. Deterministic on the CPU for a given seed and
/// initial parameters.
pub fn fit_2d(flow: &dyn Flow, vs: &nn::VarStore, target: &Target2d, cfg: &FitConfig) -> Result<FitReport> {
    if flow.dim() != 2 || cfg.batch == 0 || cfg.eval_samples == 0 {
        return Err(FlowError::Config(format!(
            "fit_2d needs a 2-D flow and positive batch sizes, got dim {} and {cfg:?}",
            flow.dim()
        )));
    }
    target.check()?;
    let kind = vs.kind();
    let device = vs.device();
    let mut opt = nn::Adam::default().build(vs, cfg.lr)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut history = vec![];
    for step in 0..cfg.steps {
        let progress = step as f64 / cfg.steps.max(1) as f64;
        opt.set_lr(cfg.lr * (0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())));
        let x = target.tensor(target.sample_with(cfg.batch, &mut rng), kind, device)?;
        let loss = -flow_log_density(flow, &x).mean(kind);
        let value = loss.f_double_value(&[])?;
        if !value.is_finite() {
            return Err(FlowError::Diverged { step, loss: value });
        }
        if cfg.log_every > 0 && step % cfg.log_every == 0 {
            history.push((step, value));
        }
        opt.backward_step_clip_norm(&loss, 100.0);
    }
    let held_out = target.sample(cfg.eval_samples, cfg.seed ^ 0x005e_ed0f_e7a1, kind, device)?;
    let (final_nll, target_entropy) = tch::no_grad(|| -> Result<(f64, f64)> {
        let nll = -flow_log_density(flow, &held_out).mean(kind).f_double_value(&[])?;
        let h = -target.log_density(&held_out).mean(kind).f_double_value(&[])?;
        Ok((nll, h))
    })?;
    Ok(FitReport { steps: cfg.steps, loss_history: history, final_nll, target_entropy })
}

/// The flow's density `exp(log p)` at each row of `x`, without gradients.
pub fn flow_density(flow: &dyn Flow, x: &Tensor) -> Tensor {
    tch::no_grad(|| flow_log_density(flow, x).exp())
}

