//! One file per finished run unit, so that units run anywhere — this process, another process,
//! a Slurm array task on another node — are recorded without two writers ever sharing a file.
//!
//! `DIR/units/<config>.run<run>.jsonl` holds a header line (which unit, and where and with what
//! it ran: revision, host, device, Slurm job and array task) and then the unit's records, the
//! very lines `runs.jsonl` gets. It is written once, atomically (temp file + rename), when the unit
//! has finished, so a killed unit leaves no file and a shared filesystem needs no locks.
//! `runs.jsonl` is the merge: its own lines (folders recorded before unit files existed) and every
//! unit file, in the experiment's unit order.
use crate::results::{Provenance, Result, ResultsDir, ResultsError, RunKey};
use mi_data::atomic::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The first line of a unit file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitHeader {
    /// The unit's position in the experiment's list at the folder's settings (`--run-index`).
    pub index: usize,
    pub config: String,
    pub run: usize,
    pub provenance: UnitProvenance,
}

/// Where and with what one unit ran.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitProvenance {
    pub git_revision: Option<String>,
    pub host: Option<String>,
    pub device: String,
    /// `$SLURM_JOB_ID`, `$SLURM_ARRAY_JOB_ID` and `$SLURM_ARRAY_TASK_ID` when run by Slurm.
    pub slurm_job_id: Option<String>,
    pub slurm_array_job_id: Option<String>,
    pub slurm_array_task_id: Option<String>,
    /// Wall time of the unit, and when it finished (seconds since the Unix epoch, UTC).
    pub seconds: f64,
    pub finished_unix_s: u64,
}

impl UnitProvenance {
    pub fn collect(device: &str, seconds: f64) -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").ok().map(|h| h.trim().to_string()).or_else(|| var("HOSTNAME"));
        let finished_unix_s = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Self {
            git_revision: Provenance::collect(device).git_revision,
            host,
            device: device.to_string(),
            slurm_job_id: var("SLURM_JOB_ID"),
            slurm_array_job_id: var("SLURM_ARRAY_JOB_ID"),
            slurm_array_task_id: var("SLURM_ARRAY_TASK_ID"),
            seconds,
            finished_unix_s,
        }
    }
}

/// The shape every record has, to group `runs.jsonl`'s lines by unit.
#[derive(Deserialize)]
struct KeyOnly {
    config: String,
    run: usize,
}

impl ResultsDir {
    pub const UNITS: &'static str = "units";

    /// The file of one unit: its configuration name with anything but `[A-Za-z0-9._-]` replaced
    /// by `_`, then `.run<run>.jsonl`.
    pub fn unit_path(&self, key: &RunKey) -> PathBuf {
        let safe: String = key.config.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
        self.path(Self::UNITS).join(format!("{safe}.run{}.jsonl", key.run))
    }

    /// Records one finished unit in its own file, atomically.
    pub fn write_unit<T: Serialize>(&self, header: &UnitHeader, records: &[T]) -> Result<()> {
        let json = |v: serde_json::Result<String>| v.map_err(|source| ResultsError::Json { what: "a unit record".into(), source });
        let mut text = json(serde_json::to_string(header))?;
        text.push('\n');
        for r in records {
            text.push_str(&json(serde_json::to_string(r))?);
            text.push('\n');
        }
        let key = RunKey { config: header.config.clone(), run: header.run };
        Ok(write_atomic(&self.unit_path(&key), text.as_bytes())?)
    }

