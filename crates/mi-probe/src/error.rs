//! The one error type of this crate.

/// Everything that can go wrong in a probe. Bad input is always reported as an error, never a panic.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProbeError {
    /// A configuration value is out of range (checked once, when the configuration is built).
    #[error("invalid {name} = {value}: {reason}")]
    InvalidConfig { name: &'static str, value: String, reason: &'static str },
    /// A feature matrix has no rows or no columns.
    #[error("{what} is empty (shape {rows}×{cols}); expected at least one row and one column")]
    Empty { what: &'static str, rows: usize, cols: usize },
    /// Features and labels have different numbers of rows.
    #[error("{what}: the features have {feature_rows} rows but there are {label_rows} labels")]
    RowMismatch { what: &'static str, feature_rows: usize, label_rows: usize },
    /// A feature is NaN or infinite.
    #[error("{what}: value {value} at row {row}, column {col}; expected finite numbers")]
    NonFinite { what: &'static str, row: usize, col: usize, value: f64 },
    /// A label is negative.
    #[error("{what}: label {label} at row {row} is negative; expected class labels 0, 1, 2, …")]
    NegativeLabel { what: &'static str, row: usize, label: i64 },
    /// The training labels hold fewer than two classes.
    #[error("the training labels hold {found} class(es); a classifier needs at least 2")]
    TooFewClasses { found: usize },
    /// The matrix to predict on (or transform) has a different number of features than the fit.
    #[error("{what} has {found} features but the probe was fitted on {expected}")]
    FeatureMismatch { what: &'static str, expected: usize, found: usize },
    /// The k-NN probe was asked for more neighbours than there are training rows.
    #[error("k = {k} neighbours requested but there are only {n_train} training rows")]
    TooFewNeighbours { k: usize, n_train: usize },
    /// Two label vectors to compare have different lengths.
    #[error("y_true has {true_len} labels but y_pred has {pred_len}")]
    LengthMismatch { true_len: usize, pred_len: usize },
    /// The solver's iterates overflowed (as scikit-learn reports it: scale the features).
    #[error("floating-point overflow in the solver at epoch {epoch}; scale the features (min-max or standard)")]
    Diverged { epoch: usize },
    /// A squared row norm overflows `f64`, so no step size exists.
    #[error("the largest squared row norm of the training features is {max_squared_sum}; scale the features (min-max or standard)")]
    FeaturesTooLarge { max_squared_sum: f64 },
    /// The problem is too large for the solver's index types.
    #[error("{what} = {value} is too large (at most {max})")]
    TooLarge { what: &'static str, value: usize, max: usize },
}

/// `Result` with [`ProbeError`].
pub type Result<T, E = ProbeError> = std::result::Result<T, E>;
