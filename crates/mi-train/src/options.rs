//! What a user chooses on the command line, shared by every experiment.
use crate::error::{ExperimentError, Result};
use crate::profile::Profile;
use mi_torch::DeviceChoice;
use std::path::PathBuf;

/// The options of `infomax reproduce <experiment>`. Each experiment says which overrides apply to
/// it ([`crate::Experiment::accepts`]); the driver refuses the others with a clear message.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub profile: Option<Profile>,
    pub device: DeviceChoice,
    pub runs: Option<usize>,
    pub steps: Option<usize>,
    /// Overrides the profile's Adam learning rate.
    pub learning_rate: Option<f64>,
    pub seed: u64,
    /// The results folder; `None`: a folder of the user's own under `runs/<experiment>/`.
    pub out: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub quiet: bool,
    /// Train nothing: merge the units recorded, rewrite summary, plots and report from them,
    /// keeping their `config.json`, and name the units still missing.
    pub report_only: bool,
    /// Train nothing: print one JSON line per run unit (index, configuration, run, seed, steps,
    /// estimated cost, whether `out` already holds it).
    pub list_runs: bool,
    /// Run exactly this unit (its index in the `list_runs` list) and record it in its own file;
    /// no summary or report (`report_only` merges later).
    pub run_index: Option<usize>,
}

/// The overrides a user can give, for [`crate::Experiment::accepts`] and error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    Runs,
    Steps,
    LearningRate,
}

impl Override {
    pub fn flag(self) -> &'static str {
        match self {
            Self::Runs => "--runs",
            Self::Steps => "--steps",
            Self::LearningRate => "--learning-rate",
        }
    }
}

impl RunOptions {
    /// The overrides given on the command line.
    pub fn given(&self) -> Vec<Override> {
        let mut v = vec![];
        if self.runs.is_some() {
            v.push(Override::Runs);
        }
        if self.steps.is_some() {
            v.push(Override::Steps);
        }
        if self.learning_rate.is_some() {
            v.push(Override::LearningRate);
        }
        v
    }

    /// The values the command line set (every other setting is the profile's default), for
    /// `config.json`: `{"--steps": 100, "--seed": 1}`.
    pub fn command_line_values(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        if let Some(v) = self.runs {
            m.insert("--runs".into(), v.into());
        }
        if let Some(v) = self.steps {
            m.insert("--steps".into(), v.into());
        }
        if let Some(v) = self.learning_rate {
            m.insert("--learning-rate".into(), v.into());
        }
        if self.seed != 0 {
            m.insert("--seed".into(), self.seed.into());
        }
        serde_json::Value::Object(m)
    }

    /// Checks the values of the overrides given (each experiment then applies them).
    pub fn validate(&self) -> Result<()> {
        let modes = [(self.report_only, "--report-only"), (self.list_runs, "--list-runs"), (self.run_index.is_some(), "--run-index")];
        let chosen: Vec<&str> = modes.iter().filter(|m| m.0).map(|m| m.1).collect();
        if chosen.len() > 1 {
            return Err(ExperimentError::Invalid(format!("{} cannot be combined: give one of them", chosen.join(" and "))));
        }
        if self.runs == Some(0) {
            return Err(ExperimentError::Invalid("--runs must be at least 1".into()));
        }
        if self.steps == Some(0) {
            return Err(ExperimentError::Invalid("--steps must be at least 1".into()));
        }
        if let Some(lr) = self.learning_rate {
            if !(lr.is_finite() && lr > 0.0) {
                return Err(ExperimentError::Invalid(format!("--learning-rate must be a positive number (got {lr})")));
            }
        }
        Ok(())
    }

    /// Says `m` on stderr unless quiet.
    pub fn say(&self, m: &str) {
        if !self.quiet {
            eprintln!("{m}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_overrides_are_refused_with_the_flag_named() {
        let bad = [
            RunOptions { runs: Some(0), ..Default::default() },
            RunOptions { steps: Some(0), ..Default::default() },
            RunOptions { learning_rate: Some(-1.0), ..Default::default() },
            RunOptions { learning_rate: Some(f64::NAN), ..Default::default() },
        ];
        for (o, flag) in bad.iter().zip(["--runs", "--steps", "--learning-rate", "--learning-rate"]) {
            assert!(o.validate().unwrap_err().to_string().contains(flag), "{o:?}");
        }
        let both = RunOptions { report_only: true, run_index: Some(0), ..Default::default() };
        assert!(both.validate().unwrap_err().to_string().contains("--report-only and --run-index cannot be combined"));
        let ok = RunOptions { runs: Some(2), steps: Some(5), learning_rate: Some(1e-3), ..Default::default() };
        ok.validate().unwrap();
        assert_eq!(ok.given(), [Override::Runs, Override::Steps, Override::LearningRate]);
    }
}
