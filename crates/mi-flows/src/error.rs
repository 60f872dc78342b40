//! The error type of mi-flows.

/// What can go wrong when building, running or training a flow.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// A configuration that cannot describe a flow (zero dimensions, odd splits, ...).
    #[error("invalid flow configuration: {0}")]
    Config(String),
    /// An input of the wrong shape for this flow.
    #[error("flow expects input of shape [batch, {expected}], got {got:?}")]
    Shape { expected: i64, got: Vec<i64> },
    /// Training diverged (a non-finite loss).
    #[error("training diverged at step {step}: loss {loss}")]
    Diverged { step: usize, loss: f64 },
    /// An error reported by libtorch.
    #[error("libtorch error: {0}")]
    Tch(#[from] tch::TchError),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, FlowError>;
