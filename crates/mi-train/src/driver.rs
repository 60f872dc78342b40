//! The one driver: what every experiment needs done around its units, done once.
use crate::error::{ExperimentError, Result};
use crate::experiment::{Context, Experiment, Report};
use crate::folder;
use crate::options::RunOptions;
use crate::profile;
use crate::results::{Provenance, ResultsDir};
use mi_torch::DeviceChoice;
use std::path::{Path, PathBuf};

/// Runs `exp` end to end — device and profile, settings with the user's overrides, the results
/// folder (resumed, or with `--report-only` only rewritten), its units not yet recorded, summary
/// and report after each — and returns the folder.
pub fn run<E: Experiment>(exp: &E, opts: &RunOptions) -> Result<PathBuf> {
    opts.validate()?;
    if let Some(o) = opts.given().into_iter().find(|o| !exp.accepts().contains(o)) {
        let takes: Vec<&str> = exp.accepts().iter().map(|a| a.flag()).collect();
        let takes = if takes.is_empty() { "none of --runs, --steps, --learning-rate".to_string() } else { takes.join(", ") };
        return Err(ExperimentError::Invalid(format!("{} does not apply to `reproduce {}`, which sets its own (it takes {takes})", o.flag(), exp.id())));
    }
    let choice = if exp.prefers_cpu() && opts.device == DeviceChoice::Auto { DeviceChoice::Cpu } else { opts.device };
    let device = mi_torch::resolve_device(choice)?;
    let (profile, why) = profile::choose(opts.profile, device.is_cuda());
    let settings = exp.settings(profile, opts)?;
    let settings_json = exp.settings_json(&settings);
    // where the settings came from: the profile's defaults, except what the command line set
    let mut config = serde_json::json!({
        "experiment": exp.id(),
        "settings": settings_json,
        "profile_reason": why,
        "settings_from_command_line": opts.command_line_values(),
    });
    for (k, v) in exp.config_extras(&settings, opts) {
        config[k] = v;
    }
    config["provenance"] = serde_json::to_value(Provenance::collect(&format!("{device:?}")))
        .map_err(|e| ExperimentError::Invalid(format!("provenance: {e}")))?;
    let out = match &opts.out {
        Some(out) => out.clone(),
        None => folder::default_for(&exp.id(), &config["settings"], opts.report_only)?,
    };
    // --report-only describes the runs as they were made: their device and how their profile
    // was chosen come from the recorded config.json, not from this invocation
    let (dir, device_label, why) = if opts.report_only {
        let (dir, recorded) = ResultsDir::open_recorded(&out, &config)?;
        let recorded_str = |v: &serde_json::Value| v.as_str().unwrap_or("unrecorded").to_string();
        (dir, recorded_str(&recorded["provenance"]["device"]), recorded_str(&recorded["profile_reason"]))
    } else {
        (ResultsDir::open(&out, &config)?, format!("{device:?}"), why)
    };
    let ctx = Context { id: exp.id(), profile, profile_reason: why, device, device_label, dir, opts: opts.clone() };
    ctx.say(&format!("{}: {}; device {device:?}", ctx.id, ctx.profile_reason));
    ctx.say(&format!("{}: {} → {}", ctx.id, exp.start_line(&settings), out.display()));
    let prepared = exp.prepare(&settings, &ctx)?;
    let records = if opts.report_only {
        let r: Vec<E::Record> = ctx.dir.records()?;
        ctx.say(&format!("{}: --report-only: {} records, nothing trained", ctx.id, r.len()));
        r
    } else {
        run_units(exp, &settings, &prepared, &ctx)?
    };
    exp.after_units(&settings, &prepared, &ctx)?;
    write_outputs(exp, &settings, &prepared, &records, &ctx, true)?;
    // the caller prints where the report is (on stdout, for scripts)
    Ok(out)
}

const REPORT: &str = "REPORT.md";

/// Runs every unit not yet recorded, recording each as it finishes and rewriting summary and
/// report after it, so an interrupted experiment still shows everything it has finished.
fn run_units<E: Experiment>(exp: &E, s: &E::Settings, prep: &E::Prepared, ctx: &Context) -> Result<Vec<E::Record>> {
    let done = ctx.dir.finished_runs()?;
    let units = exp.units(s);
    let total = units.len();
    let mut finished = units.iter().filter(|u| done.contains(u)).count();
    if finished > 0 {
        ctx.say(&format!("resuming: {finished} of {total} runs already recorded in {}", ctx.dir.dir().display()));
    }
    for unit in units.iter().filter(|u| !done.contains(u)) {
        let records = exp.run_unit(s, prep, unit, ctx)?;
        ctx.dir.append_run(&records)?;
        finished += 1;
        ctx.say(&format!("[{finished}/{total}] recorded {} run {}", unit.config, unit.run));
        let all: Vec<E::Record> = ctx.dir.records()?;
        write_outputs(exp, s, prep, &all, ctx, false)?;
    }
    Ok(ctx.dir.records()?)
}

/// `summary.json`, the figures (at the end only, unless the experiment draws them every time)
/// and `REPORT.md`.
fn write_outputs<E: Experiment>(exp: &E, s: &E::Settings, prep: &E::Prepared, records: &[E::Record], ctx: &Context, last: bool) -> Result<()> {
    let summary = exp.summarize(s, prep, records, ctx)?;
    ctx.dir.write_json(ResultsDir::SUMMARY, &summary)?;
    let mut report = exp.report(s, prep, &summary, records, ctx)?;
    if last || exp.figures_after_every_unit() {
        for f in &report.figures {
            ctx.dir.write_text(&format!("{}.svg", f.name), &f.svg)?;
            // the PNG is a convenience copy: a rasterisation failure must not lose the SVG or the run
            if let Ok(png) = mi_report::chart::svg_to_png(&f.svg, f.png_scale) {
                ctx.dir.write_bytes(&format!("{}.png", f.name), &png)?;
            }
        }
    }
    if let Some(section) = committed_section(exp, ctx.dir.dir()) {
        report.sections.push(section);
    }
    ctx.dir.write_text(REPORT, &render(&report))?;
    Ok(())
}

fn render(r: &Report) -> String {
    let plots: Vec<String> = r.figures.iter().filter(|f| f.listed).map(|f| f.name.clone()).collect();
    mi_report::claims::render(&r.title, &r.intro, &r.claims, &r.sections, &plots)
}

/// When a user's run goes to a folder of its own, its report shows our committed results for the
/// same experiment beside its own (their claims table, read from the committed report).
fn committed_section<E: Experiment>(exp: &E, out: &Path) -> Option<(String, String)> {
    let committed = folder::committed_dir(&exp.id());
    let same = match (std::fs::canonicalize(&committed), std::fs::canonicalize(out)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return None;
    }
    let text = std::fs::read_to_string(committed.join(REPORT)).ok()?;
    let table = folder::claims_table_of(&text)?;
    Some((
        "Our committed results, for comparison".into(),
        format!(
            "The claims as checked in the results committed to the repository (`{}`, see its REPORT.md for the \
             settings they were made with):\n\n{table}",
            committed.display()
        ),
    ))
}
