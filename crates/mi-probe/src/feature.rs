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
}

impl Feature for f32 {
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
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
}

/// Non-empty and finite.
pub(crate) fn check_features<T: Feature>(what: &'static str, x: &ArrayView2<'_, T>) -> Result<()> {
    let (rows, cols) = x.dim();
    if rows == 0 || cols == 0 {
        return Err(ProbeError::Empty { what, rows, cols });
    }
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
