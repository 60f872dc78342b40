//! The fast k-NN paths (k-d tree, parallel brute force, automatic choice) against the slow,
//! obviously correct reference: identical per-point counts and bit-identical estimates, including
//! on data full of ties.
use mi_estimators::knn::reference::{kl_entropy_nats_reference, ksg_counts_fast, ksg_counts_reference, ksg_mi_nats_reference};
use mi_estimators::knn::{kl_entropy_nats, ksg_mi_nats, Jitter, KnnOptions, KsgAlgorithm, NeighborSearch};
use mi_estimators::tasks::Task;
use ndarray::Array2;
use proptest::prelude::*;

const SEARCHES: [NeighborSearch; 3] = [NeighborSearch::KdTree, NeighborSearch::BruteForce, NeighborSearch::Auto];
const ALGS: [KsgAlgorithm; 2] = [KsgAlgorithm::One, KsgAlgorithm::Two];

fn check_identical(x: &Array2<f64>, y: &Array2<f64>, base: KnnOptions) {
    for alg in ALGS {
        let reference = ksg_counts_reference(&x.view(), &y.view(), alg, &base).unwrap();
        let want = ksg_mi_nats_reference(&x.view(), &y.view(), alg, &base).unwrap();
        for search in SEARCHES {
            let o = KnnOptions { search, ..base };
            assert_eq!(ksg_counts_fast(&x.view(), &y.view(), alg, &o).unwrap(), reference, "{alg:?} {search:?} counts");
            let got = ksg_mi_nats(&x.view(), &y.view(), alg, &o).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{alg:?} {search:?}: {got} vs {want}");
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
fn kl_entropy_paths_identical() {
    let (x, _) = Task::equicorrelated(3, 0.5).unwrap().sample(500, 4);
    for k in [1, 4] {
        let want = kl_entropy_nats_reference(&x.view(), &KnnOptions::with_k(k)).unwrap();
        for search in SEARCHES {
            let got = kl_entropy_nats(&x.view(), &KnnOptions { search, ..KnnOptions::with_k(k) }).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{search:?}");
        }
    }
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
