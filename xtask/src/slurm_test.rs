//! `cargo xtask slurm-test`: the whole Slurm path on a real one-node Slurm.
//!
//! 1. A smoke grid runs locally and sequentially: the reference.
//! 2. The same grid goes through `cargo xtask slurm`'s own code (`slurm::launch`) as an array
//!    plus the aggregate; its summary.json must equal the reference's.
//! 3. A second array has one task cancelled while it runs: exactly that unit must be missing,
//!    and `--resubmit-missing` must complete the grid to the same summary with no run
//!    duplicated or lost.
//!
//! Same numbers, not close ones: every run is on the CPU with one thread (libtorch, OpenMP and
//! OpenBLAS alike), and a unit's seed depends only on the settings and its index.
use crate::slurm::{self, Args, Job, Slurm, Submitted, Unit};
use crate::slurm_cluster::{self, tail, Cluster};
use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The grid under test: the smallest of the paper's grids that still has several
/// configurations and runs (A4, smoke profile).
const EXPERIMENT: &str = "a4";
const PROFILE: &str = "smoke";
/// The unit the cancel check cancels while it runs.
const CANCELLED: usize = 1;
/// Keys that differ between two equal runs, compared nowhere: `seconds`, the wall time of each
/// record in runs.jsonl. Everything else is compared exactly; summary.json holds no timing or
/// provenance, so it is compared in full (when one is added there, list it here with why).
pub const NOT_COMPARED: [&str; 1] = ["seconds"];

/// What the test holds while it runs.
struct Ctx {
    root: PathBuf,
    bin: PathBuf,
    lib_dir: PathBuf,
    tmp: PathBuf,
    slurm: Slurm,
    timings: Vec<(String, f64)>,
}

