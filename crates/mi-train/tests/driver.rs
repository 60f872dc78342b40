//! The driver on a tiny experiment of its own (no libtorch work, no data): what it promises every
//! experiment — units run once and resume, the summary and report after each unit, overrides
//! refused where they do not apply, `--report-only` from the recorded config, provenance.
use mi_report::claims::{Claim, Verdict};
use mi_train::{driver, Context, Experiment, Figure, Override, Profile, Report, Result, RunKey, RunOptions};
use serde::{Deserialize, Serialize};
use std::cell::Cell;

/// Squares `1..=n` (n = 3, or `--runs`), one unit per number; counts the units it ran.
struct Squares {
    ran: Cell<usize>,
}

#[derive(Serialize, Deserialize)]
struct Settings {
    n: usize,
    profile: Profile,
}

#[derive(Serialize, Deserialize)]
struct Record {
    config: String,
    run: usize,
    square: u64,
}

#[derive(Serialize)]
struct Summary {
    sum: u64,
    count: usize,
}

impl Experiment for Squares {
    type Settings = Settings;
    type Prepared = ();
    type Record = Record;
    type Summary = Summary;

    fn id(&self) -> String {
        "squares".into()
    }
    fn accepts(&self) -> &'static [Override] {
        &[Override::Runs]
    }
    fn prefers_cpu(&self) -> bool {
        true
    }
    fn settings(&self, profile: Profile, opts: &RunOptions) -> Result<Settings> {
        Ok(Settings { n: opts.runs.unwrap_or(3), profile })
    }
    fn settings_json(&self, s: &Settings) -> serde_json::Value {
        serde_json::to_value(s).unwrap()
    }
    fn recorded_settings(&self, recorded: &serde_json::Value) -> Option<Result<Settings>> {
        Some(serde_json::from_value(recorded.clone()).map_err(|e| mi_train::ExperimentError::Invalid(e.to_string())))
    }
    fn units(&self, s: &Settings) -> Vec<RunKey> {
        (1..=s.n).map(|run| RunKey { config: "square".into(), run }).collect()
    }
    fn start_line(&self, s: &Settings) -> String {
        format!("{} squares", s.n)
    }
    fn prepare(&self, _s: &Settings, _ctx: &Context) -> Result<()> {
        Ok(())
    }
    fn run_unit(&self, _s: &Settings, _p: &(), unit: &RunKey, _ctx: &Context) -> Result<Vec<Record>> {
        self.ran.set(self.ran.get() + 1);
        Ok(vec![Record { config: unit.config.clone(), run: unit.run, square: (unit.run * unit.run) as u64 }])
    }
    fn summarize(&self, _s: &Settings, _p: &(), records: &[Record], _ctx: &Context) -> Result<Summary> {
        Ok(Summary { sum: records.iter().map(|r| r.square).sum(), count: records.len() })
    }
    fn report(&self, _s: &Settings, _p: &(), summary: &Summary, _r: &[Record], ctx: &Context) -> Result<Report> {
        let claim = Claim { claim: "the squares add up".into(), paper: "14".into(), criterion: "the sum is 14".into(), ours: summary.sum.to_string(), verdict: Verdict::from_check(Some(summary.sum == 14)) };
        let mut chart = mi_report::chart::Chart::new("squares", "run", "square");
        let points = (1..=summary.count).map(|k| (k as f64, (k * k) as f64, 0.0)).collect();
        chart.series.push(mi_report::chart::Series { label: "k²".into(), points, dashed: false, color: 0 });
        Ok(Report {
            title: "Squares".into(),
            intro: format!("{} on {}", ctx.profile_reason, ctx.device_label),
            claims: vec![claim],
            sections: vec![],
            figures: vec![Figure::chart("squares", &chart)],
        })
    }
}

fn opts(out: &std::path::Path) -> RunOptions {
    RunOptions { out: Some(out.to_path_buf()), quiet: true, ..Default::default() }
}

