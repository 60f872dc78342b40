//! Summaries made up for the claim tests: each configuration's runs given as (accuracy at step 0,
//! accuracy at the end), so a test can feed a claim a passing, a failing or a borderline grid.
use super::*;
use ndarray::{Array1, Array3};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Random 28×28 images with labels, small enough for a run of a few steps.
pub fn tiny_mnist(n_train: usize, n_test: usize) -> mi_data::mnist::Mnist {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut images = |n: usize| Array3::from_shape_fn((n, 28, 28), |_| rng.gen_range(0..=255u8));
    let (train_images, test_images) = (images(n_train), images(n_test));
    let labels = |n: usize| Array1::from_shape_fn(n, |i| (i % 10) as u8);
    mi_data::mnist::Mnist { train_images, train_labels: labels(n_train), test_images, test_labels: labels(n_test) }
}

/// One configuration of a made-up grid: its runs' (step-0, final) test accuracies and its I_est
/// at the end.
pub type FakeConfig = (PairConfig, Vec<(f64, f64)>, f64);

/// A summary of `configs`; the pixel probe at `pixels`.
pub fn summary_of(configs: &[FakeConfig], pixels: f64) -> Summary {
    let mut records = vec![];
    for (cfg, runs, i_est) in configs {
        for (run, &(start, end)) in runs.iter().enumerate() {
            for (step, acc, i) in [(0, start, 0.1), (100, end, *i_est)] {
                records.push(EvalRecord {
                    experiment: "test".into(),
                    config: cfg.name.clone(),
                    encoder: cfg.encoder,
                    critic: cfg.critic,
                    estimator: cfg.estimator,
                    t: cfg.t,
                    run,
                    seed: run as u64,
                    step,
                    i_est_train_nats: i + 0.01 * run as f64,
                    i_est_test_nats: i,
                    loss: 0.0,
                    test_accuracy: acc,
                    train_accuracy: acc,
                    probe_epochs: 3,
                    seconds: 1.0,
                    log_condition_percentiles: None,
                });
            }
        }
    }
    let cfgs: Vec<PairConfig> = configs.iter().map(|c| c.0.clone()).collect();
    let base = ProbeScores { test_accuracy: pixels, train_accuracy: pixels, probe_epochs: 3, probe_seconds: 1.0 };
    summarize("test", mi_train::Profile::Quick, &cfgs, &base, &records)
}

/// Three runs that start at `start` and end `rise` higher, with ±`noise` spread.
pub fn runs(start: f64, rise: f64, noise: f64) -> Vec<(f64, f64)> {
    [-1.0, 0.0, 1.0].iter().map(|k| (start + 0.1 * noise * k, start + rise + noise * k)).collect()
}
