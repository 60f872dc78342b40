//! The study's encoders (objectives, which study each serves) and its settings per profile.
use super::*;


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

pub(super) fn au(w_align: f64, t: f64) -> Objective {
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

pub(super) fn fmt_num(x: f64) -> String {
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

    pub(super) fn validate(&self) -> Result<()> {
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
