//! The losses of Wang & Isola (2020) on L2-normalised features, differentiable (tch).
//!
//! * `L_align(α) = mean_i ‖x_i − y_i‖₂^α` over positive pairs (rows of `x` and `y`).
//! * `L_uniform(t) = log mean_{i<j} exp(−t ‖x_i − x_j‖₂²)` over the B(B−1)/2 pairs of a batch
//!   (self-pairs excluded), computed as a log-sum-exp for stability.
//! * The symmetric in-batch contrastive loss with temperature τ:
//!   `−½ mean_i [log softmax_j(x_iᵀy_j/τ)_i + log softmax_j(x_jᵀy_i/τ)_i]`.
//! * Their combination `w_a · L_align + w_u · (L_uniform(x) + L_uniform(y)) / 2`.
//!
//! The losses take features as given: the caller normalises (the encoders of the study end in an
//! L2 normalisation). Squared distances come from the Gram matrix, never through a square root,
//! so gradients stay finite when features collapse onto one point.
use mi_train::{ExperimentError, Result};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

fn check_batch(what: &str, x: &Tensor, min_rows: i64) -> Result<()> {
    let s = x.size();
    if s.len() != 2 || s[0] < min_rows || s[1] < 1 {
        return Err(ExperimentError::Invalid(format!(
            "{what}: features must be [batch ≥ {min_rows}, dim ≥ 1], got {s:?}"
        )));
    }
    Ok(())
}

fn check_pair(what: &str, x: &Tensor, y: &Tensor) -> Result<()> {
    check_batch(what, x, 1)?;
    if x.size() != y.size() {
        return Err(ExperimentError::Invalid(format!(
            "{what}: the two views must have the same shape, got {:?} and {:?}",
            x.size(),
            y.size()
        )));
    }
    Ok(())
}

/// `L_align(α)`: the mean over rows of `‖x_i − y_i‖₂^α`. `α = 2` is computed without a square
/// root (finite gradients at x = y); other α > 0 clamp the squared distance at 1e-30 first.
pub fn align_loss(x: &Tensor, y: &Tensor, alpha: f64) -> Result<Tensor> {
    check_pair("L_align", x, y)?;
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(ExperimentError::Invalid(format!("L_align: α must be finite and > 0, got {alpha}")));
    }
    let sq = (x - y).square().sum_dim_intlist([1].as_slice(), false, x.kind());
    Ok(if alpha == 2.0 { sq.mean(x.kind()) } else { sq.clamp_min(1e-30).pow_tensor_scalar(alpha / 2.0).mean(x.kind()) })
}

/// The `B(B−1)/2` squared distances `‖x_i − x_j‖²` for `i < j`, row-major over `i`.
pub fn pairwise_sq_dists(x: &Tensor) -> Result<Tensor> {
    check_batch("pairwise distances", x, 2)?;
    let b = x.size()[0];
    let sq = x.square().sum_dim_intlist([1].as_slice(), false, x.kind());
    let gram = x.mm(&x.tr());
    let d2 = (sq.unsqueeze(1) + sq.unsqueeze(0) - gram * 2.0).clamp_min(0.0);
    let idx = Tensor::triu_indices(b, b, 1, (Kind::Int64, x.device()));
    let flat = idx.get(0) * b + idx.get(1);
    Ok(d2.reshape([-1]).index_select(0, &flat))
}

/// `L_uniform(t) = log mean_{i<j} exp(−t ‖x_i − x_j‖²)` over one batch (at least two rows).
pub fn uniform_loss(x: &Tensor, t: f64) -> Result<Tensor> {
    if !(t.is_finite() && t > 0.0) {
        return Err(ExperimentError::Invalid(format!("L_uniform: t must be finite and > 0, got {t}")));
    }
    let d2 = pairwise_sq_dists(x)?;
    let pairs = d2.size()[0] as f64;
    Ok((d2 * (-t)).logsumexp([0].as_slice(), false) - pairs.ln())
}

/// The symmetric in-batch contrastive loss (InfoNCE with the positive in the denominator) at
/// temperature `tau`: row i of `x` and row i of `y` are a positive pair, every other row of the
/// other view a negative.
pub fn contrastive_loss(x: &Tensor, y: &Tensor, tau: f64) -> Result<Tensor> {
    check_pair("contrastive loss", x, y)?;
    if !(tau.is_finite() && tau > 0.0) {
        return Err(ExperimentError::Invalid(format!("contrastive loss: τ must be finite and > 0, got {tau}")));
    }
    let logits = x.mm(&y.tr()) / tau;
    let a = logits.log_softmax(1, x.kind()).diagonal(0, 0, 1).mean(x.kind());
    let b = logits.tr().log_softmax(1, x.kind()).diagonal(0, 0, 1).mean(x.kind());
    Ok((a + b) * -0.5)
}

