//! `cargo xtask setup`: system OpenBLAS and PyTorch 2.11.0, idempotently.
//!
//! * OpenBLAS: ndarray-linalg links the system `libopenblas` (Debian `libopenblas-dev`), because
//!   its static/download backends fetch sources at build time, which fails on machines without
//!   internet. Installed with apt when running as root; otherwise the exact command is printed.
//! * libtorch: `torch==2.11.0` from PyPI in the git-ignored `.venv`, reached by the tch crates
//!   through the stable link `.venv/libtorch` that `.cargo/config.toml` names in `LIBTORCH`.
//!   tch 0.24 is built for PyTorch 2.11. A user's own `LIBTORCH` is respected and nothing is
//!   installed then.
use anyhow::{bail, Context, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TORCH_VERSION: &str = "2.11.0";
const OPENBLAS_DIRS: [&str; 5] =
    ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"];

/// Where libtorch is, once setup has run.
pub struct Torch {
    /// The folder holding `include/` and `lib/` (what `LIBTORCH` names).
    pub libtorch: PathBuf,
    pub lib_dir: PathBuf,
}

pub fn run(root: &Path) -> Result<Torch> {
    ensure_openblas()?;
    let torch = ensure_libtorch(root)?;
    println!("xtask setup: OpenBLAS found; libtorch at {}", torch.libtorch.display());
    Ok(torch)
}

fn openblas_present() -> bool {
    OPENBLAS_DIRS.iter().any(|d| Path::new(d).join("libopenblas.so").exists())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn ensure_openblas() -> Result<()> {
    if openblas_present() {
        return Ok(());
    }
    let cmd = "apt-get install -y libopenblas-dev";
    if !is_root() {
        bail!(
            "the system OpenBLAS (libopenblas.so) is missing; ndarray-linalg links it for LAPACK.\n\
             Install it and run again:\n    sudo {cmd}"
        );
    }
    println!("xtask setup: installing libopenblas-dev with apt (LAPACK for ndarray-linalg)");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-q", "libopenblas-dev"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
    };
    if !install()?.success() {
        // A fresh machine may have no package lists yet.
        Command::new("apt-get").args(["update", "-q"]).status()?;
        if !install()?.success() {
            bail!("`{cmd}` failed; install libopenblas-dev by hand and run again");
        }
    }
    if !openblas_present() {
        bail!("libopenblas-dev was installed but libopenblas.so is not in {OPENBLAS_DIRS:?}");
    }
    Ok(())
}

/// The `LIBTORCH` this repository's `.cargo/config.toml` sets.
pub fn venv_libtorch(root: &Path) -> PathBuf {
    root.join(".venv").join("libtorch")
}

fn ensure_libtorch(root: &Path) -> Result<Torch> {
    let ours = venv_libtorch(root);
    // Cargo passes `[env]` of .cargo/config.toml to `cargo run`, so LIBTORCH is always set here;
    // it is the user's own when it differs from ours.
    if let Some(user) = std::env::var_os("LIBTORCH").map(PathBuf::from) {
        if user != ours {
            let lib_dir = user.join("lib");
            if !lib_dir.join("libtorch_cpu.so").exists() && !lib_dir.join("libtorch_cpu.dylib").exists() {
                bail!(
                    "LIBTORCH={} has no lib/libtorch_cpu.so; point it at a libtorch {TORCH_VERSION} \
                     folder (with include/ and lib/), or unset it to use the project's .venv",
                    user.display()
                );
            }
            println!("xtask setup: using your own LIBTORCH={} (not touching .venv)", user.display());
            return Ok(Torch { libtorch: user, lib_dir });
        }
    }
    let venv = root.join(".venv");
    let python = venv.join("bin").join("python");
    if torch_version(&python).as_deref() != Some(TORCH_VERSION) {
        if !python.exists() {
            println!("xtask setup: creating {}", venv.display());
            let py = find_python()?;
            run_ok(Command::new(py).args(["-m", "venv"]).arg(&venv), "create the .venv")?;
        }
        println!(
            "xtask setup: installing torch=={TORCH_VERSION} from PyPI into .venv \
             (about a minute, 4.7 GB; tch 0.24 is built for PyTorch {TORCH_VERSION})"
        );
        run_ok(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--progress-bar",
                "off",
                &format!("torch=={TORCH_VERSION}"),
            ]),
            "pip install torch",
        )?;
        let got = torch_version(&python);
        if got.as_deref() != Some(TORCH_VERSION) {
            bail!("after installing, .venv has torch {got:?}, expected {TORCH_VERSION}");
        }
    }
    let torch_dir = python_output(&python, "import os, torch; print(os.path.dirname(torch.__file__))")
        .context("locating the torch package in .venv")?;
    let torch_dir = PathBuf::from(torch_dir);
    if std::fs::read_link(&ours).ok().as_deref() != Some(torch_dir.as_path()) {
        let tmp = venv.join("libtorch.tmp");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&torch_dir, &tmp)?;
        std::fs::rename(&tmp, &ours)?; // atomic replace of the link
    }
    let lib_dir = ours.join("lib");
    if !lib_dir.join("libtorch_cpu.so").exists() {
        bail!("{} has no libtorch_cpu.so; delete .venv and run `cargo xtask setup` again", lib_dir.display());
    }
    Ok(Torch { libtorch: ours, lib_dir })
}

fn find_python() -> Result<&'static str> {
    for candidate in ["python3", "python"] {
        if Command::new(candidate).arg("--version").output().map(|o| o.status.success()).unwrap_or(false) {
            return Ok(candidate);
        }
    }
    bail!("no python3 found; PyTorch {TORCH_VERSION} is installed from PyPI with Python 3.10+ (apt-get install python3-venv)")
}

fn torch_version(python: &Path) -> Option<String> {
    if !python.exists() {
        return None;
    }
    let v = python_output(python, "import torch; print(torch.__version__)").ok()?;
    Some(v.split('+').next().unwrap_or(&v).to_string())
}

fn python_output(python: &Path, code: &str) -> Result<String> {
    let out = Command::new(python).args(["-c", code]).output()?;
    if !out.status.success() {
        bail!("{} -c {code:?} failed: {}", python.display(), String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn run_ok(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd.status().with_context(|| format!("could not start: {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// `dir` prepended to a PATH-like variable.
pub fn prepend_path_var(var: &str, dir: &Path) -> OsString {
    let mut parts = vec![dir.to_path_buf()];
    if let Some(old) = std::env::var_os(var) {
        parts.extend(std::env::split_paths(&old));
    }
    std::env::join_paths(parts).unwrap_or_else(|_| dir.as_os_str().to_owned())
}
