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

use crate::infomax::{ExperimentError, Result};
use crate::paper_grids::RunOptions;
use crate::profile::{self, Profile};
use crate::report::{self, Claim};
use crate::results::{Provenance, ResultsDir};
use mi_estimators::bounds;
use mi_estimators::tasks::Task;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use staircase::{CriticArch, Estimator, Objective, RunRecord, StaircaseSettings, TaskVariant, TrainConfig};
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    pub objectives: Vec<Objective>,
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
    /// * `paper`: the issue's settings — 4,000 steps per level, batch 64, Adam 5e-4, both critics
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
            alpha: 0.01,
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
            objectives: Objective::ALL.to_vec(),
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
                        name: format!("{}-{}-{}", critic.name(), task.name(), objective.name()),
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

    fn validate(&self) -> Result<()> {
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

/// Bias, variance and MSE of one estimator at one level (over the level's window of steps,
/// pooled over runs; non-finite estimates are counted and left out).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LevelStats {
    pub mi_nats: f64,
    pub n_finite: usize,
    pub n_nonfinite: usize,
    pub mean_nats: f64,
    pub bias_nats: f64,
    pub variance: f64,
    pub mse: f64,
}

/// One estimator of one (critic, task): the curve and the per-level table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeriesSummary {
    pub critic: CriticArch,
    pub task: TaskVariant,
    pub objective: Objective,
    pub estimator: Estimator,
    pub runs: usize,
    pub steps_per_level: usize,
    pub skipped_steps: usize,
    pub levels: Vec<LevelStats>,
    /// (step, mean, sd) per bin of `bin_steps` steps (mean over runs and the bin's steps).
    pub curve: Vec<(f64, f64, f64)>,
}

/// The optimal critic at one MI level: measured moments and their theory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OptimalLevel {
    pub mi_nats: f64,
    pub batch: usize,
    pub trials: usize,
    pub nwj_mean_nats: f64,
    pub nwj_variance: f64,
    /// Exact Var[NWJ] for this Gaussian (see `theory`).
    pub nwj_variance_theory: f64,
    /// Song & Ermon: (e^I − 1)/M with M = B(B − 1).
    pub nwj_variance_bound: f64,
    pub dv_mean_nats: f64,
    /// mean(DV) − I.
    pub dv_bias_nats: f64,
    /// mean(DV − NWJ) = mean(Z − 1 − log Z) ≥ 0: the same bias with far less noise (E[NWJ] = I).
    pub dv_bias_paired_nats: f64,
    /// Delta method Var[Z]/2 (valid while Var[Z] ≪ 1).
    pub dv_bias_delta_theory: f64,
    pub infonce_mean_nats: f64,
}

/// InfoNCE of the optimal critic for one batch size and MI.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SaturationPoint {
    pub batch: usize,
    pub mi_nats: f64,
    pub trials: usize,
    pub mean_nats: f64,
    pub sd_nats: f64,
    pub max_nats: f64,
    pub log_batch: f64,
}

/// Estimates from N samples at the top MI level.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CapPoint {
    pub n: usize,
    pub ln_n: f64,
    pub mi_nats: f64,
    pub infonce_optimal_mean_nats: f64,
    pub infonce_optimal_max_nats: f64,
    /// Gaussian DoE on the Gaussian task (mean over trials; `None` when not defined for this N).
    pub doe_gaussian_mean_nats: Option<f64>,
    pub doe_gaussian_min_nats: Option<f64>,
    /// Gaussian DoE on the cubic variant (same MI; the models are wrong there).
    pub doe_cubic_mean_nats: Option<f64>,
    /// Trained separable critics (last level) on N×N matrices: (config, estimator, mean, max).
    pub trained: Vec<TrainedCap>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainedCap {
    pub config: String,
    pub task: TaskVariant,
    pub estimator: Estimator,
    pub mean_nats: f64,
    pub max_nats: f64,
    pub trials: usize,
}