    /// The header and record lines of every unit file (none when there is no `units/`).
    fn unit_files(&self) -> Result<Vec<(UnitHeader, Vec<String>)>> {
        let dir = self.path(Self::UNITS);
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(source) => return Err(ResultsError::Io { path: dir, source }),
        };
        let mut out = vec![];
        for entry in entries {
            let path = entry.map_err(|source| ResultsError::Io { path: dir.clone(), source })?.path();
            // temp files of a write in progress (or killed mid-write) are not units
            if path.extension().and_then(|e| e.to_str()) != Some("jsonl") {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|source| ResultsError::Io { path: path.clone(), source })?;
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let corrupt = |line: usize, message: String| ResultsError::Corrupt { path: path.clone(), line, message };
            let header: UnitHeader = serde_json::from_str(lines.next().unwrap_or("")).map_err(|e| corrupt(1, e.to_string()))?;
            out.push((header, lines.map(str::to_string).collect()));
        }
        Ok(out)
    }

    /// Every recorded unit's record lines: `runs.jsonl`'s, then the unit files' (which win).
    fn recorded_lines(&self) -> Result<BTreeMap<RunKey, Vec<String>>> {
        let mut by_unit: BTreeMap<RunKey, Vec<String>> = BTreeMap::new();
        let path = self.path(Self::RUNS);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(ResultsError::Io { path, source }),
        };
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let k: KeyOnly = serde_json::from_str(line).map_err(|e| ResultsError::Corrupt { path: path.clone(), line: i + 1, message: e.to_string() })?;
            by_unit.entry(RunKey { config: k.config, run: k.run }).or_default().push(line.to_string());
        }
        for (h, lines) in self.unit_files()? {
            by_unit.insert(RunKey { config: h.config, run: h.run }, lines);
        }
        Ok(by_unit)
    }

    /// The (configuration, run) pairs already recorded, in `runs.jsonl` or in a unit file.
    pub fn finished_runs(&self) -> Result<BTreeSet<RunKey>> {
        Ok(self.recorded_lines()?.into_keys().collect())
    }

    /// Rewrites `runs.jsonl` as the merge of everything recorded, units in `order` first (any
    /// other recorded unit after them), and returns how many units it holds. A folder without unit
    /// files is left as it is.
    pub fn merge_runs(&self, order: &[RunKey]) -> Result<usize> {
        let mut by_unit = self.recorded_lines()?;
        let n = by_unit.len();
        if !self.path(Self::UNITS).exists() {
            return Ok(n);
        }
        let mut text = String::new();
        let mut push = |lines: Vec<String>| {
            for l in lines {
                text.push_str(&l);
                text.push('\n');
            }
        };
        for key in order {
            if let Some(lines) = by_unit.remove(key) {
                push(lines);
            }
        }
        for (_, lines) in by_unit {
            push(lines);
        }
        write_atomic(&self.path(Self::RUNS), text.as_bytes())?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(index: usize, config: &str, run: usize) -> UnitHeader {
        UnitHeader { index, config: config.into(), run, provenance: UnitProvenance::collect("Cpu", 1.0) }
    }

    #[test]
    fn units_merge_in_order_beside_older_runs_and_temp_files_are_ignored() {
        let d = tempfile::tempdir().unwrap();
        let r = ResultsDir::open(d.path(), &json!({"settings": {}})).unwrap();
        // an older folder: runs.jsonl written before unit files existed
        std::fs::write(r.path(ResultsDir::RUNS), "{\"config\":\"b\",\"run\":0,\"x\":1}\n").unwrap();
        assert!(r.unit_path(&RunKey { config: "t=2/a b".into(), run: 3 }).ends_with("units/t_2_a_b.run3.jsonl"));
        r.write_unit(&header(0, "a", 1), &[json!({"config": "a", "run": 1, "step": 0}), json!({"config": "a", "run": 1, "step": 5})]).unwrap();
        r.write_unit(&header(2, "c", 0), &[json!({"config": "c", "run": 0})]).unwrap();
        std::fs::write(r.path("units/.d.run0.jsonl.tmp123"), "half a line").unwrap();
        let done = r.finished_runs().unwrap();
        assert_eq!(done.len(), 3);
        let order = [RunKey { config: "c".into(), run: 0 }, RunKey { config: "a".into(), run: 1 }];
        assert_eq!(r.merge_runs(&order).unwrap(), 3);
        let text = std::fs::read_to_string(r.path(ResultsDir::RUNS)).unwrap();
        let configs: Vec<String> = text.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["config"].as_str().unwrap().to_string()).collect();
        assert_eq!(configs, ["c", "a", "a", "b"], "units in order, then the older unit");
        // merging again changes nothing; the header records where the unit ran
        r.merge_runs(&order).unwrap();
        assert_eq!(std::fs::read_to_string(r.path(ResultsDir::RUNS)).unwrap(), text);
        let (h, _) = r.unit_files().unwrap().into_iter().find(|(h, _)| h.config == "c").unwrap();
        assert_eq!((h.index, h.provenance.device.as_str()), (2, "Cpu"));
    }

    #[test]
    fn a_broken_unit_file_is_reported_with_its_path() {
        let d = tempfile::tempdir().unwrap();
        let r = ResultsDir::open(d.path(), &json!({"settings": {}})).unwrap();
        std::fs::create_dir_all(r.path(ResultsDir::UNITS)).unwrap();
        std::fs::write(r.path("units/x.run0.jsonl"), "not json\n").unwrap();
        let e = r.finished_runs().unwrap_err().to_string();
        assert!(e.contains("x.run0.jsonl") && e.contains("line 1"), "{e}");
    }
}
