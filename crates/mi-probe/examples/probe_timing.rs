//! Wall-clock timing of the SAGA probe on the benchmark problems, as JSON lines, for comparison with
//! `scripts/probe/bench_sklearn.py` (same synthetic matrices, bit for bit):
//!
//! ```sh
//! cargo run --release -p mi-probe --example probe_timing            # all problems, 3 repeats
//! cargo run --release -p mi-probe --example probe_timing -- 1       # 1 repeat
//! cargo run --release -p mi-probe --example probe_timing -- 1 100 0.1 f32   # one problem
//! cargo run --release -p mi-probe --example probe_timing -- 1 392 0.1 f64 jit 0.2   # scheme, density
//! ```
//!
//! The fifth argument picks SAGA's update scheme (`auto`, `dense`, `jit`; default `auto`), the
//! sixth keeps only that share of the scaled entries (a fixed pseudo-random pattern, the rest set to
//! 0; default 1), to time the schemes on sparse data; the seventh is the number of classes (10).
//!
//! Problems: 70,000 × d synthetic blobs (d = 100, 392; 10 classes), the first 60,000 rows for
//! training, min-max scaled on them, C = 10, tol 0.1 and 1e-3, at most 100 epochs, seed 0.
use mi_probe::{synthetic, LogisticRegression, MinMaxScaler, UpdateScheme};
use ndarray::Array2;
use ndarray::s;
use std::time::Instant;

/// CPU time of this thread in seconds (Linux `/proc/thread-self/schedstat`), or NaN elsewhere: on a
/// shared machine it is a fairer measure than wall-clock time.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse::<f64>().ok()))
        .map_or(f64::NAN, |ns| ns * 1e-9)
}

/// Keeps entry (i, j) when a fixed hash of (i, j) falls below `density`; the others become 0.
fn sparsify(x: &mut Array2<f64>, row0: usize, density: f64) {
    if density >= 1.0 {
        return;
    }
    for ((i, j), v) in x.indexed_iter_mut() {
        let h = ((row0 + i) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (j as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        let u = (h.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
        if u >= density {
            *v = 0.0;
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let repeats: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let dims: Vec<usize> = match args.get(2) {
        Some(s) => vec![s.parse()?],
        None => vec![100, 392],
    };
    let tols: Vec<f64> = match args.get(3) {
        Some(s) => vec![s.parse()?],
        None => vec![0.1, 1e-3],
    };
    let storages: Vec<&str> = match args.get(4).map(String::as_str) {
        Some("f32") => vec!["f32"],
        Some("f64") => vec!["f64"],
        _ => vec!["f64", "f32"],
    };
    let scheme = match args.get(5).map(String::as_str) {
        None | Some("auto") => UpdateScheme::Auto,
        Some("dense") => UpdateScheme::Dense,
        Some("jit") => UpdateScheme::JustInTime,
        Some(other) => return Err(format!("scheme {other:?}: expected auto, dense or jit").into()),
    };
    let density: f64 = args.get(6).map(|s| s.parse()).transpose()?.unwrap_or(1.0);
    let classes: usize = args.get(7).map(|s| s.parse()).transpose()?.unwrap_or(10);
    for d in dims {
        let (x, y) = synthetic::blobs(70_000, d, classes, 1, -2, 0);
        let scaler = MinMaxScaler::fit(x.slice(s![..60_000, ..]))?;
        let (mut x_tr, mut x_te) = (scaler.transform(x.slice(s![..60_000, ..]))?, scaler.transform(x.slice(s![60_000.., ..]))?);
        sparsify(&mut x_tr, 0, density);
        sparsify(&mut x_te, 60_000, density);
        let (y_tr, y_te) = (y.slice(s![..60_000]), y.slice(s![60_000..]));
        for &tol in &tols {
            for &storage in &storages {
                let probe = LogisticRegression::builder().c(10.0).tol(tol).max_epochs(100).seed(0).update_scheme(scheme).build()?;
                let x32 = x_tr.mapv(|v| v as f32);
                let mut best = f64::INFINITY;
                let mut best_cpu = f64::INFINITY;
                let mut model = None;
                for _ in 0..repeats {
                    let (t0, c0) = (Instant::now(), cpu_seconds());
                    let m = if storage == "f64" { probe.fit(x_tr.view(), y_tr)? } else { probe.fit(x32.view(), y_tr)? };
                    best = best.min(t0.elapsed().as_secs_f64());
                    best_cpu = best_cpu.min(cpu_seconds() - c0);
                    model = Some(m);
                }
                let Some(m) = model else { continue };
                let test_accuracy = m.score(x_te.view(), y_te)?;
                let objective = m.objective(x_tr.view(), y_tr)?;
                println!(
                    "{{\"problem\": \"blobs_60000x{d}\", \"classes\": {classes}, \"tol\": {tol}, \"storage\": \"{storage}\", \"density\": {density}, \"scheme\": \"{:?}\", \"seconds\": {best:.4}, \"cpu_seconds\": {best_cpu:.4}, \"epochs\": {}, \"test_accuracy\": {test_accuracy}, \"objective\": {objective}}}",
                    m.update_scheme().unwrap_or(scheme),
                    m.epochs()
                );
            }
        }
    }
    Ok(())
}
