//! Alignment and uniformity on the hypersphere (Wang & Isola, ICML 2020), on MNIST.
//!
//! Every encoder is the same small CNN ([`mi_encoders::SmallCnn`]) with an L2-normalised head;
//! positive pairs are two random augmentations of one image ([`mi_views::augment::Augment::digits`]),
//! and both views go through the encoder in one batch. Three studies share the encoders:
//!
//! * **circle** (2-D head, features on S¹): random initialisation, supervised (encoder + linear
//!   classifier, cross-entropy), contrastive (τ = 0.5) and align+uniform (w = 1:1, α = 2, t = 2);
//!   for each, the paper's three panels (2-D KDE in the plane, von Mises KDE of the angles,
//!   per-class angle densities) with linear-probe accuracy, L_align and L_uniform in the caption;
//! * **table** (128-d head, like the paper's Table 1): contrastive (τ = 0.2, close to the paper's
//!   tuned 0.19) against direct optimisation of L_align + L_uniform, linear probe and 5-NN side by
//!   side, with the random network as a reference;
//! * **sweep** (128-d head): 12 encoders over τ, the align:uniform weight ratio and t; a scatter of
//!   L_uniform against L_align coloured by accuracy, the Spearman rank correlations of accuracy
//!   with each loss (the paper gives none), and the collapse when alignment dominates.
//!
//! Evaluation (every encoder, on the test set): L_align(α = 2) over one fixed pair of augmentations
//! of each test image (the same pairs for every encoder), L_uniform(t = 2) over all pairs of test
//! images, a linear probe (min-max scaling, SAGA) on the normalised output and on the probe layer
//! before the head, and a cosine 5-NN on the output; probes are fitted on the first
//! `n_probe_train` training images (no augmentation).
//!
//! Results: `config.json`, `runs.jsonl` (one record per encoder and run, appended when it
//! finishes: an interrupted run resumes), `summary.json`, `circle.svg/png`, `sweep.svg/png`,
//! `REPORT.md`. Everything after `runs.jsonl` is computed from the records.
pub mod figure;
pub mod kde;
pub mod losses;

use crate::infomax::{run_seed, ExperimentError, Result};
use crate::paper_grids::RunOptions;
use crate::profile::{self, Profile};
use crate::progress::RunProgress;
use crate::report::{self, Claim};
use crate::results::{Provenance, ResultsDir};
use crate::scatter::{Marker, Scatter, ScatterPoint};
use losses::AlignUniform;
use mi_encoders::{Encoder, SmallCnn, SmallCnnConfig};
use mi_probe::{CosineKnn, LogisticRegression, MinMaxScaler};
use mi_views::augment::Augment;
use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Instant;
use tch::nn::{self, OptimizerConfig};
use tch::{Device, Tensor};

/// The CIFAR-10 linear-probe accuracies of the paper's circle study (random / supervised /
/// contrastive), in percent.
pub const PAPER_CIRCLE_ACCURACY: [f64; 3] = [12.71, 57.19, 28.60];

/// "Far more uniform than random": the encoder closes at least this fraction of the gap between
/// the random network's L_uniform and the optimum on S¹.
pub const FAR_MORE_UNIFORM_FRACTION: f64 = 0.5;
/// "Within a few points": |linear accuracy(align+uniform) − linear accuracy(contrastive)| in
/// percentage points.
pub const FEW_POINTS: f64 = 3.0;
/// Collapse: exp(L_uniform) above this (1 = all features on one point).
pub const COLLAPSE_EXP_UNIFORM: f64 = 0.5;

/// What an encoder is trained for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Objective {
    /// No training: the network at its random initialisation.
    Random,
    /// Encoder + a linear classifier on its normalised output, cross-entropy on the labels.
    Supervised,
    /// The symmetric in-batch contrastive loss at temperature τ.
    Contrastive { tau: f64 },
    /// `w_a · L_align(α) + w_u · L_uniform(t)`.
    AlignUniform(AlignUniform),
}

/// Which part of the report an encoder belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Study {
    Circle,
    Table,
    Sweep,
}

/// One encoder to train and evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncoderSpec {
    pub name: String,
    /// A short label for plots.
    pub label: String,
    pub output_dim: i64,
    pub objective: Objective,
    pub studies: Vec<Study>,
}

impl EncoderSpec {
    fn new(name: impl Into<String>, label: impl Into<String>, output_dim: i64, objective: Objective, studies: &[Study]) -> Self {
        Self { name: name.into(), label: label.into(), output_dim, objective, studies: studies.to_vec() }
    }
    pub fn in_study(&self, s: Study) -> bool {
        self.studies.contains(&s)
    }
}

fn au(w_align: f64, t: f64) -> Objective {
    Objective::AlignUniform(AlignUniform { w_align, w_uniform: 1.0, alpha: 2.0, t })
}

/// The contrastive temperature of the table (the paper tuned 0.19 on STL-10).
pub const TABLE_TAU: f64 = 0.2;
/// Temperatures of the sweep.
pub const SWEEP_TAUS: [f64; 4] = [0.07, 0.2, 0.5, 1.0];
/// Align:uniform weight ratios of the sweep (w_u = 1, t = 2); the paper finds quality insensitive
/// below ≈4 and a collapse far above.
pub const SWEEP_RATIOS: [f64; 5] = [0.25, 1.0, 4.0, 16.0, 256.0];
/// Values of t of the sweep besides 2 (weights 1:1).
pub const SWEEP_TS: [f64; 3] = [0.5, 1.0, 4.0];

fn fmt_num(x: f64) -> String {
    format!("{x}")
}

/// The encoders of the study: the circle study at d = 2, the table and the sweep at `dim`.
pub fn encoder_specs(dim: i64) -> Vec<EncoderSpec> {
    use Study::*;
    let mut v = vec![
        EncoderSpec::new("s1-random", "random", 2, Objective::Random, &[Circle]),
        EncoderSpec::new("s1-supervised", "supervised", 2, Objective::Supervised, &[Circle]),
        EncoderSpec::new("s1-contrastive-tau0.5", "contrastive τ=0.5", 2, Objective::Contrastive { tau: 0.5 }, &[Circle]),
        EncoderSpec::new("s1-align_uniform", "align+uniform 1:1, t=2", 2, au(1.0, 2.0), &[Circle]),
        EncoderSpec::new(format!("d{dim}-random"), "random", dim, Objective::Random, &[Table]),
    ];
    for tau in SWEEP_TAUS {
        let studies: &[Study] = if tau == TABLE_TAU { &[Table, Sweep] } else { &[Sweep] };
        v.push(EncoderSpec::new(format!("d{dim}-contrastive-tau{}", fmt_num(tau)), format!("τ={}", fmt_num(tau)), dim, Objective::Contrastive { tau }, studies));
    }
    for r in SWEEP_RATIOS {
        let studies: &[Study] = if r == 1.0 { &[Table, Sweep] } else { &[Sweep] };
        v.push(EncoderSpec::new(format!("d{dim}-align_uniform-w{}-t2", fmt_num(r)), format!("{}:1 t=2", fmt_num(r)), dim, au(r, 2.0), studies));
    }
    for t in SWEEP_TS {
        v.push(EncoderSpec::new(format!("d{dim}-align_uniform-w1-t{}", fmt_num(t)), format!("1:1 t={}", fmt_num(t)), dim, au(1.0, t), &[Sweep]));
    }
    v
}

