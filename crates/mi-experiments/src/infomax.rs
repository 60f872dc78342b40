//! The training loop shared by the paper's InfoMax experiments (A1a, A2, A3, A4): two encoders
//! g1, g2 on the two views, one critic, one bound, one Adam optimiser over all of them
//! (`mi_torch::optim::Adam`: PyTorch's update in one fused pass per parameter).
//!
//! Each evaluation point (steps 0, every, 2·every, … below `steps`, before that step's update)
//! records I_est averaged over 20 fresh training batches (what the paper plotted), I_est on the
//! real test set (honest), and the test/train accuracy of a fresh linear probe on g1(top halves)
//! of all training and test images (min-max scaling, SAGA, C = 10, tol = 0.1).
use crate::progress::RunProgress;
use mi_critics::Critic;
use mi_encoders::Encoder;
use mi_probe::{LogisticRegression, MinMaxScaler};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use tch::nn;
use tch::{Device, Tensor};

/// Errors of an experiment.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    #[error(transparent)]
    Data(#[from] mi_data::DataError),
    #[error(transparent)]
    Views(#[from] mi_views::ViewError),
    #[error(transparent)]
    Encoder(#[from] mi_encoders::EncoderError),
    #[error(transparent)]
    Critic(#[from] mi_critics::CriticError),
    #[error(transparent)]
    Estimator(#[from] mi_estimators::EstimatorError),
    #[error(transparent)]
    Probe(#[from] mi_probe::ProbeError),
    #[error(transparent)]
    Torch(#[from] mi_torch::TorchError),
    #[error(transparent)]
    Tch(#[from] tch::TchError),
    #[error(transparent)]
    Results(#[from] crate::results::ResultsError),
    #[error("{0}")]
    Invalid(String),
    #[error("training diverged in {config} run {run} at step {step}: the loss is {loss}")]
    Diverged { config: String, run: usize, step: usize, loss: f64 },
}

pub type Result<T, E = ExperimentError> = std::result::Result<T, E>;

/// Which encoder architecture (the names used in `summary.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncoderKind {
    Mlp,
    Convnet,
    SkipMlp,
    RealnvpAdditive,
    RealnvpAffine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriticKind {
    Bilinear,
    Separable,
    Concat,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EstimatorKind {
    Infonce,
    Nwj,
    None,
}

/// One configuration of an experiment grid.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairConfig {
    pub name: String,
    pub encoder: EncoderKind,
    pub critic: CriticKind,
    pub estimator: EstimatorKind,
    /// Target of the loss |I_est − t|; `None` for the loss −I_est.
    pub t: Option<f64>,
    /// This configuration's own training length, in place of the loop's (`None`: the loop's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
}

/// How long one configuration trains and how often it is evaluated, when that differs from the
/// rest of its grid (A4's quick profile trains its I_NWJ pair with t = 4 longer, as that bound
/// needs ≈5,000 steps to reach its target at the paper's learning rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub steps: usize,
    pub eval_every: usize,
}

/// Settings shared by every configuration of a run of an experiment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LoopSettings {
    pub steps: usize,
    pub eval_every: usize,
    pub batch: usize,
    pub learning_rate: f64,
    /// Fresh training batches averaged for the "training-batch" I_est at an evaluation.
    pub eval_train_batches: usize,
    /// Test batches (in order, full batches only) for the test-set I_est; 0 = all.
    pub eval_test_batches: usize,
    /// Standard deviation of the Gaussian noise added to both views (shared draw) during
    /// training and, freshly drawn, to the probe's inputs (A2). `None`: no noise.
    pub noise_sd: Option<f64>,
    pub probe_c: f64,
    pub probe_tol: f64,
    pub probe_max_epochs: usize,
}

impl LoopSettings {
    /// The paper's settings: 21,000 steps, evaluation every 1,000 from step 0, batch 128,
    /// Adam 1e-4, probe C = 10, tol 0.1, at most 100 epochs.
    pub fn paper() -> Self {
        Self {
            steps: 21_000,
            eval_every: 1_000,
            batch: 128,
            learning_rate: 1e-4,
            eval_train_batches: 20,
            eval_test_batches: 0,
            noise_sd: None,
            probe_c: 10.0,
            probe_tol: 0.1,
            probe_max_epochs: 100,
        }
    }

    /// The evaluation steps: 0, every, 2·every, … below `steps`.
    pub fn eval_steps(&self) -> Vec<usize> {
        (0..self.steps).step_by(self.eval_every.max(1)).collect()
    }

    /// These settings with `cfg`'s own schedule, if it has one.
    pub fn for_config(&self, cfg: &PairConfig) -> LoopSettings {
        match cfg.schedule {
            Some(sc) => LoopSettings { steps: sc.steps, eval_every: sc.eval_every, ..self.clone() },
            None => self.clone(),
        }
    }
}

/// The image datasets whose top/bottom halves the InfoMax experiments split into two views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    /// MNIST: each view 1 × 14 × 28 (392 values).
    Mnist,
    /// CIFAR-10: each view 3 × 16 × 32 (1,536 values, channel-major).
    Cifar10,
}

impl Dataset {
    /// The name for people ("MNIST", "CIFAR-10").
    pub fn label(self) -> &'static str {
        match self {
            Dataset::Mnist => "MNIST",
            Dataset::Cifar10 => "CIFAR-10",
        }
    }

    /// One view as (channels, height, width); a flat row of a view is read in this order.
    pub fn view_shape(self) -> (usize, usize, usize) {
        match self {
            Dataset::Mnist => (1, 14, 28),
            Dataset::Cifar10 => (3, 16, 32),
        }
    }

    /// Values in one (flattened) view.
    pub fn view_dim(self) -> usize {
        let (c, h, w) = self.view_shape();
        c * h * w
    }
}

/// A dataset as the experiments use it: both views (top and bottom halves) of every image as
/// flat float tensors on the device, plus labels on the CPU for the probe.
pub struct PairViews {
    pub train_x1: Tensor,
    pub train_x2: Tensor,
    pub test_x1: Tensor,
    pub test_x2: Tensor,
    pub train_labels: Array1<i64>,
    pub test_labels: Array1<i64>,
    /// The top halves on the CPU, for the pixel baseline.
    pub train_x1_cpu: Array2<f32>,
    pub test_x1_cpu: Array2<f32>,
    pub device: Device,
    /// Which images the views come from (sizes the encoders' inputs).
    pub dataset: Dataset,
}

impl PairViews {
    /// Top/bottom halves (392 + 392, pixels u8/255) of real MNIST.
    pub fn from_mnist(m: &mi_data::mnist::Mnist, device: Device) -> Result<Self> {
        let train = mi_views::halves::mnist_views(m.train_images.view(), mi_views::halves::Split::TopBottom)?;
        let test = mi_views::halves::mnist_views(m.test_images.view(), mi_views::halves::Split::TopBottom)?;
        let t = |a: &Array2<f32>| mi_torch::array2_to_tensor(&a.view(), device);
        Ok(Self {
            train_x1: t(&train.x1),
            train_x2: t(&train.x2),
            test_x1: t(&test.x1),
            test_x2: t(&test.x2),
            train_labels: m.train_labels.mapv(i64::from),
            test_labels: m.test_labels.mapv(i64::from),
            train_x1_cpu: train.x1,
            test_x1_cpu: test.x1,
            device,
            dataset: Dataset::Mnist,
        })
    }

    /// Top/bottom halves (rows 0–15 and 16–31, each 3 × 16 × 32 flattened channel-major to
    /// 1,536 values, pixels u8/255) of real CIFAR-10.
    pub fn from_cifar10(c: &mi_data::cifar10::Cifar10, device: Device) -> Result<Self> {
        let flat = |x: ndarray::Array4<f32>| mi_views::halves::flatten4(x.view());
        let (tr1, tr2) = mi_views::halves::cifar_views(c.train_images.view())?;
        let (te1, te2) = mi_views::halves::cifar_views(c.test_images.view())?;
        let (tr1, tr2, te1, te2) = (flat(tr1), flat(tr2), flat(te1), flat(te2));
        let t = |a: &Array2<f32>| mi_torch::array2_to_tensor(&a.view(), device);
        Ok(Self {
            train_x1: t(&tr1),
            train_x2: t(&tr2),
            test_x1: t(&te1),
            test_x2: t(&te2),
            train_labels: c.train_labels.mapv(i64::from),
            test_labels: c.test_labels.mapv(i64::from),
            train_x1_cpu: tr1,
            test_x1_cpu: te1,
            device,
            dataset: Dataset::Cifar10,
        })
    }

    pub fn n_train(&self) -> usize {
        self.train_labels.len()
    }
}

/// Result of one probe fit.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ProbeScores {
    pub test_accuracy: f64,
    pub train_accuracy: f64,
    pub probe_epochs: usize,
    pub probe_seconds: f64,
}

/// The paper's linear evaluation: min-max scaling fitted on train, SAGA logistic regression.
pub fn probe_scores(
    train: &Array2<f32>,
    train_y: &Array1<i64>,
    test: &Array2<f32>,
    test_y: &Array1<i64>,
    s: &LoopSettings,
    seed: u64,
) -> Result<ProbeScores> {
    let start = Instant::now();
    let scaler = MinMaxScaler::fit(train.view())?;
    let (tr, te) = (scaler.transform(train.view())?, scaler.transform(test.view())?);
    let probe = LogisticRegression::builder()
        .c(s.probe_c)
        .tol(s.probe_tol)
        .max_epochs(s.probe_max_epochs)
        .seed(seed)
        .build()?;
    let model = probe.fit(tr.view(), train_y.view())?;
    Ok(ProbeScores {
        test_accuracy: model.score(te.view(), test_y.view())?,
        train_accuracy: model.score(tr.view(), train_y.view())?,
        probe_epochs: model.epochs(),
        probe_seconds: start.elapsed().as_secs_f64(),
    })
}

/// Adds N(0, sd²) noise drawn from a seeded generator (CPU, for the probe's inputs).
pub fn add_noise(x: &Array2<f32>, sd: f64, seed: u64) -> Result<Array2<f32>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = rand_distr::Normal::new(0.0f32, sd as f32)
        .map_err(|_| ExperimentError::Invalid(format!("noise standard deviation {sd} must be finite and ≥ 0")))?;
    Ok(x.mapv(|v| v + rng.sample(normal)))
}

/// The pixel baseline: the probe on the raw top halves (noisy when the experiment adds noise).
pub fn pixel_baseline(data: &PairViews, s: &LoopSettings, seed: u64) -> Result<ProbeScores> {
    match s.noise_sd {
        Some(sd) => probe_scores(
            &add_noise(&data.train_x1_cpu, sd, seed ^ 0x5eed_0001)?,
            &data.train_labels,
            &add_noise(&data.test_x1_cpu, sd, seed ^ 0x5eed_0002)?,
            &data.test_labels,
            s,
            seed,
        ),
        None => probe_scores(&data.train_x1_cpu, &data.train_labels, &data.test_x1_cpu, &data.test_labels, s, seed),
    }
}

/// One evaluation point of one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalRecord {
    pub experiment: String,
    pub config: String,
    pub encoder: EncoderKind,
    pub critic: CriticKind,
    pub estimator: EstimatorKind,
    pub t: Option<f64>,
    pub run: usize,
    pub seed: u64,
    pub step: usize,
    /// I_est averaged over fresh training batches (what the paper plotted as "test").
    pub i_est_train_nats: f64,
    /// I_est averaged over batches of the real test set.
    pub i_est_test_nats: f64,
    /// The training loss at this point (on the training-batch estimate).
    pub loss: f64,
    pub test_accuracy: f64,
    pub train_accuracy: f64,
    pub probe_epochs: usize,
    /// Seconds since the start of the run.
    pub seconds: f64,
    /// Extra measurements of some experiments (A2: log-condition percentiles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_condition_percentiles: Option<[f64; 6]>,
}

/// Stable per-(config, run) seed.
pub fn run_seed(base: u64, config: &str, run: usize) -> u64 {
    // FNV-1a over the name, mixed with the base seed and run number
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in config.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ base.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (run as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

/// What a run needs besides the config: built models.
pub struct Models {
    pub vs: nn::VarStore,
    pub g1: Box<dyn Encoder>,
    pub g2: Box<dyn Encoder>,
    pub critic: Box<dyn Critic>,
}

/// Builds encoders (sized for MNIST halves) and critic of a configuration in a fresh VarStore on
/// `device`.
pub fn build_models(cfg: &PairConfig, device: Device, seed: u64) -> Result<Models> {
    build_models_for(cfg, Dataset::Mnist, device, seed)
}

/// Builds encoders sized for the views of `dataset`, and the critic, in a fresh VarStore on
/// `device`. On CIFAR-10 the MLP and the ConvNet take 3 × 16 × 32 views; the skip-MLP and the
/// RealNVPs exist for MNIST's 392-value views only (an error says so).
pub fn build_models_for(cfg: &PairConfig, dataset: Dataset, device: Device, seed: u64) -> Result<Models> {
    if dataset != Dataset::Mnist && !matches!(cfg.encoder, EncoderKind::Mlp | EncoderKind::Convnet) {
        return Err(ExperimentError::Invalid(format!(
            "{}: the {:?} encoder is defined for MNIST halves (392 values) only; on {} use the MLP or the ConvNet",
            cfg.name,
            cfg.encoder,
            dataset.label()
        )));
    }
    mi_torch::seed_everything(seed);
    let vs = nn::VarStore::new(device);
    let root = vs.root();
    let enc = |p: nn::Path, which: u64| -> Result<Box<dyn Encoder>> {
        Ok(match (cfg.encoder, dataset) {
            (EncoderKind::Mlp, Dataset::Mnist) => Box::new(mi_encoders::Mlp::paper(&p)?),
            (EncoderKind::Mlp, Dataset::Cifar10) => Box::new(mi_encoders::Mlp::new(&p, &mi_encoders::MlpConfig::cifar())?),
            (EncoderKind::Convnet, Dataset::Mnist) => Box::new(mi_encoders::ConvNet::paper(&p)?),
            (EncoderKind::Convnet, Dataset::Cifar10) => Box::new(mi_encoders::ConvNet::new(&p, &mi_encoders::ConvNetConfig::cifar())?),
            (EncoderKind::SkipMlp, _) => Box::new(mi_encoders::SkipMlp::paper(&p)?),
            (EncoderKind::RealnvpAdditive, _) => Box::new(mi_encoders::RealNvpEncoder::additive_paper(&p, seed ^ which)?),
            (EncoderKind::RealnvpAffine, _) => Box::new(mi_encoders::RealNvpEncoder::affine_paper(&p, seed ^ which)?),
        })
    };
    let g1 = enc(root.sub("g1"), 1)?;
    let g2 = enc(root.sub("g2"), 2)?;
    let (du, dv) = (g1.output_dim(), g2.output_dim());
    let critic: Box<dyn Critic> = match cfg.critic {
        CriticKind::Bilinear => Box::new(mi_critics::Bilinear::new(&root.sub("critic"), du, dv)?),
        CriticKind::Separable => Box::new(mi_critics::Separable::new(&root.sub("critic"), du, dv, 100, 100)?),
        CriticKind::Concat => Box::new(mi_critics::ConcatMlp::new(&root.sub("critic"), du, dv, 200)?),
        CriticKind::None => return Err(ExperimentError::Invalid(format!("{}: the InfoMax loop needs a critic", cfg.name))),
    };
    Ok(Models { vs, g1, g2, critic })
}

/// The bound `kind` on a B×B score matrix (positive pairs on the diagonal), in nats.
pub fn bound(kind: EstimatorKind, scores: &Tensor) -> Result<Tensor> {
    Ok(match kind {
        EstimatorKind::Infonce => mi_estimators::bounds::infonce_tensor(scores)?,
        EstimatorKind::Nwj => mi_estimators::bounds::nwj_tensor(scores)?,
        EstimatorKind::None => return Err(ExperimentError::Invalid("no estimator given".into())),
    })
}

/// The training loss: |I_est − t| with a target `t`, else −I_est.
pub fn loss_of(i_est: &Tensor, t: Option<f64>) -> Tensor {
    match t {
        Some(t) => (i_est - t).abs(),
        None => -i_est,
    }
}

/// Adds one draw of N(0, sd²) noise, the same tensor, to both views (A2's training batches).
fn shared_noise(x1: Tensor, x2: Tensor, sd: Option<f64>) -> (Tensor, Tensor) {
    match sd {
        Some(sd) => {
            let n = x1.randn_like() * sd;
            (&x1 + &n, &x2 + &n)
        }
        None => (x1, x2),
    }
}

/// Rows per forward pass when computing probe features. On the CPU, chunks of 256 keep an
/// encoder's activations in cache: 70,000 top halves through the A4 ConvNet took 8.2 s in chunks
/// of 4,096 and 4.0 s in chunks of 256 on 2 cores (libtorch 2.11; the MLP 0.37 s and 0.27 s, the
/// additive RealNVP 19.5 s and 17.0 s). A GPU gets large chunks (fewer kernel launches).
pub fn feature_chunk(device: Device) -> i64 {
    if device.is_cuda() {
        4096
    } else {
        256
    }
}

/// Features g1(x) of a whole split, in chunks, without gradients, as a CPU array.
pub fn features(g: &dyn Encoder, x: &Tensor, chunk: i64) -> Result<Array2<f32>> {
    let _guard = tch::no_grad_guard();
    let n = x.size()[0];
    let mut parts = vec![];
    let mut start = 0;
    while start < n {
        let len = chunk.min(n - start);
        parts.push(g.encode(&x.narrow(0, start, len)));
        start += len;
    }
    Ok(mi_torch::tensor_to_array2(&Tensor::cat(&parts, 0))?)
}

/// Trains one configuration once and returns its evaluation records.
#[allow(clippy::too_many_arguments)]
pub fn run_pair(
    experiment: &str,
    cfg: &PairConfig,
    s: &LoopSettings,
    data: &PairViews,
    run: usize,
    base_seed: u64,
    quiet: bool,
    extra_eval: &mut dyn FnMut(&Models, &PairViews, u64) -> Result<Option<[f64; 6]>>,
) -> Result<Vec<EvalRecord>> {
    let s = &s.for_config(cfg);
    let seed = run_seed(base_seed, &cfg.name, run);
    let models = build_models_for(cfg, data.dataset, data.device, seed)?;
    let mut opt = mi_torch::optim::Adam::new(&models.vs, s.learning_rate);
    let mut batches = mi_views::batch::BatchStream::new(data.n_train(), s.batch, seed)?;
    let mut eval_rng = ChaCha8Rng::seed_from_u64(seed ^ 0xe7a1);
    let evals = s.eval_steps();
    let start = Instant::now();
    let mut records = vec![];
    let mut progress = RunProgress::new(format!("{} run {run}", cfg.name), s.steps as u64, quiet);
    let idx_tensor = |idx: &[usize]| Tensor::from_slice(&idx.iter().map(|&i| i as i64).collect::<Vec<_>>()).to_device(data.device);
    let mut last_i = f64::NAN;
    for step in 0..s.steps {
        if evals.contains(&step) {
            // I_est on fresh training batches and on the test set, no gradients
            let (i_train, i_test, loss) = {
                let _g = tch::no_grad_guard();
                let mut acc = 0.0;
                let mut loss_acc = 0.0;
                for _ in 0..s.eval_train_batches.max(1) {
                    let idx: Vec<usize> = (0..s.batch).map(|_| eval_rng.gen_range(0..data.n_train())).collect();
                    let it = idx_tensor(&idx);
                    let (x1, x2) = (data.train_x1.index_select(0, &it), data.train_x2.index_select(0, &it));
                    let (x1, x2) = shared_noise(x1, x2, s.noise_sd);
                    let sc = models.critic.scores(&models.g1.encode(&x1), &models.g2.encode(&x2));
                    let i = bound(cfg.estimator, &sc)?;
                    loss_acc += loss_of(&i, cfg.t).double_value(&[]);
                    acc += i.double_value(&[]);
                }
                let k = s.eval_train_batches.max(1) as f64;
                let n_test = data.test_labels.len();
                let full = n_test / s.batch;
                let nb = if s.eval_test_batches == 0 { full } else { s.eval_test_batches.min(full) };
                let mut acc_t = 0.0;
                for b in 0..nb {
                    let x1 = data.test_x1.narrow(0, (b * s.batch) as i64, s.batch as i64);
                    let x2 = data.test_x2.narrow(0, (b * s.batch) as i64, s.batch as i64);
                    let sc = models.critic.scores(&models.g1.encode(&x1), &models.g2.encode(&x2));
                    acc_t += bound(cfg.estimator, &sc)?.double_value(&[]);
                }
                (acc / k, acc_t / nb.max(1) as f64, loss_acc / k)
            };
            // the probe's inputs get fresh noise of the same scale (A2)
            let fresh = |x: &Tensor| match s.noise_sd {
                Some(sd) => x + x.randn_like() * sd,
                None => x.shallow_clone(),
            };
            let (ftr, fte) = {
                let _g = tch::no_grad_guard();
                let chunk = feature_chunk(data.device);
                (features(&*models.g1, &fresh(&data.train_x1), chunk)?, features(&*models.g1, &fresh(&data.test_x1), chunk)?)
            };
            let p = probe_scores(&ftr, &data.train_labels, &fte, &data.test_labels, s, seed ^ step as u64)?;
            let extra = extra_eval(&models, data, seed ^ (step as u64) << 8)?;
            last_i = i_train;
            records.push(EvalRecord {
                experiment: experiment.to_string(),
                config: cfg.name.clone(),
                encoder: cfg.encoder,
                critic: cfg.critic,
                estimator: cfg.estimator,
                t: cfg.t,
                run,
                seed,
                step,
                i_est_train_nats: i_train,
                i_est_test_nats: i_test,
                loss,
                test_accuracy: p.test_accuracy,
                train_accuracy: p.train_accuracy,
                probe_epochs: p.probe_epochs,
                seconds: start.elapsed().as_secs_f64(),
                log_condition_percentiles: extra,
            });
        }
        let it = idx_tensor(&batches.next_batch());
        let x1 = data.train_x1.index_select(0, &it);
        let x2 = data.train_x2.index_select(0, &it);
        let (x1, x2) = shared_noise(x1, x2, s.noise_sd);
        let scores = models.critic.scores(&models.g1.encode(&x1), &models.g2.encode(&x2));
        let i_est = bound(cfg.estimator, &scores)?;
        let loss = loss_of(&i_est, cfg.t);
        opt.backward_step(&loss);
        if step % 50 == 0 {
            let l = loss.double_value(&[]);
            if !l.is_finite() {
                return Err(ExperimentError::Diverged { config: cfg.name.clone(), run, step, loss: l });
            }
            last_i = i_est.double_value(&[]);
        }
        progress.update(step as u64 + 1, &format!("I_est {last_i:.3}"));
    }
    let last = records.last();
    progress.finish(&match last {
        Some(r) => format!("test accuracy {:.4}, I_est {:.3} nats (step {})", r.test_accuracy, r.i_est_train_nats, r.step),
        None => "no evaluation".into(),
    });
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    /// Random 28×28 images with labels, small enough for a run of a few steps.
    fn tiny_mnist(n_train: usize, n_test: usize) -> mi_data::mnist::Mnist {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut images = |n: usize| Array3::from_shape_fn((n, 28, 28), |_| rng.gen_range(0..=255u8));
        let (train_images, test_images) = (images(n_train), images(n_test));
        let labels = |n: usize| Array1::from_shape_fn(n, |i| (i % 10) as u8);
        mi_data::mnist::Mnist { train_images, train_labels: labels(n_train), test_images, test_labels: labels(n_test) }
    }

    #[test]
    fn features_do_not_depend_on_the_chunk_size() {
        let data = PairViews::from_mnist(&tiny_mnist(700, 10), Device::Cpu).unwrap();
        for encoder in [EncoderKind::Mlp, EncoderKind::Convnet] {
            let cfg = PairConfig { name: "f".into(), encoder, critic: CriticKind::Bilinear, estimator: EstimatorKind::Infonce, t: None, schedule: None };
            let m = build_models(&cfg, Device::Cpu, 3).unwrap();
            let whole = features(&*m.g1, &data.train_x1, 4096).unwrap();
            let chunked = features(&*m.g1, &data.train_x1, feature_chunk(Device::Cpu)).unwrap();
            assert_eq!(whole.dim(), (700, 100));
            let worst = whole.iter().zip(chunked.iter()).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
            assert!(worst <= 1e-5, "{encoder:?}: chunked features differ by {worst}");
            // rows stay in order: a shuffled chunk would move whole rows
            assert!(whole.row(699).iter().zip(chunked.row(699).iter()).all(|(a, b)| (a - b).abs() <= 1e-5));
        }
        assert_eq!(feature_chunk(Device::Cuda(0)), 4096);
    }

    #[test]
    fn a_configuration_with_its_own_schedule_trains_and_is_evaluated_on_it() {
        let data = PairViews::from_mnist(&tiny_mnist(512, 256), Device::Cpu).unwrap();
        let s = LoopSettings { steps: 11, eval_every: 5, eval_train_batches: 1, eval_test_batches: 1, probe_max_epochs: 2, ..LoopSettings::paper() };
        let mut cfg = PairConfig {
            name: "mlp-bilinear-nwj-t4".into(),
            encoder: EncoderKind::Mlp,
            critic: CriticKind::Bilinear,
            estimator: EstimatorKind::Nwj,
            t: Some(4.0),
            schedule: None,
        };
        let steps_of = |cfg: &PairConfig| -> Vec<usize> {
            run_pair("a4", cfg, &s, &data, 0, 1, true, &mut |_, _, _| Ok(None)).unwrap().iter().map(|r| r.step).collect()
        };
        assert_eq!(steps_of(&cfg), [0, 5, 10]);
        cfg.schedule = Some(Schedule { steps: 7, eval_every: 3 });
        assert_eq!(steps_of(&cfg), [0, 3, 6]);
        assert_eq!(s.for_config(&cfg), LoopSettings { steps: 7, eval_every: 3, ..s.clone() });
    }
}
