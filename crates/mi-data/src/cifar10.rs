//! CIFAR-10, binary version: `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`, each
//! 10,000 records of 3,073 bytes (a label byte, then 1,024 red, 1,024 green and 1,024 blue pixel
//! bytes, each channel row-major 32×32).
//!
//! [`ensure`] downloads the official archive (MD5-checked before anything is extracted), or uses
//! one placed by hand at `<dir>/cifar-10-binary.tar.gz`, and extracts only the expected regular
//! files (no links, no paths outside the folder). There is no offline source: on a machine without
//! internet the error says where to put the archive. After extraction an `MD5SUMS` file records the
//! extracted files' checksums, which [`verify`] checks later.
use crate::atomic::{temp_path_for, write_atomic};
use crate::checksum::{md5_bytes, md5_file};
use crate::error::{DataError, Result};
use crate::fetch::{create_dir, Curl, Progress};
use flate2::read::GzDecoder;
use ndarray::{Array1, Array4};
use std::io::Read;
use std::path::{Component, Path};

/// The official archive.
pub const URL: &str = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
/// Its file name (where an archive placed by hand is looked for).
pub const ARCHIVE: &str = "cifar-10-binary.tar.gz";
/// Its MD5.
pub const ARCHIVE_MD5: &str = "c32a1d4ab5d03f1284b67883e8d87530";
/// Its size in bytes.
pub const ARCHIVE_LEN: u64 = 170_052_171;
/// The folder inside the archive.
pub const ARCHIVE_FOLDER: &str = "cifar-10-batches-bin";
/// The training batches.
pub const TRAIN_FILES: [&str; 5] = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
/// The test batch.
pub const TEST_FILE: &str = "test_batch.bin";
/// The class names (`batches.meta.txt`), in label order.
pub const CLASSES: [&str; 10] = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
/// Bytes per record: one label byte and 3×32×32 pixel bytes.
pub const RECORD: usize = 1 + 3 * 32 * 32;
/// Records per batch file.
pub const PER_FILE: usize = 10_000;
/// The checksum manifest written after extraction.
pub const MANIFEST: &str = "MD5SUMS";

const RECOVER: &str = "Run `cargo xtask data cifar10` to extract it again (from the archive, or downloading it; a bad \
     file is replaced), or place the official file there by hand (see datasets/README.md).";

fn all_files() -> impl Iterator<Item = &'static str> {
    TRAIN_FILES.into_iter().chain([TEST_FILE])
}

/// CIFAR-10 in memory: images `n × 3 × 32 × 32` (`u8`, channels red, green, blue) and labels
/// `n` (`u8`, 0–9, see [`CLASSES`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Cifar10 {
    pub train_images: Array4<u8>,
    pub train_labels: Array1<u8>,
    pub test_images: Array4<u8>,
    pub test_labels: Array1<u8>,
}

/// Reads one batch file of any number of records (its length must be a multiple of 3,073).
pub fn read_batch(path: &Path) -> Result<(Array4<u8>, Array1<u8>)> {
    let bytes = std::fs::read(path).map_err(|e| crate::idx::open_error(path, e, RECOVER))?;
    parse_batch(path, &bytes)
}

fn parse_batch(path: &Path, bytes: &[u8]) -> Result<(Array4<u8>, Array1<u8>)> {
    let n = bytes.len() / RECORD;
    if n == 0 || n * RECORD != bytes.len() {
        return Err(DataError::corrupt(
            path,
            "file length",
            format!("a non-zero multiple of {RECORD} bytes (records of a label byte and 3×32×32 pixels)"),
            format!("{} bytes", bytes.len()),
            RECOVER,
        ));
    }
    let mut labels = Vec::with_capacity(n);
    let mut pixels = Vec::with_capacity(n * (RECORD - 1));
    for (i, r) in bytes.chunks_exact(RECORD).enumerate() {
        if r[0] > 9 {
            return Err(DataError::corrupt(path, format!("label of record {i}"), "a class 0–9", r[0], RECOVER));
        }
        labels.push(r[0]);
        pixels.extend_from_slice(&r[1..]);
    }
    let images = Array4::from_shape_vec((n, 3, 32, 32), pixels).map_err(|e| DataError::format(path, e.to_string()))?;
    Ok((images, Array1::from(labels)))
}