/// Settings of one reproduction (everything that changes the numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HyperSettings {
    pub steps: usize,
    /// Images per batch; pair objectives put 2 × batch views through the encoder at once.
    pub batch: usize,
    /// Adam's learning rate (constant).
    pub learning_rate: f64,
    /// Dimension of the higher-dimensional head (table and sweep).
    pub output_dim: i64,
    pub channels: Vec<i64>,
    pub hidden: i64,
    /// The slice of MNIST used: the first `n_train` training and `n_test` test images.
    pub n_train: usize,
    pub n_test: usize,
    /// Training images (the first ones, no augmentation) the probes are fitted on.
    pub n_probe_train: usize,
    pub probe_c: f64,
    pub probe_tol: f64,
    pub probe_max_epochs: usize,
    pub knn_k: usize,
    /// The losses reported for every encoder: L_align(α), L_uniform(t).
    pub eval_alpha: f64,
    pub eval_t: f64,
    pub runs: usize,
    /// Training loss recorded every this many steps.
    pub log_every: usize,
    pub figure: figure::FigureSettings,
}

impl HyperSettings {
    /// The settings of a profile.
    ///
    /// `quick` is sized for 2 CPU cores with `--threads 1`: 15 trained encoders × 600 steps of
    /// batch 128 (256 views through the CNN per step; 1.3 epochs of MNIST), plus ≈ 13–23 s of
    /// evaluation per encoder (features of 40,000 images, two SAGA probes on 10,000 training
    /// images, a 5-NN over 10,000 × 10,000 and L_uniform over all 50M test pairs); see the
    /// measurements in the body. `paper` trains 5,000 steps of batch 256 (21 epochs), fits the
    /// probes on all 60,000 training images and repeats every encoder 3 times.
    pub fn for_profile(p: Profile) -> Self {
        let paper = Self {
            steps: 5_000,
            batch: 256,
            learning_rate: 1e-3,
            output_dim: 128,
            channels: vec![32, 64],
            hidden: 128,
            n_train: 60_000,
            n_test: 10_000,
            n_probe_train: 60_000,
            probe_c: 10.0,
            probe_tol: 1e-3,
            probe_max_epochs: 100,
            knn_k: 5,
            eval_alpha: 2.0,
            eval_t: 2.0,
            runs: 3,
            log_every: 50,
            figure: figure::FigureSettings::default(),
        };
        match p {
            Profile::Paper => paper,
            // Sized on the 2-core machine with `--threads 1` while other jobs ran (load ≈ 4): the
            // pair objectives (256 views per step) train at ≈ 8–11 steps/s, the supervised one at
            // ≈ 17; evaluating an encoder takes ≈ 13–23 s. 14 pair encoders × 600 steps ≈ 16 min,
            // + 17 evaluations ≈ 5 min: about 20–25 minutes in all (less on quiet cores).
            Profile::Quick => Self { steps: 600, batch: 128, n_probe_train: 10_000, runs: 1, log_every: 20, ..paper },
            Profile::Smoke => Self {
                steps: 6,
                batch: 32,
                n_train: 2_000,
                n_test: 500,
                n_probe_train: 1_000,
                probe_max_epochs: 20,
                runs: 1,
                log_every: 2,
                ..paper
            },
        }
    }

    fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(ExperimentError::Invalid(m));
        if self.steps == 0 || self.runs == 0 {
            return bad("steps and runs must be at least 1".into());
        }
        if self.batch < 2 || self.batch > self.n_train {
            return bad(format!("the batch ({}) must be between 2 and the number of training images ({})", self.batch, self.n_train));
        }
        if self.n_probe_train < self.knn_k || self.n_probe_train > self.n_train || self.n_test < 2 {
            return bad(format!("probe training images ({}) must be between k = {} and n_train = {}, and n_test ≥ 2", self.n_probe_train, self.knn_k, self.n_train));
        }
        Ok(())
    }
}

/// The measurements of one encoder (all on the test set).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Linear probe on the normalised output.
    pub linear_accuracy: f64,
    /// Linear probe on the probe layer (before the head).
    pub probe_layer_accuracy: f64,
    /// Cosine k-NN (k = 5) on the normalised output.
    pub knn_accuracy: f64,
    pub l_align: f64,
    pub l_uniform: f64,
}

impl Metrics {
    fn fields(&self) -> [f64; 5] {
        [self.linear_accuracy, self.probe_layer_accuracy, self.knn_accuracy, self.l_align, self.l_uniform]
    }
    fn from_fields(f: [f64; 5]) -> Self {
        Self { linear_accuracy: f[0], probe_layer_accuracy: f[1], knn_accuracy: f[2], l_align: f[3], l_uniform: f[4] }
    }
}

/// Angles on S¹ (radians, rounded to 1e-4) and classes of the test points of a 2-D encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CirclePoints {
    pub angles: Vec<f32>,
    pub labels: Vec<u8>,
}

/// One trained (or random) encoder, as recorded in `runs.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EncoderRecord {
    pub config: String,
    pub run: usize,
    pub seed: u64,
    pub spec: EncoderSpec,
    pub steps: usize,
    pub train_seconds: f64,
    pub eval_seconds: f64,
    /// (step, training loss of that step's batch).
    pub loss_history: Vec<(usize, f64)>,
    pub metrics: Metrics,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circle: Option<CirclePoints>,
}

/// Mean and sd over runs of one encoder.
#[derive(Debug, Clone, Serialize)]
pub struct EncoderSummary {
    pub name: String,
    pub spec: EncoderSpec,
    pub runs: usize,
    pub mean: Metrics,
    pub sd: Metrics,
    /// exp(mean L_uniform): 1 when every feature sits on one point.
    pub exp_l_uniform: f64,
    pub train_seconds_mean: f64,
    pub final_loss_mean: Option<f64>,
}

