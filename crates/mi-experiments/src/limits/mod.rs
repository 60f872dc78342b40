//! `reproduce limits`: what variational MI estimators cannot do, measured on data with known MI.
//!
//! Three parts, written to `results/limits/` (config.json, runs.jsonl, summary.json, SVG + PNG
//! plots, REPORT.md with the claims of the slides and whether our numbers support them):
//! 1. **Staircase** ([`staircase`]): critics trained through 2 → 4 → 6 → 8 → 10 nats on fresh
//!    samples, estimate vs step for InfoNCE, NWJ, DV/MINE, JS, SMILE (τ = 1, 5), I_α; bias,
//!    variance and MSE per level over the second half of each level's steps.
//! 2. **Optimal critic** ([`theory`]): with the known density ratio, the variance of NWJ and the
//!    bias of DV against their exact Gaussian values and Song & Ermon's bound, and InfoNCE's
//!    saturation at log B for B ∈ {16, 64, 256, 1024}. No training.
//! 3. **The ln N cap** (McAllester & Stratos): at the top MI level, lower-bound estimates from N
//!    samples (the optimal critic's InfoNCE, the trained separable critics' bounds on N×N
//!    matrices) against ln N, and the Gaussian difference-of-entropies estimator, which is not
//!    capped (and fails on the cubic variant, where its Gaussian models are wrong).
//!
//! Runs are resumable: each finished training run is one line of `runs.jsonl`; a second call
//! with the same settings trains only what is missing, and everything after training is
//! recomputed from the records.
pub mod staircase;
pub mod theory;

use mi_report::claims::Claim;
use mi_report::stats::mean_var;
use mi_train::options::Override;
use mi_train::{Context, Experiment, ExperimentError, Figure, Profile, Report, Result, RunKey, RunOptions, UnitPlan};
use mi_estimators::bounds;
use mi_estimators::tasks::Task;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use mi_estimators::bounds::Bound;
use staircase::{reported, CriticArch, RunRecord, StaircaseSettings, TaskVariant, TrainConfig, OBJECTIVES};
use std::collections::BTreeMap;
mod settings;
mod studies;
mod summary;

pub use settings::*;
pub use studies::*;
pub use summary::*;

mod report;

/// The study as an [`Experiment`]: one unit per (training configuration, run); the optimal-critic,
/// saturation and ln N parts (no training) are recomputed in `prepare` every time.
pub struct Limits;

/// The parts without training.
pub struct Studies {
    optimal: Vec<OptimalLevel>,
    saturation: Vec<SaturationPoint>,
    cap_points: Vec<CapPoint>,
}

impl Experiment for Limits {
    type Settings = LimitsSettings;
    type Prepared = Studies;
    type Record = RunRecord;
    type Summary = Summary;

    fn id(&self) -> String {
        "limits".into()
    }

