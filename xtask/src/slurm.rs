//! `cargo xtask slurm`: a reproduction as a Slurm job array, one run unit per array task.
//!
//! A run unit is one (configuration, run) of an experiment's grid: an independent training run.
//! `infomax reproduce <exp> --list-runs` names them, `--run-index env` runs the one whose index is
//! `$SLURM_ARRAY_TASK_ID` and writes its records atomically to a file of its own (so tasks never
//! share a file and a shared filesystem needs no locks), and `--report-only` merges whatever units
//! exist. This module writes the two batch scripts (the array and the aggregate that runs after
//! it), submits them with `sbatch`, and prints what the array will cost. Slurm does the
//! scheduling, retries and preemption; nothing here is a scheduler of its own.
use crate::setup;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "slurm_scripts.rs"]
mod scripts;
use scripts::{plan_text, write_scripts};

/// `cargo xtask slurm` options (see `cargo xtask slurm --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Which experiment (the names `infomax reproduce --help` lists: a1 a2 a3 a4 limits …).
    pub experiment: String,
    /// smoke | quick | paper. Always passed to `infomax` explicitly, so that the login node, the
    /// tasks and the aggregate resolve the same settings whatever devices they have.
    #[arg(long, default_value = "paper")]
    pub profile: String,
    /// Results folder (default: runs/<experiment>-slurm-<profile> in the checkout). Must be on a
    /// filesystem every compute node shares.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Slurm partition (default: the cluster's default partition).
    #[arg(long)]
    pub partition: Option<String>,
    /// Time limit of each task, as Slurm reads it (e.g. 02:00:00 or 1-00:00:00).
    #[arg(long)]
    pub time: Option<String>,
    /// CPU cores of each task; `infomax` gets as many libtorch threads (`--threads`).
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: u32,
    /// GPUs of each task (`--gres=gpu:N`); the tasks then train with `--device cuda`.
    #[arg(long)]
    pub gpus_per_task: Option<u32>,
    /// At most this many tasks of the array run at once (`--array=…%K`).
    #[arg(long)]
    pub max_parallel: Option<u32>,
    /// Write the scripts and print the `sbatch` commands without submitting anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Submit only the units that have no record yet (e.g. after tasks failed or were cancelled).
    #[arg(long)]
    pub resubmit_missing: bool,
    /// Settings passed on to every `infomax reproduce` (e.g. `-- --seed 1 --runs 2`).
    #[arg(last = true)]
    pub extra: Vec<String>,
}

impl Args {
    /// The options of a plain `cargo xtask slurm <experiment> --profile <profile>`.
    pub fn new(experiment: &str, profile: &str) -> Args {
        Args {
            experiment: experiment.into(),
            profile: profile.into(),
            out: None,
            partition: None,
            time: None,
            cpus_per_task: 1,
            gpus_per_task: None,
            max_parallel: None,
            dry_run: false,
            resubmit_missing: false,
            extra: vec![],
        }
    }
}

/// One unit as `infomax reproduce --list-runs` describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub index: usize,
    pub config: String,
    pub run: u64,
    pub cost_core_seconds: f64,
    pub done: bool,
}

impl Unit {
    fn parse(line: &str) -> Result<Unit> {
        let v: serde_json::Value = serde_json::from_str(line).with_context(|| format!("not JSON: {line}"))?;
        let int = |k: &str| v[k].as_u64().with_context(|| format!("no integer `{k}` in {line}"));
        Ok(Unit {
            index: int("index")? as usize,
            config: v["config"].as_str().with_context(|| format!("no `config` in {line}"))?.to_string(),
            run: int("run")?,
            cost_core_seconds: v["cost_core_seconds"].as_f64().with_context(|| format!("no `cost_core_seconds` in {line}"))?,
            done: v["done"].as_bool().with_context(|| format!("no `done` in {line}"))?,
        })
    }
}

/// Where Slurm's commands find their cluster: `SLURM_CONF` when set (the test's own one-node
/// cluster), else the user's environment (a real cluster's login node).
#[derive(Clone, Debug, Default)]
pub struct Slurm {
    pub conf: Option<PathBuf>,
}

impl Slurm {
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        if let Some(conf) = &self.conf {
            cmd.env("SLURM_CONF", conf);
        }
        cmd
    }

    /// `sbatch --parsable [extra] script`: the job id.
    pub fn sbatch(&self, extra: &[String], script: &Path) -> Result<String> {
        let out = match self.command("sbatch").arg("--parsable").args(extra).arg(script).output() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(no_sbatch()),
            r => r.context("running sbatch")?,
        };
        if !out.status.success() {
            bail!(
                "sbatch {} failed ({}): {}\n(does `sinfo` reach the cluster from here? Otherwise run on its login \
                 node, or pass --dry-run and submit the scripts yourself)",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        parse_job_id(&String::from_utf8_lossy(&out.stdout))
    }

    /// Whether `id` is still queued or running (`squeue` forgets finished jobs after a while
    /// and then calls the id invalid, which also means: not active).
    pub fn active(&self, id: &str) -> Result<bool> {
        let out = self.command("squeue").args(["-h", "-j", id]).output().context("running squeue")?;
        Ok(out.status.success() && !String::from_utf8_lossy(&out.stdout).trim().is_empty())
    }
}