/// The sweep's rank statistics.
#[derive(Debug, Clone, Serialize)]
pub struct SweepSummary {
    pub encoders: Vec<String>,
    pub spearman_linear_vs_align: Option<f64>,
    pub spearman_linear_vs_uniform: Option<f64>,
    pub spearman_knn_vs_align: Option<f64>,
    pub spearman_knn_vs_uniform: Option<f64>,
    pub median_align: Option<f64>,
    pub median_uniform: Option<f64>,
    /// (min, max) of each loss over the sweep: the extent of the scatter plot.
    pub range_align: Option<(f64, f64)>,
    pub range_uniform: Option<(f64, f64)>,
    /// Encoders by decreasing linear accuracy.
    pub ranking: Vec<String>,
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct HyperSummary {
    pub experiment: &'static str,
    pub dataset: &'static str,
    pub profile: Profile,
    pub seed: u64,
    pub device: String,
    pub settings: HyperSettings,
    /// The optimum of L_uniform(eval_t) on S¹ and on S^{d−1} of the higher-dimensional head.
    pub uniform_optimum_circle: f64,
    pub uniform_optimum_sphere: f64,
    pub encoders: Vec<EncoderSummary>,
    pub sweep: SweepSummary,
    pub cifar10: String,
    /// Runs recorded out of those planned.
    pub runs_done: usize,
    pub runs_planned: usize,
}

/// MNIST as this study uses it.
struct Data {
    /// Training images as rows of 784 floats in [0, 1] (CPU, for augmentation).
    train: Array2<f32>,
    train_labels: Array1<i64>,
    probe_train: Tensor,
    probe_labels: Array1<i64>,
    test: Tensor,
    test_labels: Array1<i64>,
    /// One fixed pair of augmentations of every test image (for L_align).
    test_v1: Tensor,
    test_v2: Tensor,
    device: Device,
}

const SIDE: usize = 28;

fn to_rows(images: &ndarray::Array3<u8>, n: usize) -> Array2<f32> {
    let n = n.min(images.shape()[0]);
    Array2::from_shape_fn((n, SIDE * SIDE), |(i, j)| f32::from(images[[i, j / SIDE, j % SIDE]]) / 255.0)
}

/// Two augmentations of rows of 784 pixels.
fn two_views(aug: &Augment, rows: &Array2<f32>, rng: &mut ChaCha8Rng) -> Result<(Array2<f32>, Array2<f32>)> {
    let n = rows.nrows();
    let imgs = rows.view().into_shape_with_order((n, 1, SIDE, SIDE)).map_err(|e| ExperimentError::Invalid(e.to_string()))?;
    let (a, b) = aug.two_views(imgs, rng)?;
    let flat = |x: ndarray::Array4<f32>| x.into_shape_with_order((n, SIDE * SIDE)).map_err(|e| ExperimentError::Invalid(e.to_string()));
    Ok((flat(a)?, flat(b)?))
}

fn one_view(aug: &Augment, rows: &Array2<f32>, rng: &mut ChaCha8Rng) -> Result<Array2<f32>> {
    let n = rows.nrows();
    let imgs = rows.view().into_shape_with_order((n, 1, SIDE, SIDE)).map_err(|e| ExperimentError::Invalid(e.to_string()))?;
    aug.apply_batch(imgs, rng)?.into_shape_with_order((n, SIDE * SIDE)).map_err(|e| ExperimentError::Invalid(e.to_string()))
}

impl Data {
    fn new(m: &mi_data::mnist::Mnist, s: &HyperSettings, seed: u64, device: Device) -> Result<Self> {
        let train = to_rows(&m.train_images, s.n_train);
        let test_rows = to_rows(&m.test_images, s.n_test);
        let train_labels: Array1<i64> = m.train_labels.iter().take(train.nrows()).map(|&l| i64::from(l)).collect();
        let test_labels: Array1<i64> = m.test_labels.iter().take(test_rows.nrows()).map(|&l| i64::from(l)).collect();
        if train.nrows() < s.n_train || test_rows.nrows() < s.n_test {
            return Err(ExperimentError::Invalid(format!("MNIST has fewer images than the settings ask for ({s:?})")));
        }
        let probe = train.slice(ndarray::s![..s.n_probe_train, ..]);
        let t = |a: &ndarray::ArrayView2<'_, f32>| mi_torch::array2_to_tensor(a, device);
        // the same evaluation pairs for every encoder
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xa119_0000_e7a1);
        let (v1, v2) = two_views(&Augment::digits(), &test_rows, &mut rng)?;
        Ok(Self {
            probe_train: t(&probe),
            probe_labels: train_labels.slice(ndarray::s![..s.n_probe_train]).to_owned(),
            test: t(&test_rows.view()),
            test_labels,
            test_v1: t(&v1.view()),
            test_v2: t(&v2.view()),
            train,
            train_labels,
            device,
        })
    }
}

/// Probe-layer features and outputs of a whole split, without gradients.
fn forward_all(net: &SmallCnn, x: &Tensor) -> (Tensor, Tensor) {
    let _g = tch::no_grad_guard();
    let n = x.size()[0];
    let (mut ps, mut zs) = (vec![], vec![]);
    let mut start = 0;
    while start < n {
        let len = 1000.min(n - start);
        let (p, z) = net.forward_both(&x.narrow(0, start, len));
        ps.push(p);
        zs.push(z);
        start += len;
    }
    (Tensor::cat(&ps, 0), Tensor::cat(&zs, 0))
}

fn linear_probe(train: &Array2<f32>, train_y: &Array1<i64>, test: &Array2<f32>, test_y: &Array1<i64>, s: &HyperSettings, seed: u64) -> Result<f64> {
    let scaler = MinMaxScaler::fit(train.view())?;
    let (tr, te) = (scaler.transform(train.view())?, scaler.transform(test.view())?);
    let probe = LogisticRegression::builder().c(s.probe_c).tol(s.probe_tol).max_epochs(s.probe_max_epochs).seed(seed).build()?;
    Ok(probe.fit(tr.view(), train_y.view())?.score(te.view(), test_y.view())?)
}

/// Every measurement of one encoder; angles too when its output is 2-D.
fn evaluate(net: &SmallCnn, data: &Data, s: &HyperSettings, seed: u64) -> Result<(Metrics, Option<CirclePoints>)> {
    let (p_tr, z_tr) = forward_all(net, &data.probe_train);
    let (p_te, z_te) = forward_all(net, &data.test);
    let (_, z1) = forward_all(net, &data.test_v1);
    let (_, z2) = forward_all(net, &data.test_v2);
    let l_align = losses::align_loss_value(&z1, &z2, s.eval_alpha)?;
    let l_uniform = losses::uniform_loss_blockwise(&z_te, s.eval_t, 1024)?;
    let arr = |t: &Tensor| mi_torch::tensor_to_array2::<f32>(t);
    let (z_tr_a, z_te_a) = (arr(&z_tr)?, arr(&z_te)?);
    let linear_accuracy = linear_probe(&z_tr_a, &data.probe_labels, &z_te_a, &data.test_labels, s, seed)?;
    let probe_layer_accuracy = linear_probe(&arr(&p_tr)?, &data.probe_labels, &arr(&p_te)?, &data.test_labels, s, seed ^ 1)?;
    let knn_accuracy = CosineKnn::fit(s.knn_k, z_tr_a.view(), data.probe_labels.view())?.score(z_te_a.view(), data.test_labels.view())?;
    let circle = (z_te_a.ncols() == 2).then(|| CirclePoints {
        angles: z_te_a.outer_iter().map(|r| (r[1].atan2(r[0]) * 1e4).round() / 1e4).collect(),
        labels: data.test_labels.iter().map(|&l| l as u8).collect(),
    });
    Ok((Metrics { linear_accuracy, probe_layer_accuracy, knn_accuracy, l_align, l_uniform }, circle))
}

