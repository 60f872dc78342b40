//! A1b (paper §3.1, Fig. 1b): a bijective encoder trained *against* a linear classifier.
//!
//! The encoder g1 is an affine RealNVP (scale 1e-7 + softplus) on the top halves, so I(x1; g1(x1))
//! is maximal whatever its parameters. A linear classifier (Dense 392→10 with bias) learns the
//! labels from g1(x1) with cross-entropy (Adam 1e-3); the encoder learns to make the same logits
//! uniform (cross-entropy to the uniform distribution, Adam 1e-5). After `warmup` classifier
//! steps, each iteration is `classifier_steps` classifier steps and one encoder step, batch 128.
//! Every `probe_every` iterations a fresh linear probe (the paper's protocol) measures how linearly
//! decodable the labels still are. At the end the encoder's round trip g1⁻¹(g1(x)) on a batch shows
//! it is still invertible.
use crate::infomax::{feature_chunk, features, probe_scores, LoopSettings, PairViews};
use mi_train::progress::RunProgress;
use mi_train::{ExperimentError, Result};
use mi_encoders::{Encoder, RealNvpEncoder};
use mi_flows::Flow;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use tch::nn::{self, Module};
use tch::{Kind, Tensor};

/// Settings of A1b.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdversarialSettings {
    pub warmup_steps: usize,
    pub iterations: usize,
    pub classifier_steps: usize,
    pub classifier_lr: f64,
    pub encoder_lr: f64,
    pub batch: usize,
    /// A probe at iteration 0 and every `probe_every` iterations, and at the last one.
    pub probe_every: usize,
    /// Independent runs (seeds): the min-max game is chaotic, so one run settles nothing.
    #[serde(default = "one")]
    pub seeds: usize,
}

fn one() -> usize {
    1
}

impl AdversarialSettings {
    /// The paper's settings: 1,000 warm-up steps, 4,000 iterations of (10 classifier steps, one
    /// encoder step on a fresh batch), Adam 1e-3 / 1e-5, batch 128, a probe every 400 iterations.
    /// The paper ran it once; we run 3 seeds (the verdict needs run-to-run noise).
    pub fn paper() -> Self {
        Self { warmup_steps: 1_000, iterations: 4_000, classifier_steps: 10, classifier_lr: 1e-3, encoder_lr: 1e-5, batch: 128, probe_every: 400, seeds: 3 }
    }

    /// Iterations at which the probe runs.
    pub fn probe_iterations(&self) -> Vec<usize> {
        let mut v: Vec<usize> = (0..=self.iterations).step_by(self.probe_every.max(1)).collect();
        if v.last() != Some(&self.iterations) {
            v.push(self.iterations);
        }
        v
    }
}

/// One probe of A1b.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdversarialPoint {
    pub iteration: usize,
    pub test_accuracy: f64,
    pub train_accuracy: f64,
    /// The adversarial classifier's accuracy on the last training batch.
    pub classifier_batch_accuracy: f64,
    pub seconds: f64,
}

/// A1b's file: every finished seed, in seed order (the file an older revision wrote held one run
/// at its top level and is read as a single seed).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AdversarialFile {
    Runs { runs: Vec<AdversarialSummary> },
    One(AdversarialSummary),
}

impl AdversarialFile {
    pub fn into_runs(self) -> Vec<AdversarialSummary> {
        match self {
            AdversarialFile::Runs { runs } => runs,
            AdversarialFile::One(one) => vec![one],
        }
    }
}

/// The result of one A1b run (one seed).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdversarialSummary {
    pub settings: AdversarialSettings,
    pub seed: u64,
    pub points: Vec<AdversarialPoint>,
    /// max |g1⁻¹(g1(x)) − x| over a batch of 128 training top halves at the end, in f32 (the
    /// precision it was trained in). NaN when the inverse overflowed (JSON has no NaN: written as
    /// null and read back as NaN).
    #[serde(deserialize_with = "nan_for_null")]
    pub round_trip_max_abs_error: f64,
    /// The same round trip with the trained encoder converted to f64: whether the map is still
    /// a bijection, separated from f32 rounding amplified by an ill-conditioned inverse.
    #[serde(default, deserialize_with = "some_nan_for_null")]
    pub round_trip_max_abs_error_f64: Option<f64>,
    /// Mean log|det ∂g1/∂x| over that batch (f64): how much volume the adversary squeezed out.
    #[serde(default)]
    pub log_abs_det_mean: Option<f64>,
    /// The largest |x| in that batch, for scale.
    pub round_trip_input_max_abs: f64,
    /// Permutation layers in the encoder's RealNVP chain: 30 (one before every coupling, as in
    /// the authors' notebook). Absent in records made before the leading permutation was added
    /// (#21), whose chains had 29.
    #[serde(default)]
    pub encoder_permutations: Option<usize>,
}

