//! The results folder of an experiment, written so that an interruption never corrupts it.
//!
//! Layout (see `results/README.md`): `config.json` (resolved settings, seeds, profile, device, git
//! revision, versions), `runs.jsonl` (one record per configuration, run and evaluation step),
//! `summary.json`, plots and `REPORT.md`. Every file is replaced atomically (temp file + rename).
//!
//! Resuming: the records of a run are written only when the run has finished, in a file of its own
//! (`units/`, see [`crate::units`]) merged into `runs.jsonl`, so after Ctrl-C or a kill the folder
//! holds whole runs only, and [`ResultsDir::finished_runs`] says which (configuration, run) pairs
//! need not run again. A folder made with different settings is refused rather than mixed.
use mi_data::atomic::write_atomic;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Errors of the results folder.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error(transparent)]
    Data(#[from] mi_data::DataError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: line {line}: not a valid record ({message}); move the file away to start over")]
    Corrupt { path: PathBuf, line: usize, message: String },
    #[error("{path} holds results made with different settings ({what}); pass --out <another folder>, or delete {dir} to start over")]
    SettingsChanged { path: PathBuf, dir: PathBuf, what: String },
    #[error("could not serialise {what}: {source}")]
    Json { what: String, source: serde_json::Error },
    #[error("{dir} holds no recorded results (no config.json): run the same command without --report-only first")]
    Missing { dir: PathBuf },
}

pub type Result<T, E = ResultsError> = std::result::Result<T, E>;

/// Identifies one run of one configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RunKey {
    pub config: String,
    pub run: usize,
}

/// A results folder.
#[derive(Debug, Clone)]
pub struct ResultsDir {
    dir: PathBuf,
}

impl ResultsDir {
    pub const CONFIG: &'static str = "config.json";
    pub const RUNS: &'static str = "runs.jsonl";
    pub const SUMMARY: &'static str = "summary.json";

    /// Opens (creating if needed) a results folder. `settings` is the part of the configuration
    /// that must match for earlier runs to count (profile, steps, batch size, ...): if
    /// `config.json` exists with a different `"settings"` object, this is an error.
    /// `config` is the full configuration written to `config.json`; it must contain `settings`.
    pub fn open(dir: &Path, config: &serde_json::Value) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| ResultsError::Io { path: dir.into(), source })?;
        let me = Self { dir: dir.to_path_buf() };
        if me.path(Self::CONFIG).exists() {
            me.same_settings(config)?;
        }
        me.write_json(Self::CONFIG, config)?;
        Ok(me)
    }

    /// Opens a folder that already holds results made with `config`'s settings, without
    /// rewriting its `config.json` (whose provenance — device, revision, command — stays that of
    /// the runs); returns that recorded config. For regenerating summary and report only.
    pub fn open_recorded(dir: &Path, config: &serde_json::Value) -> Result<(Self, serde_json::Value)> {
        let me = Self { dir: dir.to_path_buf() };
        if !me.path(Self::CONFIG).exists() {
            return Err(ResultsError::Missing { dir: dir.into() });
        }
        let old = me.same_settings(config)?;
        Ok((me, old))
    }

    /// The recorded config, if its settings are those of `config`.
    fn same_settings(&self, config: &serde_json::Value) -> Result<serde_json::Value> {
        let path = self.path(Self::CONFIG);
        let text = std::fs::read_to_string(&path).map_err(|source| ResultsError::Io { path: path.clone(), source })?;
        let old: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| ResultsError::Corrupt { path: path.clone(), line: e.line(), message: e.to_string() })?;
        if old.get("settings") != config.get("settings") {
            let what = format!(
                "was {}, now {}",
                old.get("settings").map(|v| v.to_string()).unwrap_or_default(),
                config.get("settings").map(|v| v.to_string()).unwrap_or_default()
            );
            return Err(ResultsError::SettingsChanged { path, dir: self.dir.clone(), what });
        }
        Ok(old)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes pretty JSON atomically.
    pub fn write_json<T: Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<()> {
        let mut text = serde_json::to_string_pretty(value)
            .map_err(|source| ResultsError::Json { what: name.into(), source })?;
        text.push('\n');
        Ok(write_atomic(&self.path(name), text.as_bytes())?)
    }

    /// Writes text (a report, an SVG) atomically.
    pub fn write_text(&self, name: &str, text: &str) -> Result<()> {
        Ok(write_atomic(&self.path(name), text.as_bytes())?)
    }

    /// Writes bytes (a PNG) atomically.
    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> Result<()> {
        Ok(write_atomic(&self.path(name), bytes)?)
    }

    /// All records of `runs.jsonl` (empty when there is none yet).
    pub fn records<T: DeserializeOwned>(&self) -> Result<Vec<T>> {
        let path = self.path(Self::RUNS);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(source) => return Err(ResultsError::Io { path, source }),
        };
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| ResultsError::Corrupt { path: path.clone(), line: i + 1, message: e.to_string() })
            })
            .collect()
    }
}

