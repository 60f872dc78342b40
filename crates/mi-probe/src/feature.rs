//! Element types for features (f32 and f64) and the input checks shared by every probe.
use crate::error::{ProbeError, Result};
use ndarray::{ArrayView1, ArrayView2};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A feature element type: `f32` or `f64`. Features are stored as given; all arithmetic of the
/// probes is done in `f64`.
pub trait Feature: sealed::Sealed + Copy + Send + Sync + PartialEq + std::fmt::Debug + 'static {
    /// Widening conversion to `f64` (exact).
    fn to_f64(self) -> f64;
    /// Conversion from `f64` (rounds to nearest for `f32`).
    fn from_f64(v: f64) -> Self;
    /// The type's machine epsilon, as `f64`: below 10× this a feature's range counts as zero
    /// (scikit-learn's threshold is in the input's dtype, not in the arithmetic's).
    const EPSILON: f64;
}

impl Feature for f32 {
    const EPSILON: f64 = f32::EPSILON as f64;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

impl Feature for f64 {
    const EPSILON: f64 = f64::EPSILON;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
}

/// Whether every value is finite: `v · 0` is 0 for finite `v` and NaN otherwise; eight
/// independent lanes, no early exit, so it runs at memory speed.
fn all_finite<T: Feature>(s: &[T]) -> bool {
    let mut acc = [0.0f64; 8];
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        for l in 0..8 {
            acc[l] += c[l].to_f64() * 0.0;
        }
    }
    let tail: f64 = chunks.remainder().iter().map(|v| v.to_f64() * 0.0).sum();
    acc.iter().all(|&v| v == 0.0) && tail == 0.0
}

/// Non-empty and finite.
pub(crate) fn check_features<T: Feature>(what: &'static str, x: &ArrayView2<'_, T>) -> Result<()> {
    let (rows, cols) = x.dim();
    if rows == 0 || cols == 0 {
        return Err(ProbeError::Empty { what, rows, cols });
    }
    if x.as_slice().is_some_and(all_finite) {
        return Ok(());
    }
    // slow path: find the first offending value (or check a non-contiguous view)
    for (row, r) in x.outer_iter().enumerate() {
        for (col, v) in r.iter().enumerate() {
            let v = v.to_f64();
            if !v.is_finite() {
                return Err(ProbeError::NonFinite { what, row, col, value: v });
            }
        }
    }
    Ok(())
}

/// Same number of rows, no negative label.
pub(crate) fn check_labels(what: &'static str, feature_rows: usize, y: &ArrayView1<'_, i64>) -> Result<()> {
    if y.len() != feature_rows {
        return Err(ProbeError::RowMismatch { what, feature_rows, label_rows: y.len() });
    }
    if let Some((row, &label)) = y.iter().enumerate().find(|(_, &l)| l < 0) {
        return Err(ProbeError::NegativeLabel { what, row, label });
    }
    Ok(())
}

pub(crate) fn check_n_features(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected != found {
        return Err(ProbeError::FeatureMismatch { what, expected, found });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_finite_sees_every_position() {
        for n in [1usize, 7, 8, 9, 17, 64] {
            let v = vec![1.5f64; n];
            assert!(all_finite(&v));
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                for pos in 0..n {
                    let mut w = v.clone();
                    w[pos] = bad;
                    assert!(!all_finite(&w), "n {n} pos {pos} {bad}");
                    let w32: Vec<f32> = w.iter().map(|&x| x as f32).collect();
                    assert!(!all_finite(&w32));
                }
            }
        }
        assert!(all_finite(&[f64::MAX, -f64::MAX, 0.0, -0.0, f64::MIN_POSITIVE]));
    }
}