    fn accepts(&self) -> &'static [Override] {
        &[Override::Runs, Override::Steps]
    }

    fn settings(&self, profile: Profile, opts: &RunOptions) -> Result<LimitsSettings> {
        let mut s = LimitsSettings::named(profile, opts.seed);
        if let Some(steps) = opts.steps {
            s.separable_steps_per_level = steps;
            if s.concat_steps_per_level > 0 {
                s.concat_steps_per_level = steps;
            }
            s.bin_steps = s.bin_steps.min(steps.div_ceil(10).max(1));
        }
        s.runs = opts.runs.unwrap_or(s.runs);
        s.validate()?;
        Ok(s)
    }

    fn settings_json(&self, s: &LimitsSettings) -> serde_json::Value {
        serde_json::to_value(s).unwrap_or_default()
    }

    fn recorded_settings(&self, recorded: &serde_json::Value) -> Option<Result<LimitsSettings>> {
        let read = serde_json::from_value::<LimitsSettings>(recorded.clone())
            .map_err(|e| ExperimentError::Invalid(format!("the recorded settings of this limits folder cannot be read ({e})")));
        Some(read.and_then(|s| s.validate().map(|()| s)))
    }

    fn config_extras(&self, s: &LimitsSettings, _opts: &RunOptions) -> Vec<(&'static str, serde_json::Value)> {
        vec![("configs", serde_json::to_value(s.configs()).unwrap_or_default())]
    }

    /// Rates with one libtorch thread, from the quick profile's runs (`results/limits`): the
    /// separable critic ≈60 steps/s (I_α with its baseline network ≈35), the concat critic ≈13.
    fn unit_plan(&self, s: &LimitsSettings, unit: &RunKey) -> UnitPlan {
        let Some(cfg) = s.configs().into_iter().find(|c| c.name == unit.config) else { return UnitPlan::default() };
        let steps = cfg.steps_per_level * s.staircase.levels_nats.len();
        let rate = match (cfg.critic, cfg.objective.needs_baseline()) {
            (CriticArch::Concat, _) => 13.0,
            (CriticArch::Separable, true) => 35.0,
            (CriticArch::Separable, false) => 60.0,
        };
        UnitPlan {
            seed: Some(crate::infomax::run_seed(s.seed, &cfg.name, unit.run)),
            steps: Some(steps as u64),
            cost_core_seconds: Some(steps as f64 / rate),
        }
    }

    fn units(&self, s: &LimitsSettings) -> Vec<RunKey> {
        s.configs().into_iter().flat_map(|c| (0..s.runs).map(move |run| RunKey { config: c.name.clone(), run })).collect()
    }

    fn start_line(&self, s: &LimitsSettings) -> String {
        format!("{} training runs × {} (separable {} / concat {} steps per level)", s.configs().len(), s.runs, s.separable_steps_per_level, s.concat_steps_per_level)
    }

    fn prepare(&self, s: &LimitsSettings, ctx: &Context) -> Result<Studies> {
        // one unit alone (`--run-index`) writes no summary: the studies would go unused
        if ctx.opts.run_index.is_some() {
            return Ok(Studies { optimal: vec![], saturation: vec![], cap_points: vec![] });
        }
        let say = |m: &str| ctx.say(m);
        Ok(Studies { optimal: optimal_study(s, &say)?, saturation: saturation_study(s)?, cap_points: cap_study(s, &say)? })
    }

    fn run_unit(&self, s: &LimitsSettings, _prep: &Studies, unit: &RunKey, ctx: &Context) -> Result<Vec<RunRecord>> {
        let cfg = s.configs().into_iter().find(|c| c.name == unit.config).ok_or_else(|| ExperimentError::Invalid(format!("limits: no configuration {}", unit.config)))?;
        Ok(vec![staircase::train(&cfg, &s.staircase, unit.run, s.seed, ctx.device, ctx.opts.quiet)?])
    }

    fn summarize(&self, s: &LimitsSettings, prep: &Studies, records: &[RunRecord], ctx: &Context) -> Result<Summary> {
        let mut summary = Summary {
            experiment: "limits",
            profile: s.profile,
            seed: s.seed,
            device: ctx.device_label.clone(),
            runs_done: records.len(),
            runs_expected: s.configs().len() * s.runs,
            training_seconds: records.iter().map(|r| r.seconds).sum(),
            staircase: summarize_staircase(records, s),
            optimal: prep.optimal.clone(),
            infonce_saturation: prep.saturation.clone(),
            cap: add_trained(&prep.cap_points, records),
            claims: vec![],
        };
        summary.claims = report::claims(&summary, s);
        Ok(summary)
    }

    fn report(&self, s: &LimitsSettings, _prep: &Studies, summary: &Summary, _records: &[RunRecord], ctx: &Context) -> Result<Report> {
        let charts = report::charts(summary, s);
        let mut figures: Vec<Figure> = charts.iter().map(|(n, c)| Figure::chart(n.clone(), c)).collect();
        figures.extend(report::staircase_grid(&charts));
        let (intro, sections) = report::text(summary, s, &ctx.profile_reason);
        Ok(Report { title: report::TITLE.into(), intro, claims: summary.claims.clone(), sections, figures })
    }

    /// Rasterising a dozen charts takes seconds: only at the end.
    fn figures_after_every_unit(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_valid_and_paper_matches_the_issue() {
        for p in [Profile::Paper, Profile::Quick, Profile::Smoke] {
            let s = LimitsSettings::named(p, 0);
            s.validate().unwrap();
            assert!(!s.configs().is_empty());
        }
        let s = LimitsSettings::named(Profile::Paper, 0);
        assert_eq!((s.separable_steps_per_level, s.concat_steps_per_level, s.staircase.batch), (4_000, 4_000, 64));
        assert_eq!(s.staircase.learning_rate, 5e-4);
        assert_eq!(s.staircase.levels_nats, vec![2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(s.staircase.hidden, vec![256, 256]);
        assert_eq!(s.configs().len(), 2 * 2 * 5);
        assert_eq!(s.optimal.infonce_batches, vec![16, 64, 256, 1024]);
    }

    #[test]
    fn level_statistics_use_the_window_and_skip_non_finite_values() {
        let mut est = BTreeMap::new();
        // level 1 (2 nats): 4 steps, window = last 2 → values 3, 5; level 2 (4 nats): 4, None
        est.insert(Bound::Nwj, vec![Some(0.0), Some(0.0), Some(3.0), Some(5.0), Some(9.0), Some(9.0), Some(4.0), None]);
        let r = RunRecord {
            config: "c".into(),
            run: 0,
            seed: 0,
            critic: CriticArch::Separable,
            task: TaskVariant::Gaussian,
            objective: Bound::Nwj,
            steps_per_level: 4,
            levels_nats: vec![2.0, 4.0],
            estimates_nats: est,
            skipped_steps: 0,
            seconds: 0.0,
            cap_eval: vec![],
        };
        let s = summarize_series(&[&r], Bound::Nwj, 0.5, 2).unwrap();
        let l = &s.levels[0];
        assert_eq!((l.n_finite, l.n_nonfinite), (2, 0));
        assert_eq!((l.mean_nats, l.bias_nats, l.variance, l.mse), (4.0, 2.0, 2.0, 5.0));
        let l = &s.levels[1];
        assert_eq!((l.n_finite, l.n_nonfinite, l.mean_nats, l.mse), (1, 1, 4.0, 0.0));
        assert_eq!(s.curve.len(), 4);
        assert_eq!(s.curve[1], (3.0, 4.0, 2f64.sqrt()));
    }
}
