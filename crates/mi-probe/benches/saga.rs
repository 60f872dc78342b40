//! SAGA fit time on synthetic 60,000 × d features (d = 100 and 392), 10 classes, C = 10, min-max
//! scaled, tol 0.1 and 1e-3: the sizes of the paper's probe. `cargo bench -p mi-probe`.
//! scikit-learn's timings on the same matrices: `scripts/probe/bench_sklearn.py`.
use criterion::{criterion_group, criterion_main, Criterion};
use mi_probe::{synthetic, LogisticRegression, MinMaxScaler};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("saga_fit");
    group.sample_size(10);
    for d in [100usize, 392] {
        let (x, y) = synthetic::blobs(60_000, d, 10, 1, -2, 0);
        let x = MinMaxScaler::fit(x.view()).and_then(|s| s.transform(x.view())).expect("finite data");
        let x32 = x.mapv(|v| v as f32);
        for tol in [0.1, 1e-3] {
            let probe = LogisticRegression::builder().c(10.0).tol(tol).max_epochs(100).build().expect("valid");
            group.bench_function(format!("60000x{d}_tol{tol}_f64"), |b| b.iter(|| probe.fit(x.view(), y.view()).expect("fit")));
            if tol == 0.1 {
                group.bench_function(format!("60000x{d}_tol{tol}_f32"), |b| b.iter(|| probe.fit(x32.view(), y.view()).expect("fit")));
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
