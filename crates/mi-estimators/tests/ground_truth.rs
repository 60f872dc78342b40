//! Statistical checks of the estimators on the ground-truth tasks. Fixed seeds; tolerances stated.
use mi_estimators::gaussian::{gaussian_entropy_nats, gaussian_mi_estimate_nats};
use mi_estimators::knn::{kl_entropy_nats, ksg1_mi_nats, ksg2_mi_nats, Jitter, KnnOptions, Norm};
use mi_estimators::tasks::{Task, Transform};
use ndarray::{array, Array2};

#[test]
fn ksg_on_bivariate_gaussian() {
    // n = 5,000, ρ = 0.75, true 0.4133: both algorithms within 0.03 nats on each of three seeds
    let t = Task::bivariate_gaussian(0.75).unwrap();
    for seed in 0..3 {
        let (x, y) = t.sample(5_000, seed);
        let o = KnnOptions::with_k(3);
        for est in [ksg1_mi_nats(&x.view(), &y.view(), &o).unwrap(), ksg2_mi_nats(&x.view(), &y.view(), &o).unwrap()] {
            assert!((est - t.true_mi_nats()).abs() < 0.03, "seed {seed}: {est}");
        }
    }
}

#[test]
fn ksg_survives_transforms_gaussian_does_not() {
    // cube on both sides: MI unchanged; KSG (rank-like, max-norm, per-variable) stays within 0.03,
    // the Gaussian estimator drops by more than 0.05 nats
    let t = Task::bivariate_gaussian(0.75).unwrap().with_transform(Transform::Cube).unwrap();
    let (x, y) = t.sample(5_000, 11);
    let ksg = ksg1_mi_nats(&x.view(), &y.view(), &KnnOptions::with_k(3)).unwrap();
    let cca = gaussian_mi_estimate_nats(&x.view(), &y.view()).unwrap();
    assert!((ksg - t.true_mi_nats()).abs() < 0.03, "KSG {ksg}");
    assert!(cca < t.true_mi_nats() - 0.05, "Gaussian {cca}");
    // standardisation makes KSG invariant to per-column scale: same estimate after scaling X by 1000
    let x2 = &x * 1000.0;
    let again = ksg1_mi_nats(&x2.view(), &y.view(), &KnnOptions::with_k(3)).unwrap();
    assert!((again - ksg).abs() < 1e-9);
}

#[test]
fn ksg_biased_low_in_high_dimension() {
    // 25×25 equicorrelated block (true 1.2922) at n = 2,000: KSG is far below the truth (> 0.3 nats)
    let t = Task::equicorrelated(25, 0.5).unwrap();
    let (x, y) = t.sample(2_000, 5);
    let est = ksg1_mi_nats(&x.view(), &y.view(), &KnnOptions::with_k(3)).unwrap();
    assert!(est < t.true_mi_nats() - 0.3, "{est}");
}

#[test]
fn kl_entropy_of_gaussians() {
    // N(0, Σ) in 1 and 3 dimensions, n = 5,000, unstandardised: within 0.05 nats of ½ log((2πe)^d det Σ)
    let cov3 = array![[1.0, 0.5, 0.2], [0.5, 2.0, 0.3], [0.2, 0.3, 0.5]];
    let l = {
        use ndarray_linalg::{Cholesky, UPLO};
        cov3.cholesky(UPLO::Lower).unwrap()
    };
    let (z, _) = Task::staircase(3, 0.0).unwrap().sample(5_000, 2);
    let x3 = z.dot(&l.t());
    let opts = KnnOptions { standardize: false, jitter: Some(Jitter { scale: 1e-10, seed: 0 }), ..KnnOptions::with_k(3) };
    let h = kl_entropy_nats(&x3.view(), &opts).unwrap();
    let want = gaussian_entropy_nats(&cov3.view()).unwrap();
    assert!((h - want).abs() < 0.05, "{h} vs {want}");
    let x1: Array2<f64> = z.slice(ndarray::s![.., 0..1]).to_owned();
    let h1 = kl_entropy_nats(&x1.view(), &opts).unwrap();
    assert!((h1 - gaussian_entropy_nats(&array![[1.0]].view()).unwrap()).abs() < 0.05, "{h1}");
}

#[test]
fn gaussian_estimator_exact_in_high_dimension() {
    // the staircase at 20 dimensions, 6 nats: within 0.1 nats at n = 10,000 (bias ≈ dx·dy/2n = 0.02)
    let t = Task::staircase(20, 6.0).unwrap();
    let (x, y) = t.sample(10_000, 3);
    let est = gaussian_mi_estimate_nats(&x.view(), &y.view()).unwrap();
    assert!((est - 6.0).abs() < 0.1, "{est}");
}