fn no_sbatch() -> String {
    "`sbatch` is not on PATH: `cargo xtask slurm` submits to a Slurm cluster, so run it on the \
     cluster's login node; or pass --dry-run to only write the scripts (then `sbatch` them \
     yourself); or, for a one-node Slurm on this machine, `apt-get install slurm-wlm munge` \
     (see `cargo xtask slurm-test`)"
        .to_string()
}

/// `sbatch --parsable` prints `id` or `id;cluster`.
pub fn parse_job_id(out: &str) -> Result<String> {
    let id = out.trim().split(';').next().unwrap_or("").trim();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        bail!("sbatch --parsable printed {out:?}, not a job id");
    }
    Ok(id.to_string())
}

/// The ids of one submission.
#[derive(Clone, Debug)]
pub struct Submitted {
    pub array: String,
    pub aggregate: String,
}

/// One reproduction on Slurm: what its tasks run and where its files go (all paths absolute,
/// because tasks start in Slurm's own working directory on another machine).
#[derive(Clone, Debug)]
pub struct Job {
    pub root: PathBuf,
    pub bin: PathBuf,
    pub lib_dir: PathBuf,
    pub dir: PathBuf,
    pub args: Args,
}

/// Options of `infomax reproduce` that the xtask sets itself, per mode.
const OWN_FLAGS: [&str; 7] = ["--out", "--profile", "--device", "--threads", "--run-index", "--list-runs", "--report-only"];

impl Job {
    pub fn new(root: &Path, bin: &Path, lib_dir: &Path, args: Args) -> Result<Job> {
        check_args(&args)?;
        let root = std::path::absolute(root).context("the repository root")?;
        let dir = match &args.out {
            Some(d) => std::path::absolute(d).with_context(|| format!("--out {}", d.display()))?,
            None => root.join("runs").join(format!("{}-slurm-{}", args.experiment, args.profile)),
        };
        Ok(Job { bin: std::path::absolute(bin)?, lib_dir: std::path::absolute(lib_dir)?, root, dir, args })
    }

    pub fn slurm_dir(&self) -> PathBuf {
        self.dir.join("slurm")
    }

    /// `reproduce <exp> --profile P --device D <extra> --out DIR`: the settings every mode shares.
    fn reproduce_args(&self, device: &str) -> Vec<String> {
        let a = &self.args;
        let mut v: Vec<String> = vec!["reproduce".into(), a.experiment.clone(), "--profile".into(), a.profile.clone()];
        v.extend(["--device".into(), device.into()]);
        v.extend(a.extra.iter().cloned());
        v.extend(["--out".into(), self.dir.display().to_string()]);
        v
    }

    /// The device the tasks train on. Listing and aggregating train nothing and run where there
    /// may be no GPU (login node, aggregate job), so they always say `cpu`.
    fn task_device(&self) -> &'static str {
        if self.args.gpus_per_task.is_some() {
            "cuda"
        } else {
            "cpu"
        }
    }

    /// The command line of one array task (reads its unit from `$SLURM_ARRAY_TASK_ID`).
    pub fn task_args(&self) -> Vec<String> {
        let mut v = self.reproduce_args(self.task_device());
        v.extend(["--threads".into(), self.args.cpus_per_task.to_string(), "--run-index".into(), "env".into()]);
        v
    }

    pub fn report_args(&self) -> Vec<String> {
        let mut v = self.reproduce_args("cpu");
        v.push("--report-only".into());
        v
    }

    /// `infomax` with the project's libtorch on the loader path (no rpath is relied on).
    pub fn infomax(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.current_dir(&self.root).env("LD_LIBRARY_PATH", setup::prepend_path_var("LD_LIBRARY_PATH", &self.lib_dir));
        cmd
    }

    /// The units of the grid, with whether each is already recorded in the results folder.
    pub fn list_units(&self) -> Result<Vec<Unit>> {
        let mut args = self.reproduce_args("cpu");
        args.push("--list-runs".into());
        let out = self.infomax().args(&args).output().with_context(|| format!("running {}", self.bin.display()))?;
        if !out.status.success() {
            bail!(
                "`infomax {}` failed ({}):\n{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let units = text.lines().filter(|l| l.trim_start().starts_with('{')).map(Unit::parse).collect::<Result<Vec<_>>>()?;
        check_indices(&units)?;
        Ok(units)
    }

    /// The indices to submit: all, or with `--resubmit-missing` those not yet recorded.
    pub fn select(&self, units: &[Unit]) -> Vec<usize> {
        units.iter().filter(|u| !self.args.resubmit_missing || !u.done).map(|u| u.index).collect()
    }
}

fn check_args(a: &Args) -> Result<()> {
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.,".contains(c));
    if !plain(&a.experiment) || !plain(&a.profile) {
        bail!("experiment {:?} / profile {:?}: expected plain names like `a4` and `paper`", a.experiment, a.profile);
    }
    if let Some(p) = a.partition.as_deref().filter(|p| !plain(p)) {
        bail!("--partition {p:?}: expected a partition name (letters, digits, -_.,)");
    }
    if let Some(t) = a.time.as_deref().filter(|t| t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == ':' || c == '-')) {
        bail!("--time {t:?}: expected a Slurm time such as 02:00:00 or 1-00:00:00");
    }
    if a.cpus_per_task == 0 || a.max_parallel == Some(0) || a.gpus_per_task == Some(0) {
        bail!("--cpus-per-task, --gpus-per-task and --max-parallel must be at least 1");
    }
    for x in &a.extra {
        let flag = x.split('=').next().unwrap_or("");
        if OWN_FLAGS.contains(&flag) {
            bail!("`{x}` after `--`: the xtask sets {flag} itself; use `cargo xtask slurm` options (--out, --profile, --cpus-per-task, --gpus-per-task)");
        }
    }
    Ok(())
}

