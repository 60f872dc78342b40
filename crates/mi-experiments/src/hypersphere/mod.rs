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
pub mod uniformity;
pub mod losses;

use crate::infomax::run_seed;
use mi_report::claims::Claim;
use mi_report::scatter::{Marker, Scatter, ScatterPoint};
use mi_train::folder::shown;
use mi_train::options::Override;
use mi_train::progress::RunProgress;
use mi_train::{Context, Experiment, ExperimentError, Figure, Profile, Report, Result, RunKey, RunOptions, UnitPlan};
use losses::AlignUniform;
use mi_encoders::{Encoder, SmallCnn, SmallCnnConfig};
use mi_probe::{CosineKnn, LogisticRegression, MinMaxScaler};
use mi_views::augment::Augment;
use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
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
mod claims;
mod data;
mod records;
mod report;
mod settings;
mod summary;
mod train;

pub use claims::*;
use data::*;
pub use records::*;
pub use settings::*;
pub use summary::*;
use train::*;
use report::*;

/// The settings a run will use: the profile's, with `--steps`/`--runs` applied.
pub fn resolve_settings(profile: Profile, opts: &RunOptions) -> Result<HyperSettings> {
    let mut s = HyperSettings::for_profile(profile);
    s.steps = opts.steps.unwrap_or(s.steps);
    s.runs = opts.runs.unwrap_or(s.runs);
    opts.validate()?;
    s.validate()?;
    Ok(s)
}

/// The study as an [`Experiment`]: one unit per (encoder, run).
pub struct Hypersphere;

/// The resolved settings with the profile and seed they came from.
#[derive(Serialize)]
pub struct HyperRun {
    pub profile: Profile,
    pub seed: u64,
    pub hyper: HyperSettings,
}

/// What every unit needs: the study's encoders, MNIST, the CIFAR-10 note.
pub struct Prepared {
    specs: Vec<EncoderSpec>,
    data: Data,
    cifar: String,
}

impl Experiment for Hypersphere {
    type Settings = HyperRun;
    type Prepared = Prepared;
    type Record = EncoderRecord;
    type Summary = HyperSummary;

    fn id(&self) -> String {
        "hypersphere".into()
    }