/// Cheap check: the six files are present with the official sizes.
pub fn check(dir: &Path) -> Result<()> {
    for name in all_files() {
        let path = dir.join(name);
        let len = std::fs::metadata(&path).map_err(|e| crate::idx::open_error(&path, e, RECOVER))?.len();
        let expected = (PER_FILE * RECORD) as u64;
        if len != expected {
            let what = if len < expected { "truncated file" } else { "file size" };
            return Err(DataError::corrupt(&path, what, format!("{expected} bytes ({PER_FILE} records of {RECORD})"), format!("{len} bytes"), RECOVER));
        }
    }
    Ok(())
}

/// Loads CIFAR-10 from `dir` (e.g. `datasets/cifar10`) after the cheap [`check`].
pub fn load(dir: &Path) -> Result<Cifar10> {
    check(dir)?;
    let mut xs = vec![];
    let mut ys = vec![];
    for name in TRAIN_FILES {
        let (x, y) = read_batch(&dir.join(name))?;
        xs.push(x);
        ys.push(y);
    }
    let views: Vec<_> = xs.iter().map(|x| x.view()).collect();
    let train_images = ndarray::concatenate(ndarray::Axis(0), &views).map_err(|e| DataError::format(dir, e.to_string()))?;
    let train_labels = Array1::from(ys.iter().flat_map(|y| y.iter().copied()).collect::<Vec<_>>());
    let (test_images, test_labels) = read_batch(&dir.join(TEST_FILE))?;
    Ok(Cifar10 { train_images, train_labels, test_images, test_labels })
}

/// Checks sizes, the `MD5SUMS` written at extraction, and the archive's MD5 if it is still there.
/// Returns a one-line description of what was checked.
pub fn verify(dir: &Path) -> Result<String> {
    check(dir)?;
    let mut what = vec!["the six batch files have the official sizes".to_string()];
    let manifest = dir.join(MANIFEST);
    if manifest.exists() {
        let n = verify_manifest(dir)?;
        what.push(format!("{n} match the MD5s recorded when they were extracted"));
    } else {
        what.push(format!("no {MANIFEST} (files placed by hand): checksums not checked"));
    }
    let archive = dir.join(ARCHIVE);
    if archive.exists() {
        verify_archive(&archive)?;
        what.push("the archive matches the official MD5".into());
    }
    Ok(what.join("; "))
}

/// Checks the files listed in `<dir>/MD5SUMS`; returns how many.
fn verify_manifest(dir: &Path) -> Result<usize> {
    let manifest = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&manifest).map_err(|e| DataError::io(&manifest, e))?;
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (md5, name) =
            line.split_once("  ").ok_or_else(|| DataError::format(&manifest, format!("bad line '{line}': expected '<md5>  <file>'")))?;
        if !all_files().any(|f| f == name) {
            return Err(DataError::format(&manifest, format!("unexpected file '{name}'")));
        }
        let path = dir.join(name);
        let found = md5_file(&path)?;
        if found != md5 {
            return Err(DataError::Checksum {
                path,
                expected: format!("MD5 {md5} (recorded at extraction)"),
                found: format!("MD5 {found}"),
                recover: RECOVER.into(),
            });
        }
        n += 1;
    }
    Ok(n)
}

fn verify_archive(archive: &Path) -> Result<()> {
    let recover = format!("Delete it and download it again from {URL} (or run `cargo xtask data cifar10` with internet access).");
    let len = std::fs::metadata(archive).map_err(|e| DataError::io(archive, e))?.len();
    if len != ARCHIVE_LEN {
        return Err(DataError::corrupt(archive, "archive size", format!("{ARCHIVE_LEN} bytes"), format!("{len} bytes"), recover));
    }
    let found = md5_file(archive)?;
    if found != ARCHIVE_MD5 {
        return Err(DataError::Checksum { path: archive.into(), expected: format!("MD5 {ARCHIVE_MD5}"), found: format!("MD5 {found}"), recover });
    }
    Ok(())
}

