//! The one driver: what every experiment needs done around its units, done once.
use crate::error::{ExperimentError, Result};
use crate::experiment::{Context, Experiment, Report};
use crate::folder;
use crate::options::RunOptions;
use crate::profile;
use crate::results::{Provenance, ResultsDir, RunKey};
use crate::units::{UnitHeader, UnitProvenance};
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
    let mut settings = exp.settings(profile, opts)?;
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
    if opts.list_runs {
        list_runs(exp, &settings, &out, &config)?;
        return Ok(out);
    }
    if opts.report_only {
        if let Some(recorded) = recorded_settings(exp, &out)? {
            config["settings"] = exp.settings_json(&recorded);
            settings = recorded;
        }
    }
    // --report-only describes the runs as they were made: their device and how their profile
    // was chosen come from the recorded config.json, not from this invocation. One unit of many
    // (--run-index) keeps the config.json the first of them wrote.
    let recorded = opts.report_only || (opts.run_index.is_some() && out.join(ResultsDir::CONFIG).exists());
    let (dir, device_label, why) = if recorded {
        let (dir, old) = ResultsDir::open_recorded(&out, &config)?;
        let old_str = |v: &serde_json::Value| v.as_str().unwrap_or("unrecorded").to_string();
        let label = if opts.report_only { old_str(&old["provenance"]["device"]) } else { format!("{device:?}") };
        (dir, label, old_str(&old["profile_reason"]))
    } else {
        (ResultsDir::open(&out, &config)?, format!("{device:?}"), why)
    };
    let ctx = Context { id: exp.id(), profile, profile_reason: why, device, device_label, dir, opts: opts.clone() };
    ctx.say(&format!("{}: {}; device {device:?}", ctx.id, ctx.profile_reason));
    if let Some(index) = opts.run_index {
        run_one(exp, &settings, index, &ctx)?;
        return Ok(out);
    }
    ctx.say(&format!("{}: {} → {}", ctx.id, exp.start_line(&settings), out.display()));
    let prepared = exp.prepare(&settings, &ctx)?;
    let records = if opts.report_only {
        let units = exp.units(&settings);
        let n = ctx.dir.merge_runs(&units)?;
        ctx.say(&format!("{}: --report-only: {n} of {} units recorded, nothing trained", ctx.id, units.len()));
        ctx.dir.records()?
    } else {
        run_units(exp, &settings, &prepared, &ctx)?
    };
    exp.after_units(&settings, &prepared, &ctx)?;
    write_outputs(exp, &settings, &prepared, &records, &ctx, true)?;
    // the caller prints where the report is (on stdout, for scripts)
    Ok(out)
}

const REPORT: &str = "REPORT.md";

/// With `--report-only`: the settings `out/config.json` recorded, when the experiment can read
/// them back exactly (the defaults of its profile may have changed since the runs were made).
fn recorded_settings<E: Experiment>(exp: &E, out: &Path) -> Result<Option<E::Settings>> {
    let path = out.join(ResultsDir::CONFIG);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    let old: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| ExperimentError::Invalid(format!("{} is not valid JSON ({e}); it cannot be reported", path.display())))?;
    let Some(recorded) = old.get("settings") else { return Ok(None) };
    match exp.recorded_settings(recorded) {
        // only settings that write back exactly as recorded: anything else would report runs
        // under settings they were not made with
        Some(Ok(s)) if exp.settings_json(&s) == *recorded => Ok(Some(s)),
        Some(Ok(_)) => Err(ExperimentError::Invalid(format!(
            "{}: its settings do not read back exactly as recorded (made by another version of infomax?); rerun, or report with the revision in its provenance",
            path.display()
        ))),
        Some(Err(e)) => Err(e),
        None => Ok(None),
    }
}

/// One JSON line per unit on stdout: its index, configuration, run, what it will cost, and
/// whether `out` already holds it (a folder with other settings is refused, as a run would be).
fn list_runs<E: Experiment>(exp: &E, s: &E::Settings, out: &Path, config: &serde_json::Value) -> Result<()> {
    let done = if out.join(ResultsDir::CONFIG).exists() { ResultsDir::open_recorded(out, config)?.0.finished_runs()? } else { Default::default() };
    for (index, unit) in exp.units(s).iter().enumerate() {
        let plan = exp.unit_plan(s, unit);
        let line = serde_json::json!({
            "index": index,
            "config": unit.config,
            "run": unit.run,
            "seed": plan.seed,
            "steps": plan.steps,
            "cost_core_seconds": plan.cost_core_seconds,
            "done": done.contains(unit),
        });
        println!("{line}");
    }
    Ok(())
}

