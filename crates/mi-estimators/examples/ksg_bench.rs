//! Rust side of the KSG benchmark (`cargo xtask bench`): KSG algorithm 1 (k = 3, max-norm,
//! standardised columns, no jitter) on `<dir>/<case>_x.npy` and `<case>_y.npy` written by
//! `scripts/bench/ksg.py`; best wall-clock time of `repeats` calls, as JSON lines.
//!
//! `cargo run --release -p mi-estimators --example ksg_bench -- DIR [repeats]`
use mi_estimators::knn::{ksg1_mi_nats, KnnOptions};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).ok_or("usage: ksg_bench DIR [repeats]")?);
    let repeats: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(3);
    for case in ["ksg_1+1", "ksg_5+5"] {
        let x = mi_data::array_file::read_matrix(&dir.join(format!("{case}_x.npy")))?;
        let y = mi_data::array_file::read_matrix(&dir.join(format!("{case}_y.npy")))?;
        let opts = KnnOptions::with_k(3);
        let mut best = f64::INFINITY;
        let mut value = f64::NAN;
        for _ in 0..repeats {
            let t = Instant::now();
            value = ksg1_mi_nats(&x.view(), &y.view(), &opts)?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("{{\"case\": \"{case}\", \"tool\": \"infomax\", \"seconds\": {best}, \"mi_nats\": {value}}}");
    }
    Ok(())
}
