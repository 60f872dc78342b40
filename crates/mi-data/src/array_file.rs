//! Numeric arrays from `.npy` and `.csv` files, for the command-line tool, and `.npy` writing.
//!
//! * `.npy`: format versions 1–3, little-endian `f4`/`f8` and signed/unsigned integers of 1–8 bytes,
//!   C order, shape `[n]` (read as `n×1`) or `[n, d]`.
//! * `.csv`: comma-separated numbers, one row per sample, an optional header row (a first row with
//!   any non-numeric field), blank lines ignored.
//!
//! Matrices must be non-empty and finite; labels must be integers. Every error names the file and
//! says what was expected.
use crate::atomic::write_atomic_with;
use crate::error::{DataError, Result};
use ndarray::{Array1, Array2};
use std::io::Write;
use std::path::Path;

const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// Reads a numeric matrix (`n × d`, f64) from `.npy` or `.csv`; refuses empty files, NaN and ±∞.
pub fn read_matrix(path: &Path) -> Result<Array2<f64>> {
    let m = match extension(path)?.as_str() {
        "npy" => read_npy(path)?.into_f64().ok_or_else(|| DataError::format(path, "shape does not match the data"))?,
        "csv" => read_csv(path)?,
        _ => unreachable!("extension() only returns supported ones"),
    };
    if m.nrows() == 0 || m.ncols() == 0 {
        return Err(DataError::format(path, format!("the array is empty (shape {:?}); expected at least one row and one column", m.dim())));
    }
    if let Some(((r, c), v)) = m.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(DataError::format(path, format!("value {v} at row {r}, column {c}: expected finite numbers (remove or impute NaN/inf)")));
    }
    Ok(m)
}

/// Reads integer labels (one per row) from `.npy` (integer dtype, shape `[n]` or `[n, 1]`) or `.csv`
/// (one column). Floats are refused unless every value is integral.
pub fn read_labels(path: &Path) -> Result<Array1<i64>> {
    let (values, ncols): (Vec<f64>, usize) = match extension(path)?.as_str() {
        "npy" => {
            let a = read_npy(path)?;
            let ncols = a.shape.get(1).copied().unwrap_or(1);
            if let NpyData::Int(v) = a.data {
                if ncols != 1 {
                    return Err(DataError::format(path, format!("labels must be one column, found shape {:?}", a.shape)));
                }
                return non_empty(path, Array1::from(v));
            }
            let m = a.into_f64().ok_or_else(|| DataError::format(path, "shape does not match the data"))?;
            (m.iter().copied().collect(), ncols)
        }
        _ => {
            let m = read_csv(path)?;
            let ncols = m.ncols();
            (m.iter().copied().collect(), ncols)
        }
    };
    if ncols != 1 {
        return Err(DataError::format(path, format!("labels must be one column, found {ncols}")));
    }
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.into_iter().enumerate() {
        if !v.is_finite() || v.fract() != 0.0 || v.abs() > 9.0e15 {
            return Err(DataError::format(path, format!("label {v} at row {i} is not an integer; expected integer class labels")));
        }
        out.push(v as i64);
    }
    non_empty(path, Array1::from(out))
}

fn non_empty(path: &Path, a: Array1<i64>) -> Result<Array1<i64>> {
    if a.is_empty() {
        return Err(DataError::format(path, "no labels: the file is empty"));
    }
    Ok(a)
}

fn extension(path: &Path) -> Result<String> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "npy" | "csv" => Ok(ext),
        _ => Err(DataError::Unsupported {
            path: path.into(),
            message: format!("extension '{ext}'; expected .npy (NumPy array) or .csv (comma-separated numbers)"),
        }),
    }
}

/// A parsed `.npy` array: its shape and its values, integer or floating.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    pub shape: Vec<usize>,
    pub data: NpyData,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NpyData {
    Float(Vec<f64>),
    Int(Vec<i64>),
}

impl NpyArray {
    /// As an `n × d` matrix (a 1-D array becomes one column); `None` when `shape` does not match
    /// the number of values (impossible for arrays read by [`read_npy`]).
    pub fn into_f64(self) -> Option<Array2<f64>> {
        let rows = self.shape.first().copied().unwrap_or(0);
        let cols = if self.shape.len() == 2 { self.shape[1] } else { 1 };
        let v = match self.data {
            NpyData::Float(v) => v,
            NpyData::Int(v) => v.into_iter().map(|x| x as f64).collect(),
        };
        Array2::from_shape_vec((rows, cols), v).ok()
    }
}

