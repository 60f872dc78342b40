//! Variational MI bounds evaluated on a B×B score matrix `S[i, j] = f(x_i, y_j)`: the diagonal
//! holds samples of the joint, the off-diagonal entries stand in for the product of marginals.
//!
//! One file per bound, each holding the ndarray form (`f64`, for evaluation) and — behind the `tch`
//! feature — the tensor form (differentiable, for training), tested to agree within 1e-6. Every
//! bound uses log-sum-exp: DV, InfoNCE, JS and SMILE(τ < ∞) are finite for any finite scores.
//! NWJ, TUBA and I_α contain a mean of `exp(S_ij)`; for off-diagonal scores above ≈ 700 that mean
//! overflows f64 and they return −∞ (their true value is below −e^700), never NaN.
//!
//! [`Bound`] names each of them (one value per bound, parsed from and written as its name, also
//! in result files) and dispatches to the functions below: `value` for the reported estimate,
//! `tensor` for the training objective.
//!
//! | bound | function | [`Bound`] | cap |
//! |---|---|---|---|
//! | InfoNCE | [`infonce()`] | `Infonce` (`infonce`) | ≤ log B |
//! | NWJ | [`nwj()`] | `Nwj` (`nwj`) | — |
//! | DV / MINE | [`dv()`], [`mine::MineEma`] | `Dv` (`dv`), `Mine` (`mine`) | — |
//! | TUBA | [`tuba()`] | `Tuba` (`tuba`) | — |
//! | JS (f-GAN; a training signal, not a bound) | [`js()`] | `Js` (`js`; reads as NWJ of f + 1) | — |
//! | SMILE(τ) | [`smile()`] | `Smile { tau }` (`smile_tau5`) | — |
//! | I_α | [`interpolated()`] | `Ialpha { alpha }` (`ialpha_alpha0.01`) | — |
use crate::error::{EstimatorError, Result};
use crate::special::logsumexp;
use ndarray::ArrayView2;

pub mod bound;
pub mod dv;
pub mod ialpha;
pub mod infonce;
pub mod js;
pub mod mine;
pub mod nwj;
pub mod smile;
pub mod tuba;

pub use bound::Bound;
pub use dv::dv;
pub use ialpha::interpolated;
pub use infonce::infonce;
pub use js::js;
pub use mine::{mine, MineEma};
pub use nwj::nwj;
pub use smile::smile;
pub use tuba::tuba;
#[cfg(feature = "tch")]
pub use {
    dv::dv_tensor, ialpha::interpolated_tensor, infonce::infonce_tensor, js::js_tensor, mine::mine_tensor, nwj::nwj_tensor,
    smile::smile_tensor, tuba::tuba_tensor,
};

/// Checks that `s` is a finite B×B matrix with B ≥ 2 and returns B.
pub(crate) fn batch_size(s: &ArrayView2<f64>) -> Result<usize> {
    let (r, c) = s.dim();
    if r != c {
        return Err(EstimatorError::NotSquare { rows: r, cols: c });
    }
    if r < 2 {
        return Err(EstimatorError::BatchTooSmall { batch: r });
    }
    if s.iter().any(|v| !v.is_finite()) {
        return Err(EstimatorError::NonFinite { what: "score matrix" });
    }
    Ok(r)
}

/// mean_i S_ii
pub(crate) fn diag_mean(s: &ArrayView2<f64>) -> f64 {
    s.diag().mean().unwrap_or(0.0)
}

/// log mean_{i≠j} exp(g(i, j)) over the off-diagonal entries.
pub(crate) fn offdiag_logmeanexp(b: usize, g: impl Fn(usize, usize) -> f64) -> f64 {
    let vals = (0..b).flat_map(|i| (0..b).filter(move |&j| j != i).map(move |j| (i, j)));
    let it = vals.map(|(i, j)| g(i, j));
    let v: Vec<f64> = it.collect();
    logsumexp(v.iter().copied()) - ((b * (b - 1)) as f64).ln()
}

#[cfg(feature = "tch")]
pub(crate) mod tensor {
    use crate::error::{EstimatorError, Result};
    use tch::{Kind, Tensor};

    /// Checks that `s` is a floating-point B×B tensor with B ≥ 2 and returns B.
    pub(crate) fn batch_size(s: &Tensor) -> Result<i64> {
        let size = s.size();
        if size.len() != 2 {
            return Err(EstimatorError::Tensor(format!("score matrix must be 2-D, got shape {size:?}")));
        }
        if size[0] != size[1] {
            return Err(EstimatorError::NotSquare { rows: size[0] as usize, cols: size[1] as usize });
        }
        if size[0] < 2 {
            return Err(EstimatorError::BatchTooSmall { batch: size[0] as usize });
        }
        if !matches!(s.kind(), Kind::Float | Kind::Double | Kind::Half | Kind::BFloat16) {
            return Err(EstimatorError::Tensor(format!("score matrix must be floating point, got {:?}", s.kind())));
        }
        Ok(size[0])
    }