/// Runs unit `index` alone and records it in its own file (nothing else is written, so any
/// number of these can run at once on one folder); a unit already recorded is left as it is.
fn run_one<E: Experiment>(exp: &E, s: &E::Settings, index: usize, ctx: &Context) -> Result<()> {
    let units = exp.units(s);
    let unit = units.get(index).ok_or_else(|| {
        ExperimentError::Invalid(format!(
            "--run-index {index} is out of range: `reproduce {}` has {} units at these settings (0 to {}); `--list-runs` lists them",
            ctx.id,
            units.len(),
            units.len().saturating_sub(1)
        ))
    })?;
    if ctx.dir.finished_runs()?.contains(unit) {
        ctx.say(&format!("{}: unit {index} ({} run {}) is already recorded in {}; nothing to do", ctx.id, unit.config, unit.run, ctx.dir.dir().display()));
        return Ok(());
    }
    let prep = exp.prepare(s, ctx)?;
    record_unit(exp, s, &prep, index, unit, ctx)?;
    ctx.say(&format!("{}: recorded unit {index} ({} run {}) in {}", ctx.id, unit.config, unit.run, ctx.dir.unit_path(unit).display()));
    Ok(())
}

/// Runs one unit and writes its file, with where and how long it ran.
fn record_unit<E: Experiment>(exp: &E, s: &E::Settings, prep: &E::Prepared, index: usize, unit: &RunKey, ctx: &Context) -> Result<()> {
    let start = std::time::Instant::now();
    let records = exp.run_unit(s, prep, unit, ctx)?;
    let provenance = UnitProvenance::collect(&format!("{:?}", ctx.device), start.elapsed().as_secs_f64());
    let header = UnitHeader { index, config: unit.config.clone(), run: unit.run, provenance };
    Ok(ctx.dir.write_unit(&header, &records)?)
}

/// Runs every unit not yet recorded, recording each as it finishes and rewriting summary and
/// report after it, so an interrupted experiment still shows everything it has finished.
fn run_units<E: Experiment>(exp: &E, s: &E::Settings, prep: &E::Prepared, ctx: &Context) -> Result<Vec<E::Record>> {
    let units = exp.units(s);
    let done = ctx.dir.finished_runs()?;
    let total = units.len();
    let mut finished = units.iter().filter(|u| done.contains(u)).count();
    if finished > 0 {
        ctx.say(&format!("resuming: {finished} of {total} runs already recorded in {}", ctx.dir.dir().display()));
        ctx.dir.merge_runs(&units)?;
    }
    for (index, unit) in units.iter().enumerate().filter(|(_, u)| !done.contains(u)) {
        record_unit(exp, s, prep, index, unit, ctx)?;
        ctx.dir.merge_runs(&units)?;
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
    let units = exp.units(s);
    let done = ctx.dir.finished_runs()?;
    let missing: Vec<(usize, &RunKey)> = units.iter().enumerate().filter(|(_, u)| !done.contains(u)).collect();
    if !missing.is_empty() {
        let notice = incomplete_notice(&ctx.id, units.len(), &missing);
        if last {
            ctx.say(&notice);
        }
        report.intro = format!("{notice}\n\n{}", report.intro);
    }
    ctx.dir.write_text(REPORT, &render(&report))?;
    Ok(())
}

/// The line an incomplete report starts with: which units are missing and how to add them.
fn incomplete_notice(id: &str, total: usize, missing: &[(usize, &RunKey)]) -> String {
    const SHOWN: usize = 20;
    let mut names: Vec<String> = missing.iter().take(SHOWN).map(|(i, u)| format!("{i} ({} run {})", u.config, u.run)).collect();
    if missing.len() > SHOWN {
        names.push(format!("and {} more", missing.len() - SHOWN));
    }
    format!(
        "**Incomplete: {} of {total} run units are missing** — units {}. Run them (`infomax reproduce {id} --run-index I` \
         with the same settings and `--out`, or `cargo xtask slurm {id} --resubmit-missing`), then `--report-only` again.",
        missing.len(),
        names.join(", ")
    )
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
