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
    for max_rows in [2048, jacobian::DEFAULT_MAX_ROWS, 16384] {
        let t = Instant::now();
        let j = jacobian::jacobians(&skip, &x, max_rows)?;
        let t_jac = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let lc = jacobian::log_condition_numbers(&j)?;
        let t_svd = t.elapsed().as_secs_f64();
        let max = lc.iter().copied().fold(f64::MIN, f64::max);
        println!(
            "max_rows {max_rows:5}: jacobians {:?} in {t_jac:.2} s, SVDs in {t_svd:.2} s, max log cond {max:.4}, {} params",
            j.size(),
            skip.num_parameters()
        );
    }
    Ok(())
}
