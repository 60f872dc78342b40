//! Per-sample Jacobians of an encoder and their condition numbers (A2).
//!
//! For a batch of B inputs in ℝⁿ and an encoder into ℝᵐ, one reverse pass gives all B·m rows of
//! the Jacobians at once: each input is repeated m times, the k-th copy's k-th output is summed
//! over copies and samples, and the gradient with respect to the (B·m) × n repeated input holds
//! `∂y_k/∂x` in row k of each sample's block. This needs an encoder that treats the rows of a
//! batch independently (all encoders here do; batch norm would not). Samples are processed in
//! chunks so the repeated batch stays near `max_rows` rows.
use crate::{Encoder, EncoderError, Result};
use tch::{Kind, Tensor};

/// Default bound on the rows of one repeated batch (e.g. 20 samples of a 392-d encoder).
pub const DEFAULT_MAX_ROWS: i64 = 8192;

/// Jacobians `[B, m, n]` of `encoder` at each row of `x` (`[B, n]`), in `x`'s kind.
pub fn jacobians(encoder: &dyn Encoder, x: &Tensor, max_rows: i64) -> Result<Tensor> {
    encoder.check_input(x)?;
    let x = x.f_flatten(1, -1)?;
    let (b, n) = (x.size()[0], x.size()[1]);
    let m = encoder.output_dim();
    let per_chunk = (max_rows / m.max(1)).max(1);
    let mut blocks = vec![];
    let mut start = 0;
    while start < b {
        let c = per_chunk.min(b - start);
        let xs = x.f_narrow(0, start, c)?.detach();
        let rep = xs.f_unsqueeze(1)?.f_expand([c, m, n], false)?.f_reshape([c * m, n])?.set_requires_grad(true);
        let y = encoder.encode(&rep).f_reshape([c, m, m])?;
        let picked = y.f_diagonal(0, 1, 2)?.f_sum(y.kind())?;
        let grads = Tensor::f_run_backward(&[picked], &[&rep], false, false)?;
        let g = grads.into_iter().next().ok_or_else(|| EncoderError::Config("autograd returned no gradient".into()))?;
        blocks.push(g.f_reshape([c, m, n])?);
        start += c;
    }
    if blocks.is_empty() {
        return Ok(Tensor::f_zeros([0, m, n], (x.kind(), x.device()))?);
    }
    Ok(Tensor::f_cat(&blocks, 0)?)
}

/// Singular values `[B, min(m, n)]` (descending) of each Jacobian, computed in f64.
pub fn singular_values(jacobians: &Tensor) -> Result<Tensor> {
    let j = jacobians.f_to_kind(Kind::Double)?;
    // `torch.svd(some, compute_uv = false)`: tch's `linalg_svdvals` always passes a driver
    // string, which libtorch rejects on the CPU.
    // On the CPU the batched SVD runs one LAPACK call per matrix inside libtorch's thread pool,
    // and the two levels of threads fight: 128 SVDs of 392×392 took 94 s with 2 threads and
    // 2.9 s with 1 here. So the SVDs run single-threaded, and the setting is restored after.
    let threads = tch::get_num_threads();
    let single = j.device() == tch::Device::Cpu && threads > 1;
    if single {
        tch::set_num_threads(1);
    }
    let result = j.f_svd(true, false);
    if single {
        tch::set_num_threads(threads);
    }
    let (_, s, _) = result?;
    Ok(s)
}

/// log(σ_max / σ_min) (natural log) of each Jacobian `[B, m, n]`; +∞ where σ_min is 0.
pub fn log_condition_numbers(jacobians: &Tensor) -> Result<Vec<f64>> {
    let s = singular_values(jacobians)?;
    let k = s.size()[1];
    let ratio = s.f_select(1, 0)?.f_log()? - s.f_select(1, k - 1)?.f_log()?;
    Ok(Vec::<f64>::try_from(&ratio.f_contiguous()?)?)
}