/// A number that serde_json wrote as null (it writes NaN and ±∞ so) reads back as NaN.
fn nan_for_null<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// The same for a field that may be absent (old records: `None`); present but null is NaN.
fn some_nan_for_null<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<f64>, D::Error> {
    Ok(Some(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN)))
}

impl AdversarialSummary {
    /// Whether this run's encoder lacks the notebook's leading permutation (an old record).
    pub fn lacks_leading_permutation(&self) -> bool {
        self.encoder_permutations.is_none_or(|n| n < 30)
    }
}

fn uniform_cross_entropy(logits: &Tensor) -> Tensor {
    // cross-entropy to the uniform distribution over the classes: −mean_i (1/K) Σ_k log p_ik
    -logits.log_softmax(1, Kind::Float).mean(Kind::Float)
}

/// Runs A1b once on MNIST halves.
pub fn run(data: &PairViews, s: &AdversarialSettings, probe: &LoopSettings, seed: u64, quiet: bool) -> Result<AdversarialSummary> {
    check(s, data)?;
    mi_torch::seed_everything(seed);
    let device = data.device;
    let mut enc_vs = nn::VarStore::new(device);
    let encoder = RealNvpEncoder::affine_paper(&enc_vs.root().sub("g1"), seed)?;
    let clf_vs = nn::VarStore::new(device);
    // Keras' Dense default, as in the authors' notebook: Glorot-uniform kernel, zero bias
    let limit = (6.0f64 / (392.0 + 10.0)).sqrt();
    let clf_init = nn::LinearConfig { ws_init: nn::Init::Uniform { lo: -limit, up: limit }, bs_init: Some(nn::Init::Const(0.0)), bias: true };
    let classifier = nn::linear(clf_vs.root().sub("classifier"), 392, 10, clf_init);
    let mut enc_opt = mi_torch::optim::Adam::new(&enc_vs, s.encoder_lr);
    let mut clf_opt = mi_torch::optim::Adam::new(&clf_vs, s.classifier_lr);
    let labels = Tensor::from_slice(data.train_labels.as_slice().unwrap_or(&data.train_labels.to_vec())).to_device(device);
    let mut batches = mi_views::batch::BatchStream::new(data.n_train(), s.batch, seed)?;
    let mut next = || {
        let idx: Vec<i64> = batches.next_batch().into_iter().map(|i| i as i64).collect();
        let it = Tensor::from_slice(&idx).to_device(device);
        (data.train_x1.index_select(0, &it), labels.index_select(0, &it))
    };
    let mut last_batch_acc = f64::NAN;
    let mut classifier_step = |enc: &RealNvpEncoder, (x, y): (Tensor, Tensor), last: &mut f64| {
        let z = tch::no_grad(|| enc.encode(&x));
        let logits = classifier.forward(&z);
        clf_opt.backward_step(&logits.cross_entropy_for_logits(&y));
        *last = logits.argmax(1, false).eq_tensor(&y).to_kind(Kind::Float).mean(Kind::Float).double_value(&[]);
    };
    let start = Instant::now();
    for _ in 0..s.warmup_steps {
        classifier_step(&encoder, next(), &mut last_batch_acc);
    }
    let probes = s.probe_iterations();
    let mut points = vec![];
    let mut progress = RunProgress::new("a1b adversarial", s.iterations as u64, quiet);
    for it in 0..=s.iterations {
        if probes.contains(&it) {
            let p = probe_point(&encoder, data, probe, seed, it, last_batch_acc, start)?;
            progress.update(it as u64, &format!("probe accuracy {:.3}", p.test_accuracy));
            points.push(p);
        }
        if it == s.iterations {
            break;
        }
        for _ in 0..s.classifier_steps {
            classifier_step(&encoder, next(), &mut last_batch_acc);
        }
        // the encoder step on a fresh batch (as the notebook does): make the logits uniform
        let (x, _) = next();
        let loss = uniform_cross_entropy(&classifier.forward(&encoder.encode(&x)));
        enc_opt.backward_step(&loss);
        if it % 20 == 0 {
            let l = loss.double_value(&[]);
            if !l.is_finite() {
                return Err(ExperimentError::Diverged { config: "a1b".into(), run: 0, step: it, loss: l });
            }
        }
        progress.update(it as u64 + 1, &format!("classifier batch accuracy {last_batch_acc:.3}"));
    }
    // invertibility at the end: g1⁻¹(g1(x)) = x on a batch
    let (x, _) = next();
    let rt = round_trip(&encoder, &mut enc_vs, &x);
    let (round_trip_max_abs_error, round_trip_f64, log_det) = (rt.error_f32, rt.error_f64, rt.log_det_mean);
    progress.finish(&format!(
        "probe accuracy {:.4} after {} iterations; round trip error {round_trip_max_abs_error:.2e} (f32), \
         {round_trip_f64:.2e} (f64); mean log|det J| {log_det:.1}",
        points.last().map(|p| p.test_accuracy).unwrap_or(f64::NAN),
        s.iterations
    ));
    Ok(AdversarialSummary {
        settings: s.clone(),
        seed,
        points,
        round_trip_max_abs_error,
        round_trip_max_abs_error_f64: Some(round_trip_f64),
        log_abs_det_mean: Some(log_det),
        round_trip_input_max_abs: rt.input_max_abs,
        encoder_permutations: Some(encoder.flow().permutations().count()),
    })
}