/// Trains (unless random) and evaluates one encoder once.
fn run_encoder(spec: &EncoderSpec, s: &HyperSettings, data: &Data, run: usize, base_seed: u64, quiet: bool) -> Result<EncoderRecord> {
    let seed = run_seed(base_seed, &spec.name, run);
    mi_torch::seed_everything(seed);
    let vs = nn::VarStore::new(data.device);
    let cfg = SmallCnnConfig { channels: s.channels.clone(), hidden: s.hidden, ..SmallCnnConfig::mnist(spec.output_dim) };
    let net = SmallCnn::new(&vs.root().sub("encoder"), &cfg)?;
    let classifier = (spec.objective == Objective::Supervised).then(|| nn::linear(vs.root().sub("classifier"), spec.output_dim, 10, Default::default()));
    let start = Instant::now();
    let mut loss_history = vec![];
    let steps = if spec.objective == Objective::Random { 0 } else { s.steps };
    if steps > 0 {
        let mut opt = nn::Adam::default().build(&vs, s.learning_rate)?;
        let mut batches = mi_views::batch::BatchStream::new(data.train.nrows(), s.batch, seed)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0a06_3e17);
        let aug = Augment::digits();
        let mut progress = RunProgress::new(format!("{} run {run}", spec.name), steps as u64, quiet);
        let to_t = |a: &Array2<f32>| mi_torch::array2_to_tensor(&a.view(), data.device);
        for step in 0..steps {
            let idx = batches.next_batch();
            let rows = data.train.select(Axis(0), &idx);
            let loss = match spec.objective {
                Objective::Supervised => {
                    let x = to_t(&one_view(&aug, &rows, &mut rng)?);
                    let y: Vec<i64> = idx.iter().map(|&i| data.train_labels[i]).collect();
                    let y = Tensor::from_slice(&y).to_device(data.device);
                    let cls = classifier.as_ref().ok_or_else(|| ExperimentError::Invalid("supervised encoder without a classifier".into()))?;
                    net.encode(&x).apply(cls).cross_entropy_for_logits(&y)
                }
                Objective::Contrastive { .. } | Objective::AlignUniform(_) => {
                    let (a, b) = two_views(&aug, &rows, &mut rng)?;
                    // both views through the encoder in one batch
                    let z = net.encode(&Tensor::cat(&[to_t(&a), to_t(&b)], 0));
                    let n = idx.len() as i64;
                    let (zx, zy) = (z.narrow(0, 0, n), z.narrow(0, n, n));
                    match spec.objective {
                        Objective::Contrastive { tau } => losses::contrastive_loss(&zx, &zy, tau)?,
                        Objective::AlignUniform(w) => losses::align_uniform_loss(&zx, &zy, &w)?,
                        _ => unreachable!("matched above"),
                    }
                }
                Objective::Random => unreachable!("random encoders are not trained"),
            };
            opt.backward_step(&loss);
            let l = loss.double_value(&[]);
            if !l.is_finite() {
                return Err(ExperimentError::Diverged { config: spec.name.clone(), run, step, loss: l });
            }
            if step % s.log_every.max(1) == 0 || step + 1 == steps {
                loss_history.push((step, l));
            }
            progress.update(step as u64 + 1, &format!("loss {l:.4}"));
        }
        progress.finish(&format!("final loss {:.4}", loss_history.last().map(|x| x.1).unwrap_or(f64::NAN)));
    }
    let train_seconds = start.elapsed().as_secs_f64();
    let t_eval = Instant::now();
    let (metrics, circle) = evaluate(&net, data, s, seed)?;
    Ok(EncoderRecord {
        config: spec.name.clone(),
        run,
        seed,
        spec: spec.clone(),
        steps,
        train_seconds,
        eval_seconds: t_eval.elapsed().as_secs_f64(),
        loss_history,
        metrics,
        circle,
    })
}

