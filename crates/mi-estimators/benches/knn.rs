//! KSG at N = 10,000 with 1+1 and 5+5 dimensions (k = 3, no jitter), the sizes of the issue's
//! comparison with scikit-learn and a scipy-k-d-tree KSG; each with the automatic choice of
//! neighbour search and with both searches forced.
use criterion::{criterion_group, criterion_main, Criterion};
use mi_estimators::knn::{ksg1_mi_nats, KnnOptions, NeighborSearch};
use mi_estimators::tasks::Task;

fn ksg(c: &mut Criterion) {
    let mut g = c.benchmark_group("ksg1_n10000");
    g.sample_size(10);
    for (name, task) in [("1+1", Task::bivariate_gaussian(0.75).unwrap()), ("5+5", Task::equicorrelated(5, 0.5).unwrap())] {
        let (x, y) = task.sample(10_000, 0);
        for (sname, search) in [("auto", NeighborSearch::Auto), ("kdtree", NeighborSearch::KdTree), ("brute", NeighborSearch::BruteForce)] {
            let o = KnnOptions { search, ..KnnOptions::with_k(3) };
            g.bench_function(format!("{name}/{sname}"), |b| b.iter(|| ksg1_mi_nats(&x.view(), &y.view(), &o).unwrap()));
        }
    }
    g.finish();
}

criterion_group!(benches, ksg);
criterion_main!(benches);