fn check(s: &AdversarialSettings, data: &PairViews) -> Result<()> {
    if s.batch > data.n_train() || s.batch < 2 || s.classifier_steps == 0 {
        return Err(ExperimentError::Invalid(format!("A1b needs 2 ≤ batch ≤ {} and at least one classifier step per iteration", data.n_train())));
    }
    Ok(())
}

/// A fresh probe on the encoder's features at iteration `it`.
fn probe_point(encoder: &RealNvpEncoder, data: &PairViews, probe: &LoopSettings, seed: u64, it: usize, classifier_batch_accuracy: f64, start: Instant) -> Result<AdversarialPoint> {
    let chunk = feature_chunk(data.device);
    let (ftr, fte) = (features(encoder, &data.train_x1, chunk)?, features(encoder, &data.test_x1, chunk)?);
    let p = probe_scores(&ftr, &data.train_labels, &fte, &data.test_labels, probe, seed ^ it as u64)?;
    Ok(AdversarialPoint { iteration: it, test_accuracy: p.test_accuracy, train_accuracy: p.train_accuracy, classifier_batch_accuracy, seconds: start.elapsed().as_secs_f64() })
}

struct RoundTrip {
    error_f32: f64,
    input_max_abs: f64,
    error_f64: f64,
    log_det_mean: f64,
}

/// g1⁻¹(g1(x)) against x, in f32 and then (the encoder converted) in f64: training may leave the
/// inverse so ill-conditioned that f32 rounding alone breaks the round trip although the map is
/// still a bijection.
fn round_trip(encoder: &RealNvpEncoder, enc_vs: &mut nn::VarStore, x: &Tensor) -> RoundTrip {
    let (error_f32, input_max_abs) = tch::no_grad(|| {
        let y = encoder.encode(x);
        let (back, _) = encoder.flow().inverse(&y);
        ((back - x).abs().max().double_value(&[]), x.abs().max().double_value(&[]))
    });
    enc_vs.double();
    let (error_f64, log_det_mean) = tch::no_grad(|| {
        let xd = x.to_kind(Kind::Double);
        let (y, log_det) = encoder.flow().forward(&xd);
        let (back, _) = encoder.flow().inverse(&y);
        ((back - &xd).abs().max().double_value(&[]), log_det.mean(Kind::Double).double_value(&[]))
    });
    RoundTrip { error_f32, input_max_abs, error_f64, log_det_mean }
}