fn min_max(v: &[f64]) -> Option<(f64, f64)> {
    let f: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    (!f.is_empty()).then(|| (f.iter().copied().fold(f64::INFINITY, f64::min), f.iter().copied().fold(f64::NEG_INFINITY, f64::max)))
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let m = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 { (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
    (m, sd)
}

/// The summary of the records (mean ± sd over runs, sweep statistics).
pub fn summarize(specs: &[EncoderSpec], records: &[EncoderRecord], s: &HyperSettings, profile: Profile, seed: u64, device: &str, cifar10: &str) -> HyperSummary {
    let mut encoders = vec![];
    for spec in specs {
        let rs: Vec<&EncoderRecord> = records.iter().filter(|r| r.config == spec.name).collect();
        if rs.is_empty() {
            continue;
        }
        let mut mean = [0.0; 5];
        let mut sd = [0.0; 5];
        for k in 0..5 {
            let (m, d) = mean_sd(&rs.iter().map(|r| r.metrics.fields()[k]).collect::<Vec<_>>());
            mean[k] = m;
            sd[k] = d;
        }
        let finals: Vec<f64> = rs.iter().filter_map(|r| r.loss_history.last().map(|x| x.1)).collect();
        encoders.push(EncoderSummary {
            name: spec.name.clone(),
            spec: spec.clone(),
            runs: rs.len(),
            mean: Metrics::from_fields(mean),
            sd: Metrics::from_fields(sd),
            exp_l_uniform: mean[4].exp(),
            train_seconds_mean: mean_sd(&rs.iter().map(|r| r.train_seconds).collect::<Vec<_>>()).0,
            final_loss_mean: (!finals.is_empty()).then(|| mean_sd(&finals).0),
        });
    }
    let sweep: Vec<&EncoderSummary> = encoders.iter().filter(|e| e.spec.in_study(Study::Sweep)).collect();
    let col = |f: fn(&Metrics) -> f64| sweep.iter().map(|e| f(&e.mean)).collect::<Vec<f64>>();
    let (lin, knn, al, un) = (col(|m| m.linear_accuracy), col(|m| m.knn_accuracy), col(|m| m.l_align), col(|m| m.l_uniform));
    let mut ranking: Vec<&EncoderSummary> = sweep.clone();
    ranking.sort_by(|a, b| b.mean.linear_accuracy.total_cmp(&a.mean.linear_accuracy));
    let sweep = SweepSummary {
        encoders: sweep.iter().map(|e| e.name.clone()).collect(),
        spearman_linear_vs_align: kde::spearman(&lin, &al),
        spearman_linear_vs_uniform: kde::spearman(&lin, &un),
        spearman_knn_vs_align: kde::spearman(&knn, &al),
        spearman_knn_vs_uniform: kde::spearman(&knn, &un),
        median_align: kde::median(&al),
        median_uniform: kde::median(&un),
        range_align: min_max(&al),
        range_uniform: min_max(&un),
        ranking: ranking.iter().map(|e| e.name.clone()).collect(),
    };
    let runs_done = records.len();
    HyperSummary {
        experiment: "hypersphere",
        dataset: "mnist",
        profile,
        seed,
        device: device.to_string(),
        settings: s.clone(),
        uniform_optimum_circle: kde::uniform_optimum(2, s.eval_t),
        uniform_optimum_sphere: kde::uniform_optimum(s.output_dim, s.eval_t),
        encoders,
        sweep,
        cifar10: cifar10.to_string(),
        runs_done,
        runs_planned: specs.len() * s.runs,
    }
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

fn find(s: &HyperSummary, pred: impl Fn(&EncoderSpec) -> bool) -> Option<&EncoderSummary> {
    s.encoders.iter().find(|e| pred(&e.spec))
}

fn is_circle(o: Objective) -> impl Fn(&EncoderSpec) -> bool {
    move |sp: &EncoderSpec| sp.in_study(Study::Circle) && std::mem::discriminant(&sp.objective) == std::mem::discriminant(&o)
}

/// The claims of the paper, checked against the summary.
pub fn claims(s: &HyperSummary) -> Vec<Claim> {
    let mut out = vec![];
    let rand = find(s, is_circle(Objective::Random));
    let sup = find(s, is_circle(Objective::Supervised));
    let con = find(s, is_circle(Objective::Contrastive { tau: 0.5 }));
    let aun = find(s, is_circle(Objective::AlignUniform(AlignUniform::default())));
    let acc = |e: Option<&EncoderSummary>| e.map(|e| e.mean.linear_accuracy);
    let [pr, ps, pc] = PAPER_CIRCLE_ACCURACY;
    out.push(Claim {
        claim: "On S¹, linear-probe accuracy orders random < contrastive < supervised".into(),
        paper: format!("CIFAR-10: random {pr}%, contrastive {pc}%, supervised {ps}%"),
        ours: match (acc(rand), acc(con), acc(sup)) {
            (Some(r), Some(c), Some(u)) => format!("MNIST: random {}, contrastive {}, supervised {}", pct(r), pct(c), pct(u)),
            _ => "not all three encoders are recorded".into(),
        },
        holds: match (acc(rand), acc(con), acc(sup)) {
            (Some(r), Some(c), Some(u)) => Some(r < c && c < u),
            _ => Some(false),
        },
    });
    let opt = s.uniform_optimum_circle;
    for (who, e) in [("contrastive (τ = 0.5)", con), ("align+uniform (1:1, t = 2)", aun)] {
        let (holds, ours) = match (rand, e) {
            (Some(r), Some(e)) => {
                let closed = (r.mean.l_uniform - e.mean.l_uniform) / (r.mean.l_uniform - opt);
                (
                    Some(closed >= FAR_MORE_UNIFORM_FRACTION),
                    format!(
                        "L_uniform: random {:.3}, {who} {:.3}, optimum {:.3}: closes {:.0}% of the gap (needs ≥ {:.0}%)",
                        r.mean.l_uniform,
                        e.mean.l_uniform,
                        opt,
                        100.0 * closed,
                        100.0 * FAR_MORE_UNIFORM_FRACTION
                    ),
                )
            }
            _ => (Some(false), "not recorded".into()),
        };
        out.push(Claim {
            claim: format!("On S¹, {who} features are far more uniform than random ones"),
            paper: "contrastive features spread over the circle, random ones cluster (Fig. 3)".into(),
            ours,
            holds,
        });
    }
    let tcon = find(s, |sp| sp.in_study(Study::Table) && matches!(sp.objective, Objective::Contrastive { .. }));
    let tau = find(s, |sp| sp.in_study(Study::Table) && matches!(sp.objective, Objective::AlignUniform(_)));
    out.push(match (tcon, tau) {
        (Some(c), Some(a)) => {
            let d = 100.0 * (a.mean.linear_accuracy - c.mean.linear_accuracy);
            Claim {
                claim: format!("Optimising L_align + L_uniform directly is as good as the contrastive loss (within {FEW_POINTS} points, {}-d)", s.settings.output_dim),
                paper: "STL-10 80.46% vs 81.15%; ImageNet-100 72.80% vs 74.60% (contrastive vs align+uniform)".into(),
                ours: format!(
                    "linear {} vs {} ({d:+.2} points); 5-NN {} vs {}",
                    pct(c.mean.linear_accuracy),
                    pct(a.mean.linear_accuracy),
                    pct(c.mean.knn_accuracy),
                    pct(a.mean.knn_accuracy)
                ),
                holds: Some(d.abs() <= FEW_POINTS),
            }
        }
        _ => Claim { claim: "align+uniform vs contrastive".into(), paper: String::new(), ours: "not recorded".into(), holds: Some(false) },
    });
    let sw = &s.sweep;
    let best = sw.ranking.first().and_then(|n| s.encoders.iter().find(|e| &e.name == n));
    // "The lower-left corner" of the scatter: the best encoder's losses both lie in the lower half
    // of the range the sweep spans on each axis. The stricter rank reading (both at most the
    // sweep's median) is reported alongside.
    out.push(match (best, sw.range_align, sw.range_uniform, sw.median_align, sw.median_uniform) {
        (Some(b), Some((a0, a1)), Some((u0, u1)), Some(ma), Some(mu)) => {
            let (mid_a, mid_u) = ((a0 + a1) / 2.0, (u0 + u1) / 2.0);
            let below_median = b.mean.l_align <= ma && b.mean.l_uniform <= mu;
            Claim {
                claim: "The best encoders of the sweep sit in the lower-left corner: both L_align and L_uniform low".into(),
                paper: "best encoders in the lower-left corner (Fig. 5, hundreds of encoders)".into(),
                ours: format!(
                    "best: {} ({}), L_align {:.3} (sweep range {a0:.3}–{a1:.3}, midpoint {mid_a:.3}, median {ma:.3}), L_uniform {:.3} \
                     (range {u0:.3}–{u1:.3}, midpoint {mid_u:.3}, median {mu:.3}); below both medians too: {}",
                    b.spec.label,
                    pct(b.mean.linear_accuracy),
                    b.mean.l_align,
                    b.mean.l_uniform,
                    if below_median { "yes" } else { "no" }
                ),
                holds: Some(b.mean.l_align <= mid_a && b.mean.l_uniform <= mid_u),
            }
        }
        _ => Claim { claim: "lower-left corner".into(), paper: String::new(), ours: "sweep not recorded".into(), holds: Some(false) },
    });
    let fmt_rho = |r: Option<f64>| r.map(|r| format!("{r:+.2}")).unwrap_or_else(|| "—".into());
    out.push(Claim {
        claim: "More uniform encoders are better: accuracy falls as L_uniform rises (Spearman ρ < 0)".into(),
        paper: "no number given".into(),
        ours: format!(
            "ρ(linear, L_uniform) = {}, ρ(5-NN, L_uniform) = {}; ρ(linear, L_align) = {}, ρ(5-NN, L_align) = {} over {} encoders",
            fmt_rho(sw.spearman_linear_vs_uniform),
            fmt_rho(sw.spearman_knn_vs_uniform),
            fmt_rho(sw.spearman_linear_vs_align),
            fmt_rho(sw.spearman_knn_vs_align),
            sw.encoders.len()
        ),
        holds: sw.spearman_linear_vs_uniform.map(|r| r < 0.0),
    });
    let ratio_of = |e: &EncoderSummary| match e.spec.objective {
        Objective::AlignUniform(w) if w.t == 2.0 && e.spec.in_study(Study::Sweep) => Some(w.w_align / w.w_uniform),
        _ => None,
    };
    let mut ratios: Vec<(f64, &EncoderSummary)> = s.encoders.iter().filter_map(|e| ratio_of(e).map(|r| (r, e))).collect();
    ratios.sort_by(|a, b| a.0.total_cmp(&b.0));
    let one = ratios.iter().find(|r| r.0 == 1.0).map(|r| r.1);
    out.push(match (ratios.last(), one) {
        (Some((r, top)), Some(one)) if *r > 1.0 => Claim {
            claim: "A much larger alignment weight collapses the encoder (exp L_uniform → 1)".into(),
            paper: "quality insensitive while w_a/w_u < ≈4; collapse far above".into(),
            ours: format!(
                "w_a:w_u = {r}:1 → exp(L_uniform) = {:.3}, linear {}; 1:1 → exp(L_uniform) = {:.3}, linear {}; ratios {}",
                top.exp_l_uniform,
                pct(top.mean.linear_accuracy),
                one.exp_l_uniform,
                pct(one.mean.linear_accuracy),
                ratios.iter().map(|(r, e)| format!("{r}: {}", pct(e.mean.linear_accuracy))).collect::<Vec<_>>().join(", ")
            ),
            holds: Some(top.exp_l_uniform > COLLAPSE_EXP_UNIFORM && top.mean.linear_accuracy < one.mean.linear_accuracy),
        },
        _ => Claim { claim: "collapse at large alignment weight".into(), paper: String::new(), ours: "not recorded".into(), holds: Some(false) },
    });
    out
}

fn objective_text(o: &Objective) -> String {
    match o {
        Objective::Random => "random init".into(),
        Objective::Supervised => "supervised (CE)".into(),
        Objective::Contrastive { tau } => format!("contrastive τ = {tau}"),
        Objective::AlignUniform(w) => format!("{}·L_align(α={}) + {}·L_uniform(t={})", w.w_align, w.alpha, w.w_uniform, w.t),
    }
}

fn table(s: &HyperSummary, study: Study) -> String {
    let mut t = String::from(
        "| Encoder | Objective | d | Runs | Linear (output) | Linear (probe layer) | 5-NN (output) | L_align | L_uniform | exp(L_uniform) | Train s |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for e in s.encoders.iter().filter(|e| e.spec.in_study(study)) {
        let sd = |m: f64, d: f64, p: bool| {
            let (m, d) = if p { (100.0 * m, 100.0 * d) } else { (m, d) };
            match (e.runs > 1, p) {
                (true, true) => format!("{m:.2} ± {d:.2}"),
                (true, false) => format!("{m:.3} ± {d:.3}"),
                (false, true) => format!("{m:.2}"),
                (false, false) => format!("{m:.3}"),
            }
        };
        t.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.3} | {:.0} |\n",
            e.name,
            objective_text(&e.spec.objective),
            e.spec.output_dim,
            e.runs,
            sd(e.mean.linear_accuracy, e.sd.linear_accuracy, true),
            sd(e.mean.probe_layer_accuracy, e.sd.probe_layer_accuracy, true),
            sd(e.mean.knn_accuracy, e.sd.knn_accuracy, true),
            sd(e.mean.l_align, e.sd.l_align, false),
            sd(e.mean.l_uniform, e.sd.l_uniform, false),
            e.exp_l_uniform,
            e.train_seconds_mean
        ));
    }
    t.push_str("\nAccuracies in percent on the test set.\n");
    t
}

