use super::*;
use crate::gaussian::{gaussian_mi_estimate_nats, gaussian_mi_nats};
use crate::special::ln_gamma;
use ndarray::Array2;

#[test]
fn the_suite_has_fifteen_tasks_with_unique_ids_and_find_names_the_others() {
    let ids: Vec<String> = suite().iter().map(Task::id).collect();
    assert_eq!(ids.len(), 15);
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    assert_eq!(find("gauss-1x1-rho0.75+cube").unwrap().true_mi_nats(), find("gauss-1x1-rho0.75").unwrap().true_mi_nats());
    let e = find("nope").unwrap_err().to_string();
    assert!(e.contains("nope") && e.contains("staircase-20x20-mi2"), "{e}");
}

#[test]
fn true_mi_matches_closed_forms() {
    assert!((Task::bivariate_gaussian(0.75).unwrap().true_mi_nats() - 0.413_339).abs() < 1e-6);
    for (m, want) in [(2, 0.2939), (3, 0.4133), (5, 0.5928), (25, 1.2922), (50, 1.6243)] {
        let t = Task::equicorrelated(m, 0.5).unwrap();
        assert!((t.true_mi_nats() - want).abs() < 1e-4, "m = {m}");
    }
    let t = Task::equicorrelated(4, 0.3).unwrap();
    let cov = Array2::from_shape_fn((8, 8), |(i, j)| if i == j { 1.0 } else { 0.3 });
    assert!((t.true_mi_nats() - gaussian_mi_nats(&cov.view(), 4).unwrap()).abs() < 1e-12);
    assert_eq!(Task::staircase(20, 4.0).unwrap().true_mi_nats(), 4.0);
    assert!((Task::sparse_pairs(5, 0.8).unwrap().true_mi_nats() - 2.0 * 0.510_825_623_765_990_7).abs() < 1e-12);
}

#[test]
fn samples_are_seeded_and_have_the_right_mi() {
    let tasks = [
        Task::bivariate_gaussian(0.75).unwrap(),
        Task::staircase(20, 2.0).unwrap(),
        Task::equicorrelated(5, 0.5).unwrap(),
        Task::sparse_pairs(5, 0.8).unwrap(),
    ];
    for t in &tasks {
        let (x, y) = t.sample(20_000, 1);
        assert_eq!((x.ncols(), y.ncols()), (t.dx(), t.dy()));
        assert_eq!(t.sample(20_000, 1), (x.clone(), y.clone()));
        assert_ne!(t.sample(10, 2).0, t.sample(10, 1).0);
        // the Gaussian estimator is consistent on the untransformed tasks: within 0.03 nats
        let est = gaussian_mi_estimate_nats(&x.view(), &y.view()).unwrap();
        assert!((est - t.true_mi_nats()).abs() < 0.03 + 0.003 * t.dx() as f64, "{}: {est} vs {}", t.id(), t.true_mi_nats());
    }
}

#[test]
fn ids_and_transforms() {
    let t = Task::bivariate_gaussian(0.75).unwrap().with_transform(Transform::Cube).unwrap();
    assert_eq!(t.id(), "gauss-1x1-rho0.75+cube");
    let t = Task::equicorrelated(5, 0.5).unwrap().with_x_transform(Transform::Asinh).unwrap();
    assert_eq!(t.id(), "equicorr-5x5-r0.5+x:asinh");
    let t = Task::staircase(20, 2.0).unwrap().with_transform(Transform::Affine { scale: 2.0, shift: -1.0 }).unwrap();
    assert_eq!(t.id(), "staircase-20x20-mi2+affine(2,-1)");
    assert!(Task::bivariate_gaussian(0.5).unwrap().with_transform(Transform::Affine { scale: 0.0, shift: 0.0 }).is_err());
    assert!(Task::bivariate_gaussian(1.0).is_err() && Task::equicorrelated(3, -0.1).is_err() && Task::sparse_pairs(1, 0.5).is_err());
}

#[test]
fn the_bench_suite_has_forty_tasks_with_unique_ids_that_sample_finite_values() {
    let tasks = bench_suite();
    assert_eq!(tasks.len(), 40);
    let ids: std::collections::BTreeSet<String> = tasks.iter().map(Task::id).collect();
    assert_eq!(ids.len(), 40);
    for t in &tasks {
        let (x, y) = t.sample(200, 3);
        assert_eq!((x.dim(), y.dim()), ((200, t.dx()), (200, t.dy())), "{}", t.id());
        assert!(x.iter().chain(y.iter()).all(|v| v.is_finite()), "{}", t.id());
        assert!(t.true_mi_nats().is_finite() && t.true_mi_nats() > 0.0, "{}", t.id());
        assert_eq!(find(&t.id()).unwrap(), *t);
    }
    let roll = tasks.iter().find(|t| t.id().contains("swissroll")).unwrap();
    assert_eq!((roll.dx(), roll.dy()), (2, 1));
}

