//! The fast k-NN paths (k-d tree, parallel brute force, automatic choice) against the slow,
//! obviously correct reference: identical per-point counts and bit-identical estimates, including
//! on data full of ties, under both norms.
use mi_estimators::knn::reference::{kl_entropy_nats_reference, ksg_cmi_nats_reference, ksg_counts_fast, ksg_counts_reference, ksg_mi_nats_reference};
use mi_estimators::knn::{kl_entropy_nats, ksg_cmi_nats, ksg_mi_nats, Jitter, KnnOptions, KsgAlgorithm, NeighborSearch, Norm};
use mi_estimators::tasks::Task;
use ndarray::{s, Array2};
use proptest::prelude::*;

const SEARCHES: [NeighborSearch; 3] = [NeighborSearch::KdTree, NeighborSearch::BruteForce, NeighborSearch::Auto];
const ALGS: [KsgAlgorithm; 2] = [KsgAlgorithm::One, KsgAlgorithm::Two];
const NORMS: [Norm; 2] = [Norm::Max, Norm::Euclidean];

/// Every search path against the reference, under both norms (whatever `base.norm` says).
fn check_identical(x: &Array2<f64>, y: &Array2<f64>, base: KnnOptions) {
    for norm in NORMS {
        check_identical_norm(x, y, KnnOptions { norm, ..base });
    }
}

fn check_identical_norm(x: &Array2<f64>, y: &Array2<f64>, base: KnnOptions) {
    for alg in ALGS {
        let reference = ksg_counts_reference(&x.view(), &y.view(), alg, &base).unwrap();
        let want = ksg_mi_nats_reference(&x.view(), &y.view(), alg, &base).unwrap();
        for search in SEARCHES {
            let o = KnnOptions { search, ..base };
            let norm = base.norm;
            assert_eq!(ksg_counts_fast(&x.view(), &y.view(), alg, &o).unwrap(), reference, "{norm:?} {alg:?} {search:?} counts");
            let got = ksg_mi_nats(&x.view(), &y.view(), alg, &o).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{norm:?} {alg:?} {search:?}: {got} vs {want}");
        }
    }
}

#[test]
fn continuous_data_all_paths_identical() {
    let tasks = [Task::bivariate_gaussian(0.6).unwrap(), Task::sparse_pairs(2, 0.7).unwrap(), Task::equicorrelated(3, 0.5).unwrap(), Task::staircase(8, 2.0).unwrap()];
    for (s, t) in tasks.iter().enumerate() {
        let (x, y) = t.sample(400, s as u64);
        for k in [1, 3, 7] {
            check_identical(&x, &y, KnnOptions::with_k(k));
        }
        check_identical(&x, &y, KnnOptions { standardize: false, jitter: Some(Jitter { scale: 1e-10, seed: 3 }), ..KnnOptions::with_k(4) });
    }
}

#[test]
fn tied_data_all_paths_identical() {
    // integer-valued data: many exactly equal distances and duplicate points
    let (x, y) = Task::bivariate_gaussian(0.8).unwrap().sample(500, 9);
    let (x, y) = (x.mapv(|v| (v * 2.0).round()), y.mapv(|v| (v * 2.0).round()));
    for k in [1, 2, 5] {
        check_identical(&x, &y, KnnOptions { standardize: false, ..KnnOptions::with_k(k) });
        check_identical(&x, &y, KnnOptions::with_k(k));
    }
}

#[test]
fn euclidean_mixed_and_high_dimensions_all_paths_identical() {
    // 1 + 4 columns (a one-column block beside a Euclidean one), 3 + 3 on integers (ties in every
    // block), and 6 + 6 (above the k-d tree's compile-time dimensions: the run-time loops, and
    // brute force under Auto), continuous and integer-valued
    let (a, b) = Task::equicorrelated(6, 0.5).unwrap().sample(400, 21);
    let ints = |m: &Array2<f64>| m.mapv(|v| (v * 1.5).round());
    let cases = [
        (a.slice(s![.., ..1]).to_owned(), b.slice(s![.., ..4]).to_owned()),
        (ints(&a.slice(s![.., ..3]).to_owned()), ints(&b.slice(s![.., 3..]).to_owned())),
        (a.clone(), b.clone()),
        (ints(&a), ints(&b)),
    ];
    for (x, y) in &cases {
        for k in [1, 4] {
            check_identical_norm(x, y, KnnOptions { norm: Norm::Euclidean, ..KnnOptions::with_k(k) });
            check_identical_norm(x, y, KnnOptions { norm: Norm::Euclidean, standardize: false, ..KnnOptions::with_k(k) });
        }
    }
}

