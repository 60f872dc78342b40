//! `auto`: the estimate to use when you do not know which estimator suits the data. The rule was
//! fixed before it was benchmarked (docs/estimator-bench.md): on the copula (normal scores of
//! each column's ranks), the larger of the null-corrected copula-KSG and copula-Gaussian
//! estimates.
//!
//! Both components fail *downwards* (the Gaussian estimator sees only the Gaussian-copula part of
//! the dependence; KSG loses MI in high dimension), so the larger is the closer, once each
//! component's upward bias — its mean over shuffles of Y, e.g. ≈ dx·dy/2N for the Gaussian
//! estimator — has been subtracted.
//!
//! ```
//! use mi_estimators::{auto::{auto_mi, AutoOptions}, tasks::find};
//! let task = find("student-2x2-df1")?; // uncorrelated, yet dependent: the Gaussian part is 0
//! let (x, y) = task.sample(2_000, 1);
//! let a = auto_mi(&x.view(), &y.view(), &AutoOptions::default())?;
//! assert_eq!(a.chosen, "copula-ksg");
//! assert!((a.mi_nats - task.true_mi_nats()).abs() < 0.1);
//! # Ok::<(), mi_estimators::EstimatorError>(())
//! ```
use crate::copula::normal_scores;
use crate::error::Result;
use crate::gaussian::gaussian_mi_estimate_nats;
use crate::knn::{ksg1_mi_nats, Jitter, KnnOptions};
use crate::permutation::{permutation_test, PermutationTest};
use ndarray::ArrayView2;

/// Shuffles per component when the caller does not choose.
pub const DEFAULT_AUTO_PERMUTATIONS: usize = 10;

/// Settings of [`auto_mi`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct AutoOptions {
    /// Neighbours of the KSG component.
    pub k: usize,
    /// Row shuffles of Y per component (≥ 1).
    pub permutations: usize,
    /// Seeds the shuffles and KSG's tie-breaking jitter.
    pub seed: u64,
    /// Scale of KSG's tie-breaking jitter (after standardisation).
    pub jitter_scale: f64,
}

impl Default for AutoOptions {
    fn default() -> Self {
        AutoOptions { k: 3, permutations: DEFAULT_AUTO_PERMUTATIONS, seed: 0, jitter_scale: 1e-10 }
    }
}

/// One component of an `auto` estimate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AutoComponent {
    /// `copula-ksg` or `copula-gaussian`
    pub estimator: &'static str,
    /// the estimate on the copula
    pub mi_nats: f64,
    /// its mean over the shuffles of Y
    pub null_mean_nats: f64,
    /// the estimate minus the null mean: what `auto` compares
    pub null_corrected_nats: f64,
    /// (1 + #{shuffled ≥ observed}) / (1 + shuffles)
    pub p_value: f64,
}

/// What [`auto_mi`] found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AutoEstimate {
    /// the larger null-corrected component
    pub mi_nats: f64,
    /// which component gave it
    pub chosen: &'static str,
    pub components: Vec<AutoComponent>,
}

