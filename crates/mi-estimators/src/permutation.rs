//! A permutation test of independence for any MI estimator: the estimate on the data against its
//! distribution when the rows of Y are shuffled (which keeps both margins and breaks any
//! dependence). The p-value is (1 + #{null ≥ observed}) / (1 + permutations), which is valid (never
//! below its nominal level under independence) for any number of permutations; the null mean is
//! the estimator's bias at these margins and this N, and subtracting it gives a null-corrected
//! estimate.
use crate::error::{EstimatorError, Result};
use ndarray::{Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// The observed estimate and its permutation null.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PermutationTest {
    pub observed_nats: f64,
    /// The estimates on shuffled data, in the order drawn.
    pub null_nats: Vec<f64>,
}

impl PermutationTest {
    /// (1 + #{null ≥ observed}) / (1 + permutations).
    pub fn p_value(&self) -> f64 {
        let at_least = self.null_nats.iter().filter(|&&v| v >= self.observed_nats).count();
        (1 + at_least) as f64 / (1 + self.null_nats.len()) as f64
    }
    /// Mean of the null estimates.
    pub fn null_mean_nats(&self) -> f64 {
        self.null_nats.iter().sum::<f64>() / self.null_nats.len() as f64
    }
    /// The observed estimate minus the null mean.
    pub fn null_corrected_nats(&self) -> f64 {
        self.observed_nats - self.null_mean_nats()
    }
}

/// Runs `estimate` on (x, y) and on `permutations` row shuffles of y drawn from `seed` (ChaCha8:
/// the same seed gives the same shuffles everywhere).
pub fn permutation_test(
    x: &ArrayView2<f64>,
    y: &ArrayView2<f64>,
    permutations: usize,
    seed: u64,
    estimate: impl Fn(&ArrayView2<f64>, &ArrayView2<f64>) -> Result<f64>,
) -> Result<PermutationTest> {
    if permutations == 0 {
        return Err(EstimatorError::InvalidParameter { name: "permutations", value: "0".into(), reason: "must be at least 1".into() });
    }
    if x.nrows() != y.nrows() {
        return Err(EstimatorError::ShapeMismatch { what: "rows of x and y", expected: x.nrows().to_string(), found: y.nrows().to_string() });
    }
    let observed_nats = estimate(x, y)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..y.nrows()).collect();
    let mut null_nats = Vec::with_capacity(permutations);
    for _ in 0..permutations {
        order.shuffle(&mut rng);
        let shuffled: Array2<f64> = y.select(Axis(0), &order);
        null_nats.push(estimate(x, &shuffled.view())?);
    }
    Ok(PermutationTest { observed_nats, null_nats })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knn::{ksg1_mi_nats, KnnOptions};
    use crate::tasks::Task;

    #[test]
    fn dependence_is_detected_independence_is_not_and_the_seed_fixes_the_null() {
        let ksg = |x: &ArrayView2<f64>, y: &ArrayView2<f64>| ksg1_mi_nats(x, y, &KnnOptions::default());
        let (x, y) = Task::bivariate_gaussian(0.5).unwrap().sample(400, 3);
        let t = permutation_test(&x.view(), &y.view(), 99, 7, ksg).unwrap();
        assert_eq!(t.p_value(), 0.01, "ρ = 0.5 at N = 400 is far outside the null");
        assert!(t.null_mean_nats().abs() < 0.05, "null mean {}", t.null_mean_nats());
        assert!((t.null_corrected_nats() - 0.1438).abs() < 0.08, "{}", t.null_corrected_nats());
        assert_eq!(permutation_test(&x.view(), &y.view(), 99, 7, ksg).unwrap(), t);
        // independent data: the observed value is one more draw from the null
        let (_, y2) = Task::bivariate_gaussian(0.5).unwrap().sample(400, 4);
        let t0 = permutation_test(&x.view(), &y2.view(), 99, 7, ksg).unwrap();
        assert!(t0.p_value() > 0.05, "p = {}", t0.p_value());
        assert!(permutation_test(&x.view(), &y.view(), 0, 7, ksg).is_err());
        assert!(permutation_test(&x.view(), &y.slice(ndarray::s![..10, ..]), 5, 7, ksg).is_err());
    }
}
