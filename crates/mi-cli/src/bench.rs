//! `infomax bench train`: times training steps of one InfoMax configuration (two encoders, a
//! critic, a bound, Adam) on random inputs of the MNIST-halves shape and prints steps per second.
//! Used to compare devices and against the PyTorch twin in `scripts/bench/a4_step_rate.py`.
use mi_experiments::infomax::{build_models, CriticKind, EncoderKind, Bound, PairConfig};
use std::time::Instant;
use tch::nn::OptimizerConfig;
use tch::{Device, Kind, Tensor};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(clap::Subcommand)]
pub enum What {
    /// Steps per second of training one configuration on random data.
    Train(TrainArgs),
    /// Every estimator on every task of the 40-task ground-truth benchmark, scored against the
    /// exact MI (docs/estimator-bench.md).
    Estimators(crate::bench_estimators::EstimatorsArgs),
}

#[derive(clap::Args)]
pub struct TrainArgs {
    /// mlp | convnet | skip_mlp | realnvp_additive | realnvp_affine
    #[arg(long, default_value = "mlp")]
    pub encoder: String,
    /// bilinear | separable | concat
    #[arg(long, default_value = "bilinear")]
    pub critic: String,
    /// A bound computed from the scores alone: infonce | nwj | dv | js | smile
    #[arg(long, default_value = "infonce")]
    pub estimator: String,
    #[arg(long, default_value_t = 128)]
    pub batch: usize,
    /// Timed steps (after 10 untimed warm-up steps).
    #[arg(long, default_value_t = 200)]
    pub steps: usize,
    /// Loss |I_est − t| (as in A4) instead of −I_est.
    #[arg(long)]
    pub t: Option<f64>,
    /// cpu | cuda[:N] | auto
    #[arg(long, default_value = "auto")]
    pub device: String,
    /// libtorch's CPU threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// fused (infomax's Adam, one pass per parameter: what the experiments train with) |
    /// libtorch (torch::optim::Adam through tch, for comparison)
    #[arg(long, default_value = "fused")]
    pub optimizer: String,
    /// Print one JSON object instead of a human line.
    #[arg(long)]
    pub json: bool,
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, value: &str, expected: &str) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .map_err(|_| crate::input_error(format!("unknown --{what} '{value}': expected {expected}")))
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.what {
        What::Train(a) => train(a),
        What::Estimators(a) => crate::bench_estimators::run(a),
    }
}

fn train(a: TrainArgs) -> anyhow::Result<()> {
    let (encoder, critic, estimator) = parse_kinds(&a)?;
    if a.batch < 2 || a.steps == 0 {
        return Err(crate::input_error(format!("--batch must be at least 2 and --steps at least 1 (got {} and {})", a.batch, a.steps)));
    }
    if let Some(n) = a.threads {
        let n = i32::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| crate::input_error("--threads must be at least 1"))?;
        tch::set_num_threads(n);
    }
    let choice: mi_torch::DeviceChoice = a.device.parse().map_err(crate::input_error)?;
    let device = mi_torch::resolve_device(choice).map_err(crate::input_error)?;
    let cfg = PairConfig { name: format!("bench-{}-{}-{}", a.encoder, a.critic, a.estimator), encoder, critic, estimator, t: a.t, schedule: None };
    let models = build_models(&cfg, device, a.seed).map_err(|e| match e {
        mi_train::ExperimentError::Invalid(m) => crate::input_error(m),
        other => anyhow::Error::new(other),
    })?;
    let mut opt = Optimizer::new(&a.optimizer, &models.vs)?;
    let pool = 8 * a.batch as i64;
    let data = Tensor::rand([pool, 784], (Kind::Float, device));
    let b = a.batch as i64;
    let run_step = || -> anyhow::Result<()> {
        let idx = Tensor::randint(pool, [b], (Kind::Int64, device));
        let x = data.index_select(0, &idx);
        let (x1, x2) = (x.narrow(1, 0, 392), x.narrow(1, 392, 392));
        let s = models.critic.scores(&models.g1.encode(&x1), &models.g2.encode(&x2));
        let i_est = estimator.tensor(&s)?;
        let loss = match a.t {
            Some(t) => (&i_est - t).abs(),
            None => -&i_est,
        };
        opt.backward_step(&loss);
        Ok(())
    };
    let seconds = time_steps(run_step, a.steps, device)?;
    print_rate(&a, device, seconds);
    Ok(())
}

