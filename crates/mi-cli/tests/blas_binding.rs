//! The `infomax` binary must run libtorch's matrix products on libtorch's own BLAS (the MKL inside
//! libtorch_cpu), not on the system OpenBLAS that ndarray-linalg links: the dynamic linker binds
//! `sgemm_` to the first library that defines it, and with OpenBLAS first its thread pool fought
//! libtorch's OpenMP threads (training ran 2.5–3× slower on 2 cores). mi-estimators' build script
//! names libtorch_cpu first; this checks the binding the real binary gets.
use std::process::Command;

#[test]
fn bench_train_runs_on_libtorchs_own_blas() {
    let o = Command::new(env!("CARGO_BIN_EXE_infomax"))
        .args(["bench", "train", "--encoder", "mlp", "--batch", "8", "--steps", "1", "--device", "cpu", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let lib = v["blas_library"].as_str().unwrap_or_else(|| panic!("no blas_library in {v}"));
    assert!(lib.contains("libtorch_cpu"), "sgemm_ binds to {lib}, not libtorch_cpu: check the link order in crates/mi-estimators/build.rs");
}
