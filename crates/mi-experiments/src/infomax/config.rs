//! What one InfoMax configuration is (encoder, critic, bound, target) and how long it trains.
use serde::{Deserialize, Serialize};

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

/// The bound a configuration trains and reports: the one [`Bound`] type of mi-estimators, so a
/// new bound is usable here without a new arm (it is serialised by its canonical name).
pub use mi_estimators::bounds::Bound;

/// One configuration of an experiment grid.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairConfig {
    pub name: String,
    pub encoder: EncoderKind,
    pub critic: CriticKind,
    pub estimator: Bound,
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

    /// The smoke profile's settings: every code path in seconds.
    pub fn smoke() -> Self {
        Self { steps: 21, eval_every: 10, eval_train_batches: 2, eval_test_batches: 4, probe_max_epochs: 5, ..Self::paper() }
    }

    /// The quick profile's shape: `steps`, evaluated every `eval_every`, the test-set estimate on
    /// 20 batches.
    pub fn quick(steps: usize, eval_every: usize) -> Self {
        Self { steps, eval_every, eval_test_batches: 20, ..Self::paper() }
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

impl EncoderKind {
    /// Rough speed on one CPU core: training steps per second of an encoder pair with its
    /// critic (batch 128), and seconds per evaluation (features of 70,000 images and a SAGA
    /// probe). From the rates in `docs/profiles.md`, measured on the 2-core development machine;
    /// for planning (`--list-runs`), good to a factor of about two.
    pub fn rough_cpu_speed(self) -> (f64, f64) {
        match self {
            EncoderKind::Mlp => (150.0, 6.0),
            EncoderKind::Convnet => (10.0, 10.0),
            EncoderKind::SkipMlp => (70.0, 10.0),
            EncoderKind::RealnvpAdditive | EncoderKind::RealnvpAffine => (2.0, 50.0),
        }
    }
}

impl PairConfig {
    /// A configuration named as the records name it: `<encoder>-<critic>-<estimator>[-t<t>]`,
    /// each part the name its kind serialises to.
    pub fn new(encoder: EncoderKind, critic: CriticKind, estimator: Bound, t: Option<f64>) -> Self {
        let base = format!("{}-{}-{}", serde_name(&encoder), serde_name(&critic), serde_name(&estimator));
        let name = match t {
            Some(t) => format!("{base}-t{t}"),
            None => base,
        };
        Self { name, encoder, critic, estimator, t, schedule: None }
    }
}

fn serde_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