/// What `config.json` records about where and with what a result was made.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub git_revision: Option<String>,
    pub infomax_version: &'static str,
    pub tch_version: &'static str,
    pub libtorch_lib: &'static str,
    pub device: String,
    pub cpu_threads: usize,
    pub command: Vec<String>,
}

impl Provenance {
    pub fn collect(device: &str) -> Self {
        let git_revision = std::process::Command::new("git")
            .args(["rev-parse", "--short=12", "HEAD"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        // uncommitted changes to the code, not to results/ (rerunning a committed experiment
        // replaces its results folder while it runs)
        let dirty = std::process::Command::new("git")
            .args(["status", "--porcelain", "--untracked-files=no", "--", ":(top)", ":(top,exclude)results"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| !o.stdout.is_empty())
            .unwrap_or(false);
        Self {
            git_revision: git_revision.map(|r| if dirty { format!("{r}-dirty") } else { r }),
            infomax_version: env!("CARGO_PKG_VERSION"),
            tch_version: "0.24.0",
            libtorch_lib: mi_torch::libtorch_lib_dir(),
            device: device.to_string(),
            cpu_threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            command: std::env::args().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Rec {
        config: String,
        run: usize,
        step: usize,
        test_accuracy: f64,
    }

    fn rec(config: &str, run: usize, step: usize) -> Rec {
        Rec { config: config.into(), run, step, test_accuracy: 0.5 }
    }

    #[test]
    fn runs_accumulate_and_resume() {
        let d = tempfile::tempdir().unwrap();
        let cfg = json!({"settings": {"steps": 10}, "seed": 0});
        let r = ResultsDir::open(d.path(), &cfg).unwrap();
        assert!(r.finished_runs().unwrap().is_empty());
        let unit = |index, config: &str, run| crate::units::UnitHeader {
            index,
            config: config.into(),
            run,
            provenance: crate::units::UnitProvenance::collect("Cpu", 0.0),
        };
        r.write_unit(&unit(0, "mlp", 0), &[rec("mlp", 0, 0), rec("mlp", 0, 5)]).unwrap();
        r.write_unit(&unit(1, "conv", 1), &[rec("conv", 1, 0)]).unwrap();
        r.merge_runs(&[RunKey { config: "mlp".into(), run: 0 }, RunKey { config: "conv".into(), run: 1 }]).unwrap();
        // reopening with the same settings keeps the runs
        let r = ResultsDir::open(d.path(), &cfg).unwrap();
        let done = r.finished_runs().unwrap();
        assert_eq!(done.len(), 2);
        assert!(done.contains(&RunKey { config: "mlp".into(), run: 0 }));
        let all: Vec<Rec> = r.records().unwrap();
        assert_eq!(all, vec![rec("mlp", 0, 0), rec("mlp", 0, 5), rec("conv", 1, 0)]);
    }

    #[test]
    fn different_settings_are_refused_not_mixed() {
        let d = tempfile::tempdir().unwrap();
        ResultsDir::open(d.path(), &json!({"settings": {"steps": 10}})).unwrap();
        let err = ResultsDir::open(d.path(), &json!({"settings": {"steps": 20}})).unwrap_err();
        assert!(err.to_string().contains("--out"), "{err}");
    }

    #[test]
    fn corrupt_runs_file_is_a_clear_error() {
        let d = tempfile::tempdir().unwrap();
        let r = ResultsDir::open(d.path(), &json!({"settings": {}})).unwrap();
        std::fs::write(r.path(ResultsDir::RUNS), "{\"config\":\"a\",\"run\":0}\n{broken\n").unwrap();
        let err = r.finished_runs().unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