/// Reads a `.npy` file (see the module docs for what is supported).
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    parse_npy(&bytes).map_err(|m| DataError::format(path, m))
}

fn parse_npy(b: &[u8]) -> std::result::Result<NpyArray, String> {
    if b.len() < 10 || &b[..6] != NPY_MAGIC {
        return Err("not a .npy file (missing the \\x93NUMPY magic); save arrays with numpy.save".into());
    }
    let (header_len, start) = match b[6] {
        1 => (u16::from_le_bytes([b[8], b[9]]) as usize, 10),
        2 | 3 if b.len() >= 12 => (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12),
        v => return Err(format!("unsupported .npy format version {v}; expected 1, 2 or 3")),
    };
    let header = b.get(start..start + header_len).ok_or("truncated .npy header")?;
    let header = std::str::from_utf8(header).map_err(|_| "the .npy header is not text")?;
    let descr = header_value(header, "descr").ok_or("the .npy header has no 'descr'")?;
    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    let fortran = header_value(header, "fortran_order").ok_or("the .npy header has no 'fortran_order'")?;
    if fortran.trim() != "False" {
        return Err("Fortran-ordered arrays are not supported; save a C-ordered array (numpy.ascontiguousarray)".into());
    }
    let shape_txt = header_value(header, "shape").ok_or("the .npy header has no 'shape'")?;
    let shape: Vec<usize> = shape_txt
        .trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|_| format!("bad shape {shape_txt}")))
        .collect::<std::result::Result<_, _>>()?;
    if shape.is_empty() || shape.len() > 2 {
        return Err(format!("shape {shape:?}: expected a 1-D array [n] or a 2-D array [n, d]"));
    }
    let count: usize = shape.iter().product();
    let body = &b[start + header_len..];
    let (endian, kind, size) = parse_descr(descr)?;
    if endian == '>' && size > 1 {
        return Err(format!("big-endian dtype '{descr}' is not supported; expected little-endian"));
    }
    if body.len() != count * size {
        return Err(format!(
            "data has {} bytes, expected {} for shape {shape:?} of '{descr}' (truncated or corrupt file)",
            body.len(),
            count * size
        ));
    }
    let chunks = body.chunks_exact(size);
    let data = match (kind, size) {
        ('f', 4) => NpyData::Float(chunks.map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64).collect()),
        ('f', 8) => NpyData::Float(chunks.map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])).collect()),
        ('i', 1 | 2 | 4 | 8) => NpyData::Int(
            chunks
                .map(|c| {
                    let mut buf = [if c[size - 1] & 0x80 != 0 { 0xff } else { 0 }; 8];
                    buf[..size].copy_from_slice(c);
                    i64::from_le_bytes(buf)
                })
                .collect(),
        ),
        ('u' | 'b', 1 | 2 | 4 | 8) => {
            let mut out = Vec::with_capacity(count);
            for c in chunks {
                let mut buf = [0u8; 8];
                buf[..size].copy_from_slice(c);
                let v = u64::from_le_bytes(buf);
                out.push(i64::try_from(v).map_err(|_| format!("unsigned value {v} does not fit in i64"))?);
            }
            NpyData::Int(out)
        }
        _ => return Err(format!("dtype '{descr}' is not supported; expected float32/float64 or an integer type")),
    };
    Ok(NpyArray { shape, data })
}

fn parse_descr(d: &str) -> std::result::Result<(char, char, usize), String> {
    let mut chars = d.chars();
    let endian = chars.next().ok_or("empty dtype")?;
    let kind = chars.next().ok_or("bad dtype")?;
    let size: usize = chars.as_str().parse().map_err(|_| format!("dtype '{d}' is not supported"))?;
    if !matches!(endian, '<' | '>' | '|' | '=') {
        return Err(format!("dtype '{d}' is not supported; expected e.g. '<f8', '<f4', '<i8'"));
    }
    Ok((endian, kind, size))
}

