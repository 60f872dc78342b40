//! A real one-node Slurm for `cargo xtask slurm-test`, started in a temporary folder and stopped
//! again, whatever happens.
//!
//! Debian's `slurm-wlm` (22.05 on bookworm) and `munge`. The configuration lives in the folder and
//! every Slurm command is pointed at it with `SLURM_CONF`, so nothing in /etc/slurm is touched and
//! a cluster the machine may belong to is not disturbed (own ports too). The daemons run in the
//! foreground as our children and are tracked by PID; `Drop` cancels our jobs and stops exactly
//! those processes, also on an error or a panic.
use crate::slurm::Slurm;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PACKAGES: [&str; 2] = ["slurm-wlm", "munge"];
/// What the test needs of those packages.
const PROGRAMS: [&str; 8] = ["slurmctld", "slurmd", "munged", "munge", "sbatch", "squeue", "scancel", "sinfo"];
const SBIN: [&str; 2] = ["/usr/sbin", "/sbin"];

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    // root's daemons live in sbin, which a CI user's PATH may lack
    let dirs = std::env::split_paths(&path).chain(SBIN.iter().map(PathBuf::from));
    dirs.map(|d| d.join(program)).find(|p| p.is_file())
}

fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Installs slurm-wlm and munge with apt when one of their programs is missing.
pub fn ensure_packages() -> Result<()> {
    let missing: Vec<&str> = PROGRAMS.iter().copied().filter(|p| which(p).is_none()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    if output(Command::new("id").arg("-u"))? != "0" {
        bail!("{missing:?} missing; as root: apt-get install --no-install-recommends {}", PACKAGES.join(" "));
    }
    println!("slurm-test: {missing:?} missing; installing {} with apt", PACKAGES.join(" "));
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(PACKAGES)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
    };
    if !install().context("running apt-get")?.success() {
        // a fresh machine may have no package lists yet
        Command::new("apt-get").args(["update", "-q"]).env("DEBIAN_FRONTEND", "noninteractive").status()?;
        if !install()?.success() {
            bail!("apt-get install {} failed; install them by hand and run again", PACKAGES.join(" "));
        }
    }
    let still: Vec<&str> = PROGRAMS.iter().copied().filter(|p| which(p).is_none()).collect();
    if !still.is_empty() {
        bail!("after installing {}, {still:?} are still not found", PACKAGES.join(" "));
    }
    Ok(())
}

fn munge_works() -> bool {
    Command::new("sh").args(["-c", "munge -n | unmunge"]).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// The key munged needs; Debian's package usually creates it.
fn ensure_munge_key() -> Result<()> {
    let key = Path::new("/etc/munge/munge.key");
    if key.exists() {
        return Ok(());
    }
    std::fs::create_dir_all("/etc/munge")?;
    let made = if which("mungekey").is_some() {
        Command::new("mungekey").args(["--create", "--keyfile"]).arg(key).status()?.success()
    } else if which("create-munge-key").is_some() {
        Command::new("create-munge-key").arg("-r").status()?.success()
    } else {
        let dd = format!("dd if=/dev/urandom of={} bs=1 count=1024 status=none", key.display());
        Command::new("sh").args(["-c", &dd]).status()?.success()
    };
    if !made || !key.exists() {
        bail!("could not create {}; create it (`mungekey --create`) and run again", key.display());
    }
    output(Command::new("chown").args(["munge:munge"]).arg(key))?;
    output(Command::new("chmod").args(["0400"]).arg(key))?;
    Ok(())
}

/// Reuses a running munged, else starts one as the `munge` user in the foreground (our child).
fn start_munge(dir: &Path) -> Result<Option<Child>> {
    if munge_works() {
        println!("slurm-test: reusing the munged already running");
        return Ok(None);
    }
    ensure_munge_key()?;
    std::fs::create_dir_all("/run/munge")?;
    output(Command::new("chown").args(["munge:munge", "/run/munge"]))?;
    let log = std::fs::File::create(dir.join("munged.out"))?;
    let munged = which("munged").context("munged not found")?;
    // setpriv execs, so the PID we hold is munged's own
    let child = Command::new("setpriv")
        .args(["--reuid=munge", "--regid=munge", "--clear-groups"])
        .arg(munged)
        .arg("--foreground")
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting munged as the munge user with setpriv (util-linux)")?;
    let start = Instant::now();
    while !munge_works() {
        if start.elapsed() > Duration::from_secs(15) {
            let mut c = child;
            let _ = c.kill();
            let _ = c.wait();
            bail!("munged did not answer within 15 s:\n{}", tail(&dir.join("munged.out")));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(Some(child))
}

/// The node's line of slurm.conf: what `slurmd -C` reports, with a little memory held back (a
/// node that reports less memory than configured is drained).
fn node_line(host: &str) -> Result<String> {
    let reported = output(Command::new(which("slurmd").context("slurmd not found")?).arg("-C"))?;
    let first = reported.lines().next().unwrap_or("");
    let mut line = format!("NodeName={host} NodeAddr=127.0.0.1");
    for kv in first.split_whitespace() {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "CPUs" | "Boards" | "SocketsPerBoard" | "CoresPerSocket" | "ThreadsPerCore" => line.push_str(&format!(" {k}={v}")),
            "RealMemory" => line.push_str(&format!(" RealMemory={}", v.parse::<u64>().context("slurmd -C RealMemory")? * 9 / 10)),
            _ => {}
        }
    }
    if !line.contains(" CPUs=") {
        bail!("`slurmd -C` printed {first:?}, without CPUs=");
    }
    Ok(line + " State=UNKNOWN")
}

/// Two free TCP ports side by side, away from Slurm's defaults (6817/6818).
fn free_ports() -> Result<(u16, u16)> {
    let free = |p: u16| std::net::TcpListener::bind(("0.0.0.0", p)).is_ok();
    (16817..17817).step_by(2).find(|&p| free(p) && free(p + 1)).map(|p| (p, p + 1)).context("no free TCP port pair in 16817..17817")
}

fn slurm_conf(dir: &Path, host: &str) -> Result<String> {
    let (ctld_port, d_port) = free_ports()?;
    let d = dir.display();
    Ok(format!(
        "# One-node cluster of `cargo xtask slurm-test` (slurm-wlm 22.05).\n\
         ClusterName=infomax-test\nSlurmctldHost={host}(127.0.0.1)\nSlurmctldPort={ctld_port}\nSlurmdPort={d_port}\n\
         SlurmUser=root\nSlurmdUser=root\nAuthType=auth/munge\n\
         SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n\
         ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n\
         AccountingStorageType=accounting_storage/none\nJobAcctGatherType=jobacct_gather/none\nJobCompType=jobcomp/none\n\
         MpiDefault=none\nReturnToService=2\nSchedulerType=sched/backfill\n\
         # keep finished jobs visible to `scontrol show job` for the whole test\nMinJobAge=3600\n\
         StateSaveLocation={d}/state\nSlurmdSpoolDir={d}/spool\n\
         SlurmctldPidFile={d}/slurmctld.pid\nSlurmdPidFile={d}/slurmd.pid\n\
         SlurmctldLogFile={d}/slurmctld.log\nSlurmdLogFile={d}/slurmd.log\n\
         {}\nPartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
        node_line(host)?
    ))
}

/// The last lines of a log file, for error messages.
pub fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| format!("({e})"));
    let lines: Vec<&str> = text.lines().collect();
    format!("--- {} (last lines) ---\n{}", path.display(), lines[lines.len().saturating_sub(15)..].join("\n"))
}