fn marker(o: &Objective) -> Marker {
    match o {
        Objective::Random => Marker::Triangle,
        Objective::Supervised => Marker::Diamond,
        Objective::Contrastive { .. } => Marker::Circle,
        Objective::AlignUniform(_) => Marker::Square,
    }
}

fn sweep_scatter(s: &HyperSummary) -> Scatter {
    let mut sc = Scatter::new(
        format!("Sweep ({}-d head, MNIST test set): alignment vs uniformity", s.settings.output_dim),
        format!("L_uniform (t = {}; optimum {:.3})", s.settings.eval_t, s.uniform_optimum_sphere),
        format!("L_align (α = {})", s.settings.eval_alpha),
        "linear acc.",
    );
    for e in s.encoders.iter().filter(|e| e.spec.in_study(Study::Sweep) || (e.spec.output_dim == s.settings.output_dim && e.spec.objective == Objective::Random)) {
        sc.points.push(ScatterPoint { x: e.mean.l_uniform, y: e.mean.l_align, value: e.mean.linear_accuracy, label: e.spec.label.clone(), marker: marker(&e.spec.objective) });
    }
    sc.markers = vec![(Marker::Circle, "contrastive".into()), (Marker::Square, "align+uniform".into()), (Marker::Triangle, "random init".into())];
    sc
}

fn circle_columns(s: &HyperSummary, records: &[EncoderRecord]) -> Vec<figure::CircleColumn> {
    s.encoders
        .iter()
        .filter(|e| e.spec.in_study(Study::Circle))
        .filter_map(|e| {
            let r = records.iter().filter(|r| r.config == e.name).min_by_key(|r| r.run)?;
            let c = r.circle.as_ref()?;
            Some(figure::CircleColumn {
                title: e.spec.label.clone(),
                caption: vec![
                    format!("linear acc. {} (run {})", pct(r.metrics.linear_accuracy), r.run),
                    format!("L_align {:.3}", r.metrics.l_align),
                    format!("L_uniform {:.3} (opt. {:.3})", r.metrics.l_uniform, s.uniform_optimum_circle),
                ],
                angles: c.angles.iter().map(|&a| f64::from(a)).collect(),
                labels: c.labels.clone(),
            })
        })
        .collect()
}