/// Extracts the six batch files from a `.tar.gz` into `dir`: only regular files named exactly
/// `cifar-10-batches-bin/<expected name>`; everything else (other files, folders, links, absolute or
/// `..` paths) is skipped. Each file is written atomically; `MD5SUMS` records their checksums.
/// `expected_len`: the size each batch must have (the official one, or `None` in tests).
pub fn extract(archive: &Path, dir: &Path, expected_len: Option<u64>) -> Result<()> {
    let f = std::fs::File::open(archive).map_err(|e| DataError::io(archive, e))?;
    let mut tar = tar::Archive::new(GzDecoder::new(std::io::BufReader::new(f)));
    let bad = |e: std::io::Error| DataError::format(archive, format!("not a valid .tar.gz archive ({e}); delete it and download it again from {URL}"));
    let mut sums: Vec<(String, String)> = vec![];
    for entry in tar.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let raw = entry.path_bytes().into_owned();
        let Some(name) = expected_member(&raw) else { continue };
        if sums.iter().any(|(n, _)| n == name) {
            return Err(DataError::format(archive, format!("{name} appears twice in the archive")));
        }
        let limit = expected_len.unwrap_or((PER_FILE * RECORD) as u64);
        let mut bytes = Vec::new();
        (&mut entry).take(limit + 1).read_to_end(&mut bytes).map_err(bad)?;
        let target = dir.join(name);
        if let Some(want) = expected_len {
            if bytes.len() as u64 != want {
                return Err(DataError::corrupt(archive, format!("size of {ARCHIVE_FOLDER}/{name}"), format!("{want} bytes"), format!("{} bytes", bytes.len()), format!("The archive is not the official one: delete it and download it again from {URL}.")));
            }
        }
        parse_batch(&target, &bytes)?;
        write_atomic(&target, &bytes)?;
        sums.push((name.to_string(), md5_bytes(&bytes)));
    }
    let missing: Vec<&str> = all_files().filter(|f| !sums.iter().any(|(n, _)| n == f)).collect();
    if !missing.is_empty() {
        return Err(DataError::format(archive, format!("the archive lacks {}; expected the official {ARCHIVE}", missing.join(", "))));
    }
    sums.sort();
    let manifest: String = sums.iter().map(|(n, m)| format!("{m}  {n}\n")).collect();
    write_atomic(&dir.join(MANIFEST), manifest.as_bytes())
}

/// The batch name if `raw` is exactly `cifar-10-batches-bin/<one of the six names>` (an optional
/// leading `./` allowed).
fn expected_member(raw: &[u8]) -> Option<&'static str> {
    let s = std::str::from_utf8(raw).ok()?;
    let parts: Vec<Component<'_>> = Path::new(s).components().filter(|c| !matches!(c, Component::CurDir)).collect();
    match parts.as_slice() {
        [Component::Normal(folder), Component::Normal(file)] if *folder == ARCHIVE_FOLDER => all_files().find(|f| *file == *f),
        _ => None,
    }
}

/// How [`ensure_with`] fetches.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub url: String,
    pub curl: Curl,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self { url: URL.into(), curl: Curl::default() }
    }
}

/// What [`ensure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The six files were there (and matched `MD5SUMS` when there is one).
    Present,
    /// The archive was downloaded, verified and extracted.
    Fetched,
    /// An archive placed by hand was verified and extracted.
    Extracted,
}

/// `<data root>/cifar10`, the root chosen by [`crate::data_root`].
pub fn default_dir(explicit_root: Option<&Path>) -> std::path::PathBuf {
    crate::data_root(explicit_root).join("cifar10")
}

/// Makes sure the six batch files are in `dir`, downloading the archive if needed.
pub fn ensure(dir: &Path, progress: Progress<'_>) -> Result<Outcome> {
    ensure_with(dir, &FetchOptions::default(), progress)
}