/// KSG 1 and 2 under the max-norm and the per-marginal Euclidean norm, k = 3.
fn ksg_both_norms(x: &Array2<f64>, y: &Array2<f64>) -> [(f64, f64); 2] {
    let (max, l2) = (KnnOptions::with_k(3), KnnOptions { norm: Norm::Euclidean, ..KnnOptions::with_k(3) });
    [
        (ksg1_mi_nats(&x.view(), &y.view(), &max).unwrap(), ksg1_mi_nats(&x.view(), &y.view(), &l2).unwrap()),
        (ksg2_mi_nats(&x.view(), &y.view(), &max).unwrap(), ksg2_mi_nats(&x.view(), &y.view(), &l2).unwrap()),
    ]
}

#[test]
fn euclidean_ksg_closer_to_the_truth_on_equicorrelated_5x5() {
    // 5×5 equicorrelated block (r = 0.5, true 0.5928) at n = 5,000, k = 3: KSG is biased low there,
    // and balls in each 5-D marginal make it less so than cubes. Over 40 seeds the Euclidean
    // estimate is higher by 0.0078 nats (standard error 0.0014 for KSG 1, 0.0020 for KSG 2) with
    // mean bias −0.020 vs −0.027 (KSG 1) and −0.017 vs −0.025 (KSG 2); a single draw's noise
    // (sd ≈ 0.015) is larger than that gap, so the Euclidean one is closer in only 31/40 (28/40)
    // draws. Hence the claim is checked as it is a claim about bias: on the mean over 10 draws,
    // both as |mean error| and as mean |error|.
    let t = Task::equicorrelated(5, 0.5).unwrap();
    let truth = t.true_mi_nats();
    let seeds = 10;
    let mut err = [[0.0f64; 2]; 2]; // [algorithm][max, euclidean]: sum of signed errors
    let mut abs = [[0.0f64; 2]; 2]; // the same, absolute errors
    for seed in 0..seeds {
        let (x, y) = t.sample(5_000, seed);
        for (alg, (max, l2)) in ksg_both_norms(&x, &y).into_iter().enumerate() {
            eprintln!("seed {seed} KSG {}: truth {truth:.4} max {max:.4} euclidean {l2:.4}", alg + 1);
            for (norm, est) in [max, l2].into_iter().enumerate() {
                err[alg][norm] += (est - truth) / seeds as f64;
                abs[alg][norm] += (est - truth).abs() / seeds as f64;
            }
        }
    }
    for alg in 0..2 {
        let ([bias_max, bias_l2], [mae_max, mae_l2]) = (err[alg], abs[alg]);
        eprintln!("KSG {}: bias max {bias_max:.4} euclidean {bias_l2:.4}; mean |error| max {mae_max:.4} euclidean {mae_l2:.4}", alg + 1);
        assert!(bias_l2.abs() < bias_max.abs() && mae_l2 < mae_max, "KSG {}: bias {bias_max} vs {bias_l2}, mean |error| {mae_max} vs {mae_l2}", alg + 1);
    }
}

#[test]
fn euclidean_ksg_symmetric_and_invariant_under_affine_maps() {
    let t = Task::equicorrelated(3, 0.6).unwrap();
    let (x, y) = t.sample(3_000, 8);
    let o = KnnOptions { norm: Norm::Euclidean, ..KnnOptions::with_k(4) };
    for ksg in [ksg1_mi_nats, ksg2_mi_nats] {
        let a = ksg(&x.view(), &y.view(), &o).unwrap();
        // I(X; Y) = I(Y; X): the joint distance max(d_X, d_Y) does not care about the order
        let swapped = ksg(&y.view(), &x.view(), &o).unwrap();
        assert!((a - swapped).abs() < 1e-12, "{a} vs {swapped}");
        // a common scale and shift of X's columns is undone by the standardisation
        let moved = x.mapv(|v| 3.7 * v - 12.5);
        let b = ksg(&moved.view(), &y.view(), &o).unwrap();
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        assert!((a - t.true_mi_nats()).abs() < 0.1, "{a} vs {}", t.true_mi_nats());
    }
}

#[test]
fn kl_entropy_euclidean_of_a_gaussian() {
    // N(0, I_3), n = 5,000, unstandardised: the Euclidean ball volume 4π/3 in place of the cube's 8,
    // within 0.05 nats of 3/2 log(2πe) like the max-norm
    let (z, _) = Task::staircase(3, 0.0).unwrap().sample(5_000, 2);
    let want = gaussian_entropy_nats(&Array2::<f64>::eye(3).view()).unwrap();
    let opts = KnnOptions { standardize: false, norm: Norm::Euclidean, ..KnnOptions::with_k(3) };
    let h = kl_entropy_nats(&z.view(), &opts).unwrap();
    assert!((h - want).abs() < 0.05, "{h} vs {want}");
}
