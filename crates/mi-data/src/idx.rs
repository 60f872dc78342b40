//! The IDX format of MNIST: a 4-byte magic number (`0x00 0x00 <type> <ndims>`), `ndims` big-endian
//! `u32` dimensions, then the values in row-major order. Only unsigned bytes (type `0x08`) are read:
//! that is what MNIST images and labels are.
//!
//! Readers validate the magic number, the number of dimensions and the file length implied by the
//! header before reading the body, so a truncated file is caught from its size alone.
use crate::error::{DataError, Result};
use ndarray::{Array1, Array3, ArrayView1, ArrayView3};
use std::io::Read;
use std::path::Path;

/// The IDX type code of unsigned bytes.
pub const TYPE_U8: u8 = 0x08;
/// The magic number of a 3-D `u8` IDX file (images).
pub const MAGIC_IMAGES: u32 = 0x0000_0803;
/// The magic number of a 1-D `u8` IDX file (labels).
pub const MAGIC_LABELS: u32 = 0x0000_0801;

const DEFAULT_RECOVER: &str =
    "The file is truncated or corrupt: delete it and fetch it again (for MNIST: `cargo xtask data mnist`).";

/// The header of an IDX file: its dimensions and the length of the header in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxHeader {
    pub dims: Vec<usize>,
    pub header_len: usize,
}

impl IdxHeader {
    /// The file length the header implies: header plus one byte per value.
    pub fn expected_file_len(&self) -> u64 {
        // saturating: a corrupt header with huge dimensions must give an error, not an overflow
        let values = self.dims.iter().fold(1u64, |a, &d| a.saturating_mul(d as u64));
        values.saturating_add(self.header_len as u64)
    }
}

fn type_name(code: u8) -> &'static str {
    match code {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "i16",
        0x0C => "i32",
        0x0D => "f32",
        0x0E => "f64",
        _ => "unknown type",
    }
}

/// Parses and validates the header of a `u8` IDX file with `ndims` dimensions. `prefix` holds at
/// least the first `4 + 4 * ndims` bytes of the file (fewer is reported as truncation).
pub(crate) fn parse_header(path: &Path, prefix: &[u8], ndims: usize, recover: &str) -> Result<IdxHeader> {
    let expected_magic = 0x0800 | ndims as u32;
    let magic_desc = |m: u32| {
        let b = m.to_be_bytes();
        format!("0x{m:08X} (IDX {}, {} dimension(s))", type_name(b[2]), b[3])
    };
    if prefix.len() < 4 {
        return Err(DataError::corrupt(path, "truncated IDX header", "at least 4 bytes", format!("{} bytes", prefix.len()), recover));
    }
    let magic = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]);
    if magic != expected_magic {
        let found = if prefix[0] == 0x1f && prefix[1] == 0x8b {
            format!("0x{magic:08X}, which is a gzip header: decompress the file first (gunzip)")
        } else if prefix[0] != 0 || prefix[1] != 0 {
            format!("0x{magic:08X}, which is not an IDX file")
        } else {
            magic_desc(magic)
        };
        return Err(DataError::corrupt(path, "wrong magic number", magic_desc(expected_magic), found, recover));
    }
    let header_len = 4 + 4 * ndims;
    if prefix.len() < header_len {
        return Err(DataError::corrupt(
            path,
            "truncated IDX header",
            format!("{header_len} bytes"),
            format!("{} bytes", prefix.len()),
            recover,
        ));
    }
    let dims = (0..ndims)
        .map(|i| {
            let o = 4 + 4 * i;
            u32::from_be_bytes([prefix[o], prefix[o + 1], prefix[o + 2], prefix[o + 3]]) as usize
        })
        .collect();
    Ok(IdxHeader { dims, header_len })
}

/// Reads only the header of a `u8` IDX file with `ndims` dimensions and checks the file's length
/// against it: cheap (one small read and a `stat`), and catches truncated files.
pub fn read_header(path: &Path, ndims: usize) -> Result<IdxHeader> {
    read_header_with(path, ndims, DEFAULT_RECOVER)
}

pub(crate) fn read_header_with(path: &Path, ndims: usize, recover: &str) -> Result<IdxHeader> {
    let mut f = std::fs::File::open(path).map_err(|e| open_error(path, e, recover))?;
    let len = f.metadata().map_err(|e| DataError::io(path, e))?.len();
    let mut prefix = Vec::with_capacity(4 + 4 * ndims);
    (&mut f).take((4 + 4 * ndims) as u64).read_to_end(&mut prefix).map_err(|e| DataError::io(path, e))?;
    let header = parse_header(path, &prefix, ndims, recover)?;
    check_len(path, &header, len, recover)?;
    Ok(header)
}

pub(crate) fn open_error(path: &Path, e: std::io::Error, recover: &str) -> DataError {
    if e.kind() == std::io::ErrorKind::NotFound {
        DataError::Missing { path: path.into(), recover: recover.into() }
    } else {
        DataError::io(path, e)
    }
}

fn check_len(path: &Path, header: &IdxHeader, len: u64, recover: &str) -> Result<()> {
    let expected = header.expected_file_len();
    if len != expected {
        let what = if len < expected { "truncated file" } else { "trailing bytes after the data" };
        let dims: Vec<String> = header.dims.iter().map(|d| d.to_string()).collect();
        return Err(DataError::corrupt(
            path,
            what,
            format!("{expected} bytes (a {}-byte header and {} values)", header.header_len, dims.join("×")),
            format!("{len} bytes"),
            recover,
        ));
    }
    Ok(())
}