/// Writes `summary.json`, the plots and `REPORT.md` from the records.
fn write_outputs(dir: &ResultsDir, summary: &HyperSummary, records: &[EncoderRecord], profile_reason: &str) -> Result<()> {
    dir.write_json(ResultsDir::SUMMARY, summary)?;
    let mut plots = vec![];
    let cols = circle_columns(summary, records);
    if !cols.is_empty() {
        let svg = figure::circle_figure(&cols, &summary.settings.figure, "Features on S¹ (2-D heads), MNIST test set");
        dir.write_text("circle.svg", &svg)?;
        if let Ok(png) = crate::chart::svg_to_png(&svg, 1.5) {
            dir.write_bytes("circle.png", &png)?;
        }
        plots.push("circle".to_string());
    }
    if summary.encoders.iter().any(|e| e.spec.in_study(Study::Sweep)) {
        let svg = sweep_scatter(summary).to_svg();
        dir.write_text("sweep.svg", &svg)?;
        if let Ok(png) = crate::chart::svg_to_png(&svg, 1.5) {
            dir.write_bytes("sweep.png", &png)?;
        }
        plots.push("sweep".to_string());
    }
    let st = &summary.settings;
    let intro = format!(
        "Dataset MNIST; {profile_reason}; device {}; seed {}. Every encoder is the small CNN of \
         `mi_encoders::SmallCnn` (3×3 stride-2 convolutions with {:?} channels, a {}-unit probe layer, a linear head \
         L2-normalised onto the sphere), trained for {} steps of {} images (two augmentations each, both views through \
         the encoder in one batch of {}) with Adam at {} on the first {} training images; {} run(s) per encoder. \
         Evaluation on the {} test images: L_align(α = {}) over one fixed pair of augmentations per image, L_uniform(t = {}) \
         over all pairs, a linear probe (min-max scaling, SAGA, C = {}, tol = {}) on the output and on the probe layer, and a \
         cosine {}-NN on the output, probes fitted on the first {} training images. {} of {} runs recorded.",
        summary.device,
        summary.seed,
        st.channels,
        st.hidden,
        st.steps,
        st.batch,
        2 * st.batch,
        st.learning_rate,
        st.n_train,
        st.runs,
        st.n_test,
        st.eval_alpha,
        st.eval_t,
        st.probe_c,
        st.probe_tol,
        st.knn_k,
        st.n_probe_train,
        summary.runs_done,
        summary.runs_planned
    );
    let sw = &summary.sweep;
    let rho = |r: Option<f64>| r.map(|r| format!("{r:+.3}")).unwrap_or_else(|| "— (fewer than 3 encoders or a constant column)".into());
    let collapsed: Vec<String> = summary
        .encoders
        .iter()
        .filter(|e| e.spec.in_study(Study::Sweep) && e.exp_l_uniform > COLLAPSE_EXP_UNIFORM)
        .map(|e| format!("{} (exp L_uniform {:.4}, linear {}, 5-NN {})", e.name, e.exp_l_uniform, pct(e.mean.linear_accuracy), pct(e.mean.knn_accuracy)))
        .collect();
    let collapse_note = if collapsed.is_empty() {
        String::new()
    } else {
        format!(
            "\nEncoders of the sweep far towards collapse (exp L_uniform > {COLLAPSE_EXP_UNIFORM}; 1 = every feature on one \
             point): {}. Their accuracies stay far above chance: the probe's min-max scaling stretches the small residual spread \
             back to [0, 1], and cosine k-NN ignores scale, so accuracy alone would hide the collapse that L_uniform shows.\n",
            collapsed.join("; ")
        )
    };
    let mut sections = vec![
        ("Circle study (2-D heads)".to_string(), format!("{}\nThe optimum of L_uniform(t = {}) on S¹ is {:.5}.\n", table(summary, Study::Circle), st.eval_t, summary.uniform_optimum_circle)),
        ("Contrastive vs align+uniform (like the paper's Table 1)".to_string(), table(summary, Study::Table)),
        (
            "Sweep".to_string(),
            format!(
                "{}\nSpearman rank correlations over the {} trained encoders of the sweep (a number the paper does not give): \
                 linear accuracy vs L_align {}, vs L_uniform {}; 5-NN accuracy vs L_align {}, vs L_uniform {}. Ranking by linear \
                 accuracy: {}. The optimum of L_uniform(t = {}) on S^{} is {:.5}; exp(L_uniform) = 1 means total collapse.\n",
                table(summary, Study::Sweep),
                sw.encoders.len(),
                rho(sw.spearman_linear_vs_align),
                rho(sw.spearman_linear_vs_uniform),
                rho(sw.spearman_knn_vs_align),
                rho(sw.spearman_knn_vs_uniform),
                sw.ranking.join(", "),
                st.eval_t,
                st.output_dim - 1,
                summary.uniform_optimum_sphere
            ) + &collapse_note,
        ),
        (
            "Differences from the paper".to_string(),
            "MNIST instead of CIFAR-10/STL-10/ImageNet-100 (the accuracies are not comparable across datasets; the claims \
             checked are orderings and relations); a small CNN instead of AlexNet/ResNet; Adam with a constant learning rate \
             and a few epochs instead of SGD (momentum 0.9, weight decay 1e-4, lr 0.12 per 256) for 200 epochs; a dozen \
             encoders in the sweep instead of hundreds; in the contrastive loss each anchor's negatives are the second \
             views of the other images of the batch (batch − 1 of them in each direction: 127 in `quick`, 255 in `paper`; the \
             paper's circle study used 256)."
                .to_string(),
        ),
        ("CIFAR-10".to_string(), summary.cifar10.clone()),
    ];
    if summary.runs_done < summary.runs_planned {
        sections.insert(0, ("Incomplete".into(), format!("{} of {} runs are recorded; run the same command again to continue. Claims about missing encoders are shown as not holding.", summary.runs_done, summary.runs_planned)));
    }
    let title = "Alignment and uniformity on the hypersphere (Wang & Isola, ICML 2020), on MNIST";
    dir.write_text("REPORT.md", &report::render(title, &intro, &claims(summary), &sections, &plots))?;
    Ok(())
}

fn cifar_status(root: &std::path::Path) -> String {
    let dir = root.join("cifar10");
    match mi_data::cifar10::check(&dir) {
        Ok(()) => format!(
            "CIFAR-10 is present in `{}`, but this command runs the study on MNIST only: the CIFAR-10 run (the paper's own \
             dataset for the circle figure, with `Augment::natural` and `SmallCnnConfig::cifar`) is not implemented yet.",
            dir.display()
        ),
        Err(_) => format!(
            "CIFAR-10 is not in `{}` on this machine, so the CIFAR-10 part (the paper's own dataset for the circle figure) is \
             skipped; the paper's numbers are quoted in the claims table for reference only.",
            dir.display()
        ),
    }
}

/// The settings a run will use: the profile's, with `--steps`/`--runs` applied.
pub fn resolve_settings(profile: Profile, opts: &RunOptions) -> Result<HyperSettings> {
    let mut s = HyperSettings::for_profile(profile);
    if let Some(steps) = opts.steps {
        if steps == 0 {
            return Err(ExperimentError::Invalid("--steps must be at least 1".into()));
        }
        s.steps = steps;
    }
    if let Some(runs) = opts.runs {
        if runs == 0 {
            return Err(ExperimentError::Invalid("--runs must be at least 1".into()));
        }
        s.runs = runs;
    }
    s.validate()?;
    Ok(s)
}