/// The `auto` estimate of I(X; Y) in nats (rows are paired samples; no column may be constant).
pub fn auto_mi(x: &ArrayView2<f64>, y: &ArrayView2<f64>, opts: &AutoOptions) -> Result<AutoEstimate> {
    let (cx, cy) = (normal_scores(x)?, normal_scores(y)?);
    let knn = KnnOptions { jitter: Some(Jitter { scale: opts.jitter_scale, seed: opts.seed }), ..KnnOptions::with_k(opts.k) };
    let component = |estimator: &'static str, t: PermutationTest| AutoComponent {
        estimator,
        mi_nats: t.observed_nats,
        null_mean_nats: t.null_mean_nats(),
        null_corrected_nats: t.null_corrected_nats(),
        p_value: t.p_value(),
    };
    let ksg = permutation_test(&cx.view(), &cy.view(), opts.permutations, opts.seed, |a, b| ksg1_mi_nats(a, b, &knn))?;
    let gauss = permutation_test(&cx.view(), &cy.view(), opts.permutations, opts.seed, gaussian_mi_estimate_nats)?;
    let components = vec![component("copula-ksg", ksg), component("copula-gaussian", gauss)];
    // ties go to the first (KSG): either answer is the same number
    let best = components.iter().fold(&components[0], |b, c| if c.null_corrected_nats > b.null_corrected_nats { c } else { b });
    Ok(AutoEstimate { mi_nats: best.null_corrected_nats, chosen: best.estimator, components: components.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::{find, Task, Transform};

    #[test]
    fn picks_gaussian_on_a_wide_gaussian_copula_and_ksg_on_a_t_distribution() {
        // 25×25 dense normal under a cube: KSG loses most of the MI; the copula-Gaussian estimate,
        // corrected for its ≈ dx·dy/2N upward bias, is close
        let t = Task::equicorrelated(25, 0.5).unwrap().with_transform(Transform::Cube).unwrap();
        let (x, y) = t.sample(2_000, 3);
        let a = auto_mi(&x.view(), &y.view(), &AutoOptions::default()).unwrap();
        assert_eq!(a.chosen, "copula-gaussian");
        assert!((a.mi_nats - t.true_mi_nats()).abs() < 0.1, "{a:?} vs {}", t.true_mi_nats());
        let g = &a.components[1];
        assert!(g.null_mean_nats > 0.1 && g.null_mean_nats < 0.25, "bias ≈ 625/4000: {g:?}");
        // Student-t with identity dispersion: no correlation, so the Gaussian part is ≈ 0
        let t = find("student-1x1-df1+asinh").unwrap();
        let (x, y) = t.sample(2_000, 3);
        let a = auto_mi(&x.view(), &y.view(), &AutoOptions::default()).unwrap();
        assert_eq!(a.chosen, "copula-ksg");
        assert!(a.components[1].null_corrected_nats.abs() < 0.02, "{a:?}");
        assert!((a.mi_nats - t.true_mi_nats()).abs() < 0.06, "{a:?} vs {}", t.true_mi_nats());
    }

    #[test]
    fn is_near_zero_on_independent_data_and_invariant_to_monotone_maps() {
        let (x, _) = Task::bivariate_gaussian(0.5).unwrap().sample(1_500, 1);
        let (y, _) = Task::bivariate_gaussian(0.5).unwrap().sample(1_500, 2);
        let a = auto_mi(&x.view(), &y.view(), &AutoOptions::default()).unwrap();
        assert!(a.mi_nats.abs() < 0.03, "{a:?}");
        assert!(a.components.iter().all(|c| c.p_value > 0.05), "{a:?}");
        // the copula makes the estimate depend on ranks only
        let t = Task::equicorrelated(3, 0.5).unwrap();
        let (x, y) = t.sample(1_000, 4);
        let plain = auto_mi(&x.view(), &y.view(), &AutoOptions::default()).unwrap();
        let cubed = auto_mi(&x.mapv(|v| v * v * v).view(), &y.mapv(f64::exp).view(), &AutoOptions::default()).unwrap();
        assert!((plain.mi_nats - cubed.mi_nats).abs() < 1e-9 && plain.chosen == cubed.chosen);
        // the same seed gives the same answer
        assert_eq!(plain, auto_mi(&x.view(), &y.view(), &AutoOptions::default()).unwrap());
    }

    #[test]
    fn bad_input_is_an_error() {
        let x = ndarray::Array2::from_elem((10, 1), f64::NAN);
        assert!(auto_mi(&x.view(), &x.view(), &AutoOptions::default()).is_err());
        let (x, y) = Task::bivariate_gaussian(0.5).unwrap().sample(5, 1);
        assert!(auto_mi(&x.view(), &y.view(), &AutoOptions { k: 5, ..AutoOptions::default() }).is_err(), "k ≥ n");
        assert!(auto_mi(&x.view(), &y.view(), &AutoOptions { permutations: 0, ..AutoOptions::default() }).is_err());
    }
}
