//! [`Grid`]: the one [`Experiment`] every InfoMax grid (A1a, A2, A3, A4) is. A grid is a list of
//! configurations × runs of [`run_pair`]; what differs between the paper's grids — their
//! configurations and profiles, an extra measurement, a part without units, the claims — is
//! their [`PairGrid`] definition.
use super::report::{grid_sections, GridReport};
use super::*;
use mi_train::options::Override;
use mi_train::{Context, Experiment, ExperimentError, Figure, Profile, Report, Result, RunKey, RunOptions, UnitPlan};
use serde::{Deserialize, Serialize};

/// What defines one of the paper's InfoMax grids.
pub trait PairGrid {
    /// What the grid records besides its runs (A1: the adversarial encoder).
    type Extra;
    /// The folder and record name (`a4`, `a3-cifar10`).
    fn id(&self) -> String;
    fn title(&self) -> String;
    fn dataset(&self) -> Dataset {
        Dataset::Mnist
    }
    /// The configurations of `profile`, some possibly with their own schedule.
    fn configs(&self, profile: Profile) -> Vec<PairConfig>;
    /// The loop settings and number of runs of `profile`.
    fn loop_settings(&self, profile: Profile) -> (LoopSettings, usize);
    /// Training and test images used: all of them, except in the smoke profile.
    fn sizes(&self, profile: Profile) -> (usize, usize) {
        match profile {
            Profile::Smoke => (6_000, 1_000),
            _ => (60_000, 10_000),
        }
    }
    /// More top-level entries of `config.json`.
    fn config_extras(&self, _profile: Profile) -> Vec<(&'static str, serde_json::Value)> {
        vec![]
    }
    /// The part without units, after the pixel baseline (it must train nothing with `--report-only`).
    fn prepare_extra(&self, data: &PairViews, s: &GridSettings, ctx: &Context) -> Result<Self::Extra>;
    /// A measurement added to every evaluation (A2's conditioning).
    fn extra_eval(&self, _models: &Models, _data: &PairViews, _seed: u64) -> Result<Option<[f64; 6]>> {
        Ok(None)
    }
    /// Claims, charts and sections of the report.
    fn report(&self, summary: &Summary, extra: &Self::Extra) -> GridReport;
    /// A section computed at every rewrite (A3: its CIFAR-10 part).
    fn extra_section(&self, _extra: &Self::Extra, _ctx: &Context) -> Option<(String, String)> {
        None
    }
    /// Work after the grid's last run (A3: its CIFAR-10 grid).
    fn after_grid(&self, _extra: &Self::Extra, _ctx: &Context) -> Result<()> {
        Ok(())
    }
}

/// A grid's resolved settings (recorded as `settings` in `config.json`, and read back from there
/// by `--report-only`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GridSettings {
    pub profile: Profile,
    #[serde(rename = "loop")]
    pub loop_settings: LoopSettings,
    pub runs: usize,
    pub seed: u64,
    pub configs: Vec<PairConfig>,
    pub n_train: usize,
    pub n_test: usize,
    /// Only for grids on other images than MNIST (MNIST folders keep the settings they always had).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dataset: Option<Dataset>,
}

impl GridSettings {
    /// " (except <name>: <steps> steps, evaluation every <k>; …)" for the configurations with
    /// their own schedule, "" when there are none.
    pub fn own_schedules(&self) -> String {
        let own: Vec<String> = self
            .configs
            .iter()
            .filter_map(|c| c.schedule.map(|sc| format!("{}: {} steps, evaluation every {}", c.name, sc.steps, sc.eval_every)))
            .collect();
        if own.is_empty() {
            String::new()
        } else {
            format!(" (except {})", own.join("; "))
        }
    }
}

/// What every run of a grid needs: the views, the pixel baseline, the grid's extra part.
pub struct Prepared<X> {
    pub data: PairViews,
    pub baseline: ProbeScores,
    pub extra: X,
}

/// The [`Experiment`] of a [`PairGrid`].
pub struct Grid<G>(pub G);

impl<G: PairGrid> Experiment for Grid<G> {
    type Settings = GridSettings;
    type Prepared = Prepared<G::Extra>;
    type Record = EvalRecord;
    type Summary = Summary;

    fn id(&self) -> String {
        self.0.id()
    }

