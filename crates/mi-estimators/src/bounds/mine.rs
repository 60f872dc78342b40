//! MINE (Belghazi et al. 2018): the DV bound, with the gradient of its log term corrected by an
//! exponential moving average (EMA) of mean_{i≠j} exp S_ij. The value reported is DV.
//!
//! [`MineEma`] keeps the average in log space (so it cannot overflow); [`mine()`] evaluates DV and
//! updates it; `mine_tensor` (feature `tch`) returns a surrogate whose value is DV and whose gradient is
//! ∇ mean S_ii − ∇(mean exp S_ij) / EMA, MINE's bias-corrected gradient.
use super::{batch_size, diag_mean, offdiag_logmeanexp};
use crate::error::{EstimatorError, Result};
use crate::special::log_add_exp;
use ndarray::ArrayView2;

/// The moving average of mean_{i≠j} exp S_ij, stored as its logarithm.
#[derive(Debug, Clone, PartialEq)]
pub struct MineEma {
    decay: f64,
    log_ema: Option<f64>,
}

impl MineEma {
    /// A new average with weight `decay` ∈ [0, 1) on the past (MINE uses 0.9–0.99).
    pub fn new(decay: f64) -> Result<Self> {
        if !(0.0..1.0).contains(&decay) {
            return Err(EstimatorError::param("decay", decay, "must be in [0, 1)"));
        }
        Ok(MineEma { decay, log_ema: None })
    }

    /// Folds in a batch's log mean exp and returns the new log-average. The first batch
    /// initialises the average (no bias towards an arbitrary starting value).
    pub fn update(&mut self, log_mean_exp: f64) -> f64 {
        let new = match self.log_ema {
            None => log_mean_exp,
            Some(old) => log_add_exp(self.decay.ln() + old, (1.0 - self.decay).ln() + log_mean_exp),
        };
        self.log_ema = Some(new);
        new
    }

    /// The current log-average (None before the first update).
    pub fn log_ema(&self) -> Option<f64> {
        self.log_ema
    }

    /// The decay (weight on the past).
    pub fn decay(&self) -> f64 {
        self.decay
    }
}

/// MINE's reported value on a B×B score matrix (DV, in nats), updating the moving average.
pub fn mine(scores: &ArrayView2<f64>, ema: &mut MineEma) -> Result<f64> {
    let b = batch_size(scores)?;
    let lme = offdiag_logmeanexp(b, |i, j| scores[[i, j]]);
    ema.update(lme);
    Ok(diag_mean(scores) - lme)
}

/// MINE on a B×B score tensor: value DV, gradient with the moving-average correction; updates `ema`.
#[cfg(feature = "tch")]
pub fn mine_tensor(scores: &tch::Tensor, ema: &mut MineEma) -> Result<tch::Tensor> {
    use super::tensor as t;
    let b = t::batch_size(scores)?;
    let lme = t::offdiag_logmeanexp(scores, b);
    let log_ema = ema.update(lme.double_value(&[]));
    // r = mean exp S / EMA; value r − r.detach() = 0, gradient ∇(mean exp S)/EMA
    let r = (&lme - log_ema).exp();
    Ok(t::diag_mean(scores) - lme.detach() - &r + r.detach())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::{dv, testing::random_scores};

    #[test]
    fn value_is_dv_and_ema_averages() {
        let mut ema = MineEma::new(0.9).unwrap();
        let s = random_scores(8, 1.0, 1);
        assert_eq!(mine(&s.view(), &mut ema).unwrap(), dv(&s.view()).unwrap());
        let first = ema.log_ema().unwrap();
        assert!((first - offdiag_logmeanexp(8, |i, j| s[[i, j]])).abs() < 1e-15);
        // updating with log 1 = 0 moves the average towards 1 by 10 %
        let after = ema.update(0.0);
        assert!((after.exp() - (0.9 * first.exp() + 0.1)).abs() < 1e-12);
        assert!(MineEma::new(1.0).is_err() && MineEma::new(-0.1).is_err());
    }

    #[cfg(feature = "tch")]
    #[test]
    fn tensor_form_agrees_and_corrects_the_gradient() {
        use crate::bounds::testing::{to_tensor, value};
        let s = random_scores(10, 2.0, 4);
        let mut e1 = MineEma::new(0.9).unwrap();
        let mut e2 = MineEma::new(0.9).unwrap();
        for _ in 0..3 {
            let a = mine(&s.view(), &mut e1).unwrap();
            let st = to_tensor(&s).set_requires_grad(true);
            let v = mine_tensor(&st, &mut e2).unwrap();
            assert!((a - value(&v)).abs() < 1e-6);
            v.backward();
            // gradient of an off-diagonal entry: −exp(S_ij) / (B(B−1) · EMA)
            let g = st.grad().double_value(&[0, 1]);
            let want = -s[[0, 1]].exp() / (90.0 * e2.log_ema().unwrap().exp());
            assert!((g - want).abs() < 1e-9, "{g} vs {want}");
        }
        assert_eq!(e1, e2);
    }
}
