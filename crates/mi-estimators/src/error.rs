//! The crate's error type: everything a caller can get wrong is reported here, never a panic.
use thiserror::Error;

/// Errors of `mi-estimators`.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum EstimatorError {
    /// A score matrix must be square (B×B).
    #[error("score matrix must be square, got {rows}×{cols}")]
    NotSquare { rows: usize, cols: usize },
    /// The variational bounds need at least two samples in a batch (B ≥ 2).
    #[error("batch size {batch} is too small: the bounds need B ≥ 2")]
    BatchTooSmall { batch: usize },
    /// An input contained NaN or ±∞.
    #[error("{what} contains NaN or infinite values")]
    NonFinite { what: &'static str },
    /// Two inputs (or an input and a parameter) disagree on a size.
    #[error("shape mismatch for {what}: expected {expected}, found {found}")]
    ShapeMismatch { what: &'static str, expected: String, found: String },
    /// Not enough samples for the requested estimator (e.g. k ≥ n for a k-NN estimator).
    #[error("{n} samples are too few: {reason}")]
    TooFewSamples { n: usize, reason: String },
    /// A parameter is outside its valid range.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter { name: &'static str, value: String, reason: String },
    /// A probability array that is not a probability distribution.
    #[error("invalid probability array: {0}")]
    InvalidPmf(String),
    /// A covariance matrix that is not symmetric positive definite.
    #[error("covariance is not positive definite: {0}")]
    NotPositiveDefinite(String),
    /// A LAPACK routine failed.
    #[error("linear algebra failed: {0}")]
    Linalg(String),
    /// Two samples coincide, so a log-distance is −∞ (Kozachenko–Leonenko entropy).
    #[error("sample {index} has a zero distance to its k-th neighbour (duplicate points); add jitter")]
    ZeroDistance { index: usize },
    /// A bound was evaluated without an input it needs (TUBA and I_α: a per-row log-baseline;
    /// MINE's training objective: its moving average).
    #[error("{bound} needs {input}")]
    MissingInput { bound: String, input: &'static str },
    /// A tensor-side failure (only with the `tch` feature).
    #[error("tensor error: {0}")]
    Tensor(String),
}

/// `Result` with [`EstimatorError`].
pub type Result<T> = std::result::Result<T, EstimatorError>;

impl EstimatorError {
    pub(crate) fn param(name: &'static str, value: impl std::fmt::Display, reason: impl Into<String>) -> Self {
        EstimatorError::InvalidParameter { name, value: value.to_string(), reason: reason.into() }
    }
}
