// Link settings shared by every crate that links libtorch: each of them names this file as its
// build script (`build = "../mi-torch/build.rs"`) and depends on `torch-sys` directly, so that
// Cargo hands it `DEP_TCH_LIBTORCH_LIB`, the library folder torch-sys linked against.
//
// * An rpath to that folder, so binaries, tests and benches run without `LD_LIBRARY_PATH`.
// * `libtorch_cuda.so` kept as a needed library when the libtorch has one. Nothing in the Rust
//   code references a symbol of it, so under the default `--as-needed` the linker would drop it,
//   its static initialisers would never run, and `tch::Cuda::is_available()` would say false even
//   on a GPU machine.
use std::path::Path;

pub fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    let Ok(dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") else {
        // A crate whose libtorch support is an optional feature that is off: nothing to link.
        return;
    };
    println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    for cuda_lib in ["torch_cuda", "c10_cuda"] {
        if Path::new(&dir).join(format!("lib{cuda_lib}.so")).exists() {
            println!("cargo:rustc-link-arg=-Wl,--no-as-needed,-l{cuda_lib},--as-needed");
        }
    }
    println!("cargo:rustc-env=INFOMAX_LIBTORCH_LIB={dir}");
}