/// The text after `'key':` up to the next top-level comma (parentheses kept together).
fn header_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let pos = header.find(&format!("'{key}'")).or_else(|| header.find(&format!("\"{key}\"")))?;
    let rest = &header[pos + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let mut depth = 0;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' | '}' if depth == 0 => return Some(rest[..i].trim()),
            _ => {}
        }
    }
    None
}

/// Reads a numeric matrix like [`read_matrix`], with the column names of a CSV header row
/// (None for `.npy` and for CSV files without a header).
pub fn read_table(path: &Path) -> Result<(Array2<f64>, Option<Vec<String>>)> {
    let m = read_matrix(path)?;
    if extension(path)? != "csv" {
        return Ok((m, None));
    }
    let text = std::fs::read_to_string(path).map_err(|e| DataError::io(path, e))?;
    let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let fields: Vec<String> = first.split(',').map(|f| f.trim().to_string()).collect();
    let header = fields.iter().any(|f| f.parse::<f64>().is_err());
    Ok((m, header.then_some(fields)))
}

/// Reads a numeric CSV file into an `n × d` matrix (see the module docs).
pub fn read_csv(path: &Path) -> Result<Array2<f64>> {
    let text = std::fs::read_to_string(path).map_err(|e| DataError::io(path, e))?;
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut ncols = None;
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let parsed: std::result::Result<Vec<f64>, _> = fields.iter().map(|f| f.parse::<f64>()).collect();
        match parsed {
            Ok(v) => {
                if let Some(n) = ncols {
                    if v.len() != n {
                        return Err(DataError::format(path, format!("line {}: {} fields, expected {n} like the lines before", lineno + 1, v.len())));
                    }
                }
                ncols = Some(v.len());
                rows.push(v);
            }
            Err(_) if rows.is_empty() && ncols.is_none() => {
                ncols = Some(fields.len()); // a header row
            }
            Err(_) => {
                let bad = fields.iter().find(|f| f.parse::<f64>().is_err()).unwrap_or(&"");
                return Err(DataError::format(path, format!("line {}: '{bad}' is not a number; expected numeric CSV (one optional header row)", lineno + 1)));
            }
        }
    }
    let n = rows.len();
    let d = ncols.unwrap_or(0);
    Array2::from_shape_vec((n, d), rows.into_iter().flatten().collect())
        .map_err(|e| DataError::format(path, e.to_string()))
}

/// Writes an `f64` matrix as a version-1 `.npy` file, atomically.
pub fn write_npy_f64(path: &Path, a: &Array2<f64>) -> Result<()> {
    let header = npy_header("<f8", &[a.nrows(), a.ncols()]);
    write_atomic_with(path, |w| {
        w.write_all(&header)?;
        for v in a.iter() {
            w.write_all(&v.to_le_bytes())?;
        }
        Ok(())
    })
}

/// Writes `i64` labels as a 1-D version-1 `.npy` file, atomically.
pub fn write_npy_i64(path: &Path, a: &Array1<i64>) -> Result<()> {
    let header = npy_header("<i8", &[a.len()]);
    write_atomic_with(path, |w| {
        w.write_all(&header)?;
        for v in a.iter() {
            w.write_all(&v.to_le_bytes())?;
        }
        Ok(())
    })
}

