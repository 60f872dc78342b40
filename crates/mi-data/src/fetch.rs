//! Downloading with `curl` as a child process (no TLS code in this workspace), and where datasets
//! live.
use crate::error::{DataError, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The environment variable that overrides where datasets live.
pub const DATA_DIR_ENV: &str = "INFOMAX_DATA_DIR";

/// The repository's `datasets/` folder (known at compile time).
pub fn repo_datasets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..").join("datasets")
}

/// Where datasets live: `explicit` (e.g. `--data-dir`) if given, else `$INFOMAX_DATA_DIR` if set
/// and non-empty, else the repository's `datasets/` folder. Each dataset has its own sub-folder
/// (`mnist/`, `cifar10/`).
pub fn data_root(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    match std::env::var_os(DATA_DIR_ENV) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => repo_datasets_dir(),
    }
}

/// Progress messages go to a callback, so that the caller decides whether and where to print.
pub type Progress<'a> = &'a mut dyn FnMut(&str);

/// Network settings of a download.
#[derive(Debug, Clone)]
pub struct Curl {
    /// How long to wait for a connection (a machine without internet fails in this time or faster).
    pub connect_timeout: Duration,
    /// The longest a whole download may take.
    pub max_time: Duration,
}

impl Default for Curl {
    fn default() -> Self {
        Self { connect_timeout: Duration::from_secs(10), max_time: Duration::from_secs(1200) }
    }
}

impl Curl {
    /// Downloads `url` to `dest` (overwritten). Err carries a one-line reason (curl's message).
    pub fn download(&self, url: &str, dest: &Path) -> std::result::Result<(), String> {
        let out = Command::new("curl")
            .args(["--fail", "--silent", "--show-error", "--location", "--proto", "=https", "--retry", "1"])
            .arg("--connect-timeout")
            .arg(self.connect_timeout.as_secs().max(1).to_string())
            .arg("--max-time")
            .arg(self.max_time.as_secs().max(1).to_string())
            .arg("--output")
            .arg(dest)
            .arg(url)
            .output();
        match out {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err("`curl` is not installed".into()),
            Err(e) => Err(format!("could not run curl: {e}")),
            Ok(o) if o.status.success() => Ok(()),
            Ok(o) => {
                let _ = std::fs::remove_file(dest);
                let err = String::from_utf8_lossy(&o.stderr);
                let msg = err.lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("").to_string();
                Err(if msg.is_empty() { format!("curl exited with {}", o.status) } else { msg })
            }
        }
    }
}

pub(crate) fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| DataError::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_data_dir_wins() {
        assert_eq!(data_root(Some(Path::new("/x/y"))), PathBuf::from("/x/y"));
        assert!(repo_datasets_dir().join("README.md").exists());
    }

    #[test]
    fn unreachable_url_fails_fast_with_a_reason() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("f");
        let curl = Curl { connect_timeout: Duration::from_secs(2), max_time: Duration::from_secs(5) };
        // port 9 (discard) on localhost: refused at once
        let err = curl.download("https://127.0.0.1:9/nothing", &dest).unwrap_err();
        assert!(!err.is_empty());
        assert!(!dest.exists());
        let err = curl.download("http://127.0.0.1:9/nothing", &dest).unwrap_err();
        assert!(!err.is_empty(), "plain http must be refused");
    }
}
