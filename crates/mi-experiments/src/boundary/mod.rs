//! Where does the critic begin? The encoder–critic boundary experiment of the slides' "Thoughts &
//! Discussion": one network of four modules A → B → C → D per view, trained with InfoNCE, with the
//! boundary drawn at three places — P1: encoder A, critic BCD; P2: encoder AB, critic CD; P3:
//! encoder ABC, critic D — and a control with the paper's default boundary (encoder ABCD, bilinear
//! critic). At every evaluation the output of every module is probed, not only the encoder's.
//!
//! P1–P3 are one optimisation problem (see [`network`]): the critic of P_k is the rest of each
//! view's tower and a dot product, so the score is ABCD₁(x₁) · ABCD₂(x₂) for every k. Their runs
//! differ only in their seeds (each boundary has its own, as every configuration of a grid does).
//! That is the point of the design: if the boundary changed what is learned, it would have to do
//! so through something other than the function being optimised.
//!
//! Results: `config.json`, `runs.jsonl` (one record per evaluation of a run), `summary.json`, the
//! heatmap of final accuracy by boundary and depth, accuracy-vs-steps curves per depth, the I_est
//! curves, `REPORT.md`.
pub mod claims;
pub mod network;
mod report;
pub mod summary;
pub mod train;

use crate::infomax::{load_views, pixel_baseline, run_seed, Dataset, LoopSettings, PairViews, ProbeScores};
use mi_train::options::Override;
use mi_train::{Context, Experiment, ExperimentError, Profile, Report, Result, RunKey, RunOptions, UnitPlan};
use network::DEPTHS;
use serde::{Deserialize, Serialize};
use summary::BoundarySummary;
use train::BoundaryRecord;

/// One boundary: its name, the depth its encoder ends at, its critic.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BoundaryConfig {
    pub name: String,
    /// Index into [`DEPTHS`] of the designated encoder's output (P1: 0 = A).
    pub encoder_depth: usize,
    /// `true`: the control's bilinear critic on ABCD; `false`: the rest of the towers and a dot product.
    #[serde(default)]
    pub bilinear_critic: bool,
}

impl BoundaryConfig {
    /// The critic in words, for the report.
    pub fn critic_words(&self) -> String {
        if self.bilinear_critic {
            "bilinear u⊤Wv on ABCD".into()
        } else {
            let rest = &DEPTHS[DEPTHS.len() - 1][self.encoder_depth + 1..];
            format!("{rest} of each view, then the dot product")
        }
    }
}

/// P1, P2, P3 and the control.
pub fn configs() -> Vec<BoundaryConfig> {
    let p = |k: usize| BoundaryConfig { name: format!("p{}", k + 1), encoder_depth: k, bilinear_critic: false };
    vec![p(0), p(1), p(2), BoundaryConfig { name: "bilinear".into(), encoder_depth: DEPTHS.len() - 1, bilinear_critic: true }]
}

/// The quick profile's length and runs: a run of 3,001 steps took 21 s on the two-core machine
/// (≈150 steps/s, four probes ≈1 s), so 5,001 steps and 6 runs per boundary are ≈15 minutes.
pub const QUICK_STEPS: usize = 5_001;
pub const QUICK_RUNS: usize = 6;

/// Steps and evaluations of each profile, and runs per boundary.
pub fn loop_settings(profile: Profile) -> (LoopSettings, usize) {
    match profile {
        // the A4 length and runs
        Profile::Paper => (LoopSettings::paper(), 20),
        // sized to fit 30 minutes on two cores with the build (docs/profiles.md): 4 boundaries × 6 runs
        Profile::Quick => (LoopSettings::quick(QUICK_STEPS, 1_000), QUICK_RUNS),
        Profile::Smoke => (LoopSettings::smoke(), 1),
    }
}

/// The resolved settings (the `settings` of `config.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BoundarySettings {
    pub profile: Profile,
    #[serde(rename = "loop")]
    pub loop_settings: LoopSettings,
    pub runs: usize,
    pub seed: u64,
    pub configs: Vec<BoundaryConfig>,
    pub n_train: usize,
    pub n_test: usize,
}

/// Data and the pixel baseline, made once.
pub struct Prepared {
    pub data: PairViews,
    pub baseline: ProbeScores,
}

pub struct Boundary;

impl Experiment for Boundary {
    type Settings = BoundarySettings;
    type Prepared = Prepared;
    type Record = BoundaryRecord;
    type Summary = BoundarySummary;

    fn id(&self) -> String {
        "boundary".into()
    }