/// Runs the whole study (resumable) and writes `results/hypersphere/` (or `--out`). Returns the
/// folder.
pub fn reproduce(opts: &RunOptions) -> Result<PathBuf> {
    let device = mi_torch::resolve_device(opts.device)?;
    let (profile, why) = profile::choose(opts.profile, device.is_cuda());
    let s = resolve_settings(profile, opts)?;
    let say = |m: &str| {
        if !opts.quiet {
            eprintln!("{m}");
        }
    };
    let specs = encoder_specs(s.output_dim);
    let root = mi_data::data_root(opts.data_dir.as_deref());
    let data_dir = root.join("mnist");
    let out = opts.out.clone().unwrap_or_else(|| PathBuf::from("results").join("hypersphere"));
    let config = serde_json::json!({
        "experiment": "hypersphere",
        "settings": { "profile": profile, "seed": opts.seed, "hyper": s, "encoders": specs },
        "profile_reason": why,
        "data_dir": data_dir,
        "provenance": Provenance::collect(&format!("{device:?}")),
    });
    let dir = ResultsDir::open(&out, &config)?;
    say(&format!("hypersphere: {why}; device {device:?}; {} encoders × {} run(s) × {} steps → {}", specs.len(), s.runs, s.steps, out.display()));
    mi_data::mnist::ensure(&data_dir, &mut |m| say(m))?;
    let mnist = mi_data::mnist::load(&data_dir)?;
    let data = Data::new(&mnist, &s, opts.seed, device)?;
    drop(mnist);
    let cifar = cifar_status(&root);
    let device_name = format!("{device:?}");
    let mut records: Vec<EncoderRecord> = dir.records()?;
    let finished = dir.finished_runs()?;
    for run in 0..s.runs {
        for spec in &specs {
            if finished.contains(&crate::results::RunKey { config: spec.name.clone(), run }) {
                continue;
            }
            let r = run_encoder(spec, &s, &data, run, opts.seed, opts.quiet)?;
            say(&format!(
                "{} run {run}: linear {:.4}, probe layer {:.4}, 5-NN {:.4}, L_align {:.4}, L_uniform {:.4} (train {:.0} s, eval {:.0} s)",
                spec.name, r.metrics.linear_accuracy, r.metrics.probe_layer_accuracy, r.metrics.knn_accuracy, r.metrics.l_align, r.metrics.l_uniform, r.train_seconds, r.eval_seconds
            ));
            dir.append_run(std::slice::from_ref(&r))?;
            records.push(r);
            let summary = summarize(&specs, &records, &s, profile, opts.seed, &device_name, &cifar);
            write_outputs(&dir, &summary, &records, &why)?;
        }
    }
    let summary = summarize(&specs, &records, &s, profile, opts.seed, &device_name, &cifar);
    write_outputs(&dir, &summary, &records, &why)?;
    say(&format!("hypersphere: wrote {}", out.join("REPORT.md").display()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_cover_the_three_studies() {
        let _rng = crate::test_rng_lock();
        let specs = encoder_specs(128);
        let n = |st: Study| specs.iter().filter(|s| s.in_study(st)).count();
        assert_eq!(n(Study::Circle), 4);
        assert!(specs.iter().filter(|s| s.in_study(Study::Circle)).all(|s| s.output_dim == 2));
        let sweep_trained = specs.iter().filter(|s| s.in_study(Study::Sweep) && s.objective != Objective::Random).count();
        assert!(sweep_trained >= 12, "{sweep_trained}");
        assert_eq!(n(Study::Table), 3, "random, contrastive, align+uniform");
        let mut names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), specs.len(), "names are unique (they key the records)");
        // serialisation round trip (records are read back when resuming)
        let json = serde_json::to_string(&specs).unwrap();
        assert_eq!(serde_json::from_str::<Vec<EncoderSpec>>(&json).unwrap(), specs);
        assert!(json.contains("\"kind\":\"align_uniform\""), "{json}");
    }

    #[test]
    fn settings_reject_bad_values() {
        let _rng = crate::test_rng_lock();
        let opts = RunOptions { steps: Some(0), ..Default::default() };
        assert!(resolve_settings(Profile::Smoke, &opts).unwrap_err().to_string().contains("--steps"));
        let opts = RunOptions { runs: Some(0), ..Default::default() };
        assert!(resolve_settings(Profile::Smoke, &opts).is_err());
        let s = resolve_settings(Profile::Quick, &RunOptions { steps: Some(7), runs: Some(2), ..Default::default() }).unwrap();
        assert_eq!((s.steps, s.runs), (7, 2));
        let bad = HyperSettings { batch: 1, ..HyperSettings::for_profile(Profile::Smoke) };
        assert!(bad.validate().is_err());
    }

    fn fake_record(spec: &EncoderSpec, m: Metrics) -> EncoderRecord {
        EncoderRecord {
            config: spec.name.clone(),
            run: 0,
            seed: 0,
            spec: spec.clone(),
            steps: 1,
            train_seconds: 1.0,
            eval_seconds: 1.0,
            loss_history: vec![(0, 1.0)],
            metrics: m,
            circle: None,
        }
    }

    /// The claims are computed, not written: flipping the numbers flips the verdicts.
    #[test]
    fn claims_follow_the_numbers() {
        let _rng = crate::test_rng_lock();
        let specs = encoder_specs(16);
        let s = HyperSettings { output_dim: 16, ..HyperSettings::for_profile(Profile::Smoke) };
        let good = |sp: &EncoderSpec| -> Metrics {
            let (acc, al, un) = match sp.objective {
                Objective::Random => (0.2, 0.05, -0.1),
                Objective::Supervised => (0.9, 0.3, -1.0),
                Objective::Contrastive { tau } => (0.78 - tau / 10.0, 0.4 + tau / 10.0, -1.4 - 0.1 * (1.0 - tau)),
                Objective::AlignUniform(w) if w.w_align > 100.0 => (0.3, 0.01, -0.05),
                Objective::AlignUniform(w) => (0.79 - w.w_align / 1000.0 - (w.t - 2.0).abs() / 100.0, 0.2 + (w.t - 2.0).abs() / 10.0, -1.45 + w.w_align / 100.0),
            };
            Metrics { linear_accuracy: acc, probe_layer_accuracy: acc, knn_accuracy: acc, l_align: al, l_uniform: un }
        };
        let records: Vec<EncoderRecord> = specs.iter().map(|sp| fake_record(sp, good(sp))).collect();
        let summary = summarize(&specs, &records, &s, Profile::Smoke, 0, "Cpu", "absent");
        let c = claims(&summary);
        assert_eq!(c.len(), 7);
        assert!(c.iter().all(|c| c.holds == Some(true)), "{c:#?}");
        assert!(summary.sweep.spearman_linear_vs_uniform.unwrap() < 0.0);
        // now the supervised encoder is worse than the contrastive one, and the collapse is absent
        let bad: Vec<EncoderRecord> = specs
            .iter()
            .map(|sp| {
                let mut m = good(sp);
                if sp.objective == Objective::Supervised {
                    m.linear_accuracy = 0.1;
                }
                if matches!(sp.objective, Objective::AlignUniform(w) if w.w_align > 100.0) {
                    m.l_uniform = -3.0;
                }
                // the best encoder of the sweep (1:4 weights) now aligns worse than most
                if matches!(sp.objective, Objective::AlignUniform(w) if w.w_align == 0.25) {
                    m.l_align = 0.49;
                }
                fake_record(sp, m)
            })
            .collect();
        let c = claims(&summarize(&specs, &bad, &s, Profile::Smoke, 0, "Cpu", "absent"));
        assert_eq!(c[0].holds, Some(false));
        assert_eq!(c[4].holds, Some(false), "{:?}", c[4]);
        assert_eq!(c[6].holds, Some(false));
        // missing encoders do not hold
        let c = claims(&summarize(&specs, &records[..2], &s, Profile::Smoke, 0, "Cpu", "absent"));
        assert!(c.iter().all(|c| c.holds != Some(true)), "{c:#?}");
    }
}
