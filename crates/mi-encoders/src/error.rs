//! The error type of mi-encoders.

/// What can go wrong when building or applying an encoder.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    /// A configuration that cannot describe an encoder.
    #[error("invalid encoder configuration: {0}")]
    Config(String),
    /// An input batch of the wrong shape.
    #[error("encoder expects input of shape {expected}, got {got:?}")]
    Shape { expected: String, got: Vec<i64> },
    /// An error from the flow layers of a RealNVP encoder.
    #[error(transparent)]
    Flow(#[from] mi_flows::FlowError),
    /// An error reported by libtorch.
    #[error("libtorch error: {0}")]
    Tch(#[from] tch::TchError),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, EncoderError>;
