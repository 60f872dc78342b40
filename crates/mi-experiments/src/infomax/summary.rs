//! A grid's summary the way the paper plots it: mean ± 1 sd over runs at every evaluation step.
use super::{CriticKind, EncoderKind, Bound, EvalRecord, PairConfig, ProbeScores};
use mi_report::stats::mean_sd;
use mi_train::Profile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Mean ± sd (sample sd, 0 for a single run) at one step.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CurvePoint {
    pub step: usize,
    pub test_accuracy_mean: f64,
    pub test_accuracy_sd: f64,
    pub i_est_mean: f64,
    pub i_est_sd: f64,
    pub i_est_test_mean: f64,
    pub i_est_test_sd: f64,
    /// |I_est − t| on training batches (only with a target t).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap_mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap_sd: Option<f64>,
    /// Percentiles (min, p20, p40, p60, p80, max) over all samples of all runs (A2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_condition_percentiles: Option<[f64; 6]>,
    pub runs: usize,
    /// Each run's test accuracy, ordered by run number: what the verdicts test against
    /// run-to-run noise (paired by run across steps).
    #[serde(default)]
    pub test_accuracy_by_run: Vec<f64>,
    /// Each run's I_est on training batches, in the same order.
    #[serde(default)]
    pub i_est_by_run: Vec<f64>,
    /// The run numbers of `test_accuracy_by_run`, in the same order.
    #[serde(default)]
    pub run_ids: Vec<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigSummary {
    pub name: String,
    pub encoder: EncoderKind,
    pub critic: CriticKind,
    pub estimator: Bound,
    pub t: Option<f64>,
    pub runs: usize,
    #[serde(rename = "final")]
    pub last: Option<CurvePoint>,
    pub curve: Vec<CurvePoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    pub pixels_test_accuracy: f64,
    pub pixels_train_accuracy: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub experiment: String,
    pub profile: Profile,
    pub baseline: Baseline,
    pub configs: Vec<ConfigSummary>,
}

/// Summarises the records of each configuration (configurations without records are listed
/// with `runs: 0`).
pub fn summarize(experiment: &str, profile: Profile, configs: &[PairConfig], baseline: &ProbeScores, records: &[EvalRecord]) -> Summary {
    let configs = configs
        .iter()
        .map(|cfg| {
            let mine: Vec<&EvalRecord> = records.iter().filter(|r| r.config == cfg.name).collect();
            let mut by_step: BTreeMap<usize, Vec<&EvalRecord>> = BTreeMap::new();
            for r in &mine {
                by_step.entry(r.step).or_default().push(r);
            }
            let runs = mine.iter().map(|r| r.run).collect::<std::collections::BTreeSet<_>>().len();
            let curve: Vec<CurvePoint> = by_step
                .into_iter()
                .map(|(step, mut rs)| {
                    rs.sort_by_key(|r| r.run);
                    let f = |g: &dyn Fn(&EvalRecord) -> f64| mean_sd(&rs.iter().map(|r| g(r)).collect::<Vec<_>>());
                    let (am, asd) = f(&|r| r.test_accuracy);
                    let (im, isd) = f(&|r| r.i_est_train_nats);
                    let (tm, tsd) = f(&|r| r.i_est_test_nats);
                    let gap = cfg.t.map(|t| f(&|r| (r.i_est_train_nats - t).abs()));
                    CurvePoint {
                        step,
                        test_accuracy_mean: am,
                        test_accuracy_sd: asd,
                        i_est_mean: im,
                        i_est_sd: isd,
                        i_est_test_mean: tm,
                        i_est_test_sd: tsd,
                        gap_mean: gap.map(|g| g.0),
                        gap_sd: gap.map(|g| g.1),
                        log_condition_percentiles: merge_percentiles(&rs),
                        runs: rs.len(),
                        test_accuracy_by_run: rs.iter().map(|r| r.test_accuracy).collect(),
                        i_est_by_run: rs.iter().map(|r| r.i_est_train_nats).collect(),
                        run_ids: rs.iter().map(|r| r.run).collect(),
                    }
                })
                .collect();
            ConfigSummary {
                name: cfg.name.clone(),
                encoder: cfg.encoder,
                critic: cfg.critic,
                estimator: cfg.estimator,
                t: cfg.t,
                runs,
                last: curve.last().cloned(),
                curve,
            }
        })
        .collect();
    Summary {
        experiment: experiment.to_string(),
        profile,
        baseline: Baseline {
            pixels_test_accuracy: baseline.test_accuracy,
            pixels_train_accuracy: baseline.train_accuracy,
        },
        configs,
    }
}

/// Percentiles across runs: the min of the mins, the mean of the inner percentiles, the max of
/// the maxes (each run's percentiles are over its own 128 samples).
fn merge_percentiles(rs: &[&EvalRecord]) -> Option<[f64; 6]> {
    let ps: Vec<[f64; 6]> = rs.iter().filter_map(|r| r.log_condition_percentiles).collect();
    if ps.is_empty() {
        return None;
    }
    let mut out = [0.0; 6];
    out[0] = ps.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min);
    out[5] = ps.iter().map(|p| p[5]).fold(f64::NEG_INFINITY, f64::max);
    for k in 1..5 {
        out[k] = ps.iter().map(|p| p[k]).sum::<f64>() / ps.len() as f64;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(config: &str, run: usize, step: usize, acc: f64, i: f64) -> EvalRecord {
        EvalRecord {
            experiment: "x".into(),
            config: config.into(),
            encoder: EncoderKind::Mlp,
            critic: CriticKind::Bilinear,
            estimator: Bound::Infonce,
            t: Some(2.0),
            run,
            seed: 0,
            step,
            i_est_train_nats: i,
            i_est_test_nats: i - 0.1,
            loss: (i - 2.0).abs(),
            test_accuracy: acc,
            train_accuracy: acc,
            probe_epochs: 3,
            seconds: 1.0,
            log_condition_percentiles: None,
        }
    }

    #[test]
    fn summary_is_mean_and_sample_sd_per_step() {
        let cfg = PairConfig { name: "a".into(), encoder: EncoderKind::Mlp, critic: CriticKind::Bilinear, estimator: Bound::Infonce, t: Some(2.0), schedule: None };
        let recs = vec![rec("a", 0, 0, 0.8, 1.0), rec("a", 1, 0, 0.9, 3.0), rec("a", 0, 10, 0.85, 2.0), rec("a", 1, 10, 0.85, 2.0), rec("b", 0, 0, 0.1, 0.0)];
        let base = ProbeScores { test_accuracy: 0.84, train_accuracy: 0.86, probe_epochs: 3, probe_seconds: 1.0 };
        let s = summarize("x", Profile::Smoke, std::slice::from_ref(&cfg), &base, &recs);
        let c = &s.configs[0];
        assert_eq!(c.runs, 2);
        assert_eq!(c.curve.len(), 2);
        assert!((c.curve[0].test_accuracy_mean - 0.85).abs() < 1e-12);
        assert!((c.curve[0].test_accuracy_sd - (0.005f64).sqrt()).abs() < 1e-12);
        assert!((c.curve[0].gap_mean.unwrap() - 1.0).abs() < 1e-12);
        let last = c.last.as_ref().unwrap();
        assert_eq!(last.step, 10);
        assert_eq!(last.test_accuracy_sd, 0.0);
        assert_eq!((c.curve[0].test_accuracy_by_run.clone(), c.curve[0].run_ids.clone()), (vec![0.8, 0.9], vec![0, 1]));
        let json = serde_json::to_value(&s).unwrap();
        assert!(json["configs"][0]["final"]["test_accuracy_mean"].is_number());
        assert_eq!(json["baseline"]["pixels_test_accuracy"], 0.84);
    }
}
