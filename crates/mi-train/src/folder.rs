//! Where results go. A user's run goes to a folder of its own, `runs/<experiment>/<UTC time>/`
//! (ignored by git), and is resumed there; `results/<experiment>/` holds the committed results
//! and is written only when asked for with `--out`.
use crate::error::{ExperimentError, Result};
use crate::results::ResultsDir;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The root of users' own runs.
pub const RUNS_ROOT: &str = "runs";

/// The committed results of experiment `id`.
pub fn committed_dir(id: &str) -> PathBuf {
    PathBuf::from("results").join(id)
}

/// The folder of a run without `--out`: the newest folder under `runs/<id>/` made with the same
/// settings (so the same command resumes it), else a new one named by the current UTC time. With
/// `--report-only` there must be such a folder.
pub fn default_for(id: &str, settings: &serde_json::Value, report_only: bool) -> Result<PathBuf> {
    let root = Path::new(RUNS_ROOT).join(id);
    if let Some(found) = newest_with_settings(&root, settings) {
        return Ok(found);
    }
    if report_only {
        return Err(ExperimentError::Invalid(format!(
            "--report-only: no run of {id} with these settings under {}; pass --out <folder> (for the committed results: --out {})",
            root.display(),
            committed_dir(id).display()
        )));
    }
    let stamp = utc_stamp(SystemTime::now());
    let mut dir = root.join(&stamp);
    let mut k = 1;
    while dir.exists() {
        k += 1;
        dir = root.join(format!("{stamp}-{k}"));
    }
    Ok(dir)
}

fn newest_with_settings(root: &Path, settings: &serde_json::Value) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root).ok()?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs.into_iter().rev().find(|d| {
        std::fs::read_to_string(d.join(ResultsDir::CONFIG))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|c| c.get("settings") == Some(settings))
    })
}

/// `YYYYMMDD-HHMMSS` in UTC.
pub fn utc_stamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}-{:02}{:02}{:02}", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The claims table of a generated report (the lines of its first Markdown table after the
/// "Claims" heading).
pub fn claims_table_of(report: &str) -> Option<String> {
    let after = report.split("## Claims").nth(1)?;
    let lines: Vec<&str> = after.lines().skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|')).collect();
    (!lines.is_empty()).then(|| lines.join("\n") + "\n")
}

/// `dir` as a report shows it: without `..` detours and, inside the working directory, relative
/// to it (`datasets/cifar10`, not `/…/crates/mi-data/../../datasets/cifar10`), so committed
/// reports carry no machine's paths.
pub fn shown(dir: &Path) -> String {
    let clean = match (dir.parent().and_then(|p| std::fs::canonicalize(p).ok()), dir.file_name()) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => dir.to_path_buf(),
    };
    let cwd = std::env::current_dir().ok().and_then(|c| std::fs::canonicalize(c).ok());
    match cwd.as_deref().and_then(|c| clean.strip_prefix(c).ok()) {
        Some(rel) => rel.display().to_string(),
        None => clean.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn utc_stamps_are_calendar_dates() {
        assert_eq!(utc_stamp(UNIX_EPOCH), "19700101-000000");
        // 2000-02-29 12:34:56 UTC (a leap day)
        assert_eq!(utc_stamp(UNIX_EPOCH + Duration::from_secs(951_827_696)), "20000229-123456");
        // 2026-12-05 13:00:00 UTC
        assert_eq!(utc_stamp(UNIX_EPOCH + Duration::from_secs(1_796_475_600)), "20261205-130000");
    }

    #[test]
    fn the_claims_table_is_found_and_nothing_else() {
        let md = "# T\n\nintro | not a table\n\n## Claims of the paper, checked\n\n| Claim | Paper |\n|---|---|\n| a | b |\n\n## Other\n\n| x |\n";
        assert_eq!(claims_table_of(md).unwrap(), "| Claim | Paper |\n|---|---|\n| a | b |\n");
        assert_eq!(claims_table_of("# no claims here\n"), None);
    }

    #[test]
    fn a_run_without_out_resumes_its_own_folder_and_only_that() {
        let tmp = tempfile::tempdir().unwrap();
        let cwd = std::env::current_dir().unwrap();
        std::env::set_current_dir(tmp.path()).unwrap();
        let s1 = serde_json::json!({"steps": 1});
        let s2 = serde_json::json!({"steps": 2});
        let first = default_for("x", &s1, false).unwrap();
        assert!(first.starts_with("runs/x"));
        assert!(default_for("x", &s1, true).unwrap_err().to_string().contains("--out results/x"));
        ResultsDir::open(&first, &serde_json::json!({"settings": s1})).unwrap();
        assert_eq!(default_for("x", &s1, false).unwrap(), first);
        assert_eq!(default_for("x", &s1, true).unwrap(), first);
        let other = default_for("x", &s2, false).unwrap();
        assert_ne!(other, first);
        std::env::set_current_dir(cwd).unwrap();
    }
}
