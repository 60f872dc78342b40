//! CPU time per KSG call (run with RAYON_NUM_THREADS=1 under `time`): `cargo run --release
//! --example ksg_cpu_time -- <dims 1|5> <reps> [max|euclidean]` (the norm defaults to max).
use mi_estimators::knn::{ksg1_mi_nats, KnnOptions, Norm};
use mi_estimators::tasks::Task;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dims: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let norm = if args.get(3).is_some_and(|s| s == "euclidean") { Norm::Euclidean } else { Norm::Max };
    let opts = KnnOptions { norm, ..KnnOptions::with_k(3) };
    let task = if dims == 1 { Task::bivariate_gaussian(0.75).unwrap() } else { Task::equicorrelated(dims, 0.5).unwrap() };
    let (x, y) = task.sample(10_000, 0);
    let mut v = 0.0;
    for _ in 0..reps {
        v = ksg1_mi_nats(&x.view(), &y.view(), &opts).unwrap();
    }
    println!("{v}");
}