fn json(path: std::path::PathBuf) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn units_run_once_resume_and_report_only_keeps_the_recorded_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("squares");
    let exp = Squares { ran: Cell::new(0) };
    let o = RunOptions { profile: Some(Profile::Smoke), ..opts(&out) };
    driver::run(&exp, &o).unwrap();
    assert_eq!(exp.ran.get(), 3);
    assert_eq!(json(out.join("summary.json"))["sum"], 14);
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(report.contains("| the squares add up | 14 | the sum is 14 | 14 | holds |"), "{report}");
    assert!(report.contains("profile 'smoke' as requested on Cpu"), "{report}");
    assert!(out.join("squares.svg").exists() && out.join("squares.png").exists());
    let config = json(out.join("config.json"));
    assert_eq!(config["experiment"], "squares");
    assert_eq!(config["settings"]["n"], 3);
    assert_eq!(config["settings_from_command_line"], serde_json::json!({}));
    assert!(config["provenance"]["git_revision"].is_string());

    // the same command again: nothing left to run, the records unchanged
    let runs = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    driver::run(&exp, &o).unwrap();
    assert_eq!(exp.ran.get(), 3);
    assert_eq!(std::fs::read_to_string(out.join("runs.jsonl")).unwrap(), runs);

    assert_eq!(std::fs::read_dir(out.join("units")).unwrap().count(), 3, "a file per unit");
    // an interrupted run (its last unit lost; here in a folder that predates unit files) resumes
    // with that unit only
    let two: String = runs.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::remove_dir_all(out.join("units")).unwrap();
    std::fs::write(out.join("runs.jsonl"), two).unwrap();
    driver::run(&exp, &o).unwrap();
    assert_eq!(exp.ran.get(), 4);
    assert_eq!(json(out.join("summary.json"))["count"], 3);

    // --report-only trains nothing and describes the runs as recorded, not as this call chose:
    // without --profile this call would say "the default without CUDA"
    let config_bytes = std::fs::read(out.join("config.json")).unwrap();
    std::fs::remove_file(out.join("REPORT.md")).unwrap();
    let ro = RunOptions { profile: Some(Profile::Smoke), report_only: true, ..opts(&out) };
    driver::run(&exp, &ro).unwrap();
    assert_eq!(exp.ran.get(), 4);
    assert!(std::fs::read_to_string(out.join("REPORT.md")).unwrap().contains("profile 'smoke' as requested"));
    assert_eq!(std::fs::read(out.join("config.json")).unwrap(), config_bytes);
}

#[test]
fn overrides_are_recorded_checked_and_refused_where_they_do_not_apply() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("squares");
    let exp = Squares { ran: Cell::new(0) };
    driver::run(&exp, &RunOptions { runs: Some(4), seed: 7, ..opts(&out) }).unwrap();
    assert_eq!(exp.ran.get(), 4);
    let config = json(out.join("config.json"));
    assert_eq!(config["settings_from_command_line"], serde_json::json!({"--runs": 4, "--seed": 7}));
    assert!(config["profile_reason"].as_str().unwrap().contains("default without CUDA"));

    // different settings in the same folder are refused as bad input, not mixed
    let e = driver::run(&exp, &RunOptions { runs: Some(5), ..opts(&out) }).unwrap_err();
    assert!(e.is_bad_input() && e.to_string().contains("different settings"), "{e}");
    // an override the experiment does not take, and a bad value, are refused before anything runs
    let e = driver::run(&exp, &RunOptions { steps: Some(10), ..opts(&dir.path().join("b")) }).unwrap_err();
    assert!(e.is_bad_input() && e.to_string().contains("--steps does not apply to `reproduce squares`"), "{e}");
    let e = driver::run(&exp, &RunOptions { runs: Some(0), ..opts(&dir.path().join("c")) }).unwrap_err();
    assert!(e.is_bad_input() && e.to_string().contains("--runs must be at least 1"), "{e}");
    assert!(!dir.path().join("b").exists() && !dir.path().join("c").exists());
    // --report-only needs recorded runs
    let e = driver::run(&exp, &RunOptions { report_only: true, ..opts(&dir.path().join("d")) }).unwrap_err();
    assert!(e.to_string().contains("d"), "{e}");
    assert_eq!(exp.ran.get(), 4);
    // ...and reports them under the settings they were made with, even where this call's
    // defaults differ (no --runs now: the default is 3, the folder has 4)
    std::fs::remove_file(out.join("summary.json")).unwrap();
    driver::run(&exp, &RunOptions { report_only: true, ..opts(&out) }).unwrap();
    assert_eq!(exp.ran.get(), 4, "nothing trained");
    assert_eq!(json(out.join("summary.json"))["sum"], 1 + 4 + 9 + 16);
    // settings that do not read back exactly are refused, not reported under other settings
    let mut config = json(out.join("config.json"));
    config["settings"]["unknown"] = serde_json::json!(1);
    std::fs::write(out.join("config.json"), config.to_string()).unwrap();
    let e = driver::run(&exp, &RunOptions { report_only: true, ..opts(&out) }).unwrap_err();
    assert!(e.to_string().contains("do not read back exactly"), "{e}");
}