fn npy_header(descr: &str, shape: &[usize]) -> Vec<u8> {
    let shape = match shape {
        [n] => format!("({n},)"),
        s => format!("({})", s.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")),
    };
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    // pad so that magic + version + len + dict + '\n' is a multiple of 64
    while (10 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut out = NPY_MAGIC.to_vec();
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn tmp(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        (d, p)
    }

    fn npy_bytes(descr: &str, shape: &[usize], body: &[u8]) -> Vec<u8> {
        let mut b = npy_header(descr, shape);
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn npy_round_trip() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.npy");
        let a = array![[1.0, -2.5], [3.0, 4.25], [0.0, 1e-300]];
        write_npy_f64(&p, &a).unwrap();
        assert_eq!(read_matrix(&p).unwrap(), a);
        let l = d.path().join("y.npy");
        write_npy_i64(&l, &array![0, 3, -1]).unwrap();
        assert_eq!(read_labels(&l).unwrap(), array![0, 3, -1]);
    }

    #[test]
    fn npy_f32_int_and_1d() {
        let body: Vec<u8> = [1.5f32, -2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let (_d, p) = tmp("a.npy", &npy_bytes("<f4", &[2], &body));
        assert_eq!(read_matrix(&p).unwrap(), array![[1.5], [-2.0]]);
        let body: Vec<u8> = [-3i16, 7].iter().flat_map(|v| v.to_le_bytes()).collect();
        let (_d, p) = tmp("b.npy", &npy_bytes("<i2", &[2, 1], &body));
        assert_eq!(read_labels(&p).unwrap(), array![-3, 7]);
        let (_d, p) = tmp("c.npy", &npy_bytes("|u1", &[3], &[0, 9, 255]));
        assert_eq!(read_labels(&p).unwrap(), array![0, 9, 255]);
    }

    #[test]
    fn npy_errors_are_clear() {
        let (_d, p) = tmp("t.npy", &npy_bytes("<f8", &[4, 2], &[0u8; 40]));
        assert!(read_matrix(&p).unwrap_err().to_string().contains("truncated"));
        let (_d, p) = tmp("b.npy", &npy_bytes(">f8", &[1], &[0u8; 8]));
        assert!(read_matrix(&p).unwrap_err().to_string().contains("big-endian"));
        let (_d, p) = tmp("c.npy", &npy_bytes("<c16", &[1], &[0u8; 16]));
        assert!(read_matrix(&p).unwrap_err().to_string().contains("not supported"));
        let (_d, p) = tmp("m.npy", b"hello world");
        assert!(read_matrix(&p).unwrap_err().to_string().contains("magic"));
        let (_d, p) = tmp("x.txt", b"1,2");
        assert!(read_matrix(&p).unwrap_err().to_string().contains(".npy"));
        let nan: Vec<u8> = [1.0f64, f64::NAN].iter().flat_map(|v| v.to_le_bytes()).collect();
        let (_d, p) = tmp("n.npy", &npy_bytes("<f8", &[2], &nan));
        assert!(read_matrix(&p).unwrap_err().to_string().contains("row 1"));
        let (_d, p) = tmp("e.npy", &npy_bytes("<f8", &[0, 3], &[]));
        assert!(read_matrix(&p).unwrap_err().to_string().contains("empty"));
        let (_d, p) = tmp("f.npy", &npy_bytes("<f8", &[1], &0.5f64.to_le_bytes()));
        assert!(read_labels(&p).unwrap_err().to_string().contains("not an integer"));
    }

    #[test]
    fn read_table_returns_the_header_names() {
        let d = std::env::temp_dir().join(format!("mi-data-table-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let (with, without) = (d.join("a.csv"), d.join("b.csv"));
        std::fs::write(&with, "x1, x2 ,y\n1,2,3\n4,5,6\n").unwrap();
        std::fs::write(&without, "1,2\n3,4\n").unwrap();
        let (m, names) = read_table(&with).unwrap();
        assert_eq!((m.dim(), names), ((2, 3), Some(vec!["x1".to_string(), "x2".into(), "y".into()])));
        assert_eq!(read_table(&without).unwrap().1, None);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn csv_with_and_without_header() {
        let (_d, p) = tmp("a.csv", b"x,y\n1,2\n3.5,-4e-2\n\n");
        assert_eq!(read_matrix(&p).unwrap(), array![[1.0, 2.0], [3.5, -0.04]]);
        let (_d, p) = tmp("b.csv", b"1\n2\n");
        assert_eq!(read_labels(&p).unwrap(), array![1, 2]);
        let (_d, p) = tmp("c.csv", b"1,2\n3\n");
        assert!(read_matrix(&p).unwrap_err().to_string().contains("line 2"));
        let (_d, p) = tmp("d.csv", b"1,2\n3,abc\n");
        assert!(read_matrix(&p).unwrap_err().to_string().contains("'abc' is not a number"));
        let (_d, p) = tmp("e.csv", b"");
        assert!(read_matrix(&p).unwrap_err().to_string().contains("empty"));
        let (_d, p) = tmp("f.csv", b"1.5\n");
        assert!(read_labels(&p).unwrap_err().to_string().contains("not an integer"));
        let (_d, p) = tmp("g.csv", b"1,nan\n");
        assert!(read_matrix(&p).unwrap_err().to_string().contains("finite"));
    }
}