    fn accepts(&self) -> &'static [Override] {
        &[Override::Runs, Override::Steps]
    }

    fn settings(&self, profile: Profile, opts: &RunOptions) -> Result<HyperRun> {
        Ok(HyperRun { profile, seed: opts.seed, hyper: resolve_settings(profile, opts)? })
    }

    fn settings_json(&self, s: &HyperRun) -> serde_json::Value {
        serde_json::json!({ "profile": s.profile, "seed": s.seed, "hyper": s.hyper, "encoders": encoder_specs(s.hyper.output_dim) })
    }

    fn config_extras(&self, _s: &HyperRun, opts: &RunOptions) -> Vec<(&'static str, serde_json::Value)> {
        vec![("data_dir", serde_json::json!(mi_data::data_root(opts.data_dir.as_deref()).join("mnist")))]
    }

    /// ≈7 training steps/s and ≈20 s of evaluation per encoder on one core (the quick profile's
    /// runs in `results/hypersphere`); untrained baselines only evaluate.
    fn unit_plan(&self, s: &HyperRun, unit: &RunKey) -> UnitPlan {
        let trained = encoder_specs(s.hyper.output_dim).iter().find(|e| e.name == unit.config).is_some_and(|e| !e.name.ends_with("random"));
        let steps = if trained { s.hyper.steps } else { 0 };
        UnitPlan { seed: None, steps: Some(steps as u64), cost_core_seconds: Some(steps as f64 / 7.0 + 20.0) }
    }

    fn units(&self, s: &HyperRun) -> Vec<RunKey> {
        let specs = encoder_specs(s.hyper.output_dim);
        let s = &s.hyper;
        (0..s.runs).flat_map(|run| specs.iter().map(move |e| RunKey { config: e.name.clone(), run })).collect()
    }

    fn start_line(&self, s: &HyperRun) -> String {
        let s = &s.hyper;
        format!("{} encoders × {} run(s) × {} steps", encoder_specs(s.output_dim).len(), s.runs, s.steps)
    }

    fn prepare(&self, s: &HyperRun, ctx: &Context) -> Result<Prepared> {
        let s = &s.hyper;
        let root = mi_data::data_root(ctx.opts.data_dir.as_deref());
        let data_dir = root.join("mnist");
        mi_data::mnist::ensure(&data_dir, &mut |m| ctx.say(m))?;
        let mnist = mi_data::mnist::load(&data_dir)?;
        let data = Data::new(&mnist, s, ctx.opts.seed, ctx.device)?;
        Ok(Prepared { specs: encoder_specs(s.output_dim), data, cifar: cifar_status(&root) })
    }

    fn run_unit(&self, s: &HyperRun, prep: &Prepared, unit: &RunKey, ctx: &Context) -> Result<Vec<EncoderRecord>> {
        let spec = prep.specs.iter().find(|e| e.name == unit.config).ok_or_else(|| ExperimentError::Invalid(format!("hypersphere: no encoder {}", unit.config)))?;
        let r = run_encoder(spec, &s.hyper, &prep.data, unit.run, ctx.opts.seed, ctx.opts.quiet)?;
        let m = &r.metrics;
        ctx.say(&format!(
            "{} run {}: linear {:.4}, probe layer {:.4}, 5-NN {:.4}, L_align {:.4}, L_uniform {:.4} (train {:.0} s, eval {:.0} s)",
            spec.name, unit.run, m.linear_accuracy, m.probe_layer_accuracy, m.knn_accuracy, m.l_align, m.l_uniform, r.train_seconds, r.eval_seconds
        ));
        Ok(vec![r])
    }

    fn summarize(&self, s: &HyperRun, prep: &Prepared, records: &[EncoderRecord], ctx: &Context) -> Result<HyperSummary> {
        Ok(summarize(&prep.specs, records, &s.hyper, ctx.profile, s.seed, &ctx.device_label, &prep.cifar))
    }

    fn report(&self, _s: &HyperRun, _prep: &Prepared, summary: &HyperSummary, records: &[EncoderRecord], ctx: &Context) -> Result<Report> {
        Ok(report_of(summary, records, &ctx.profile_reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mi_report::claims::Verdict;

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

    /// Three runs of `spec` whose accuracies differ by ±0.2 points (run-to-run noise to test against).
    fn fake_runs(spec: &EncoderSpec, m: Metrics) -> Vec<EncoderRecord> {
        (0..3)
            .map(|run| {
                let jitter = 0.002 * (run as f64 - 1.0);
                let mut r = fake_record(spec, Metrics { linear_accuracy: m.linear_accuracy + jitter, ..m });
                r.run = run;
                r
            })
            .collect()
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
                // accuracy falls with L_uniform across the sweep (a clear rank correlation), the
                // contrastive encoders a little below the align+uniform ones
                Objective::Contrastive { tau } => {
                    let un = -1.4 - 0.1 * (1.0 - tau);
                    (0.18 - 0.4 * un, 0.4 + tau / 10.0, un)
                }
                Objective::AlignUniform(w) if w.w_align > 100.0 => (0.3, 0.01, -0.05),
                Objective::AlignUniform(w) => {
                    let un = -1.45 + w.w_align / 100.0 + (w.t - 2.0).abs() / 100.0;
                    (0.2 - 0.4 * un, 0.2 + (w.t - 2.0).abs() / 10.0, un)
                }
            };
            Metrics { linear_accuracy: acc, probe_layer_accuracy: acc, knn_accuracy: acc, l_align: al, l_uniform: un }
        };
        let records: Vec<EncoderRecord> = specs.iter().flat_map(|sp| fake_runs(sp, good(sp))).collect();
        let summary = summarize(&specs, &records, &s, Profile::Smoke, 0, "Cpu", "absent");
        let c = claims(&summary);
        assert_eq!(c.len(), 7);
        assert!(c.iter().all(|c| c.verdict == Verdict::Holds), "{c:#?}");
        // one run per encoder: the comparisons that need run-to-run noise are not measured
        let single: Vec<EncoderRecord> = specs.iter().map(|sp| fake_record(sp, good(sp))).collect();
        let c1 = claims(&summarize(&specs, &single, &s, Profile::Smoke, 0, "Cpu", "absent"));
        assert_eq!((c1[0].verdict, c1[3].verdict), (Verdict::NotMeasured, Verdict::NotMeasured), "{c1:#?}");
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
                fake_runs(sp, m)
            })
            .collect::<Vec<_>>()
            .concat();
        let c = claims(&summarize(&specs, &bad, &s, Profile::Smoke, 0, "Cpu", "absent"));
        assert_eq!(c[0].verdict, Verdict::DoesNotHold);
        assert_eq!(c[4].verdict, Verdict::DoesNotHold, "{:?}", c[4]);
        assert_eq!(c[6].verdict, Verdict::DoesNotHold);
        // missing encoders do not hold
        let c = claims(&summarize(&specs, &records[..6], &s, Profile::Smoke, 0, "Cpu", "absent"));
        assert!(c.iter().all(|c| c.verdict != Verdict::Holds), "{c:#?}");
    }
}

