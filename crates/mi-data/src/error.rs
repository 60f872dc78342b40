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
    /// A dataset file whose size, header or counts are wrong (truncated, wrong magic number, image
    /// and label counts that disagree, ...).
    #[error("{path}: {what}: expected {expected}, found {found}. {recover}")]
    Corrupt { path: PathBuf, what: String, expected: String, found: String, recover: String },
    /// A dataset file that is not there.
    #[error("{path}: missing. {recover}")]
    Missing { path: PathBuf, recover: String },
}

impl DataError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
    /// The message without its recovery advice (for progress lines where the caller recovers).
    pub fn summary(&self) -> String {
        match self {
            Self::Checksum { path, expected, found, .. } => {
                format!("{}: checksum mismatch: expected {expected}, found {found}", path.display())
            }
            Self::Corrupt { path, what, expected, found, .. } => {
                format!("{}: {what}: expected {expected}, found {found}", path.display())
            }
            Self::Missing { path, .. } => format!("{}: missing", path.display()),
            other => other.to_string(),
        }
    }
    pub(crate) fn corrupt(
        path: impl Into<PathBuf>,
        what: impl Into<String>,
        expected: impl std::fmt::Display,
        found: impl std::fmt::Display,
        recover: impl Into<String>,
    ) -> Self {
        Self::Corrupt {
            path: path.into(),
            what: what.into(),
            expected: expected.to_string(),
            found: found.to_string(),
            recover: recover.into(),
        }
    }
    pub(crate) fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::Format { path: path.into(), message: message.into() }
    }
}

pub type Result<T, E = DataError> = std::result::Result<T, E>;