/// Parses a whole `u8` IDX file held in memory, checking magic, dimensions and length.
pub(crate) fn parse(path: &Path, bytes: &[u8], ndims: usize, recover: &str) -> Result<(IdxHeader, Vec<u8>)> {
    let header = parse_header(path, bytes, ndims, recover)?;
    check_len(path, &header, bytes.len() as u64, recover)?;
    Ok((header.clone(), bytes[header.header_len..].to_vec()))
}

fn read_file(path: &Path, recover: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| open_error(path, e, recover))
}

/// Reads a 3-D `u8` IDX file (images: `n × rows × cols`).
pub fn read_images(path: &Path) -> Result<Array3<u8>> {
    read_images_with(path, DEFAULT_RECOVER)
}

pub(crate) fn read_images_with(path: &Path, recover: &str) -> Result<Array3<u8>> {
    // the cheap check first, so that a truncated file is reported without reading it all
    read_header_with(path, 3, recover)?;
    let bytes = read_file(path, recover)?;
    let (h, body) = parse(path, &bytes, 3, recover)?;
    Array3::from_shape_vec((h.dims[0], h.dims[1], h.dims[2]), body).map_err(|e| DataError::format(path, e.to_string()))
}

/// Reads a 1-D `u8` IDX file (labels).
pub fn read_labels(path: &Path) -> Result<Array1<u8>> {
    read_labels_with(path, DEFAULT_RECOVER)
}

pub(crate) fn read_labels_with(path: &Path, recover: &str) -> Result<Array1<u8>> {
    read_header_with(path, 1, recover)?;
    let bytes = read_file(path, recover)?;
    let (_, body) = parse(path, &bytes, 1, recover)?;
    Ok(Array1::from(body))
}

/// Encodes images as a 3-D `u8` IDX file (the exact bytes of MNIST's image files).
pub fn encode_images(images: &ArrayView3<'_, u8>) -> Vec<u8> {
    let (n, r, c) = images.dim();
    let mut out = Vec::with_capacity(16 + n * r * c);
    out.extend_from_slice(&MAGIC_IMAGES.to_be_bytes());
    for d in [n, r, c] {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend(images.iter().copied());
    out
}

/// Encodes labels as a 1-D `u8` IDX file (the exact bytes of MNIST's label files).
pub fn encode_labels(labels: &ArrayView1<'_, u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + labels.len());
    out.extend_from_slice(&MAGIC_LABELS.to_be_bytes());
    out.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    out.extend(labels.iter().copied());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn round_trip_images_and_labels() {
        let d = tempfile::tempdir().unwrap();
        let imgs = Array::from_shape_fn((3, 4, 5), |(i, r, c)| (i * 20 + r * 5 + c) as u8);
        let bytes = encode_images(&imgs.view());
        assert_eq!(&bytes[..16], &[0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5]);
        let p = write(d.path(), "i", &bytes);
        assert_eq!(read_images(&p).unwrap(), imgs);
        let labels = Array1::from(vec![7u8, 0, 9]);
        let p = write(d.path(), "l", &encode_labels(&labels.view()));
        assert_eq!(std::fs::read(&p).unwrap(), [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]);
        assert_eq!(read_labels(&p).unwrap(), labels);
        assert_eq!(read_header(&p, 1).unwrap(), IdxHeader { dims: vec![3], header_len: 8 });
    }

    #[test]
    fn corruption_is_reported_with_expected_and_found() {
        let d = tempfile::tempdir().unwrap();
        let imgs = Array3::<u8>::zeros((2, 3, 3));
        let good = encode_images(&imgs.view());

        let p = write(d.path(), "trunc", &good[..good.len() - 1]);
        let e = read_images(&p).unwrap_err().to_string();
        assert!(e.contains("trunc") && e.contains("truncated file") && e.contains("expected 34 bytes") && e.contains("found 33 bytes"), "{e}");
        assert!(e.contains("cargo xtask data mnist"), "{e}");

        let mut long = good.clone();
        long.push(0);
        let e = read_images(&write(d.path(), "long", &long)).unwrap_err().to_string();
        assert!(e.contains("trailing bytes"), "{e}");

        let mut bad = good.clone();
        bad[3] = 1; // a labels magic where images are expected
        let e = read_images(&write(d.path(), "magic", &bad)).unwrap_err().to_string();
        assert!(e.contains("wrong magic number") && e.contains("0x00000803") && e.contains("found 0x00000801"), "{e}");

        let e = read_labels(&write(d.path(), "gz", &[0x1f, 0x8b, 8, 0, 0, 0])).unwrap_err().to_string();
        assert!(e.contains("gzip"), "{e}");

        let e = read_labels(&write(d.path(), "short", &[0, 0, 8, 1, 0])).unwrap_err().to_string();
        assert!(e.contains("truncated IDX header"), "{e}");

        let mut f32_file = good.clone();
        f32_file[2] = 0x0D;
        let e = read_images(&write(d.path(), "f32", &f32_file)).unwrap_err().to_string();
        assert!(e.contains("f32"), "{e}");

        let mut huge = good.clone();
        huge[4..16].fill(0xff); // 2^32-1 in every dimension
        let e = read_images(&write(d.path(), "huge", &huge)).unwrap_err().to_string();
        assert!(e.contains("truncated file"), "{e}");

        let e = read_images(&d.path().join("absent")).unwrap_err();
        assert!(matches!(e, DataError::Missing { .. }), "{e}");
    }
}
