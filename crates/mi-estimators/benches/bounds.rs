//! The variational bounds on a 128×128 score matrix.
use criterion::{criterion_group, criterion_main, Criterion};
use mi_estimators::bounds::{dv, infonce, interpolated, js, nwj, smile, tuba};
use ndarray::{Array1, Array2};

fn bounds(c: &mut Criterion) {
    let b = 128;
    // deterministic pseudo-random scores with a boosted diagonal
    let s = Array2::from_shape_fn((b, b), |(i, j)| ((i * 7919 + j * 104_729) % 1000) as f64 / 250.0 - 2.0 + if i == j { 3.0 } else { 0.0 });
    let lb = Array1::from_elem(b, 1.0);
    let mut g = c.benchmark_group("bounds_128x128");
    g.bench_function("infonce", |bn| bn.iter(|| infonce(&s.view()).unwrap()));
    g.bench_function("nwj", |bn| bn.iter(|| nwj(&s.view()).unwrap()));
    g.bench_function("dv", |bn| bn.iter(|| dv(&s.view()).unwrap()));
    g.bench_function("js", |bn| bn.iter(|| js(&s.view()).unwrap()));
    g.bench_function("smile5", |bn| bn.iter(|| smile(&s.view(), 5.0).unwrap()));
    g.bench_function("tuba", |bn| bn.iter(|| tuba(&s.view(), &lb.view()).unwrap()));
    g.bench_function("ialpha0.5", |bn| bn.iter(|| interpolated(&s.view(), &lb.view(), 0.5).unwrap()));
    g.finish();
}

criterion_group!(benches, bounds);
criterion_main!(benches);
