//! Training steps per second of the A4 configurations (encoder pair + bilinear critic + InfoNCE,
//! batch 128) on random inputs: `cargo run --release -p mi-experiments --example a4_step_rate [steps]`.
//! `[steps] [mlp|convnet]`. Prints one JSON line per encoder; used by `cargo xtask bench` next to
//! the PyTorch equivalent. Trains with `mi_torch::optim::Adam`, as the experiments do.
use mi_experiments::infomax::{build_models, CriticKind, EncoderKind, Bound, PairConfig};
use std::time::Instant;
use tch::{Device, Kind, Tensor};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    mi_torch::retain_freed_memory(); // as the infomax binary does
    let steps: usize = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(200);
    let only = std::env::args().nth(2).map(|s| s.to_ascii_lowercase());
    for enc in [EncoderKind::Mlp, EncoderKind::Convnet] {
        if only.as_ref().is_some_and(|o| *o != format!("{enc:?}").to_ascii_lowercase()) {
            continue;
        }
        let cfg = PairConfig { name: format!("{enc:?}"), encoder: enc, critic: CriticKind::Bilinear, estimator: Bound::Infonce, t: Some(2.0), schedule: None };
        let m = build_models(&cfg, Device::Cpu, 0)?;
        let mut opt = mi_torch::optim::Adam::new(&m.vs, 1e-4);
        let data = Tensor::rand([60_000, 784], (Kind::Float, Device::Cpu));
        let mut step = |i: usize| -> Result<(), Box<dyn std::error::Error>> {
            let idx = Tensor::randint(60_000, [128], (Kind::Int64, Device::Cpu));
            let x = data.index_select(0, &idx);
            let (x1, x2) = (x.narrow(1, 0, 392), x.narrow(1, 392, 392));
            let s = m.critic.scores(&m.g1.encode(&x1), &m.g2.encode(&x2));
            let i_est = mi_estimators::bounds::infonce_tensor(&s)?;
            opt.backward_step(&(i_est - 2.0).abs());
            let _ = i;
            Ok(())
        };
        for i in 0..10 {
            step(i)?; // warm-up
        }
        let start = Instant::now();
        for i in 0..steps {
            step(i)?;
        }
        let secs = start.elapsed().as_secs_f64();
        let line = serde_json::json!({
            "encoder": format!("{enc:?}"), "steps": steps, "seconds": secs, "steps_per_second": steps as f64 / secs,
            "threads": tch::get_num_threads(), "blas_library": mi_torch::blas_library("sgemm_"),
        });
        println!("{line}");
    }
    Ok(())
}