fn check_indices(units: &[Unit]) -> Result<()> {
    if units.is_empty() {
        bail!("`infomax reproduce --list-runs` listed no units: this experiment has no grid to spread over an array");
    }
    for (i, u) in units.iter().enumerate() {
        if u.index != i {
            bail!("--list-runs gave unit index {} at position {i}; expected 0..N-1 in order", u.index);
        }
    }
    Ok(())
}

/// The ids of the last submission into this folder, kept so that a second submission does not
/// run units that are still queued or running.
fn submitted_file(job: &Job) -> PathBuf {
    job.slurm_dir().join("submitted.txt")
}

fn refuse_if_active(job: &Job, slurm: &Slurm) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(submitted_file(job)) else { return Ok(()) };
    for id in text.split_whitespace().filter(|w| w.chars().all(|c| c.is_ascii_digit())) {
        if slurm.active(id)? {
            bail!(
                "job {id}, submitted earlier into {}, is still queued or running: wait for it \
                 (`squeue -j {id}`) or cancel it (`scancel {id}`), then submit again",
                job.dir.display()
            );
        }
    }
    Ok(())
}

/// Lists the units, prints the plan, writes the scripts and (unless `--dry-run`) submits the
/// array and the aggregate after it. `None`: nothing was submitted.
pub fn launch(job: &Job, slurm: &Slurm) -> Result<Option<Submitted>> {
    let units = job.list_units()?;
    let selected = job.select(&units);
    print!("{}", plan_text(job, &units, &selected));
    if selected.is_empty() {
        println!("slurm: every unit of {} is recorded; nothing missing, nothing submitted", job.dir.display());
        return Ok(None);
    }
    if !job.args.dry_run {
        refuse_if_active(job, slurm)?;
    }
    let (array, aggregate) = write_scripts(job, &selected)?;
    println!("slurm: wrote {} and {}", array.display(), aggregate.display());
    if job.args.dry_run {
        println!("slurm: --dry-run; would run:\n  sbatch --parsable {}", array.display());
        println!("  sbatch --parsable --dependency=afterany:<array job id> {}", aggregate.display());
        return Ok(None);
    }
    let array_id = slurm.sbatch(&[], &array)?;
    let aggregate_id = slurm.sbatch(&[format!("--dependency=afterany:{array_id}")], &aggregate)?;
    std::fs::write(submitted_file(job), format!("array {array_id}\naggregate {aggregate_id}\n"))?;
    println!(
        "slurm: submitted array job {array_id} ({} tasks) and aggregate job {aggregate_id} (after it)\n  \
         watch: squeue -j {array_id},{aggregate_id}   (and, where accounting is on: sacct -j {array_id},{aggregate_id})\n  \
         logs: {}\n  report: {} when the aggregate has run",
        selected.len(),
        job.slurm_dir().join("logs").display(),
        job.dir.join("REPORT.md").display()
    );
    Ok(Some(Submitted { array: array_id, aggregate: aggregate_id }))
}

/// Builds the release `infomax` (as `cargo xtask reproduce` does) and returns its path.
pub fn build_infomax(root: &Path) -> Result<PathBuf> {
    let status = crate::cargo().current_dir(root).args(["build", "--release", "-p", "mi-cli"]).status()?;
    if !status.success() {
        bail!("building the infomax binary failed ({status})");
    }
    Ok(root.join("target").join("release").join("infomax"))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// `cargo xtask slurm`.
pub fn run(root: &Path, args: Args) -> Result<()> {
    check_args(&args)?;
    // fail before the long build when there is nothing to submit to
    if !args.dry_run && !on_path("sbatch") {
        bail!(no_sbatch());
    }
    let torch = setup::run(root)?;
    let bin = build_infomax(root)?;
    let job = Job::new(root, &bin, &torch.lib_dir, args)?;
    launch(&job, &Slurm::default())?;
    Ok(())
}

#[cfg(test)]
#[path = "slurm_unit_tests.rs"]
mod tests;
