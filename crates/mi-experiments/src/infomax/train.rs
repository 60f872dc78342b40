//! The training loop shared by the paper's InfoMax experiments (A1a, A2, A3, A4): two encoders
//! g1, g2 on the two views, one critic, one bound, one Adam optimiser over all of them.
//!
//! Each evaluation point (steps 0, every, 2·every, … below `steps`, before that step's update)
//! records I_est averaged over fresh training batches (what the paper plotted), I_est on the real
//! test set, and the test/train accuracy of a fresh linear probe on g1(top halves) of all training
//! and test images.
use super::*;
use mi_train::progress::RunProgress;
use mi_train::{ExperimentError, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use tch::Tensor;

/// One evaluation point of one run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalRecord {
    pub experiment: String,
    pub config: String,
    pub encoder: EncoderKind,
    pub critic: CriticKind,
    pub estimator: Bound,
    pub t: Option<f64>,
    pub run: usize,
    pub seed: u64,
    pub step: usize,
    /// I_est averaged over fresh training batches (what the paper plotted as "test").
    pub i_est_train_nats: f64,
    /// I_est averaged over batches of the real test set.
    pub i_est_test_nats: f64,
    /// The training loss at this point (on the training-batch estimate).
    pub loss: f64,
    pub test_accuracy: f64,
    pub train_accuracy: f64,
    pub probe_epochs: usize,
    /// Seconds since the start of the run.
    pub seconds: f64,
    /// Extra measurements of some experiments (A2: log-condition percentiles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_condition_percentiles: Option<[f64; 6]>,
}

/// Stable per-(config, run) seed.
pub fn run_seed(base: u64, config: &str, run: usize) -> u64 {
    // FNV-1a over the name, mixed with the base seed and run number
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in config.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ base.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (run as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9)
}
/// Adds one draw of N(0, sd²) noise, the same tensor, to both views (A2's training batches).
fn shared_noise(x1: Tensor, x2: Tensor, sd: Option<f64>) -> (Tensor, Tensor) {
    match sd {
        Some(sd) => {
            let n = x1.randn_like() * sd;
            (&x1 + &n, &x2 + &n)
        }
        None => (x1, x2),
    }
}
/// The experiment-specific measurement an evaluation may add (A2: percentiles of the log
/// condition numbers of g1's Jacobian), given the models, the data and a seed.
pub type ExtraEval<'a> = &'a dyn Fn(&Models, &PairViews, u64) -> Result<Option<[f64; 6]>>;

/// What one run trains: a configuration, its settings, the data, and which run of how many.
pub struct RunSpec<'a> {
    pub experiment: &'a str,
    pub cfg: &'a PairConfig,
    pub settings: &'a LoopSettings,
    pub data: &'a PairViews,
    pub run: usize,
    pub base_seed: u64,
    pub quiet: bool,
}

/// Trains one configuration once and returns its evaluation records.
pub fn run_pair(spec: &RunSpec, extra_eval: ExtraEval) -> Result<Vec<EvalRecord>> {
    let (cfg, data, run) = (spec.cfg, spec.data, spec.run);
    let s = &spec.settings.for_config(cfg);
    let seed = run_seed(spec.base_seed, &cfg.name, run);
    let models = build_models_for(cfg, data.dataset, data.device, seed)?;
    let mut opt = mi_torch::optim::Adam::new(&models.vs, s.learning_rate);
    let mut batches = mi_views::batch::BatchStream::new(data.n_train(), s.batch, seed)?;
    let mut eval_rng = ChaCha8Rng::seed_from_u64(seed ^ 0xe7a1);
    let evals = s.eval_steps();
    let start = Instant::now();
    let mut records = vec![];
    let mut progress = RunProgress::new(format!("{} run {run}", cfg.name), s.steps as u64, spec.quiet);
    let mut last_i = f64::NAN;
    for step in 0..s.steps {
        if evals.contains(&step) {
            let point = Point { step, seed, seconds_at_start: start };
            let r = evaluate(spec, s, &models, &mut eval_rng, &point, extra_eval)?;
            last_i = r.i_est_train_nats;
            records.push(r);
        }
        let it = index_tensor(&batches.next_batch(), data);
        let (x1, x2) = shared_noise(data.train_x1.index_select(0, &it), data.train_x2.index_select(0, &it), s.noise_sd);
        let i_est = bound(cfg.estimator, &models.critic.scores(&models.g1.encode(&x1), &models.g2.encode(&x2)))?;
        let loss = loss_of(&i_est, cfg.t);
        opt.backward_step(&loss);
        if step % 50 == 0 {
            let l = loss.double_value(&[]);
            if !l.is_finite() {
                return Err(ExperimentError::Diverged { config: cfg.name.clone(), run, step, loss: l });
            }
            last_i = i_est.double_value(&[]);
        }
        progress.update(step as u64 + 1, &format!("I_est {last_i:.3}"));
    }
    progress.finish(&match records.last() {
        Some(r) => format!("test accuracy {:.4}, I_est {:.3} nats (step {})", r.test_accuracy, r.i_est_train_nats, r.step),
        None => "no evaluation".into(),
    });
    Ok(records)
}

