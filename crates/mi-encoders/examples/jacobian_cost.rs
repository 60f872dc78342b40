//! How long A2's conditioning measurement takes: 128 Jacobians of the paper's skip-MLP
//! (392 × 392 each) and their log condition numbers.
//! `cargo run --release -p mi-encoders --example jacobian_cost`
use mi_encoders::{jacobian, Encoder, SkipMlp};
use std::time::Instant;
use tch::{nn, Device, Kind, Tensor};

fn main() -> Result<(), mi_encoders::EncoderError> {
    mi_torch::seed_everything(0);
    let vs = nn::VarStore::new(Device::Cpu);
    let skip = SkipMlp::paper(&vs.root())?;
    let x = Tensor::rand([128, 392], (Kind::Float, Device::Cpu));
    let t = Instant::now();
    let j = jacobian::jacobians(&skip, &x, jacobian::DEFAULT_MAX_ROWS)?;
    println!("jacobians {:?} in {:.2} s ({} params)", j.size(), t.elapsed().as_secs_f64(), skip.num_parameters());
    let t = Instant::now();
    let lc = jacobian::log_condition_numbers(&j)?;
    let max = lc.iter().copied().fold(f64::MIN, f64::max);
    println!("128 SVDs in {:.2} s, max log cond {max:.4}", t.elapsed().as_secs_f64());
    Ok(())
}