/// summary.json.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub experiment: &'static str,
    pub profile: Profile,
    pub seed: u64,
    pub device: String,
    pub runs_done: usize,
    pub runs_expected: usize,
    pub training_seconds: f64,
    pub staircase: Vec<SeriesSummary>,
    pub optimal: Vec<OptimalLevel>,
    pub infonce_saturation: Vec<SaturationPoint>,
    pub cap: Vec<CapPoint>,
    pub claims: Vec<Claim>,
}

/// Per-level statistics and the binned curve of one estimator over its runs.
fn summarize_series(records: &[&RunRecord], estimator: Estimator, window_fraction: f64, bin: usize) -> Option<SeriesSummary> {
    let first = records.first()?;
    let spl = first.steps_per_level;
    let window = ((spl as f64 * window_fraction).ceil() as usize).clamp(1, spl);
    let series: Vec<&Vec<Option<f32>>> = records.iter().filter_map(|r| r.estimates_nats.get(&estimator)).collect();
    if series.is_empty() {
        return None;
    }
    let mut levels = vec![];
    for (li, &mi) in first.levels_nats.iter().enumerate() {
        let lo = li * spl + spl - window;
        let vals: Vec<Option<f64>> = series.iter().flat_map(|s| s.get(lo..(li + 1) * spl).unwrap_or(&[]).iter().map(|v| v.map(f64::from))).collect();
        let finite: Vec<f64> = vals.iter().flatten().copied().collect();
        let (mean, var, n) = theory::mean_var(finite.iter().copied());
        let mse = if n > 0 { finite.iter().map(|v| (v - mi).powi(2)).sum::<f64>() / n as f64 } else { f64::NAN };
        levels.push(LevelStats { mi_nats: mi, n_finite: n, n_nonfinite: vals.len() - n, mean_nats: mean, bias_nats: mean - mi, variance: var, mse });
    }
    let total = spl * first.levels_nats.len();
    let mut curve = vec![];
    let mut start = 0;
    while start < total {
        let end = (start + bin).min(total);
        let vals = series.iter().flat_map(|s| s.get(start..end).unwrap_or(&[]).iter().filter_map(|v| v.map(f64::from)));
        let (m, v, n) = theory::mean_var(vals);
        if n > 0 {
            curve.push((((start + end) as f64) / 2.0, m, if v.is_finite() { v.sqrt() } else { 0.0 }));
        }
        start = end;
    }
    Some(SeriesSummary {
        critic: first.critic,
        task: first.task,
        objective: first.objective,
        estimator,
        runs: series.len(),
        steps_per_level: spl,
        skipped_steps: records.iter().map(|r| r.skipped_steps).sum(),
        levels,
        curve,
    })
}

fn summarize_staircase(records: &[RunRecord], s: &LimitsSettings) -> Vec<SeriesSummary> {
    let mut groups: BTreeMap<&str, Vec<&RunRecord>> = BTreeMap::new();
    for r in records {
        groups.entry(r.config.as_str()).or_default().push(r);
    }
    let mut out = vec![];
    for cfg in s.configs() {
        if let Some(rs) = groups.get(cfg.name.as_str()) {
            for &e in cfg.objective.reported() {
                out.extend(summarize_series(rs, e, s.window_fraction, s.bin_steps));
            }
        }
    }
    out
}