fn index_tensor(idx: &[usize], data: &PairViews) -> Tensor {
    Tensor::from_slice(&idx.iter().map(|&i| i as i64).collect::<Vec<_>>()).to_device(data.device)
}

/// Where in a run an evaluation happens.
struct Point {
    step: usize,
    seed: u64,
    seconds_at_start: Instant,
}

/// One evaluation point: I_est on fresh training batches and on the test set, a fresh probe on
/// g1's features, and the experiment's extra measurement.
fn evaluate(spec: &RunSpec, s: &LoopSettings, models: &Models, eval_rng: &mut ChaCha8Rng, at: &Point, extra_eval: ExtraEval) -> Result<EvalRecord> {
    let (cfg, data) = (spec.cfg, spec.data);
    let (i_train, loss) = estimate_on_training_batches(cfg, s, models, data, eval_rng)?;
    let i_test = estimate_on_test_set(cfg, s, models, data)?;
    // the probe's inputs get fresh noise of the same scale (A2)
    let fresh = |x: &Tensor| match s.noise_sd {
        Some(sd) => x + x.randn_like() * sd,
        None => x.shallow_clone(),
    };
    let (ftr, fte) = {
        let _g = tch::no_grad_guard();
        let chunk = feature_chunk(data.device);
        (features(&*models.g1, &fresh(&data.train_x1), chunk)?, features(&*models.g1, &fresh(&data.test_x1), chunk)?)
    };
    let p = probe_scores(&ftr, &data.train_labels, &fte, &data.test_labels, s, at.seed ^ at.step as u64)?;
    let extra = extra_eval(models, data, at.seed ^ (at.step as u64) << 8)?;
    Ok(EvalRecord {
        experiment: spec.experiment.to_string(),
        config: cfg.name.clone(),
        encoder: cfg.encoder,
        critic: cfg.critic,
        estimator: cfg.estimator,
        t: cfg.t,
        run: spec.run,
        seed: at.seed,
        step: at.step,
        i_est_train_nats: i_train,
        i_est_test_nats: i_test,
        loss,
        test_accuracy: p.test_accuracy,
        train_accuracy: p.train_accuracy,
        probe_epochs: p.probe_epochs,
        seconds: at.seconds_at_start.elapsed().as_secs_f64(),
        log_condition_percentiles: extra,
    })
}

/// I_est and the loss averaged over `eval_train_batches` fresh training batches (no gradients).
fn estimate_on_training_batches(cfg: &PairConfig, s: &LoopSettings, models: &Models, data: &PairViews, rng: &mut ChaCha8Rng) -> Result<(f64, f64)> {
    let _g = tch::no_grad_guard();
    let (mut acc, mut loss_acc) = (0.0, 0.0);
    for _ in 0..s.eval_train_batches.max(1) {
        let idx: Vec<usize> = (0..s.batch).map(|_| rng.gen_range(0..data.n_train())).collect();
        let it = index_tensor(&idx, data);
        let (x1, x2) = shared_noise(data.train_x1.index_select(0, &it), data.train_x2.index_select(0, &it), s.noise_sd);
        let i = bound(cfg.estimator, &models.critic.scores(&models.g1.encode(&x1), &models.g2.encode(&x2)))?;
        loss_acc += loss_of(&i, cfg.t).double_value(&[]);
        acc += i.double_value(&[]);
    }
    let k = s.eval_train_batches.max(1) as f64;
    Ok((acc / k, loss_acc / k))
}

