//! Agreement with scikit-learn 1.9 (`LogisticRegression(solver='saga')`), through the committed
//! fixture `fixtures/sklearn_saga.json` written by `scripts/probe/make_golden.py` (CI has no
//! scikit-learn). The data are regenerated bit for bit by `mi_probe::synthetic::blobs`.
mod common;

use common::{fixture, fixture_data, matrix, vector};
use mi_probe::rng::{sklearn_dataset_seed, SampleOrder};
use mi_probe::{LogisticModel, LogisticRegression, UpdateScheme};
use ndarray::{Array1, Array2};

fn max_abs_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    a.iter().zip(b.iter()).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max)
}

#[test]
fn sample_order_is_sklearns() {
    let f = fixture();
    for (rs, seed) in f["dataset_seeds"].as_object().unwrap() {
        let rs: u32 = rs.parse().unwrap();
        assert_eq!(sklearn_dataset_seed(rs) as u64, seed.as_u64().unwrap(), "random_state {rs}");
    }
    let n = f["n_train"].as_u64().unwrap() as u32;
    let mut order = SampleOrder::from_random_state(f["random_state"].as_u64().unwrap());
    let ours: Vec<u64> = (0..20).map(|_| order.next_index(n) as u64).collect();
    let theirs: Vec<u64> = f["first_sample_indices"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(ours, theirs);
}

#[test]
fn minmax_scaling_is_sklearns() {
    let f = fixture();
    let (x_tr, _, x_te, _) = fixture_data(&f);
    let row0 = vector(&f["scaled_train_row0"]);
    // same formula, same bits (up to serde_json's float parsing, which may be off by one ulp)
    for (a, b) in x_tr.row(0).iter().zip(&row0) {
        assert!((a - b).abs() <= 2.0 * f64::EPSILON * b.abs(), "{a} vs {b}");
    }
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
    assert!(rel(x_tr.sum(), f["scaled_train_sum"].as_f64().unwrap()) < 1e-12);
    assert!(rel(x_te.sum(), f["scaled_test_sum"].as_f64().unwrap()) < 1e-12);
}

/// Fits ours with the run's settings and compares with scikit-learn's result.
fn compare(run: &serde_json::Value, x_tr: &Array2<f64>, y_tr: &Array1<i64>, x_te: &Array2<f64>, y_te: &Array1<i64>, c: f64, scheme: UpdateScheme) {
    let tol = run["tol"].as_f64().unwrap();
    let max_epochs = run["max_iter"].as_u64().unwrap() as usize;
    let probe = LogisticRegression::builder().c(c).tol(tol).max_epochs(max_epochs).seed(0).update_scheme(scheme).build().unwrap();
    let model = probe.fit(x_tr.view(), y_tr.view()).unwrap();
    let their_coef = matrix(&run["coef"]);
    let their_intercept = vector(&run["intercept"]);
    let test_accuracy = model.score(x_te.view(), y_te.view()).unwrap();
    let train_accuracy = model.score(x_tr.view(), y_tr.view()).unwrap();
    let objective = model.objective(x_tr.view(), y_tr.view()).unwrap();
    let their_objective = run["objective"].as_f64().unwrap();
    let coef_gap = max_abs_diff(model.coef(), &their_coef) / their_coef.iter().fold(0.0f64, |a, b| a.max(b.abs()));
    let intercept_gap = (model.intercept() - &their_intercept).iter().fold(0.0f64, |a, b| a.max(b.abs()));
    eprintln!(
        "{scheme:?}, tol {tol}: epochs {} vs {}, test {test_accuracy} vs {}, train {train_accuracy} vs {}, objective {objective} vs {their_objective}, coef gap {coef_gap:.3e}, intercept gap {intercept_gap:.3e}",
        model.epochs(),
        run["epochs"],
        run["test_accuracy"],
        run["train_accuracy"],
    );
    // the criterion: test accuracy within 0.3 points
    assert!((test_accuracy - run["test_accuracy"].as_f64().unwrap()).abs() <= 0.003, "test accuracy {test_accuracy} vs {}", run["test_accuracy"]);
    // same sample order and the same arithmetic: the same number of epochs and the same iterate up
    // to rounding (the summation order of dot products differs)
    assert_eq!(model.epochs() as u64, run["epochs"].as_u64().unwrap());
    assert!(coef_gap < 1e-6, "relative coefficient gap {coef_gap}");
    assert!(intercept_gap < 1e-6, "intercept gap {intercept_gap}");
    assert!((objective - their_objective).abs() / their_objective < 1e-9, "objective {objective} vs {their_objective}");
}

#[test]
fn multinomial_agrees_with_sklearn_saga() {
    let f = fixture();
    let (x_tr, y_tr, x_te, y_te) = fixture_data(&f);
    let c = f["c"].as_f64().unwrap();
    for run in f["multinomial"].as_array().unwrap() {
        for scheme in [UpdateScheme::Auto, UpdateScheme::JustInTime] {
            compare(run, &x_tr, &y_tr, &x_te, &y_te, c, scheme);
        }
    }
}

#[test]
fn binary_agrees_with_sklearn_saga() {
    let f = fixture();
    let (x_tr, y_tr, x_te, y_te) = fixture_data(&f);
    let (yb_tr, yb_te) = (y_tr.mapv(|v| i64::from(v >= 5)), y_te.mapv(|v| i64::from(v >= 5)));
    let c = f["c"].as_f64().unwrap();
    for run in f["binary"].as_array().unwrap() {
        for scheme in [UpdateScheme::Auto, UpdateScheme::JustInTime] {
            compare(run, &x_tr, &yb_tr, &x_te, &yb_te, c, scheme);
        }
    }
}

#[test]
fn objective_matches_sklearns_formula() {
    // our objective at scikit-learn's parameters equals the value the script computed with NumPy
    let f = fixture();
    let (x_tr, y_tr, _, _) = fixture_data(&f);
    let c = f["c"].as_f64().unwrap();
    let run = &f["lbfgs_reference"];
    let model = LogisticModel::from_parts((0..10).collect(), matrix(&run["coef"]), vector(&run["intercept"]), c).unwrap();
    let ours = model.objective(x_tr.view(), y_tr.view()).unwrap();
    let theirs = run["objective"].as_f64().unwrap();
    assert!((ours - theirs).abs() / theirs < 1e-12, "{ours} vs {theirs}");
}