    fn accepts(&self) -> &'static [Override] {
        &[Override::Runs, Override::Steps, Override::LearningRate]
    }

    fn settings(&self, profile: Profile, opts: &RunOptions) -> Result<BoundarySettings> {
        let (mut loop_settings, mut runs) = loop_settings(profile);
        if let Some(s) = opts.steps {
            loop_settings.steps = s;
            loop_settings.eval_every = loop_settings.eval_every.min(s.max(2) - 1).max(1);
        }
        if let Some(r) = opts.runs {
            runs = r;
        }
        if let Some(lr) = opts.learning_rate {
            loop_settings.learning_rate = lr;
        }
        let (n_train, n_test) = if profile == Profile::Smoke { (6_000, 1_000) } else { (60_000, 10_000) };
        Ok(BoundarySettings { profile, loop_settings, runs, seed: opts.seed, configs: configs(), n_train, n_test })
    }

    fn settings_json(&self, s: &BoundarySettings) -> serde_json::Value {
        serde_json::to_value(s).unwrap_or_default()
    }

    fn recorded_settings(&self, recorded: &serde_json::Value) -> Option<Result<BoundarySettings>> {
        Some(serde_json::from_value(recorded.clone()).map_err(|e| ExperimentError::Invalid(format!("the recorded settings of this boundary folder cannot be read ({e})"))))
    }

    fn config_extras(&self, _s: &BoundarySettings, opts: &RunOptions) -> Vec<(&'static str, serde_json::Value)> {
        vec![("data_dir", serde_json::json!(mi_data::data_root(opts.data_dir.as_deref()).join("mnist")))]
    }

    fn units(&self, s: &BoundarySettings) -> Vec<RunKey> {
        // run index outermost, so an interrupted run still has every boundary
        (0..s.runs).flat_map(|run| s.configs.iter().map(move |c| RunKey { config: c.name.clone(), run })).collect()
    }

    /// ≈100 steps/s and ≈2 s per evaluation (four probes) on one core of the development machine.
    fn unit_plan(&self, s: &BoundarySettings, unit: &RunKey) -> UnitPlan {
        let l = &s.loop_settings;
        let evaluations = l.eval_steps().len();
        UnitPlan {
            seed: Some(run_seed(s.seed, &unit.config, unit.run)),
            steps: Some(l.steps as u64),
            cost_core_seconds: Some(l.steps as f64 / 100.0 + evaluations as f64 * 2.0),
        }
    }

    fn start_line(&self, s: &BoundarySettings) -> String {
        format!("{} boundaries × {} runs × {} steps, probes on {} at every evaluation", s.configs.len(), s.runs, s.loop_settings.steps, DEPTHS.join(", "))
    }

    fn prepare(&self, s: &BoundarySettings, ctx: &Context) -> Result<Prepared> {
        let dir = mi_data::data_root(ctx.opts.data_dir.as_deref()).join("mnist");
        let data = load_views(Dataset::Mnist, &dir, s.n_train, s.n_test, ctx.device, &|m| ctx.say(m))?;
        let baseline = pixel_baseline(&data, &s.loop_settings, s.seed)?;
        ctx.say(&format!("boundary: pixel baseline: test accuracy {:.4}", baseline.test_accuracy));
        Ok(Prepared { data, baseline })
    }

    fn run_unit(&self, s: &BoundarySettings, prep: &Prepared, unit: &RunKey, ctx: &Context) -> Result<Vec<BoundaryRecord>> {
        let cfg = s.configs.iter().find(|c| c.name == unit.config).ok_or_else(|| ExperimentError::Invalid(format!("boundary: no configuration {}", unit.config)))?;
        train::run_boundary(cfg, &s.loop_settings, &prep.data, unit.run, s.seed, ctx.opts.quiet)
    }

    fn summarize(&self, s: &BoundarySettings, prep: &Prepared, records: &[BoundaryRecord], _ctx: &Context) -> Result<BoundarySummary> {
        Ok(summary::summarize("boundary", s.profile, &s.configs, &prep.baseline, records))
    }

    fn report(&self, s: &BoundarySettings, prep: &Prepared, summary: &BoundarySummary, _records: &[BoundaryRecord], ctx: &Context) -> Result<Report> {
        Ok(report::report(s, &prep.data, summary, ctx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundaries_and_their_critics() {
        let c = configs();
        assert_eq!(c.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["p1", "p2", "p3", "bilinear"]);
        assert_eq!(c.iter().map(|c| c.critic_words()).collect::<Vec<_>>(), [
            "BCD of each view, then the dot product",
            "CD of each view, then the dot product",
            "D of each view, then the dot product",
            "bilinear u⊤Wv on ABCD"
        ]);
        let (quick, runs) = loop_settings(Profile::Quick);
        assert_eq!((quick.steps, quick.batch, quick.learning_rate, runs), (5_001, 128, 1e-4, 6));
        assert_eq!(quick.eval_steps().last(), Some(&5_000));
        assert_eq!(loop_settings(Profile::Paper).1, 20);
    }
}