/// I_est averaged over the test set's full batches, in order (`eval_test_batches` of them, 0 = all).
fn estimate_on_test_set(cfg: &PairConfig, s: &LoopSettings, models: &Models, data: &PairViews) -> Result<f64> {
    let _g = tch::no_grad_guard();
    let full = data.test_labels.len() / s.batch;
    let nb = if s.eval_test_batches == 0 { full } else { s.eval_test_batches.min(full) };
    let mut acc = 0.0;
    for b in 0..nb {
        let x1 = data.test_x1.narrow(0, (b * s.batch) as i64, s.batch as i64);
        let x2 = data.test_x2.narrow(0, (b * s.batch) as i64, s.batch as i64);
        acc += bound(cfg.estimator, &models.critic.scores(&models.g1.encode(&x1), &models.g2.encode(&x2)))?.double_value(&[]);
    }
    Ok(acc / nb.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infomax::fixtures::tiny_mnist;
    use tch::Device;

    #[test]
    fn features_do_not_depend_on_the_chunk_size() {
        let data = PairViews::from_mnist(&tiny_mnist(700, 10), Device::Cpu).unwrap();
        for encoder in [EncoderKind::Mlp, EncoderKind::Convnet] {
            let cfg = PairConfig { name: "f".into(), encoder, critic: CriticKind::Bilinear, estimator: Bound::Infonce, t: None, schedule: None };
            let m = build_models(&cfg, Device::Cpu, 3).unwrap();
            let whole = features(&*m.g1, &data.train_x1, 4096).unwrap();
            let chunked = features(&*m.g1, &data.train_x1, feature_chunk(Device::Cpu)).unwrap();
            assert_eq!(whole.dim(), (700, 100));
            let worst = whole.iter().zip(chunked.iter()).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
            assert!(worst <= 1e-5, "{encoder:?}: chunked features differ by {worst}");
            // rows stay in order: a shuffled chunk would move whole rows
            assert!(whole.row(699).iter().zip(chunked.row(699).iter()).all(|(a, b)| (a - b).abs() <= 1e-5));
        }
        assert_eq!(feature_chunk(Device::Cuda(0)), 4096);
    }

    #[test]
    fn a_configuration_with_its_own_schedule_trains_and_is_evaluated_on_it() {
        let data = PairViews::from_mnist(&tiny_mnist(512, 256), Device::Cpu).unwrap();
        let s = LoopSettings { steps: 11, eval_every: 5, eval_train_batches: 1, eval_test_batches: 1, probe_max_epochs: 2, ..LoopSettings::paper() };
        let mut cfg = PairConfig {
            name: "mlp-bilinear-nwj-t4".into(),
            encoder: EncoderKind::Mlp,
            critic: CriticKind::Bilinear,
            estimator: Bound::Nwj,
            t: Some(4.0),
            schedule: None,
        };
        let steps_of = |cfg: &PairConfig| -> Vec<usize> {
            let spec = RunSpec { experiment: "a4", cfg, settings: &s, data: &data, run: 0, base_seed: 1, quiet: true };
            run_pair(&spec, &|_, _, _| Ok(None)).unwrap().iter().map(|r| r.step).collect()
        };
        assert_eq!(steps_of(&cfg), [0, 5, 10]);
        cfg.schedule = Some(Schedule { steps: 7, eval_every: 3 });
        assert_eq!(steps_of(&cfg), [0, 3, 6]);
        assert_eq!(s.for_config(&cfg), LoopSettings { steps: 7, eval_every: 3, ..s.clone() });
    }
}

