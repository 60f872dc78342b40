//! I_est over training steps of one A4-style configuration on real MNIST, without probes:
//! `cargo run --release -p mi-experiments --example a4_trajectory -- <mlp|convnet> <infonce|nwj> <t> <steps> [lr] [seed]`.
//! Prints one JSON line every 250 steps with the mean training-batch I_est of the last 250 steps.
//! Used to size the quick profile (how many steps an estimator needs to reach t).
use mi_experiments::infomax::{bound, build_models, loss_of, CriticKind, EncoderKind, Bound, PairViews, PairConfig};
use std::time::Instant;
use tch::{Device, Tensor};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    mi_torch::retain_freed_memory(); // as the infomax binary does
    let a: Vec<String> = std::env::args().collect();
    let encoder = match a.get(1).map(String::as_str) {
        Some("convnet") => EncoderKind::Convnet,
        _ => EncoderKind::Mlp,
    };
    let estimator = match a.get(2).map(String::as_str) {
        Some("nwj") => Bound::Nwj,
        _ => Bound::Infonce,
    };
    let t: f64 = a.get(3).map(|s| s.parse()).transpose()?.unwrap_or(2.0);
    let steps: usize = a.get(4).map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let lr: f64 = a.get(5).map(|s| s.parse()).transpose()?.unwrap_or(1e-4);
    let seed: u64 = a.get(6).map(|s| s.parse()).transpose()?.unwrap_or(0);
    let dir = mi_data::mnist::default_dir(None);
    let data = PairViews::from_mnist(&mi_data::mnist::ensure_and_load(&dir, &mut |m| eprintln!("{m}"))?, Device::Cpu)?;
    let cfg = PairConfig { name: "trajectory".into(), encoder, critic: CriticKind::Bilinear, estimator, t: Some(t), schedule: None };
    let m = build_models(&cfg, Device::Cpu, seed)?;
    let mut opt = mi_torch::optim::Adam::new(&m.vs, lr);
    let mut batches = mi_views::batch::BatchStream::new(data.n_train(), 128, seed)?;
    let start = Instant::now();
    let (mut sum, mut n) = (0.0, 0usize);
    for step in 0..steps {
        let idx: Vec<i64> = batches.next_batch().iter().map(|&i| i as i64).collect();
        let it = Tensor::from_slice(&idx);
        let s = m.critic.scores(&m.g1.encode(&data.train_x1.index_select(0, &it)), &m.g2.encode(&data.train_x2.index_select(0, &it)));
        let i_est = bound(estimator, &s)?;
        sum += i_est.double_value(&[]);
        n += 1;
        opt.backward_step(&loss_of(&i_est, Some(t)));
        if (step + 1) % 250 == 0 {
            println!("{}", serde_json::json!({"step": step + 1, "i_est_mean_last_250": sum / n as f64, "seconds": start.elapsed().as_secs_f64()}));
            (sum, n) = (0.0, 0);
        }
    }
    Ok(())
}