#[test]
fn kl_entropy_paths_identical() {
    for d in [1, 3, 12] {
        let (x, _) = Task::equicorrelated(d, 0.5).unwrap().sample(500, 4);
        for norm in NORMS {
            for k in [1, 4] {
                let opts = KnnOptions { norm, ..KnnOptions::with_k(k) };
                let want = kl_entropy_nats_reference(&x.view(), &opts).unwrap();
                for search in SEARCHES {
                    let got = kl_entropy_nats(&x.view(), &KnnOptions { search, ..opts }).unwrap();
                    assert_eq!(got.to_bits(), want.to_bits(), "d {d} {norm:?} {search:?}");
                }
            }
        }
    }
}

#[test]
fn conditional_mi_equals_the_reference_under_both_norms() {
    // (dx, dy, dz): one-column blocks only, mixed, and 4 + 4 + 3 (run-time tree loops); coarse
    // values give ties in every subspace
    for (dx, dy, dz, seed) in [(1, 1, 1, 1), (2, 1, 3, 2), (1, 3, 2, 3), (4, 4, 3, 4)] {
        let (w, _) = Task::equicorrelated(dx + dy + dz, 0.4).unwrap().sample(300, seed);
        for coarse in [false, true] {
            let w = if coarse { w.mapv(|v| (v * 2.0).round()) } else { w.clone() };
            let (x, y, z) = (w.slice(s![.., ..dx]), w.slice(s![.., dx..dx + dy]), w.slice(s![.., dx + dy..]));
            for norm in NORMS {
                for (k, standardize) in [(1, true), (3, false), (5, true)] {
                    let o = KnnOptions { norm, standardize, ..KnnOptions::with_k(k) };
                    let want = ksg_cmi_nats_reference(&x, &y, &z, &o).unwrap();
                    let got = ksg_cmi_nats(&x, &y, &z, &o).unwrap();
                    assert_eq!(got.to_bits(), want.to_bits(), "{dx} {dy} {dz} coarse {coarse} {norm:?} k {k}: {got} vs {want}");
                }
            }
        }
    }
}

#[test]
fn one_dimensional_blocks_euclidean_equals_max_bit_for_bit() {
    // |t| is the Euclidean norm of one coordinate: with 1-D X, Y (and Z) every estimator gives the
    // max-norm's value exactly, on continuous and on tied data
    let (x, y) = Task::bivariate_gaussian(0.7).unwrap().sample(2_000, 5);
    let (z, _) = Task::bivariate_gaussian(0.0).unwrap().sample(2_000, 6);
    let tied = |m: &Array2<f64>| m.mapv(|v| (v * 3.0).round());
    for (x, y, z) in [(x.clone(), y.clone(), z.clone()), (tied(&x), tied(&y), tied(&z))] {
        for k in [1, 3, 8] {
            let (max, l2) = (KnnOptions::with_k(k), KnnOptions { norm: Norm::Euclidean, ..KnnOptions::with_k(k) });
            for alg in ALGS {
                let (a, b) = (ksg_mi_nats(&x.view(), &y.view(), alg, &max).unwrap(), ksg_mi_nats(&x.view(), &y.view(), alg, &l2).unwrap());
                assert_eq!(a.to_bits(), b.to_bits(), "{alg:?} k {k}: {a} vs {b}");
            }
            let (a, b) = (ksg_cmi_nats(&x.view(), &y.view(), &z.view(), &max).unwrap(), ksg_cmi_nats(&x.view(), &y.view(), &z.view(), &l2).unwrap());
            assert_eq!(a.to_bits(), b.to_bits(), "CMI k {k}: {a} vs {b}");
        }
    }
    let (a, b) = (kl_entropy_nats(&x.view(), &KnnOptions::with_k(3)).unwrap(), kl_entropy_nats(&x.view(), &KnnOptions { norm: Norm::Euclidean, ..KnnOptions::with_k(3) }).unwrap());
    assert_eq!(a.to_bits(), b.to_bits(), "KL: {a} vs {b}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: ProptestConfig::default().cases.min(64), ..ProptestConfig::default() })]
    /// Small random data sets with coarse values (ties), random dimensions and k.
    #[test]
    fn random_tied_data_identical(
        (n, dx, dy, k, vals) in (4usize..60, 1usize..4, 1usize..4).prop_flat_map(|(n, dx, dy)| {
            (Just(n), Just(dx), Just(dy), 1usize..n.min(6), prop::collection::vec(-3i32..=3, n * (dx + dy)))
        }),
        standardize in any::<bool>(),
    ) {
        let d = dx + dy;
        let x = Array2::from_shape_fn((n, dx), |(i, c)| vals[i * d + c] as f64 * 0.5);
        let y = Array2::from_shape_fn((n, dy), |(i, c)| vals[i * d + dx + c] as f64 * 0.5);
        check_identical(&x, &y, KnnOptions { standardize, ..KnnOptions::with_k(k) });
    }
}
