//! Run to convergence, SAGA reaches the optimum of the objective: compared with an independent
//! L-BFGS solver on the same objective (in `common`), relative gap below 1e-4.
mod common;

use common::{fixture, fixture_data, lbfgs, multinomial_objective};
use mi_probe::{LogisticModel, LogisticRegression};
use ndarray::{Array1, Array2};

#[test]
fn saga_reaches_the_lbfgs_optimum() {
    let f = fixture();
    let (x_tr, y_tr, _, _) = fixture_data(&f);
    let (d, k, c) = (x_tr.ncols(), 10, 10.0);

    let dim = k * d + k;
    let (theta, f_ref, gnorm) = lbfgs(|t, g| multinomial_objective(t, x_tr.view(), y_tr.view(), k, c, g), dim, 1e-6, 5000);
    eprintln!("L-BFGS: objective {f_ref}, gradient norm {gnorm:.2e}");
    assert!(gnorm < 1e-3, "the reference solver did not converge: |grad| = {gnorm}");

    // the reference optimum agrees with scikit-learn's lbfgs at tol 1e-10 (from the fixture)
    let sk = f["lbfgs_reference"]["objective"].as_f64().unwrap();
    assert!((f_ref - sk).abs() / f_ref < 1e-7, "reference {f_ref} vs scikit-learn lbfgs {sk}");
    // and our objective function agrees with the reference's at the reference point
    let w = Array2::from_shape_vec((k, d), theta[..k * d].to_vec()).unwrap();
    let b = Array1::from(theta[k * d..].to_vec());
    let at_ref = LogisticModel::from_parts((0..k as i64).collect(), w, b, c).unwrap().objective(x_tr.view(), y_tr.view()).unwrap();
    assert!((at_ref - f_ref).abs() / f_ref < 1e-12, "{at_ref} vs {f_ref}");

    let probe = LogisticRegression::builder().c(c).tol(1e-6).max_epochs(2000).seed(3).build().unwrap();
    let model = probe.fit(x_tr.view(), y_tr.view()).unwrap();
    let f_saga = model.objective(x_tr.view(), y_tr.view()).unwrap();
    let gap = (f_saga - f_ref) / f_ref;
    eprintln!("SAGA: objective {f_saga} after {} epochs (converged {}), relative gap {gap:.2e}", model.epochs(), model.converged());
    assert!(model.converged());
    assert!(gap > -1e-9, "SAGA below the optimum? {f_saga} < {f_ref}");
    assert!(gap < 1e-4, "relative gap {gap}");

    // a loose tolerance is measurably further from the optimum (the test could fail)
    let loose = LogisticRegression::builder().c(c).tol(0.1).seed(3).build().unwrap().fit(x_tr.view(), y_tr.view()).unwrap();
    let f_loose = loose.objective(x_tr.view(), y_tr.view()).unwrap();
    assert!((f_loose - f_ref) / f_ref > 1e-4, "tol 0.1 should stop early: {f_loose} vs {f_ref}");
}