/// The optimal-critic study (no training): NWJ, DV, InfoNCE on B×B batches of the staircase.
pub fn optimal_study(s: &LimitsSettings, say: &dyn Fn(&str)) -> Result<Vec<OptimalLevel>> {
    let (d, b, t) = (s.staircase.dim, s.optimal.batch, s.optimal.trials);
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0x0971_a1c0);
    let mut out = vec![];
    for &mi in &s.optimal.levels_nats {
        let task = Task::staircase(d, mi)?;
        let (mut nwjs, mut dvs, mut gaps, mut nces) = (vec![], vec![], vec![], vec![]);
        for _ in 0..t {
            let (x, y) = task.sample(b, rng.gen());
            let sc = theory::optimal_scores(&x.view(), &y.view(), mi);
            let n = bounds::nwj(&(&sc + 1.0).view())?;
            let v = bounds::dv(&sc.view())?;
            nwjs.push(n);
            dvs.push(v);
            gaps.push(v - n);
            nces.push(bounds::infonce(&sc.view())?);
        }
        let (nm, nv, _) = theory::mean_var(nwjs);
        let (dm, _, _) = theory::mean_var(dvs);
        let (gm, _, _) = theory::mean_var(gaps);
        let (im, _, _) = theory::mean_var(nces);
        let lvl = OptimalLevel {
            mi_nats: mi,
            batch: b,
            trials: t,
            nwj_mean_nats: nm,
            nwj_variance: nv,
            nwj_variance_theory: theory::nwj_optimal_variance(d, mi, b),
            nwj_variance_bound: theory::song_ermon_variance_bound(mi, b * (b - 1)),
            dv_mean_nats: dm,
            dv_bias_nats: dm - mi,
            dv_bias_paired_nats: gm,
            dv_bias_delta_theory: theory::dv_optimal_bias_delta(d, mi, b),
            infonce_mean_nats: im,
        };
        say(&format!(
            "limits: optimal critic at {mi} nats: Var[NWJ] {:.4} (theory {:.4}, bound {:.4}), DV bias {:.4}",
            lvl.nwj_variance, lvl.nwj_variance_theory, lvl.nwj_variance_bound, lvl.dv_bias_paired_nats
        ));
        out.push(lvl);
    }
    Ok(out)
}

/// InfoNCE of the optimal critic for each batch size and MI level.
pub fn saturation_study(s: &LimitsSettings) -> Result<Vec<SaturationPoint>> {
    let d = s.staircase.dim;
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0x5a7_0ce5);
    let mut out = vec![];
    for &b in &s.optimal.infonce_batches {
        for &mi in &s.optimal.levels_nats {
            let task = Task::staircase(d, mi)?;
            let vals: Vec<f64> = (0..s.optimal.infonce_trials)
                .map(|_| {
                    let (x, y) = task.sample(b, rng.gen());
                    bounds::infonce(&theory::optimal_scores(&x.view(), &y.view(), mi).view())
                })
                .collect::<std::result::Result<_, _>>()?;
            let (m, v, n) = theory::mean_var(vals.iter().copied());
            out.push(SaturationPoint {
                batch: b,
                mi_nats: mi,
                trials: n,
                mean_nats: m,
                sd_nats: if v.is_finite() { v.sqrt() } else { 0.0 },
                max_nats: vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                log_batch: (b as f64).ln(),
            });
        }
    }
    Ok(out)
}

