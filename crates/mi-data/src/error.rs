use std::path::PathBuf;

/// Everything that can go wrong reading, fetching or writing data. Every variant names the file,
/// what was expected, what was found, and (where there is one) how to recover.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file exists but its content is not what the format requires.
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    /// A file whose extension or variant this crate does not read.
    #[error("{path}: unsupported file: {message}")]
    Unsupported { path: PathBuf, message: String },
    /// A downloaded or placed file whose checksum or size is wrong.
    #[error("{path}: checksum mismatch: expected {expected}, found {found}. {recover}")]
    Checksum { path: PathBuf, expected: String, found: String, recover: String },
    /// No source could provide a dataset.
    #[error("{0}")]
    Unavailable(String),
}

impl DataError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
    pub(crate) fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::Format { path: path.into(), message: message.into() }
    }
}

pub type Result<T, E = DataError> = std::result::Result<T, E>;