/// Monte Carlo of E[log p(x, y) − log p(x) − log p(y)] with exact t densities: an independent
/// check of the Student-t closed form (its standard error at n = 200,000 is below 0.005 nats).
#[test]
fn student_t_mi_matches_a_monte_carlo_of_the_density_ratio() {
    let log_t = |v: &[f64], nu: f64| {
        let d = v.len() as f64;
        let q: f64 = v.iter().map(|a| a * a).sum();
        ln_gamma(0.5 * (nu + d)) - ln_gamma(0.5 * nu) - 0.5 * d * (nu * std::f64::consts::PI).ln() - 0.5 * (nu + d) * (q / nu).ln_1p()
    };
    for (m, df) in [(1, 1.0), (2, 2.0), (3, 3.0)] {
        let t = Task::student_t(m, df).unwrap();
        let (x, y) = t.sample(200_000, 11);
        let n = x.nrows() as f64;
        let mc: f64 = (0..x.nrows())
            .map(|i| {
                let (a, b) = (x.row(i).to_vec(), y.row(i).to_vec());
                let ab: Vec<f64> = a.iter().chain(b.iter()).copied().collect();
                log_t(&ab, df) - log_t(&a, df) - log_t(&b, df)
            })
            .sum::<f64>()
            / n;
        assert!((mc - t.true_mi_nats()).abs() < 0.01, "student {m}x{m} df {df}: closed form {} vs Monte Carlo {mc}", t.true_mi_nats());
    }
    // the t-correction vanishes as ν → ∞ (the Gaussian limit, here with zero correlation)
    assert!(Task::student_t(3, 1e6).unwrap().true_mi_nats() < 1e-4);
}

/// Monte Carlo of E[log p(y | x) − log p(y)]: p(y | x) = 1/2ε, p(y) the trapezoid.
#[test]
fn additive_uniform_mi_matches_a_monte_carlo_of_the_density_ratio() {
    for eps in [0.1, 0.75] {
        let t = Task::additive_uniform(eps).unwrap();
        let (x, y) = t.sample(200_000, 5);
        assert!(x.iter().all(|v| (0.0..1.0).contains(v)));
        let p_y = |v: f64| ((v + eps).min(1.0) - (v - eps).max(0.0)).max(0.0) / (2.0 * eps);
        let mc = y.iter().map(|&v| -(2.0 * eps).ln() - p_y(v).ln()).sum::<f64>() / y.len() as f64;
        assert!((mc - t.true_mi_nats()).abs() < 0.01, "eps {eps}: {mc} vs {}", t.true_mi_nats());
    }
}

#[test]
fn sparse_pairs_with_within_correlation_sample_their_covariance() {
    let t = Task::sparse_pairs_within(3, 0.8, 0.1).unwrap();
    let (x, y) = t.sample(100_000, 2);
    let z = ndarray::concatenate![ndarray::Axis(1), x, y];
    let cov = crate::gaussian::sample_covariance(&z.view()).unwrap();
    let want = Array2::from_shape_fn((6, 6), |(a, b)| match (a == b, a < 3, b < 3) {
        (true, ..) => 1.0,
        (false, true, true) | (false, false, false) => 0.1,
        _ if a % 3 == b % 3 && a % 3 < 2 => 0.8,
        _ => 0.0,
    });
    assert!(cov.iter().zip(want.iter()).all(|(a, b)| (a - b).abs() < 0.02), "{cov}");
    assert!((t.true_mi_nats() - gaussian_mi_nats(&want.view(), 3).unwrap()).abs() < 1e-12);
    // within = 0 keeps the old closed form and id
    assert_eq!(Task::sparse_pairs_within(5, 0.8, 0.0).unwrap(), Task::sparse_pairs(5, 0.8).unwrap());
    assert!(Task::sparse_pairs_within(3, 0.8, 0.1).unwrap().id().ends_with("within0.1"));
    assert!(Task::sparse_pairs_within(3, 0.99, -0.9).is_err(), "not positive definite");
}