    fn accepts(&self) -> &'static [Override] {
        &[Override::Runs, Override::Steps, Override::LearningRate]
    }

    fn settings(&self, profile: Profile, opts: &RunOptions) -> Result<GridSettings> {
        let (mut loop_settings, mut runs) = self.0.loop_settings(profile);
        let mut configs = self.0.configs(profile);
        if let Some(s) = opts.steps {
            loop_settings.steps = s;
            loop_settings.eval_every = loop_settings.eval_every.min(s.max(2) - 1).max(1);
            // --steps sets one length for every configuration
            configs.iter_mut().for_each(|c| c.schedule = None);
        }
        if let Some(r) = opts.runs {
            runs = r;
        }
        if let Some(lr) = opts.learning_rate {
            loop_settings.learning_rate = lr;
        }
        let (n_train, n_test) = self.0.sizes(profile);
        let dataset = (self.0.dataset() != Dataset::Mnist).then_some(self.0.dataset());
        Ok(GridSettings { profile, loop_settings, runs, seed: opts.seed, configs, n_train, n_test, dataset })
    }

    fn settings_json(&self, s: &GridSettings) -> serde_json::Value {
        serde_json::to_value(s).unwrap_or_default()
    }

    fn recorded_settings(&self, recorded: &serde_json::Value) -> Option<Result<GridSettings>> {
        Some(
            serde_json::from_value(recorded.clone())
                .map_err(|e| ExperimentError::Invalid(format!("the recorded settings of this {} folder cannot be read ({e})", self.0.id()))),
        )
    }

    fn config_extras(&self, s: &GridSettings, opts: &RunOptions) -> Vec<(&'static str, serde_json::Value)> {
        let mut v = self.0.config_extras(s.profile);
        v.push(("data_dir", serde_json::json!(data_dir(self.0.dataset(), opts))));
        v
    }

    fn unit_plan(&self, s: &GridSettings, unit: &RunKey) -> UnitPlan {
        let Some(cfg) = s.configs.iter().find(|c| c.name == unit.config) else { return UnitPlan::default() };
        let (steps, eval_every) = cfg.schedule.map_or((s.loop_settings.steps, s.loop_settings.eval_every), |o| (o.steps, o.eval_every));
        let evaluations = steps.saturating_sub(1) / eval_every.max(1) + 1;
        let (steps_per_s, eval_s) = cfg.encoder.rough_cpu_speed();
        UnitPlan {
            seed: Some(run_seed(s.seed, &cfg.name, unit.run)),
            steps: Some(steps as u64),
            cost_core_seconds: Some(steps as f64 / steps_per_s + evaluations as f64 * eval_s),
        }
    }

    fn units(&self, s: &GridSettings) -> Vec<RunKey> {
        // run index outermost, so an interrupted grid still has every configuration
        (0..s.runs).flat_map(|run| s.configs.iter().map(move |c| RunKey { config: c.name.clone(), run })).collect()
    }

    fn start_line(&self, s: &GridSettings) -> String {
        format!("{} configurations × {} runs × {} steps{}", s.configs.len(), s.runs, s.loop_settings.steps, s.own_schedules())
    }

    fn prepare(&self, s: &GridSettings, ctx: &Context) -> Result<Prepared<G::Extra>> {
        let dataset = self.0.dataset();
        let data = load_views(dataset, &data_dir(dataset, &ctx.opts), s.n_train, s.n_test, ctx.device, &|m| ctx.say(m))?;
        let baseline = pixel_baseline(&data, &s.loop_settings, s.seed)?;
        ctx.say(&format!("{}: pixel baseline: test accuracy {:.4}", ctx.id, baseline.test_accuracy));
        let extra = self.0.prepare_extra(&data, s, ctx)?;
        Ok(Prepared { data, baseline, extra })
    }

    fn run_unit(&self, s: &GridSettings, prep: &Prepared<G::Extra>, unit: &RunKey, ctx: &Context) -> Result<Vec<EvalRecord>> {
        let cfg = s
            .configs
            .iter()
            .find(|c| c.name == unit.config)
            .ok_or_else(|| ExperimentError::Invalid(format!("{}: no configuration {}", ctx.id, unit.config)))?;
        let spec = RunSpec { experiment: &ctx.id, cfg, settings: &s.loop_settings, data: &prep.data, run: unit.run, base_seed: s.seed, quiet: ctx.opts.quiet };
        run_pair(&spec, &|m, d, seed| self.0.extra_eval(m, d, seed))
    }

    fn after_units(&self, _s: &GridSettings, prep: &Prepared<G::Extra>, ctx: &Context) -> Result<()> {
        self.0.after_grid(&prep.extra, ctx)
    }

    fn summarize(&self, s: &GridSettings, prep: &Prepared<G::Extra>, records: &[EvalRecord], ctx: &Context) -> Result<Summary> {
        Ok(summarize(&ctx.id, s.profile, &s.configs, &prep.baseline, records))
    }

    fn report(&self, s: &GridSettings, prep: &Prepared<G::Extra>, summary: &Summary, records: &[EvalRecord], ctx: &Context) -> Result<Report> {
        let r = self.0.report(summary, &prep.extra);
        let own_lr = self.0.loop_settings(s.profile).0.learning_rate;
        let sections = grid_sections(r.sections, self.0.extra_section(&prep.extra, ctx), s, own_lr, records);
        Ok(Report {
            title: self.0.title(),
            intro: super::report::intro(s, &prep.data, ctx),
            claims: r.claims,
            sections,
            figures: r.charts.iter().map(|(name, chart)| Figure::chart(name.clone(), chart)).collect(),
        })
    }
}

/// Where the grid's images are.
fn data_dir(dataset: Dataset, opts: &RunOptions) -> std::path::PathBuf {
    match dataset {
        Dataset::Mnist => mi_data::data_root(opts.data_dir.as_deref()).join("mnist"),
        Dataset::Cifar10 => mi_data::cifar10::default_dir(opts.data_dir.as_deref()),
    }
}
