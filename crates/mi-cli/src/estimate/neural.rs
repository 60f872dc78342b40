//! Neural estimates that do not mislead: one critic per seed (default 3), each trained on 80 % of
//! the rows and early-stopped on the other 20 %; the median held-out estimate is reported with
//! the per-seed values and warnings when the number should not be taken at face value.
//!
//! Warning rules (fixed here, not tuned on results): the median is ≤ 0; it is within
//! [`CAP_MARGIN_NATS`] of the cap (log batch for InfoNCE, ln of the held-out rows for the others);
//! the seeds' range exceeds max([`UNSTABLE_MIN_NATS`], [`UNSTABLE_RELATIVE`] × |median|).
use super::{Args, Report};
use mi_estimators::bounds::Bound;
use mi_experiments::neural_estimate::{self, NeuralCritic, NeuralOptions};
use ndarray::Array2;
use std::time::Instant;

/// Seeds trained when `--seeds` is not given.
pub const DEFAULT_SEEDS: usize = 3;
/// An estimate this close to its cap may be held down by it.
pub const CAP_MARGIN_NATS: f64 = 0.1;
/// Seeds whose range exceeds max(this, [`UNSTABLE_RELATIVE`] × |median|) disagree.
pub const UNSTABLE_MIN_NATS: f64 = 0.05;
pub const UNSTABLE_RELATIVE: f64 = 0.1;

/// One trained critic.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NeuralRun {
    pub seed: u64,
    /// the held-out estimate at the early-stopping step
    pub mi_nats: f64,
    /// its standard error over the held-out batches (evaluation noise given this critic)
    pub held_out_standard_error_nats: f64,
    pub steps: usize,
    pub best_step: usize,
}

pub fn estimate(args: &Args, bound: Bound, critic: NeuralCritic, x: &Array2<f64>, y: &Array2<f64>, report: &mut Report) -> anyhow::Result<()> {
    let choice: mi_torch::DeviceChoice = args.device.parse().map_err(crate::input_error)?;
    let device = mi_torch::resolve_device(choice).map_err(crate::input_error)?;
    let seeds = args.seeds.unwrap_or(DEFAULT_SEEDS);
    let show = !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut runs = vec![];
    let mut last = None;
    for i in 0..seeds {
        let seed = args.seed + i as u64;
        let opts = NeuralOptions { bound, critic, batch: args.batch, max_steps: args.steps, seed, device, ..Default::default() };
        let start = Instant::now();
        let mut progress = |step: usize, held: f64| {
            if show {
                let rate = step as f64 / start.elapsed().as_secs_f64().max(1e-9);
                eprint!("\r  seed {}/{seeds}, step {step}/{} ({rate:.0} steps/s): held-out estimate {held:.4} nats   ", i + 1, args.steps);
            }
        };
        let r = neural_estimate::estimate(&x.view(), &y.view(), &opts, &mut progress).map_err(|e| match e {
            mi_train::ExperimentError::Invalid(m) => crate::input_error(m),
            other => anyhow::Error::new(other),
        })?;
        runs.push(NeuralRun { seed, mi_nats: r.mi_nats, held_out_standard_error_nats: r.held_out_standard_error_nats, steps: r.steps, best_step: r.best_step });
        last = Some(r);
    }
    if show {
        eprintln!();
    }
    let r = last.ok_or_else(|| crate::input_error("--seeds 0: train at least one critic"))?;
    let median_run = median(&runs);
    report.mi_nats = median_run.mi_nats;
    (report.steps, report.best_step) = (Some(median_run.steps), Some(median_run.best_step));
    (report.cap_nats, report.cap_kind) = (Some(r.cap_nats), Some(r.cap_kind));
    (report.n_train, report.n_held_out, report.batch) = (Some(r.n_train), Some(r.n_held_out), Some(r.batch));
    report.critic = Some(args.critic.clone());
    let lo = runs.iter().map(|r| r.mi_nats).fold(f64::INFINITY, f64::min);
    let hi = runs.iter().map(|r| r.mi_nats).fold(f64::NEG_INFINITY, f64::max);
    report.seed_range_nats = Some((lo, hi));
    report.warnings = warnings(report.mi_nats, (lo, hi), runs.len(), r.cap_nats, r.cap_kind, args.batch);
    report.neural_runs = Some(runs);
    Ok(())
}

/// The run with the median estimate (the lower middle one for an even count), so that the
/// reported steps belong to the reported value.
fn median(runs: &[NeuralRun]) -> NeuralRun {
    let mut sorted = runs.to_vec();
    sorted.sort_by(|a, b| a.mi_nats.total_cmp(&b.mi_nats));
    sorted[(sorted.len() - 1) / 2].clone()
}

fn warnings(median: f64, (lo, hi): (f64, f64), seeds: usize, cap: f64, cap_kind: &str, batch: usize) -> Vec<String> {
    let mut w = vec![];
    if median <= 0.0 {
        w.push(format!(
            "the held-out estimate is {median:.4} nats, ≤ 0: the critic found no dependence that generalises to held-out rows; this is not evidence that I = 0 (try --estimator auto, or ksg with --permutations)"
        ));
    }
    if median >= cap - CAP_MARGIN_NATS {
        let (what, fix) = if cap_kind == "log_batch" {
            (format!("log(batch {batch})"), "raise --batch, or use --estimator auto".to_string())
        } else {
            ("ln(held-out rows)".to_string(), "give more rows, or use --estimator auto".to_string())
        };
        w.push(format!("the estimate {median:.4} nats is within {CAP_MARGIN_NATS} of its cap {what} = {cap:.4}: the true MI may be much larger; {fix}"));
    }
    if seeds > 1 && hi - lo > UNSTABLE_MIN_NATS.max(UNSTABLE_RELATIVE * median.abs()) {
        w.push(format!(
            "the {seeds} seeds disagree: {lo:.4} to {hi:.4} nats; the estimate is unstable — train longer (--steps), give more rows, or use --estimator auto"
        ));
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seed: u64, mi: f64) -> NeuralRun {
        NeuralRun { seed, mi_nats: mi, held_out_standard_error_nats: 0.01, steps: 100 * seed as usize, best_step: 0 }
    }

    #[test]
    fn median_run_and_warning_rules() {
        assert_eq!(median(&[run(0, 0.3), run(1, 0.1), run(2, 0.2)]).seed, 2);
        assert_eq!(median(&[run(0, 0.3), run(1, 0.1)]).seed, 1);
        assert!(warnings(0.5, (0.48, 0.52), 3, 4.85, "log_batch", 128).is_empty());
        let w = warnings(-0.01, (-0.02, 0.0), 3, 4.85, "log_batch", 128);
        assert!(w.len() == 1 && w[0].contains("≤ 0"), "{w:?}");
        let w = warnings(4.8, (4.79, 4.81), 3, 4.852, "log_batch", 128);
        assert!(w.len() == 1 && w[0].contains("log(batch 128)") && w[0].contains("--batch"), "{w:?}");
        let w = warnings(1.0, (0.7, 1.2), 3, 6.9, "log_held_out_samples", 128);
        assert!(w.len() == 1 && w[0].contains("disagree"), "{w:?}");
        // a single seed cannot disagree with itself
        assert!(warnings(1.0, (1.0, 1.0), 1, 6.9, "log_held_out_samples", 128).is_empty());
    }
}