pub fn run(root: &Path) -> Result<()> {
    let start = Instant::now();
    slurm_cluster::ensure_packages()?;
    let torch = crate::setup::run(root)?;
    let bin = slurm::build_infomax(root)?;
    let mnist = mi_data::mnist::default_dir(None);
    mi_data::mnist::ensure(&mnist, &mut |m| println!("{m}")).with_context(|| format!("MNIST in {}", mnist.display()))?;
    let tmp = std::env::temp_dir().join(format!("infomax-slurm-test-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    println!("slurm-test: working in {}", tmp.display());
    let cluster = Cluster::start(&tmp.join("cluster"))?;
    let mut ctx = Ctx { root: root.to_path_buf(), bin, lib_dir: torch.lib_dir, tmp: tmp.clone(), slurm: cluster.slurm(), timings: vec![] };
    let result = scenario(&mut ctx, &cluster);
    drop(cluster); // stops the daemons before anything is printed as passed
    result.with_context(|| format!("slurm-test failed; its files are in {}", tmp.display()))?;
    println!("\nslurm-test: PASSED in {:.0} s ({EXPERIMENT}, profile {PROFILE}, on a real one-node Slurm):", start.elapsed().as_secs_f64());
    for (what, secs) in &ctx.timings {
        println!("  {secs:7.1} s  {what}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

fn scenario(ctx: &mut Ctx, cluster: &Cluster) -> Result<()> {
    let local = ctx.tmp.join("local");
    let t = Instant::now();
    run_local(ctx, &local)?;
    ctx.timings.push(("local sequential run of the grid (the reference)".into(), t.elapsed().as_secs_f64()));
    let reference = read_json(&local.join("summary.json"))?;
    let n = ctx.job("local", false).list_units()?.len();
    ensure!(n > CANCELLED, "the {EXPERIMENT} {PROFILE} grid has {n} units; the cancel check needs more than {CANCELLED}");

    let t = Instant::now();
    let array = ctx.job("array", false);
    let ids = submit(ctx, &array)?;
    wait(ctx, cluster, &array, &[&ids.array, &ids.aggregate])?;
    check_states(ctx, &ids.array, None)?;
    check_complete(&array, &reference, &local)?;
    check_unit_headers(&array, &ids.array)?;
    ctx.timings.push((format!("array of {n} tasks + aggregate: summary.json and records equal the local ones, units name their Slurm ids"), t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let mut cancel = ctx.job("cancel", false);
    // one task at a time, so that the cancelled one is mid-run while the others wait or are done
    cancel.args.max_parallel = Some(1);
    let ids = submit(ctx, &cancel)?;
    // a second submission into a folder whose jobs still run would run units twice
    let twice = slurm::launch(&ctx.job("cancel", true), &ctx.slurm).map(|s| s.is_some());
    ensure!(format!("{twice:?}").contains("still queued or running"), "resubmitting while the array runs gave {twice:?}, not a refusal");
    wait_running(ctx, &ids.array, CANCELLED)?;
    std::thread::sleep(Duration::from_secs(1)); // past its start-up (a4 smoke: unit 1 takes about 6 s)
    let task = format!("{}_{CANCELLED}", ids.array);
    let out = ctx.slurm.command("scancel").arg(&task).output().context("running scancel")?;
    ensure!(out.status.success(), "scancel {task} failed: {}", String::from_utf8_lossy(&out.stderr));
    wait(ctx, cluster, &cancel, &[&ids.array, &ids.aggregate])?;
    check_states(ctx, &ids.array, Some(CANCELLED))?;
    check_only_cancelled_missing(&cancel)?;
    ctx.timings.push((format!("second array with task {CANCELLED} cancelled while running: exactly that unit missing"), t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let resubmit = ctx.job("cancel", true);
    let ids = submit(ctx, &resubmit)?;
    let script = std::fs::read_to_string(resubmit.slurm_dir().join("array.sbatch"))?;
    ensure!(script.contains(&format!("#SBATCH --array={CANCELLED}\n")), "--resubmit-missing should submit only task {CANCELLED}:\n{script}");
    wait(ctx, cluster, &resubmit, &[&ids.array, &ids.aggregate])?;
    check_states(ctx, &ids.array, None)?;
    check_complete(&resubmit, &reference, &local)?;
    ctx.timings.push(("--resubmit-missing of that unit + aggregate: same summary, nothing duplicated or lost".into(), t.elapsed().as_secs_f64()));
    ensure!(slurm::launch(&resubmit, &ctx.slurm)?.is_none(), "with nothing missing, --resubmit-missing must submit nothing");
    Ok(())
}

impl Ctx {
    /// The options `cargo xtask slurm a4 --profile smoke --out <tmp>/<name> -- --quiet` would get.
    fn job(&self, name: &str, resubmit_missing: bool) -> Job {
        let mut args = Args::new(EXPERIMENT, PROFILE);
        args.out = Some(self.tmp.join(name));
        args.resubmit_missing = resubmit_missing;
        args.extra = vec!["--quiet".into()];
        Job::new(&self.root, &self.bin, &self.lib_dir, args).expect("the test's own options are valid")
    }
}

/// `infomax reproduce a4 --profile smoke --device cpu --threads 1 --quiet --out DIR`, with the
/// same thread settings as the array tasks.
fn run_local(ctx: &Ctx, out: &Path) -> Result<()> {
    let job = ctx.job("local", false);
    let args = [
        "reproduce", EXPERIMENT, "--profile", PROFILE, "--device", "cpu", "--threads", "1", "--quiet", "--out",
    ];
    let status = job.infomax().args(args).arg(out).env("OMP_NUM_THREADS", "1").env("OPENBLAS_NUM_THREADS", "1").status()?;
    ensure!(status.success(), "the local run `infomax {} {}` failed ({status})", args.join(" "), out.display());
    Ok(())
}

fn submit(ctx: &Ctx, job: &Job) -> Result<Submitted> {
    slurm::launch(job, &ctx.slurm)?.context("launch submitted nothing, though units are missing")
}

/// Waits until none of `ids` is queued or running (a generous multiple of the local run's time).
fn wait(ctx: &Ctx, cluster: &Cluster, job: &Job, ids: &[&str]) -> Result<()> {
    let local_secs = ctx.timings.first().map(|t| t.1).unwrap_or(600.0);
    let limit = Duration::from_secs_f64(300.0 + 4.0 * local_secs);
    let start = Instant::now();
    while start.elapsed() < limit {
        let mut active = false;
        for id in ids {
            active |= ctx.slurm.active(id)?;
        }
        if !active {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    let queue = ctx.slurm.command("squeue").output().map(|o| String::from_utf8_lossy(&o.stdout).to_string()).unwrap_or_default();
    bail!("jobs {ids:?} still active after {} s:\n{queue}\n{}\n{}", limit.as_secs(), task_logs(job), cluster.logs())
}

fn task_logs(job: &Job) -> String {
    let dir = job.slurm_dir().join("logs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.sort();
    files.iter().map(|f| tail(f)).collect::<Vec<_>>().join("\n")
}

/// Polls `squeue` until task `index` of the array is RUNNING.
fn wait_running(ctx: &Ctx, array: &str, index: usize) -> Result<()> {
    let want = format!("{array}_{index} RUNNING");
    let start = Instant::now();
    loop {
        let out = ctx.slurm.command("squeue").args(["-h", "-r", "-j", array, "-o", "%i %T"]).output()?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        if text.lines().any(|l| l.trim() == want) {
            return Ok(());
        }
        ensure!(start.elapsed() < Duration::from_secs(900), "task {array}_{index} never ran; squeue says:\n{text}");
        // if the task has already finished, the test cannot cancel it mid-run: say so
        ensure!(!text.is_empty(), "array {array} ended before task {index} was seen running (are its units too short?)");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Every task of the array COMPLETED, except `cancelled`, which must be CANCELLED.
fn check_states(ctx: &Ctx, array: &str, cancelled: Option<usize>) -> Result<()> {
    let out = ctx.slurm.command("scontrol").args(["-o", "show", "job", array]).output().context("running scontrol")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |line: &str, key: &str| line.split_whitespace().find_map(|w| w.strip_prefix(key)).unwrap_or("").to_string();
    let states: Vec<(String, String)> = text.lines().map(|l| (field(l, "ArrayTaskId="), field(l, "JobState="))).collect();
    ensure!(!states.is_empty(), "scontrol show job {array} printed nothing");
    for (task, state) in &states {
        let want = if cancelled.is_some_and(|c| c.to_string() == *task) { "CANCELLED" } else { "COMPLETED" };
        ensure!(state == want, "task {array}_{task} is {state}, expected {want}");
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn read_jsonl(path: &Path) -> Result<Vec<Value>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).with_context(|| format!("a line of {}", path.display()))).collect()
}

/// The differences between two JSON values, by path; keys in NOT_COMPARED are skipped.
pub fn json_diffs(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                if NOT_COMPARED.contains(&k.as_str()) {
                    continue;
                }
                let p = format!("{path}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => json_diffs(u, v, &p, out),
                    (u, v) => {
                        let show = |x: Option<&Value>| x.map_or("(absent)".to_string(), Value::to_string);
                        out.push(format!("{p}: {} vs {}", show(u), show(v)))
                    }
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                json_diffs(u, v, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} vs {b}")),
        _ => {}
    }
}

fn ensure_same(what: &str, a: &Value, b: &Value) -> Result<()> {
    let mut diffs = vec![];
    json_diffs(a, b, "", &mut diffs);
    ensure!(diffs.is_empty(), "{what} differs in {} places:\n{}", diffs.len(), diffs.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
    Ok(())
}

/// The folder holds every unit once: summary and records equal the local run's.
fn check_complete(job: &Job, reference: &Value, local: &Path) -> Result<()> {
    let units = job.list_units()?;
    let missing: Vec<usize> = units.iter().filter(|u| !u.done).map(|u| u.index).collect();
    ensure!(missing.is_empty(), "units {missing:?} of {} have no record", job.dir.display());
    ensure_same(&format!("{}/summary.json vs the local run's", job.dir.display()), &read_json(&job.dir.join("summary.json"))?, reference)?;
    let records = read_jsonl(&job.dir.join("runs.jsonl"))?;
    let by_run = group_by_run(&records)?;
    let want: Vec<(String, u64)> = units.iter().map(|u| (u.config.clone(), u.run)).collect();
    ensure!(by_run.keys().cloned().collect::<Vec<_>>() == sorted(want), "runs.jsonl has runs {:?}, the grid {} units", by_run.keys().collect::<Vec<_>>(), units.len());
    let local_runs = group_by_run(&read_jsonl(&local.join("runs.jsonl"))?)?;
    for (key, recs) in &by_run {
        // a unit recorded twice would show up here as doubled records
        ensure!(recs.len() == local_runs[key].len(), "run {key:?}: {} records, the local run has {}", recs.len(), local_runs[key].len());
        ensure_same(&format!("records of run {key:?}"), &Value::Array(recs.clone()), &Value::Array(local_runs[key].clone()))?;
    }
    Ok(())
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// Records grouped by (config, run), in file order within a run.
fn group_by_run(records: &[Value]) -> Result<BTreeMap<(String, u64), Vec<Value>>> {
    let mut m: BTreeMap<(String, u64), Vec<Value>> = BTreeMap::new();
    for r in records {
        let config = r["config"].as_str().with_context(|| format!("record without `config`: {r}"))?;
        let run = r["run"].as_u64().with_context(|| format!("record without `run`: {r}"))?;
        m.entry((config.to_string(), run)).or_default().push(r.clone());
    }
    Ok(m)
}

/// After the cancel: `--list-runs` says only CANCELLED is missing, and no unit file holds it.
fn check_only_cancelled_missing(job: &Job) -> Result<()> {
    let units = job.list_units()?;
    let missing: Vec<&Unit> = units.iter().filter(|u| !u.done).collect();
    ensure!(missing.len() == 1 && missing[0].index == CANCELLED, "after cancelling task {CANCELLED}, missing units are {missing:?}");
    let gone = (missing[0].config.clone(), missing[0].run);
    let dir = job.dir.join("units");
    // infomax's name for a unit's file (mi_train::ResultsDir::unit_path; a4's names need no escaping)
    let file = dir.join(format!("{}.run{}.jsonl", gone.0, gone.1));
    ensure!(!file.exists(), "{} exists, though its task was cancelled", file.display());
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            files += 1;
            let runs = group_by_run(&read_jsonl(&path)?)?;
            ensure!(!runs.contains_key(&gone), "{} holds records of the cancelled unit {gone:?}", path.display());
        }
    }
    ensure!(files == units.len() - 1, "{} holds {files} unit files; expected {}", dir.display(), units.len() - 1);
    Ok(())
}

/// Each unit file's header names the array job and task that wrote it, the host and the device.
fn check_unit_headers(job: &Job, array: &str) -> Result<()> {
    let dir = job.dir.join("units");
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let header = read_jsonl(&path)?.into_iter().next().with_context(|| format!("{} is empty", path.display()))?;
        let p = &header["provenance"];
        let task = header["index"].as_u64().map(|i| i.to_string());
        ensure!(
            p["slurm_array_job_id"].as_str() == Some(array) && p["slurm_array_task_id"].as_str() == task.as_deref(),
            "{}: header names Slurm array job {} task {}, expected {array} task {task:?}",
            path.display(),
            p["slurm_array_job_id"],
            p["slurm_array_task_id"]
        );
        ensure!(p["host"].is_string() && p["device"] == "Cpu", "{}: header provenance {p} lacks host or device Cpu", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_diffs_finds_every_difference_but_seconds() {
        let a = json!({"x": 1.5, "seconds": 3.0, "c": [{"m": 0.1}, {"m": 0.2}], "s": "a"});
        let mut d = vec![];
        json_diffs(&a, &json!({"x": 1.5, "seconds": 9.0, "c": [{"m": 0.1}, {"m": 0.2}], "s": "a"}), "", &mut d);
        assert!(d.is_empty(), "{d:?}");
        json_diffs(&a, &json!({"x": 1.5000000001, "c": [{"m": 0.1}, {"m": 0.3}], "s": "a", "new": 1}), "", &mut d);
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d, ["/c[1]/m: 0.2 vs 0.3", "/x: 1.5 vs 1.5000000001", "/new: (absent) vs 1"]);
        let mut d = vec![];
        json_diffs(&json!([1, 2]), &json!([1, 2, 3]), "", &mut d);
        assert_eq!(d.len(), 1, "{d:?}");
    }
}
