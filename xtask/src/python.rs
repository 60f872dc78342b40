//! The `infomax` Python package (crates/mi-python): `cargo xtask wheel` builds it with maturin into
//! `target/wheels/`, and `cargo xtask test` builds it, installs it into `.venv` and runs its pytest
//! suite (crates/mi-python/python/tests). The tools — maturin, pytest, scikit-learn, scipy — are
//! installed into `.venv` from PyPI by these commands; `.venv` itself is made by `cargo xtask setup`.
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python packages the wheel's build and tests need, as pip requirements, and the module
/// each is imported as (to check whether it is already there).
const TOOLS: [(&str, &str); 5] = [("maturin>=1.7,<2", "maturin"), ("pytest", "pytest"), ("scikit-learn>=1.3", "sklearn"), ("scipy", "scipy"), ("numpy", "numpy")];

pub fn venv_python(root: &Path) -> PathBuf {
    root.join(".venv/bin/python")
}

/// Installs whichever of `packages` (pip requirement, import name) `.venv` lacks.
pub fn ensure_packages(root: &Path, packages: &[(&str, &str)]) -> Result<()> {
    let python = venv_python(root);
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, module)| !Command::new(&python).args(["-c", &format!("import {module}")]).output().map(|o| o.status.success()).unwrap_or(false))
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
    let st = Command::new(root.join(".venv/bin/maturin"))
        .current_dir(root)
        .args(["build", "--release", "-m", "crates/mi-python/Cargo.toml", "--out"])
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
