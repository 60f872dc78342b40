//! Time per KSG call, one thread: `RAYON_NUM_THREADS=1 cargo run --release --example ksg_cpu_time
//! -- <dims 1|5> <reps> [max|euclidean]` (the norm defaults to max). Prints the estimate and the
//! minimum and median wall time per call; the minimum is the number to compare between builds on a
//! shared machine (other work only ever adds to it).
use mi_estimators::knn::{ksg1_mi_nats, KnnOptions, Norm};
use mi_estimators::tasks::Task;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dims: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10).max(1);
    let norm = if args.get(3).is_some_and(|s| s == "euclidean") { Norm::Euclidean } else { Norm::Max };
    let opts = KnnOptions { norm, ..KnnOptions::with_k(3) };
    let task = if dims == 1 { Task::bivariate_gaussian(0.75).unwrap() } else { Task::equicorrelated(dims, 0.5).unwrap() };
    let (x, y) = task.sample(10_000, 0);
    let mut v = 0.0;
    let mut ms = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        v = ksg1_mi_nats(&x.view(), &y.view(), &opts).unwrap();
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    println!("{v} nats; per call: min {:.3} ms, median {:.3} ms over {reps}", ms[0], ms[reps / 2]);
}