/// Weights and exponents of the direct objective `w_a · L_align(α) + w_u · L_uniform(t)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlignUniform {
    pub w_align: f64,
    pub w_uniform: f64,
    pub alpha: f64,
    pub t: f64,
}

impl Default for AlignUniform {
    /// The paper's defaults: w_a = w_u = 1, α = 2, t = 2.
    fn default() -> Self {
        Self { w_align: 1.0, w_uniform: 1.0, alpha: 2.0, t: 2.0 }
    }
}

/// `w_a · L_align(x, y; α) + w_u · (L_uniform(x; t) + L_uniform(y; t)) / 2`.
pub fn align_uniform_loss(x: &Tensor, y: &Tensor, w: &AlignUniform) -> Result<Tensor> {
    if !(w.w_align.is_finite() && w.w_align >= 0.0 && w.w_uniform.is_finite() && w.w_uniform >= 0.0) {
        return Err(ExperimentError::Invalid(format!("align+uniform weights must be finite and ≥ 0, got {w:?}")));
    }
    let align = align_loss(x, y, w.alpha)?;
    let unif = (uniform_loss(x, w.t)? + uniform_loss(y, w.t)?) / 2.0;
    Ok(align * w.w_align + unif * w.w_uniform)
}

/// `L_uniform(t)` over *all* `N(N−1)/2` pairs of a large set of features (e.g. a test set),
/// without gradients, in blocks of `block` rows so that no `N × N` matrix is held; in f64.
pub fn uniform_loss_blockwise(x: &Tensor, t: f64, block: i64) -> Result<f64> {
    check_batch("L_uniform", x, 2)?;
    if !(t.is_finite() && t > 0.0) || block < 1 {
        return Err(ExperimentError::Invalid(format!("L_uniform: need t > 0 and block ≥ 1, got t = {t}, block = {block}")));
    }
    let _g = tch::no_grad_guard();
    let x = x.to_kind(Kind::Double);
    let n = x.size()[0];
    let sq = x.square().sum_dim_intlist([1].as_slice(), false, Kind::Double);
    let cols = Tensor::arange(n, (Kind::Int64, x.device()));
    let mut lses = vec![];
    let mut r0 = 0;
    while r0 < n - 1 {
        let len = block.min(n - r0);
        let xb = x.narrow(0, r0, len);
        let d2 = (sq.narrow(0, r0, len).unsqueeze(1) + sq.unsqueeze(0) - xb.mm(&x.tr()) * 2.0).clamp_min(0.0);
        let rows = Tensor::arange_start(r0, r0 + len, (Kind::Int64, x.device())).unsqueeze(1);
        let upper = cols.unsqueeze(0).gt_tensor(&rows);
        let v = (d2 * (-t)).masked_fill(&upper.logical_not(), f64::NEG_INFINITY);
        lses.push(v.logsumexp([0, 1].as_slice(), false));
        r0 += len;
    }
    let total = Tensor::stack(&lses, 0).logsumexp([0].as_slice(), false).double_value(&[]);
    let pairs = (n as f64) * (n as f64 - 1.0) / 2.0;
    Ok(total - pairs.ln())
}

/// `L_align(α)` over many pairs without gradients, in f64.
pub fn align_loss_value(x: &Tensor, y: &Tensor, alpha: f64) -> Result<f64> {
    let _g = tch::no_grad_guard();
    Ok(align_loss(&x.to_kind(Kind::Double), &y.to_kind(Kind::Double), alpha)?.double_value(&[]))
}

