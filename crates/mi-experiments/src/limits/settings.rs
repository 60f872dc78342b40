//! What determines the study's results: the settings per profile.
use super::*;

/// Settings of the optimal-critic study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimalSettings {
    pub levels_nats: Vec<f64>,
    /// Batch size B of the NWJ/DV measurements (M = B(B − 1) off-diagonal samples of q).
    pub batch: usize,
    pub trials: usize,
    pub infonce_batches: Vec<usize>,
    pub infonce_trials: usize,
}

/// Settings of the ln N study (optimal-critic InfoNCE and DoE; the trained critics use
/// `staircase.cap_sizes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapSettings {
    pub sizes: Vec<usize>,
    pub trials: usize,
}

/// Everything that determines the results (the `settings` object of config.json).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitsSettings {
    pub profile: Profile,
    pub seed: u64,
    pub runs: usize,
    pub staircase: StaircaseSettings,
    pub separable_steps_per_level: usize,
    /// 0: the concat critic is not trained.
    pub concat_steps_per_level: usize,
    pub tasks: Vec<TaskVariant>,
    pub concat_tasks: Vec<TaskVariant>,
    pub objectives: Vec<Bound>,
    /// Bias/variance/MSE of a level use its last `window_fraction` of steps.
    pub window_fraction: f64,
    /// Steps per point of the plotted curves (mean ± sd of the estimates in the bin).
    pub bin_steps: usize,
    pub optimal: OptimalSettings,
    pub cap: CapSettings,
}

impl LimitsSettings {
    /// The settings of a profile.
    ///
    /// * `paper`: the settings — 4,000 steps per level, batch 64, Adam 5e-4, both critics
    ///   on both tasks, 20,000 optimal-critic batches per level.
    /// * `quick`: sized for 2 CPU cores with `--threads 1`. Measured (release build, one libtorch
    ///   thread, on the 2-core development machine while it was shared — load ≈ 5): the separable
    ///   critic trains at 55–70 steps/s (I_α, with its baseline network, 36), the concat critic
    ///   (a [4096, 256] × [256, 256] product per step) at 11–12 steps/s. Quick trains the
    ///   separable critic 1,000 steps per level on both tasks (10 runs × 5 levels = 50,000 steps,
    ///   ≈ 14 min at those rates) and the concat critic 400 steps per level on the Gaussian task
    ///   only (5 runs × 5 levels = 10,000 steps, ≈ 14 min); the optimal-critic and ln N parts take
    ///   1–3 min. About 30 minutes on the shared machine, roughly half that on two quiet cores.
    /// * `smoke`: every code path in seconds.
    pub fn named(profile: Profile, seed: u64) -> Self {
        let staircase = StaircaseSettings {
            dim: 20,
            levels_nats: vec![2.0, 4.0, 6.0, 8.0, 10.0],
            batch: 64,
            learning_rate: 5e-4,
            hidden: vec![256, 256],
            embed: 32,
            mine_ema_decay: 0.99,
            cap_sizes: vec![64, 256, 1024, 4096],
            cap_trials: 3,
        };
        let levels: Vec<f64> = vec![0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        let paper = Self {
            profile,
            seed,
            runs: 1,
            staircase,
            separable_steps_per_level: 4_000,
            concat_steps_per_level: 4_000,
            tasks: vec![TaskVariant::Gaussian, TaskVariant::Cubic],
            concat_tasks: vec![TaskVariant::Gaussian, TaskVariant::Cubic],
            objectives: OBJECTIVES.to_vec(),
            window_fraction: 0.5,
            bin_steps: 50,
            optimal: OptimalSettings { levels_nats: levels, batch: 64, trials: 20_000, infonce_batches: vec![16, 64, 256, 1024], infonce_trials: 100 },
            cap: CapSettings { sizes: vec![64, 256, 1024, 4096, 16384], trials: 10 },
        };
        match profile {
            Profile::Paper => paper,
            Profile::Quick => Self {
                separable_steps_per_level: 1_000,
                concat_steps_per_level: 400,
                concat_tasks: vec![TaskVariant::Gaussian],
                bin_steps: 25,
                optimal: OptimalSettings { trials: 10_000, infonce_trials: 40, ..paper.optimal.clone() },
                cap: CapSettings { trials: 4, ..paper.cap.clone() },
                ..paper
            },
            Profile::Smoke => Self {
                separable_steps_per_level: 12,
                concat_steps_per_level: 6,
                concat_tasks: vec![TaskVariant::Gaussian],
                staircase: StaircaseSettings { cap_sizes: vec![64, 128], cap_trials: 1, ..paper.staircase.clone() },
                bin_steps: 4,
                optimal: OptimalSettings { levels_nats: vec![1.0, 4.0, 10.0], batch: 64, trials: 200, infonce_batches: vec![16, 64], infonce_trials: 3 },
                cap: CapSettings { sizes: vec![64, 256, 1024], trials: 1 },
                ..paper
            },
        }
    }

    /// The training runs, in order: separable first, then concat.
    pub fn configs(&self) -> Vec<TrainConfig> {
        let mut v = vec![];
        for (critic, steps, tasks) in [
            (CriticArch::Separable, self.separable_steps_per_level, &self.tasks),
            (CriticArch::Concat, self.concat_steps_per_level, &self.concat_tasks),
        ] {
            if steps == 0 {
                continue;
            }
            for &task in tasks {
                for &objective in &self.objectives {
                    v.push(TrainConfig {
                        name: format!("{}-{}-{}", critic.name(), task.name(), objective),
                        critic,
                        task,
                        objective,
                        steps_per_level: steps,
                    });
                }
            }
        }
        v
    }

    pub(super) fn validate(&self) -> Result<()> {
        let s = &self.staircase;
        let bad = |m: String| Err(ExperimentError::Invalid(m));
        if s.levels_nats.is_empty() || s.levels_nats.iter().any(|l| !(l.is_finite() && *l > 0.0)) {
            return bad(format!("staircase levels must be positive, got {:?}", s.levels_nats));
        }
        if s.batch < 2 || self.optimal.batch < 2 || self.optimal.infonce_batches.iter().any(|&b| b < 2) {
            return bad("batch sizes must be at least 2".into());
        }
        if self.runs == 0 || self.optimal.trials < 2 || self.cap.trials == 0 || self.optimal.infonce_trials == 0 {
            return bad("runs and trials must be at least 1 (2 for variances)".into());
        }
        if !(self.window_fraction > 0.0 && self.window_fraction <= 1.0) || self.bin_steps == 0 {
            return bad(format!("window fraction {} must be in (0, 1], bin steps ≥ 1", self.window_fraction));
        }
        Ok(())
    }
}
