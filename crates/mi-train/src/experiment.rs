//! The shape every experiment has: settings per profile, run units, one run, a summary and a
//! report. [`crate::driver::run`] does the rest once for all of them.
use crate::error::Result;
use crate::options::{Override, RunOptions};
use crate::profile::Profile;
use crate::results::{ResultsDir, RunKey};
use mi_report::chart::Chart;
use mi_report::claims::Claim;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tch::Device;

/// What the driver resolved before the experiment runs: profile, device, folder, options.
pub struct Context {
    /// The experiment's id (`a4`, `a3-cifar10`): its folder's `experiment` and its records'.
    pub id: String,
    pub profile: Profile,
    /// Why this profile (the user's choice, or the default for the device), for the report.
    pub profile_reason: String,
    pub device: Device,
    /// The device the report names: this machine's, or with `--report-only` the recorded one.
    pub device_label: String,
    pub dir: ResultsDir,
    pub opts: RunOptions,
}

impl Context {
    /// Says `m` on stderr unless quiet.
    pub fn say(&self, m: &str) {
        self.opts.say(m);
    }
}

/// One picture of a report: written as `<name>.svg` and rasterised to `<name>.png`.
pub struct Figure {
    pub name: String,
    pub svg: String,
    pub png_scale: f32,
    /// Listed under the report's "Plots" (a picture the text embeds itself is not).
    pub listed: bool,
}

impl Figure {
    /// A line chart at the reports' usual PNG scale.
    pub fn chart(name: impl Into<String>, chart: &Chart) -> Self {
        Self { name: name.into(), svg: chart.to_svg(), png_scale: 1.5, listed: true }
    }
}

/// A generated report: rendered by the driver into `REPORT.md`, its figures written beside it.
pub struct Report {
    pub title: String,
    pub intro: String,
    pub claims: Vec<Claim>,
    pub sections: Vec<(String, String)>,
    pub figures: Vec<Figure>,
}

/// What one run unit will cost, for `--list-runs` and a cluster's plan. Every field is optional:
/// an experiment says what it knows.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct UnitPlan {
    /// The seed the unit's training starts from.
    pub seed: Option<u64>,
    /// Its optimisation steps.
    pub steps: Option<u64>,
    /// A rough wall time on one CPU core, in seconds, from step rates measured on the 2-core
    /// development machine (`docs/profiles.md`): good to a factor of about two, for planning.
    pub cost_core_seconds: Option<f64>,
}

/// One experiment. Implementations live in `mi-experiments`, one module each; none imports
/// another's.
pub trait Experiment {
    /// Resolved settings: the profile's, with the user's overrides applied.
    type Settings: Serialize;
    /// What every unit needs and is made once: data, baselines, studies without training.
    type Prepared;
    /// One line of `runs.jsonl`; it has the `config` and `run` fields of [`RunKey`].
    type Record: Serialize + DeserializeOwned;
    type Summary: Serialize;

    /// The experiment's id: its folder name under `runs/` and `results/`.
    fn id(&self) -> String;
    /// The overrides that apply (the driver refuses the others).
    fn accepts(&self) -> &'static [Override];
    /// The device when the user asked for `auto` (tiny models: the CPU).
    fn prefers_cpu(&self) -> bool {
        false
    }
    /// The settings of `profile` with `opts`' overrides applied and checked.
    fn settings(&self, profile: Profile, opts: &RunOptions) -> Result<Self::Settings>;
    /// The `settings` object of `config.json`: what must match for recorded runs to count.
    fn settings_json(&self, s: &Self::Settings) -> serde_json::Value;
    /// The settings a results folder recorded (the `settings` of its `config.json`), read back so
    /// that `--report-only` can report a folder made when the profile's defaults were different.
    /// `None`: this experiment cannot read them back, and its current settings must match.
    fn recorded_settings(&self, _recorded: &serde_json::Value) -> Option<Result<Self::Settings>> {
        None
    }
    /// More top-level entries of `config.json` (data folders, settings of a part without units).
    fn config_extras(&self, _s: &Self::Settings, _opts: &RunOptions) -> Vec<(&'static str, serde_json::Value)> {
        vec![]
    }
    /// The run units, in the order they run.
    fn units(&self, s: &Self::Settings) -> Vec<RunKey>;
    /// What a unit will cost (`--list-runs`); by default nothing is known.
    fn unit_plan(&self, _s: &Self::Settings, _unit: &RunKey) -> UnitPlan {
        UnitPlan::default()
    }
    /// The line printed before anything runs (sizes, what is long).
    fn start_line(&self, s: &Self::Settings) -> String;
    /// Loads data and does the work that has no units; with `--report-only` it must train nothing.
    fn prepare(&self, s: &Self::Settings, ctx: &Context) -> Result<Self::Prepared>;
    /// Runs one unit and returns its records.
    fn run_unit(&self, s: &Self::Settings, prep: &Self::Prepared, unit: &RunKey, ctx: &Context) -> Result<Vec<Self::Record>>;
    /// Work after the last unit and before the final report (a second grid, say).
    fn after_units(&self, _s: &Self::Settings, _prep: &Self::Prepared, _ctx: &Context) -> Result<()> {
        Ok(())
    }
    fn summarize(&self, s: &Self::Settings, prep: &Self::Prepared, records: &[Self::Record], ctx: &Context) -> Result<Self::Summary>;
    fn report(&self, s: &Self::Settings, prep: &Self::Prepared, summary: &Self::Summary, records: &[Self::Record], ctx: &Context) -> Result<Report>;
    /// Whether figures are drawn after every unit (`false`: at the end only, when they are slow).
    fn figures_after_every_unit(&self) -> bool {
        true
    }
}