    /// The B×B boolean identity on the device of `s`.
    pub(crate) fn eye_mask(s: &Tensor, b: i64) -> Tensor {
        Tensor::eye(b, (Kind::Bool, s.device()))
    }

    /// mean_i S_ii (differentiable).
    pub(crate) fn diag_mean(s: &Tensor) -> Tensor {
        s.diagonal(0, 0, 1).mean(s.kind())
    }

    /// log mean_{i≠j} exp(S_ij) (differentiable).
    pub(crate) fn offdiag_logmeanexp(s: &Tensor, b: i64) -> Tensor {
        s.masked_fill(&eye_mask(s, b), f64::NEG_INFINITY).logsumexp([0i64, 1], false) - ((b * (b - 1)) as f64).ln()
    }

    /// mean_{i≠j} of a B×B tensor.
    pub(crate) fn offdiag_mean(t: &Tensor, b: i64) -> Tensor {
        t.masked_fill(&eye_mask(t, b), 0.0).sum(t.kind()) / ((b * (b - 1)) as f64)
    }

    /// A length-B baseline vector of the same kind and device as the scores.
    pub(crate) fn check_baseline(baseline: &Tensor, b: i64) -> Result<()> {
        if baseline.size() != [b] {
            return Err(EstimatorError::ShapeMismatch { what: "log baseline", expected: format!("[{b}]"), found: format!("{:?}", baseline.size()) });
        }
        Ok(())
    }
}

/// Shared helpers for the tests of the bound files.
#[cfg(test)]
pub(crate) mod testing {
    use ndarray::Array2;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    /// A seeded random B×B score matrix with a boosted diagonal.
    pub fn random_scores(b: usize, scale: f64, seed: u64) -> Array2<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let n = Normal::new(0.0, scale).unwrap();
        Array2::from_shape_fn((b, b), |(i, j)| n.sample(&mut rng) + if i == j { scale } else { 0.0 })
    }

    #[cfg(feature = "tch")]
    pub fn to_tensor(a: &Array2<f64>) -> tch::Tensor {
        mi_torch::array2_to_tensor(&a.view(), tch::Device::Cpu)
    }

    #[cfg(feature = "tch")]
    pub fn value(t: &tch::Tensor) -> f64 {
        t.double_value(&[])
    }
}

/// The tensor forms are differentiable and their gradients are the gradients of the f64 forms:
/// autograd against central finite differences (h = 1e-5) at every entry of random matrices.
#[cfg(all(test, feature = "tch"))]
mod gradient_tests {
    use super::testing::{random_scores, to_tensor};
    use super::*;
    use ndarray::{Array1, Array2};
    use tch::Tensor;

    type F64Bound = Box<dyn Fn(&Array2<f64>) -> f64>;
    type TensorBound = Box<dyn Fn(&Tensor) -> Tensor>;

    fn check(name: &str, f: F64Bound, t: TensorBound) {
        for seed in 0..3 {
            let s = random_scores(5, 1.5, seed);
            let st = to_tensor(&s).set_requires_grad(true);
            t(&st).backward();
            let g = st.grad();
            let h = 1e-5;
            for ((i, j), _) in s.indexed_iter() {
                let (mut a, mut b) = (s.clone(), s.clone());
                a[[i, j]] += h;
                b[[i, j]] -= h;
                let fd = (f(&a) - f(&b)) / (2.0 * h);
                let ad = g.double_value(&[i as i64, j as i64]);
                assert!((fd - ad).abs() < 1e-6, "{name}: d/dS[{i},{j}] autograd {ad} vs finite difference {fd}");
            }
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let lb = Array1::from_shape_fn(5, |i| 0.2 * i as f64);
        let lbt = Tensor::from_slice(lb.as_slice().unwrap_or(&[]));
        check("infonce", Box::new(|s| infonce(&s.view()).unwrap()), Box::new(|t| infonce_tensor(t).unwrap()));
        check("nwj", Box::new(|s| nwj(&s.view()).unwrap()), Box::new(|t| nwj_tensor(t).unwrap()));
        check("dv", Box::new(|s| dv(&s.view()).unwrap()), Box::new(|t| dv_tensor(t).unwrap()));
        check("js", Box::new(|s| js(&s.view()).unwrap()), Box::new(|t| js_tensor(t).unwrap()));
        let (l1, l2) = (lb.clone(), lbt.shallow_clone());
        check("tuba", Box::new(move |s| tuba(&s.view(), &l1.view()).unwrap()), Box::new(move |t| tuba_tensor(t, &l2).unwrap()));
        for alpha in [0.0, 0.3, 1.0] {
            let (l1, l2) = (lb.clone(), lbt.shallow_clone());
            check(
                "interpolated",
                Box::new(move |s| interpolated(&s.view(), &l1.view(), alpha).unwrap()),
                Box::new(move |t| interpolated_tensor(t, &l2, alpha).unwrap()),
            );
        }
        // SMILE's gradient is JS's by design (its value is the clipped DV)
        check("smile", Box::new(|s| js(&s.view()).unwrap()), Box::new(|t| smile_tensor(t, 5.0).unwrap()));
    }
}