/// The encoder, critic and estimator named by the arguments; the critic and the estimator must
/// not be `none` (there would be nothing to train).
fn parse_kinds(a: &TrainArgs) -> anyhow::Result<(EncoderKind, CriticKind, Bound)> {
    let encoder: EncoderKind = parse("encoder", &a.encoder, "mlp, convnet, skip_mlp, realnvp_additive or realnvp_affine")?;
    let critic: CriticKind = parse("critic", &a.critic, "bilinear, separable or concat")?;
    let estimator = Bound::parse(&a.estimator).map_err(|e| crate::input_error(format!("--estimator: {e}")))?;
    if critic == CriticKind::None {
        return Err(crate::input_error("bench train needs a critic"));
    }
    if estimator.needs_baseline() || estimator == Bound::Mine {
        return Err(crate::input_error(format!(
            "--estimator {estimator}: bench train times bounds computed from the scores alone (infonce, nwj, dv, js, smile)"
        )));
    }
    Ok((encoder, critic, estimator))
}

/// The optimiser chosen with `--optimizer`.
enum Optimizer {
    Fused(mi_torch::optim::Adam),
    Libtorch(tch::nn::Optimizer),
}

impl Optimizer {
    fn new(name: &str, vs: &tch::nn::VarStore) -> anyhow::Result<Self> {
        Ok(match name {
            "fused" => Optimizer::Fused(mi_torch::optim::Adam::new(vs, 1e-4)),
            "libtorch" => Optimizer::Libtorch(tch::nn::Adam::default().build(vs, 1e-4)?),
            other => return Err(crate::input_error(format!("unknown --optimizer '{other}': expected fused or libtorch"))),
        })
    }

    fn backward_step(&mut self, loss: &Tensor) {
        match self {
            Optimizer::Fused(o) => o.backward_step(loss),
            Optimizer::Libtorch(o) => o.backward_step(loss),
        }
    }
}

/// Seconds for `steps` calls of `step`, after 10 untimed warm-up calls; on a GPU, waits for the
/// device before starting and before stopping the clock.
fn time_steps(mut step: impl FnMut() -> anyhow::Result<()>, steps: usize, device: Device) -> anyhow::Result<f64> {
    let sync = || {
        if let Device::Cuda(i) = device {
            tch::Cuda::synchronize(i as i64);
        }
    };
    for _ in 0..10 {
        step()?;
    }
    sync();
    let start = Instant::now();
    for _ in 0..steps {
        step()?;
    }
    sync();
    Ok(start.elapsed().as_secs_f64())
}

/// Prints the rate: one JSON object with `--json`, else one line.
fn print_rate(a: &TrainArgs, device: Device, seconds: f64) {
    let steps_per_second = a.steps as f64 / seconds;
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "encoder": a.encoder, "critic": a.critic, "estimator": a.estimator, "batch": a.batch,
                "steps": a.steps, "seconds": seconds, "steps_per_second": steps_per_second, "optimizer": a.optimizer,
                "device": format!("{device:?}"), "threads": tch::get_num_threads(),
                "blas_library": mi_torch::blas_library("sgemm_"),
                // whether freed memory stays in the heap (set by main; see mi_torch::retain_freed_memory)
                "freed_memory_kept": mi_torch::retain_freed_memory().is_some(),
            })
        );
    } else {
        println!(
            "{} + {} + {}, batch {}: {steps_per_second:.1} steps/s ({} steps in {seconds:.2} s on {device:?}, {} threads, {} Adam, BLAS {})",
            a.encoder,
            a.critic,
            a.estimator,
            a.batch,
            a.steps,
            tch::get_num_threads(),
            a.optimizer,
            mi_torch::blas_library("sgemm_").unwrap_or_else(|| "not found".into())
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(encoder: &str, critic: &str, estimator: &str) -> TrainArgs {
        TrainArgs {
            encoder: encoder.into(),
            critic: critic.into(),
            estimator: estimator.into(),
            batch: 8,
            steps: 2,
            t: Some(2.0),
            device: "cpu".into(),
            threads: None,
            seed: 0,
            optimizer: "fused".into(),
            json: true,
        }
    }

    #[test]
    fn times_every_paper_encoder_and_critic() {
        for (e, c, est) in [("mlp", "bilinear", "infonce"), ("convnet", "separable", "nwj"), ("mlp", "concat", "infonce")] {
            train(args(e, c, est)).unwrap();
        }
        let mut libtorch = args("mlp", "bilinear", "nwj");
        libtorch.optimizer = "libtorch".into();
        train(libtorch).unwrap();
    }

    #[test]
    fn unknown_names_are_input_errors() {
        for (e, c, est) in [("resnet", "bilinear", "infonce"), ("mlp", "none", "infonce"), ("mlp", "bilinear", "nce"), ("mlp", "bilinear", "tuba")] {
            let err = train(args(e, c, est)).unwrap_err();
            assert!(err.is::<crate::InputError>(), "{e} {c} {est}: {err}");
        }
        let mut zero = args("mlp", "bilinear", "infonce");
        zero.steps = 0;
        assert!(train(zero).unwrap_err().is::<crate::InputError>());
        let mut sgd = args("mlp", "bilinear", "infonce");
        sgd.optimizer = "sgd".into();
        let err = train(sgd).unwrap_err();
        assert!(err.is::<crate::InputError>() && err.to_string().contains("fused or libtorch"), "{err}");
    }
}
