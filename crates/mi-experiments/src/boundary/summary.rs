//! The boundary experiment's summary: per boundary and evaluation step, every depth's probe
//! accuracy and both I_est values as mean ± sd with each run's value (what the verdicts test
//! against run-to-run noise, paired by run across depths).
use super::network::DEPTHS;
use super::train::BoundaryRecord;
use super::BoundaryConfig;
use crate::infomax::ProbeScores;
use mi_report::stats::mean_sd;
use mi_train::Profile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One quantity over the runs of one step: mean, sample sd (0 for one run), each run's value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OverRuns {
    pub mean: f64,
    pub sd: f64,
    /// In the order of the step's `run_ids`.
    pub by_run: Vec<f64>,
}

impl OverRuns {
    pub fn of(by_run: Vec<f64>) -> Self {
        let (mean, sd) = if by_run.is_empty() { (f64::NAN, f64::NAN) } else { mean_sd(&by_run) };
        Self { mean, sd: if by_run.len() < 2 { 0.0 } else { sd }, by_run }
    }
}

/// One evaluation step of one boundary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StepSummary {
    pub step: usize,
    pub run_ids: Vec<usize>,
    /// Test accuracy of the probe on A, AB, ABC, ABCD.
    pub test_accuracy_by_depth: Vec<OverRuns>,
    pub i_est_train_nats: OverRuns,
    pub i_est_test_nats: OverRuns,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BoundarySummaryOf {
    pub name: String,
    /// The designated encoder's depth index into `depths` (P1: 0 = A, …, control: 3 = ABCD).
    pub encoder_depth: usize,
    pub critic: String,
    pub runs: usize,
    /// The last step every run of this boundary reached.
    #[serde(rename = "final")]
    pub last: Option<StepSummary>,
    pub curve: Vec<StepSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BoundarySummary {
    pub experiment: String,
    pub profile: Profile,
    pub depths: Vec<String>,
    pub pixels_test_accuracy: f64,
    pub boundaries: Vec<BoundarySummaryOf>,
}

pub fn summarize(experiment: &str, profile: Profile, configs: &[BoundaryConfig], baseline: &ProbeScores, records: &[BoundaryRecord]) -> BoundarySummary {
    let boundaries = configs
        .iter()
        .map(|cfg| {
            let mut by_step: BTreeMap<usize, Vec<&BoundaryRecord>> = BTreeMap::new();
            for r in records.iter().filter(|r| r.config == cfg.name) {
                by_step.entry(r.step).or_default().push(r);
            }
            let runs = records.iter().filter(|r| r.config == cfg.name).map(|r| r.run).collect::<std::collections::BTreeSet<_>>().len();
            let curve: Vec<StepSummary> = by_step
                .into_iter()
                .map(|(step, mut rs)| {
                    rs.sort_by_key(|r| r.run);
                    let depth = |d: usize| OverRuns::of(rs.iter().map(|r| r.test_accuracy_by_depth.get(d).copied().unwrap_or(f64::NAN)).collect());
                    StepSummary {
                        step,
                        run_ids: rs.iter().map(|r| r.run).collect(),
                        test_accuracy_by_depth: (0..DEPTHS.len()).map(depth).collect(),
                        i_est_train_nats: OverRuns::of(rs.iter().map(|r| r.i_est_train_nats).collect()),
                        i_est_test_nats: OverRuns::of(rs.iter().map(|r| r.i_est_test_nats).collect()),
                    }
                })
                .collect();
            let last = curve.iter().rev().find(|p| p.run_ids.len() == runs).cloned();
            BoundarySummaryOf { name: cfg.name.clone(), encoder_depth: cfg.encoder_depth, critic: cfg.critic_words(), runs, last, curve }
        })
        .collect();
    BoundarySummary {
        experiment: experiment.into(),
        profile,
        depths: DEPTHS.iter().map(|d| d.to_string()).collect(),
        pixels_test_accuracy: baseline.test_accuracy,
        boundaries,
    }
}