/// The running cluster. Dropping it stops it.
pub struct Cluster {
    pub dir: PathBuf,
    pub conf: PathBuf,
    /// Our daemons in start order: (name, process).
    children: Vec<(&'static str, Child)>,
}

impl Cluster {
    /// Writes the configuration into `dir` and starts munged (unless one runs), slurmctld and
    /// slurmd; returns once the node is idle.
    pub fn start(dir: &Path) -> Result<Cluster> {
        for sub in ["state", "spool"] {
            std::fs::create_dir_all(dir.join(sub)).with_context(|| format!("creating {}", dir.join(sub).display()))?;
        }
        let host = output(Command::new("hostname").arg("-s"))?;
        let conf = dir.join("slurm.conf");
        std::fs::write(&conf, slurm_conf(dir, &host)?)?;
        let mut cluster = Cluster { dir: dir.to_path_buf(), conf, children: vec![] };
        if let Some(m) = start_munge(dir)? {
            cluster.children.push(("munged", m));
        }
        for daemon in ["slurmctld", "slurmd"] {
            let log = std::fs::File::create(dir.join(format!("{daemon}.out")))?;
            let child = Command::new(which(daemon).with_context(|| format!("{daemon} not found"))?)
                .arg("-D")
                .env("SLURM_CONF", &cluster.conf)
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .with_context(|| format!("starting {daemon}"))?;
            cluster.children.push((daemon, child));
        }
        cluster.wait_idle(Duration::from_secs(90))?;
        Ok(cluster)
    }

    pub fn slurm(&self) -> Slurm {
        Slurm { conf: Some(self.conf.clone()) }
    }

    /// The daemons' logs, for error messages.
    pub fn logs(&self) -> String {
        ["slurmctld.log", "slurmd.log", "slurmctld.out", "slurmd.out"].iter().map(|f| tail(&self.dir.join(f))).collect::<Vec<_>>().join("\n")
    }

    fn wait_idle(&mut self, timeout: Duration) -> Result<()> {
        let start = Instant::now();
        loop {
            let mut exited = None;
            for (name, child) in &mut self.children {
                if let Some(status) = child.try_wait()? {
                    exited = Some(format!("{name} exited ({status})"));
                }
            }
            if let Some(e) = exited {
                bail!("{e} before the node came up\n{}", self.logs());
            }
            let state = self.slurm().command("sinfo").args(["-h", "-N", "-o", "%T"]).output();
            let state = state.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
            if state == "idle" {
                println!("slurm-test: one-node Slurm up in {:.1} s ({})", start.elapsed().as_secs_f64(), self.conf.display());
                return Ok(());
            }
            if start.elapsed() > timeout {
                bail!("the node is not idle after {} s (sinfo says {state:?})\n{}", timeout.as_secs(), self.logs());
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// Cancels every job of this cluster (all are ours) and waits for them to go, so that no job
    /// step outlives slurmd.
    fn cancel_all(&self) {
        let user = output(Command::new("id").arg("-un")).unwrap_or_else(|_| "root".into());
        let _ = self.slurm().command("scancel").args(["-u", &user]).stderr(Stdio::null()).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            let out = self.slurm().command("squeue").args(["-h"]).output();
            if out.map(|o| !o.status.success() || o.stdout.is_empty()).unwrap_or(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// SIGTERM (daemons save their state and exit), then SIGKILL after 10 s; always reaped.
fn stop(name: &str, child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("slurm-test: {name} (pid {}) ignored SIGTERM; killing it", child.id());
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.children.iter().any(|(n, _)| *n == "slurmctld") {
            self.cancel_all();
        }
        while let Some((name, mut child)) = self.children.pop() {
            stop(name, &mut child);
            println!("slurm-test: stopped {name} (pid {})", child.id());
        }
    }
}