/// [`ensure`] with an explicit URL and download settings.
pub fn ensure_with(dir: &Path, opts: &FetchOptions, progress: Progress<'_>) -> Result<Outcome> {
    if check(dir).is_ok() {
        match verify(dir) {
            Ok(_) => return Ok(Outcome::Present),
            Err(e) => progress(&format!("CIFAR-10: {}; extracting again", e.summary())),
        }
    }
    create_dir(dir)?;
    let archive = dir.join(ARCHIVE);
    if archive.exists() {
        progress(&format!("CIFAR-10: verifying {}", archive.display()));
        verify_archive(&archive)?;
        extract(&archive, dir, Some((PER_FILE * RECORD) as u64))?;
        return Ok(Outcome::Extracted);
    }
    progress(&format!("CIFAR-10: downloading {} (170 MB)", opts.url));
    let tmp = temp_path_for(&archive);
    if let Err(reason) = opts.curl.download(&opts.url, &tmp) {
        return Err(DataError::Unavailable(format!(
            "CIFAR-10 could not be downloaded from {}: {reason}.\n\
             There is no offline source for CIFAR-10 (it is not distributed through a package registry). \
             To recover: on a machine with internet, download {URL} ({ARCHIVE_LEN} bytes, MD5 {ARCHIVE_MD5}) and put it at \
             {} — then run `cargo xtask data cifar10` again, which verifies and extracts it. (Or put the six extracted \
             files {} in {} by hand.)",
            opts.url,
            archive.display(),
            all_files().collect::<Vec<_>>().join(", "),
            dir.display()
        )));
    }
    let checked = verify_archive(&tmp).and_then(|()| std::fs::rename(&tmp, &archive).map_err(|e| DataError::io(&archive, e)));
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    progress("CIFAR-10: archive MD5 verified; extracting");
    extract(&archive, dir, Some((PER_FILE * RECORD) as u64))?;
    Ok(Outcome::Fetched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::path::PathBuf;

    fn batch(n: usize, seed: u8) -> Vec<u8> {
        let mut b = vec![];
        for i in 0..n {
            b.push((i as u8 + seed) % 10);
            b.extend((0..RECORD - 1).map(|j| (j as u8).wrapping_mul(seed).wrapping_add(i as u8)));
        }
        b
    }

    /// A tar entry with a raw name (the `tar` crate refuses `..` in `set_path`).
    fn append(t: &mut tar::Builder<Vec<u8>>, name: &str, kind: tar::EntryType, data: &[u8]) {
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_size(data.len() as u64);
        h.set_entry_type(kind);
        h.set_mode(0o644);
        if kind == tar::EntryType::Symlink {
            h.set_link_name("/etc/passwd").unwrap();
        }
        h.set_cksum();
        t.append(&h, data).unwrap();
    }

    fn archive(dir: &Path, extra: bool) -> PathBuf {
        let mut t = tar::Builder::new(Vec::new());
        for (k, f) in all_files().enumerate() {
            append(&mut t, &format!("{ARCHIVE_FOLDER}/{f}"), tar::EntryType::Regular, &batch(2, k as u8 + 1));
        }
        if extra {
            append(&mut t, "../escape.bin", tar::EntryType::Regular, b"x");
            append(&mut t, "/tmp/abs.bin", tar::EntryType::Regular, b"x");
            append(&mut t, &format!("{ARCHIVE_FOLDER}/../../up.bin"), tar::EntryType::Regular, b"x");
            append(&mut t, &format!("{ARCHIVE_FOLDER}/link.bin"), tar::EntryType::Symlink, b"");
            append(&mut t, &format!("{ARCHIVE_FOLDER}/readme.html"), tar::EntryType::Regular, b"<html>");
        }
        let tar_bytes = t.into_inner().unwrap();
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar_bytes).unwrap();
        let p = dir.join("a.tar.gz");
        std::fs::write(&p, gz.finish().unwrap()).unwrap();
        p
    }

    #[test]
    fn reads_records_channel_planes_and_labels() {
        let d = tempfile::tempdir().unwrap();
        let mut b = batch(3, 1);
        b[RECORD + 1 + 1024 + 32 + 5] = 200; // record 1, green channel, row 1, column 5
        let p = d.path().join("b.bin");
        std::fs::write(&p, &b).unwrap();
        let (x, y) = read_batch(&p).unwrap();
        assert_eq!(x.shape(), &[3, 3, 32, 32]);
        assert_eq!(y.to_vec(), vec![1, 2, 3]);
        assert_eq!(x[[1, 1, 1, 5]], 200);
        assert_eq!(x[[2, 2, 31, 31]], b[3 * RECORD - 1]);

        std::fs::write(&p, &b[..RECORD + 10]).unwrap();
        let e = read_batch(&p).unwrap_err().to_string();
        assert!(e.contains("b.bin") && e.contains("multiple of 3073") && e.contains("found 3083 bytes"), "{e}");
        b[0] = 10;
        std::fs::write(&p, &b).unwrap();
        let e = read_batch(&p).unwrap_err().to_string();
        assert!(e.contains("label of record 0") && e.contains("found 10"), "{e}");
    }

    #[test]
    fn extracts_only_expected_regular_files() {
        let src = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("nested").join("cifar10");
        std::fs::create_dir_all(&dir).unwrap();
        let a = archive(src.path(), true);
        extract(&a, &dir, None).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        let mut want: Vec<String> = all_files().map(String::from).chain([MANIFEST.to_string()]).collect();
        want.sort();
        assert_eq!(names, want);
        assert!(!root.path().join("nested").join("escape.bin").exists());
        assert!(!root.path().join("up.bin").exists());
        let (x, y) = read_batch(&dir.join(TEST_FILE)).unwrap();
        assert_eq!(x.shape(), &[2, 3, 32, 32]);
        assert_eq!(y.to_vec(), vec![6, 7]);
        // check() wants the official sizes
        let e = check(&dir).unwrap_err().to_string();
        assert!(e.contains("data_batch_1.bin: truncated file: expected 30730000 bytes"), "{e}");
        // official sizes are required when asked
        let e = extract(&a, &dir, Some(30_730_000)).unwrap_err().to_string();
        assert!(e.contains("expected 30730000 bytes, found 6146 bytes"), "{e}");
    }

    #[test]
    fn archive_lacking_files_or_not_gzip_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let mut t = tar::Builder::new(Vec::new());
        append(&mut t, &format!("{ARCHIVE_FOLDER}/data_batch_1.bin"), tar::EntryType::Regular, &batch(1, 1));
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &t.into_inner().unwrap()).unwrap();
        let p = d.path().join("short.tar.gz");
        std::fs::write(&p, gz.finish().unwrap()).unwrap();
        let out = d.path().join("out");
        let e = extract(&p, &out, None).unwrap_err().to_string();
        assert!(e.contains("lacks data_batch_2.bin"), "{e}");
        std::fs::write(&p, b"not an archive").unwrap();
        let e = extract(&p, &out, None).unwrap_err().to_string();
        assert!(e.contains("not a valid .tar.gz"), "{e}");
    }

    #[test]
    fn manifest_catches_a_flipped_byte() {
        let src = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let a = archive(src.path(), false);
        extract(&a, dir.path(), None).unwrap();
        assert_eq!(verify_manifest(dir.path()).unwrap(), 6);
        let p = dir.path().join("data_batch_4.bin");
        let mut b = std::fs::read(&p).unwrap();
        b[100] ^= 1;
        std::fs::write(&p, &b).unwrap();
        let e = verify_manifest(dir.path()).unwrap_err().to_string();
        assert!(e.contains("data_batch_4.bin: checksum mismatch: expected MD5") && e.contains("cargo xtask data cifar10"), "{e}");
    }

    #[test]
    fn placed_archive_with_wrong_checksum_is_refused() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(ARCHIVE), b"garbage").unwrap();
        let e = ensure(d.path(), &mut |_| {}).unwrap_err().to_string();
        assert!(e.contains(ARCHIVE) && e.contains("expected 170052171 bytes, found 7 bytes") && e.contains(URL), "{e}");
    }

    #[test]
    fn no_network_error_says_there_is_no_offline_source_and_where_to_put_the_archive() {
        let d = tempfile::tempdir().unwrap();
        let opts = FetchOptions { url: "https://127.0.0.1:9/cifar-10-binary.tar.gz".into(), ..FetchOptions::default() };
        let e = ensure_with(d.path(), &opts, &mut |_| {}).unwrap_err().to_string();
        assert!(e.contains("no offline source"), "{e}");
        assert!(e.contains(&d.path().join(ARCHIVE).display().to_string()), "{e}");
        assert!(e.contains(ARCHIVE_MD5), "{e}");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0, "nothing half-written left");
    }

    #[test]
    fn member_names() {
        assert_eq!(expected_member(b"cifar-10-batches-bin/test_batch.bin"), Some(TEST_FILE));
        assert_eq!(expected_member(b"./cifar-10-batches-bin/data_batch_3.bin"), Some("data_batch_3.bin"));
        assert_eq!(expected_member(b"cifar-10-batches-bin/../test_batch.bin"), None);
        assert_eq!(expected_member(b"/cifar-10-batches-bin/test_batch.bin"), None);
        assert_eq!(expected_member(b"test_batch.bin"), None);
        assert_eq!(expected_member(b"other/test_batch.bin"), None);
    }
}
