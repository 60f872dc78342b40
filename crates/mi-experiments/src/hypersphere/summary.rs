//! The summary of the recorded runs: means per encoder, the sweep's rank correlations.
use super::*;
use mi_report::stats::{mean_sd, median, spearman};

pub(super) fn min_max(v: &[f64]) -> Option<(f64, f64)> {
    let f: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    (!f.is_empty()).then(|| (f.iter().copied().fold(f64::INFINITY, f64::min), f.iter().copied().fold(f64::NEG_INFINITY, f64::max)))
}

/// The summary of the records (mean ± sd over runs, sweep statistics).
pub fn summarize(specs: &[EncoderSpec], records: &[EncoderRecord], s: &HyperSettings, profile: Profile, seed: u64, device: &str, cifar10: &str) -> HyperSummary {
    let mut encoders = vec![];
    for spec in specs {
        let rs: Vec<&EncoderRecord> = records.iter().filter(|r| r.config == spec.name).collect();
        if rs.is_empty() {
            continue;
        }
        let mut mean = [0.0; 5];
        let mut sd = [0.0; 5];
        for k in 0..5 {
            let (m, d) = mean_sd(&rs.iter().map(|r| r.metrics.fields()[k]).collect::<Vec<_>>());
            mean[k] = m;
            sd[k] = d;
        }
        let finals: Vec<f64> = rs.iter().filter_map(|r| r.loss_history.last().map(|x| x.1)).collect();
        encoders.push(EncoderSummary {
            name: spec.name.clone(),
            spec: spec.clone(),
            runs: rs.len(),
            mean: Metrics::from_fields(mean),
            sd: Metrics::from_fields(sd),
            exp_l_uniform: mean[4].exp(),
            train_seconds_mean: mean_sd(&rs.iter().map(|r| r.train_seconds).collect::<Vec<_>>()).0,
            final_loss_mean: (!finals.is_empty()).then(|| mean_sd(&finals).0),
        });
    }
    let sweep: Vec<&EncoderSummary> = encoders.iter().filter(|e| e.spec.in_study(Study::Sweep)).collect();
    let col = |f: fn(&Metrics) -> f64| sweep.iter().map(|e| f(&e.mean)).collect::<Vec<f64>>();
    let (lin, knn, al, un) = (col(|m| m.linear_accuracy), col(|m| m.knn_accuracy), col(|m| m.l_align), col(|m| m.l_uniform));
    let mut ranking: Vec<&EncoderSummary> = sweep.clone();
    ranking.sort_by(|a, b| b.mean.linear_accuracy.total_cmp(&a.mean.linear_accuracy));
    let sweep = SweepSummary {
        encoders: sweep.iter().map(|e| e.name.clone()).collect(),
        spearman_linear_vs_align: spearman(&lin, &al),
        spearman_linear_vs_uniform: spearman(&lin, &un),
        spearman_knn_vs_align: spearman(&knn, &al),
        spearman_knn_vs_uniform: spearman(&knn, &un),
        median_align: median(&al),
        median_uniform: median(&un),
        range_align: min_max(&al),
        range_uniform: min_max(&un),
        ranking: ranking.iter().map(|e| e.name.clone()).collect(),
    };
    let runs_done = records.len();
    HyperSummary {
        experiment: "hypersphere",
        dataset: "mnist",
        profile,
        seed,
        device: device.to_string(),
        settings: s.clone(),
        uniform_optimum_circle: uniformity::uniform_optimum(2, s.eval_t),
        uniform_optimum_sphere: uniformity::uniform_optimum(s.output_dim, s.eval_t),
        encoders,
        sweep,
        cifar10: cifar10.to_string(),
        runs_done,
        runs_planned: specs.len() * s.runs,
    }
}