/// The ln N study at the top level: optimal-critic InfoNCE and Gaussian DoE from N samples (the
/// trained critics' evaluations are added from their runs by [`add_trained`]).
pub fn cap_study(s: &LimitsSettings, say: &dyn Fn(&str)) -> Result<Vec<CapPoint>> {
    let d = s.staircase.dim;
    let mi = *s.staircase.levels_nats.last().ok_or_else(|| ExperimentError::Invalid("no levels".into()))?;
    let gauss = TaskVariant::Gaussian.task(d, mi)?;
    let cubic = TaskVariant::Cubic.task(d, mi)?;
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0xcab_0f1e);
    let mut sizes: Vec<usize> = s.cap.sizes.iter().chain(&s.staircase.cap_sizes).copied().collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut out = vec![];
    for n in sizes {
        let (mut nce, mut doe_g, mut doe_c) = (vec![], vec![], vec![]);
        if s.cap.sizes.contains(&n) {
            for _ in 0..s.cap.trials {
                let (x, y) = gauss.sample(n, rng.gen());
                nce.push(theory::infonce_optimal_blocked(&x.view(), &y.view(), mi, 256));
                doe_g.push(theory::gaussian_doe(&x.view(), &y.view()).map(|e| e.mi_nats));
                let (xc, yc) = cubic.sample(n, rng.gen());
                doe_c.push(theory::gaussian_doe(&xc.view(), &yc.view()).map(|e| e.mi_nats));
            }
        }
        let all = |v: &[Option<f64>]| -> Option<Vec<f64>> { (!v.is_empty()).then(|| v.iter().copied().collect::<Option<Vec<f64>>>()).flatten() };
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let p = CapPoint {
            n,
            ln_n: (n as f64).ln(),
            mi_nats: mi,
            infonce_optimal_mean_nats: if nce.is_empty() { f64::NAN } else { mean(&nce) },
            infonce_optimal_max_nats: nce.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            doe_gaussian_mean_nats: all(&doe_g).map(|v| mean(&v)),
            doe_gaussian_min_nats: all(&doe_g).map(|v| v.iter().copied().fold(f64::INFINITY, f64::min)),
            doe_cubic_mean_nats: all(&doe_c).map(|v| mean(&v)),
            trained: vec![],
        };
        say(&format!(
            "limits: N = {n}: ln N {:.3}, optimal InfoNCE {:.3}, Gaussian DoE {}",
            p.ln_n,
            p.infonce_optimal_mean_nats,
            p.doe_gaussian_mean_nats.map_or("not defined".into(), |v| format!("{v:.3}"))
        ));
        out.push(p);
    }
    Ok(out)
}

/// The cap points with the trained critics' evaluations (recorded with their runs) filled in.
pub fn add_trained(points: &[CapPoint], records: &[RunRecord]) -> Vec<CapPoint> {
    let mut out = points.to_vec();
    for p in &mut out {
        p.trained.clear();
        for r in records {
            for c in r.cap_eval.iter().filter(|c| c.n == p.n) {
                let vals: Vec<f64> = c.values_nats.iter().flatten().copied().collect();
                if !vals.is_empty() {
                    p.trained.push(TrainedCap {
                        config: r.config.clone(),
                        task: r.task,
                        estimator: c.estimator,
                        mean_nats: vals.iter().sum::<f64>() / vals.len() as f64,
                        max_nats: vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        trials: vals.len(),
                    });
                }
            }
        }
    }
    out
}

mod report_limits;

