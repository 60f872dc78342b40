//! `summary.json`: per-level statistics of every staircase series and the studies' results.
use super::*;

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
    pub objective: Bound,
    pub estimator: Bound,
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
    pub estimator: Bound,
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
pub(super) fn summarize_series(records: &[&RunRecord], estimator: Bound, window_fraction: f64, bin: usize) -> Option<SeriesSummary> {
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
        let (mean, var, n) = mean_var(finite.iter().copied());
        let mse = if n > 0 { finite.iter().map(|v| (v - mi).powi(2)).sum::<f64>() / n as f64 } else { f64::NAN };
        levels.push(LevelStats { mi_nats: mi, n_finite: n, n_nonfinite: vals.len() - n, mean_nats: mean, bias_nats: mean - mi, variance: var, mse });
    }
    let total = spl * first.levels_nats.len();
    let mut curve = vec![];
    let mut start = 0;
    while start < total {
        let end = (start + bin).min(total);
        let vals = series.iter().flat_map(|s| s.get(start..end).unwrap_or(&[]).iter().filter_map(|v| v.map(f64::from)));
        let (m, v, n) = mean_var(vals);
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

pub(super) fn summarize_staircase(records: &[RunRecord], s: &LimitsSettings) -> Vec<SeriesSummary> {
    let mut groups: BTreeMap<&str, Vec<&RunRecord>> = BTreeMap::new();
    for r in records {
        groups.entry(r.config.as_str()).or_default().push(r);
    }
    let mut out = vec![];
    for cfg in s.configs() {
        if let Some(rs) = groups.get(cfg.name.as_str()) {
            for e in reported(cfg.objective) {
                out.extend(summarize_series(rs, e, s.window_fraction, s.bin_steps));
            }
        }
    }
    out
}
