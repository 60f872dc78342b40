// LAPACK for ndarray-linalg: the system OpenBLAS (Debian `libopenblas-dev`; `cargo xtask setup`
// installs it). Linked here rather than through ndarray-linalg's `openblas-system` feature, whose
// openblas-src build script cannot be built without network/TLS support on these machines.
// The libtorch link settings shared by all tch crates follow (they do nothing without `tch`).
mod torch_link {
    include!("../mi-torch/build.rs");
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-link-lib=dylib=openblas");
    torch_link::main();
}
