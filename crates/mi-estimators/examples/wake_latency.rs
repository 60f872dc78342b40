//! How long an idle core takes to join parallel work, which bounds what threads can gain on short
//! calls made between other work (`cargo xtask bench`'s interleaved Python rows): after a pause of
//! 0, 2 and 50 ms, the time from `rayon::join` until its second task starts, over 20 tries.
//!
//! ```sh
//! cargo run --release -p mi-estimators --example wake_latency
//! ```
use std::time::{Duration, Instant};

fn main() {
    rayon::join(|| (), || ());
    for pause_ms in [0u64, 2, 50] {
        let mut start_us: Vec<f64> = (0..20)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(pause_ms));
                let t0 = Instant::now();
                let busy = || {
                    let s = Instant::now();
                    while s.elapsed() < Duration::from_millis(3) {}
                };
                let ((), second) = rayon::join(busy, || t0.elapsed());
                second.as_secs_f64() * 1e6
            })
            .collect();
        start_us.sort_by(f64::total_cmp);
        println!(
            "{{\"pause_ms\": {pause_ms}, \"second_task_start_us_median\": {:.0}, \"min\": {:.0}, \"max\": {:.0}}}",
            start_us[10], start_us[0], start_us[19]
        );
    }
}
