//! The one error type of every experiment and of the driver.
use std::path::PathBuf;

/// Errors of an experiment: a library's error, bad input (`Invalid`, exit status 2 at the CLI) or a
/// run that diverged.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    // the two 120-byte errors are boxed, so every `Result` of the experiments stays small
    #[error(transparent)]
    Data(Box<mi_data::DataError>),
    #[error(transparent)]
    Views(#[from] mi_views::ViewError),
    #[error(transparent)]
    Encoder(#[from] mi_encoders::EncoderError),
    #[error(transparent)]
    Critic(#[from] mi_critics::CriticError),
    #[error(transparent)]
    Estimator(#[from] mi_estimators::EstimatorError),
    #[error(transparent)]
    Probe(#[from] mi_probe::ProbeError),
    #[error(transparent)]
    Torch(#[from] mi_torch::TorchError),
    #[error(transparent)]
    Tch(#[from] tch::TchError),
    #[error(transparent)]
    Results(Box<crate::results::ResultsError>),
    #[error("{0}")]
    Invalid(String),
    #[error("training diverged in {config} run {run} at step {step}: the loss is {loss}")]
    Diverged { config: String, run: usize, step: usize, loss: f64 },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    /// An error of a library the engine does not know (an experiment's own, such as mi-flows').
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl ExperimentError {
    /// Whether the user can fix this by changing the command line or the files given (exit 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            Self::Invalid(_) | Self::Torch(_) => true,
            Self::Results(e) => matches!(**e, crate::results::ResultsError::SettingsChanged { .. }),
            _ => false,
        }
    }
}

impl From<mi_data::DataError> for ExperimentError {
    fn from(e: mi_data::DataError) -> Self {
        Self::Data(Box::new(e))
    }
}

impl From<crate::results::ResultsError> for ExperimentError {
    fn from(e: crate::results::ResultsError) -> Self {
        Self::Results(Box::new(e))
    }
}

pub type Result<T, E = ExperimentError> = std::result::Result<T, E>;