/// Runs the whole study and writes `results/limits/` (or `opts.out`). Returns the folder.
pub fn reproduce(opts: &RunOptions) -> Result<PathBuf> {
    let device = mi_torch::resolve_device(opts.device)?;
    let (profile, why) = profile::choose(opts.profile, device.is_cuda());
    let mut s = LimitsSettings::named(profile, opts.seed);
    if let Some(steps) = opts.steps {
        if steps == 0 {
            return Err(ExperimentError::Invalid("--steps must be at least 1".into()));
        }
        s.separable_steps_per_level = steps;
        if s.concat_steps_per_level > 0 {
            s.concat_steps_per_level = steps;
        }
        s.bin_steps = s.bin_steps.min(steps.div_ceil(10).max(1));
    }
    if let Some(r) = opts.runs {
        if r == 0 {
            return Err(ExperimentError::Invalid("--runs must be at least 1".into()));
        }
        s.runs = r;
    }
    s.validate()?;
    let quiet = opts.quiet;
    let say = |m: &str| {
        if !quiet {
            eprintln!("{m}");
        }
    };
    let out = opts.out.clone().unwrap_or_else(|| PathBuf::from("results").join("limits"));
    let config = serde_json::json!({
        "experiment": "limits",
        "settings": s,
        "profile_reason": why,
        "configs": s.configs(),
        "provenance": Provenance::collect(&format!("{device:?}")),
    });
    let dir = ResultsDir::open(&out, &config)?;
    let configs = s.configs();
    say(&format!(
        "limits: {why}; device {device:?}; {} training runs × {} (separable {} / concat {} steps per level) → {}",
        configs.len(),
        s.runs,
        s.separable_steps_per_level,
        s.concat_steps_per_level,
        out.display()
    ));

    // the parts without training first: they take seconds and are recomputed every time
    let optimal = optimal_study(&s, &say)?;
    let saturation = saturation_study(&s)?;
    let cap_points = cap_study(&s, &say)?;

    let done = dir.finished_runs()?;
    let mut records: Vec<RunRecord> = dir.records()?;
    // after each run: summary and report; at the end also the plots (rasterising them takes seconds)
    let write_all = |records: &[RunRecord], plots_too: bool| -> Result<Summary> {
        let cap = add_trained(&cap_points, records);
        let staircase = summarize_staircase(records, &s);
        let mut summary = Summary {
            experiment: "limits",
            profile,
            seed: s.seed,
            device: format!("{device:?}"),
            runs_done: records.len(),
            runs_expected: configs.len() * s.runs,
            training_seconds: records.iter().map(|r| r.seconds).sum(),
            staircase,
            optimal: optimal.clone(),
            infonce_saturation: saturation.clone(),
            cap,
            claims: vec![],
        };
        summary.claims = report_limits::claims(&summary, &s);
        dir.write_json(ResultsDir::SUMMARY, &summary)?;
        let charts = report_limits::charts(&summary, &s);
        let plots = if plots_too {
            report_limits::write_staircase_grid(&dir, &charts)?;
            report::write_charts(&dir, &charts)?
        } else {
            charts.iter().map(|(n, _)| n.clone()).collect()
        };
        dir.write_text("REPORT.md", &report_limits::render(&summary, &s, &why, &plots))?;
        Ok(summary)
    };
    for cfg in &configs {
        for run in 0..s.runs {
            if done.contains(&crate::results::RunKey { config: cfg.name.clone(), run }) {
                continue;
            }
            let r = staircase::train(cfg, &s.staircase, run, s.seed, device, quiet)?;
            dir.append_run(std::slice::from_ref(&r))?;
            records.push(r);
            // the report follows the runs, so an interrupted study still has one
            write_all(&records, false)?;
        }
    }
    let summary = write_all(&records, true)?;
    for c in &summary.claims {
        say(&format!("  [{}] {}: {}", c.verdict(), c.claim, c.ours));
    }
    say(&format!("limits: wrote {}/REPORT.md", out.display()));
    Ok(out)
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
        est.insert(Estimator::Nwj, vec![Some(0.0), Some(0.0), Some(3.0), Some(5.0), Some(9.0), Some(9.0), Some(4.0), None]);
        let r = RunRecord {
            config: "c".into(),
            run: 0,
            seed: 0,
            critic: CriticArch::Separable,
            task: TaskVariant::Gaussian,
            objective: Objective::Nwj,
            steps_per_level: 4,
            levels_nats: vec![2.0, 4.0],
            estimates_nats: est,
            skipped_steps: 0,
            seconds: 0.0,
            cap_eval: vec![],
        };
        let s = summarize_series(&[&r], Estimator::Nwj, 0.5, 2).unwrap();
        let l = &s.levels[0];
        assert_eq!((l.n_finite, l.n_nonfinite), (2, 0));
        assert_eq!((l.mean_nats, l.bias_nats, l.variance, l.mse), (4.0, 2.0, 2.0, 5.0));
        let l = &s.levels[1];
        assert_eq!((l.n_finite, l.n_nonfinite, l.mean_nats, l.mse), (1, 1, 4.0, 0.0));
        assert_eq!(s.curve.len(), 4);
        assert_eq!(s.curve[1], (3.0, 4.0, 2f64.sqrt()));
    }
}
