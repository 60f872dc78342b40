//! `retain_freed_memory` keeps freed tensor memory in the heap. Its own test binary (one test,
//! one process), so that the page-fault count below is this test's alone.
#![cfg(all(target_os = "linux", target_env = "gnu"))]
use tch::{Device, Kind, Tensor};

/// Minor page faults of this process so far (getrusage).
fn minor_faults() -> i64 {
    #[repr(C)]
    struct Rusage {
        utime: [i64; 2],
        stime: [i64; 2],
        fields: [i64; 14], // maxrss, ixrss, idrss, isrss, minflt, majflt, …
    }
    extern "C" {
        fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    }
    let mut u = Rusage { utime: [0; 2], stime: [0; 2], fields: [0; 14] };
    // SAFETY: getrusage(RUSAGE_SELF = 0) fills the plain struct, laid out as glibc's on x86-64
    // and aarch64 (two timevals, then fourteen longs).
    assert_eq!(unsafe { getrusage(0, &mut u) }, 0);
    u.fields[4]
}

/// Four 3 MB tensors alive at once, written, then all freed: 12 MB back at the top of the heap,
/// more than glibc's default (dynamic) trim threshold keeps, so without the setting every cycle
/// faults many of its pages in afresh.
fn cycles(n: usize) -> i64 {
    let before = minor_faults();
    for _ in 0..n {
        let held: Vec<Tensor> = (0..4).map(|i| Tensor::full([750_000], i as f64, (Kind::Float, Device::Cpu))).collect();
        assert_eq!(held[3].double_value(&[749_999]), 3.0);
    }
    minor_faults() - before
}

#[test]
fn freed_tensor_memory_is_reused_without_new_page_faults() {
    tch::set_num_threads(1);
    let tuning = mi_torch::retain_freed_memory().expect("glibc accepts the settings");
    assert_eq!(mi_torch::retain_freed_memory(), Some(tuning), "a second call answers the same");
    assert_eq!(tuning.mmap_threshold_bytes, 32 << 20);
    cycles(3); // the heap grows once
    let faults = cycles(50);
    // with glibc's defaults this measured ≈54,000 faults (≈1,100 a cycle)
    assert!(faults < 5_000, "{faults} minor page faults in 50 cycles of 12 MB");
}
