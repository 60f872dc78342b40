// LAPACK for ndarray-linalg: the system OpenBLAS (Debian `libopenblas-dev`; `cargo xtask setup`
// installs it). Linked here rather than through ndarray-linalg's `openblas-system` feature, whose
// openblas-src build script cannot be built without network/TLS support on these machines.
//
// With the `tch` feature, libtorch's own BLAS/LAPACK (the MKL inside libtorch_cpu, which exports
// `sgemm_`, `dgesdd_`, …) is named first. The order matters: the dynamic linker binds every
// `sgemm_` in the process to the first library that defines it, so with OpenBLAS first, libtorch's
// own matrix products ran on OpenBLAS, whose thread pool fought libtorch's OpenMP threads — the
// MLP pair trained 2.5–3× slower on 2 cores than with libtorch's MKL (issue #5's benchmark). With
// libtorch_cpu first, libtorch keeps its MKL and ndarray-linalg's LAPACK calls bind to the same
// MKL (OpenBLAS stays loaded but unused in such binaries).
// The libtorch link settings shared by all tch crates follow (they do nothing without `tch`).
mod torch_link {
    include!("../mi-torch/build.rs");
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if std::env::var_os("DEP_TCH_LIBTORCH_LIB").is_some() {
        println!("cargo:rustc-link-lib=dylib=torch_cpu");
    }
    println!("cargo:rustc-link-lib=dylib=openblas");
    torch_link::main();
}