/// The optimum of `L_uniform(t)` on the circle S¹: `−2t + log I₀(2t)` (attained by the uniform
/// distribution; a finite, self-pair-free batch estimate can dip slightly below it).
pub fn uniform_optimum_circle(t: f64) -> f64 {
    super::uniformity::uniform_optimum(2, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use tch::Device;

    fn t2(rows: &[[f64; 2]]) -> Tensor {
        let flat: Vec<f64> = rows.iter().flatten().copied().collect();
        Tensor::from_slice(&flat).reshape([rows.len() as i64, 2])
    }

    fn val(t: &Tensor) -> f64 {
        t.double_value(&[])
    }

    fn random(n: usize, d: usize, seed: u64) -> (Vec<Vec<f64>>, Tensor) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let rows: Vec<Vec<f64>> = (0..n).map(|_| (0..d).map(|_| rng.gen_range(-1.0..1.0)).collect()).collect();
        let flat: Vec<f64> = rows.iter().flatten().copied().collect();
        let t = Tensor::from_slice(&flat).reshape([n as i64, d as i64]);
        (rows, t)
    }

    fn normalize_rows(x: &Tensor) -> Tensor {
        mi_encoders::small_cnn::l2_normalize(x)
    }

    #[test]
    fn tiny_vector_oracle() {
        let _rng = crate::test_rng_lock();
        // x = y = [[1, 1], [0, 1]] (unnormalised, as given): align 0, uniform(t = 2) = −2
        let x = t2(&[[1.0, 1.0], [0.0, 1.0]]);
        assert_eq!(val(&align_loss(&x, &x, 2.0).unwrap()), 0.0);
        assert!((val(&uniform_loss(&x, 2.0).unwrap()) + 2.0).abs() < 1e-12);
        assert!((uniform_loss_blockwise(&x, 2.0, 1).unwrap() + 2.0).abs() < 1e-12);
        let w = AlignUniform::default();
        assert!((val(&align_uniform_loss(&x, &x, &w).unwrap()) + 2.0).abs() < 1e-12);
    }

    #[test]
    fn evenly_spaced_points_approach_the_circle_optimum() {
        let _rng = crate::test_rng_lock();
        let opt = uniform_optimum_circle(2.0);
        assert!((opt + 1.57503).abs() < 1e-5, "−2t + log I0(2t) at t = 2: {opt}");
        let circle = |n: usize| {
            let rows: Vec<[f64; 2]> = (0..n).map(|i| {
                let a = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
                [a.cos(), a.sin()]
            }).collect();
            val(&uniform_loss(&t2(&rows), 2.0).unwrap())
        };
        let (small, large) = (circle(16), circle(1000));
        assert!((large - opt).abs() < 5e-3, "1000 points: {large} vs {opt}");
        assert!((large - opt).abs() < (small - opt).abs(), "more points are closer: {small} → {large}");
        // Exactly: over all N² pairs, evenly spaced points give the optimum (a Riemann sum of a
        // smooth periodic function); leaving out the N self-pairs (each exp(0) = 1) gives
        // log((N·e^opt − 1)/(N − 1)), slightly below the optimum.
        for (n, got) in [(16.0, small), (1000.0, large)] {
            let want = ((n * opt.exp() - 1.0) / (n - 1.0)).ln();
            assert!((got - want).abs() < 1e-7 && got < opt, "N = {n}: {got} vs {want}");
        }
        // clustered points are far from it
        let clustered: Vec<[f64; 2]> = (0..100).map(|i| {
            let a = 0.3 * i as f64 / 100.0;
            [a.cos(), a.sin()]
        }).collect();
        assert!(val(&uniform_loss(&t2(&clustered), 2.0).unwrap()) > -0.1);
    }

    #[test]
    fn random_uniform_points_on_high_dimensional_spheres_match_the_optimum() {
        let _rng = crate::test_rng_lock();
        // S² at t = 1: log((1 − e^{−4}) / 4) = −1.40478; S^127 at t = 2: −3.93753 (uniform
        // points attain the optimum in expectation)
        for (d, t, opt, n) in [(3i64, 1.0, -1.40478, 3000i64), (128, 2.0, -3.93753, 3000)] {
            tch::manual_seed(11);
            let x = normalize_rows(&Tensor::randn([n, d], (Kind::Double, Device::Cpu)));
            let l = val(&uniform_loss(&x, t).unwrap());
            assert!((l - opt).abs() < 0.02, "d = {d}: {l} vs {opt}");
            assert!((uniform_loss_blockwise(&x, t, 700).unwrap() - l).abs() < 1e-9);
        }
        assert!((((1.0 - (-4.0f64).exp()) / 4.0).ln() + 1.40478).abs() < 1e-5);
    }

    #[test]
    fn collapse_gives_uniform_zero_with_finite_gradients() {
        let _rng = crate::test_rng_lock();
        let x = Tensor::ones([8, 4], (Kind::Double, Device::Cpu)).set_requires_grad(true);
        let l = uniform_loss(&(&x / 2.0), 2.0).unwrap();
        assert!(val(&l).abs() < 1e-12, "{}", val(&l));
        let a = align_loss(&x, &x.detach(), 2.0).unwrap();
        (l + a).backward();
        assert_eq!(x.grad().isfinite().all().to_kind(Kind::Int64).int64_value(&[]), 1);
        assert!(uniform_loss_blockwise(&x.detach(), 2.0, 3).unwrap().abs() < 1e-12);
    }

    #[test]
    fn pairwise_forms_equal_explicit_double_loops() {
        let _rng = crate::test_rng_lock();
        let (rows, x) = random(7, 3, 1);
        let (rows_y, y) = random(7, 3, 2);
        let t = 1.7;
        let d2 = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum::<f64>();
        let mut sum = 0.0;
        let mut pairs = 0.0;
        for i in 0..7 {
            for j in (i + 1)..7 {
                sum += (-t * d2(&rows[i], &rows[j])).exp();
                pairs += 1.0;
            }
        }
        let want = (sum / pairs).ln();
        assert!((val(&uniform_loss(&x, t).unwrap()) - want).abs() < 1e-12);
        for block in [1, 2, 3, 7, 50] {
            assert!((uniform_loss_blockwise(&x, t, block).unwrap() - want).abs() < 1e-12, "block {block}");
        }
        let dists: Vec<f64> = Vec::try_from(&pairwise_sq_dists(&x).unwrap()).unwrap();
        assert_eq!(dists.len(), 21);
        assert!((dists[0] - d2(&rows[0], &rows[1])).abs() < 1e-12 && (dists[20] - d2(&rows[5], &rows[6])).abs() < 1e-12);
        // align with α = 2 and α = 1
        for alpha in [2.0, 1.0, 3.0] {
            let want: f64 = (0..7).map(|i| d2(&rows[i], &rows_y[i]).powf(alpha / 2.0)).sum::<f64>() / 7.0;
            assert!((val(&align_loss(&x, &y, alpha).unwrap()) - want).abs() < 1e-12, "α = {alpha}");
        }
        // contrastive, both directions
        let tau = 0.3;
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
        let mut acc = 0.0;
        for i in 0..7 {
            let lse_row = (0..7).map(|j| (dot(&rows[i], &rows_y[j]) / tau).exp()).sum::<f64>().ln();
            let lse_col = (0..7).map(|j| (dot(&rows[j], &rows_y[i]) / tau).exp()).sum::<f64>().ln();
            let pos = dot(&rows[i], &rows_y[i]) / tau;
            acc += (pos - lse_row) + (pos - lse_col);
        }
        let want = -0.5 * acc / 7.0;
        assert!((val(&contrastive_loss(&x, &y, tau).unwrap()) - want).abs() < 1e-12);
        // the combination
        let w = AlignUniform { w_align: 0.5, w_uniform: 3.0, alpha: 2.0, t: 2.0 };
        let want = 0.5 * val(&align_loss(&x, &y, 2.0).unwrap())
            + 1.5 * (val(&uniform_loss(&x, 2.0).unwrap()) + val(&uniform_loss(&y, 2.0).unwrap()));
        assert!((val(&align_uniform_loss(&x, &y, &w).unwrap()) - want).abs() < 1e-12);
    }

    #[test]
    fn contrastive_loss_of_an_orthonormal_batch() {
        let _rng = crate::test_rng_lock();
        // x = y = I₄: positive logit 1/τ, negatives 0 → −log(e^{1/τ} / (e^{1/τ} + 3))
        let x = Tensor::eye(4, (Kind::Double, Device::Cpu));
        let tau = 0.5;
        let want = -((1.0f64 / tau).exp() / ((1.0f64 / tau).exp() + 3.0)).ln();
        assert!((val(&contrastive_loss(&x, &x, tau).unwrap()) - want).abs() < 1e-12);
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let _rng = crate::test_rng_lock();
        let x = Tensor::ones([4, 2], (Kind::Float, Device::Cpu));
        let y = Tensor::ones([3, 2], (Kind::Float, Device::Cpu));
        assert!(align_loss(&x, &y, 2.0).unwrap_err().to_string().contains("same shape"));
        assert!(contrastive_loss(&x, &x, 0.0).is_err());
        assert!(uniform_loss(&x, -1.0).is_err());
        assert!(uniform_loss(&Tensor::ones([1, 2], (Kind::Float, Device::Cpu)), 2.0).unwrap_err().to_string().contains("batch ≥ 2"));
        assert!(align_uniform_loss(&x, &x, &AlignUniform { w_align: f64::NAN, ..Default::default() }).is_err());
        assert!(uniform_loss_blockwise(&x, 2.0, 0).is_err());
    }
}
