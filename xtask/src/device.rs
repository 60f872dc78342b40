//! `cargo xtask device-bundle`: what a borrowed accelerator machine needs to run `infomax`, in
//! `.device/` (git-ignored; name it in the device tool's `carry`).
//!
//! The machines this project can borrow have PyTorch 2.11.0 (the libtorch `infomax` is built
//! against) but no network and nothing else of ours, and what travels there is limited to 64 MiB.
//! So the bundle holds, gzip-compressed: the stripped release binary, the shared libraries it
//! needs beyond glibc, the C++ runtime and libtorch (OpenBLAS and its Fortran runtime, found with
//! `ldd`), and MNIST. `scripts/device/a4-paper-gpu.sh` unpacks it there, points the loader at
//! that machine's libtorch and runs an experiment, returning its results folder as one archive.
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

/// Where the bundle goes (relative to the repository root).
pub const DIR: &str = ".device";

/// The bundle must leave room for the working tree within the 64 MiB that travel.
const MAX_BUNDLE_BYTES: u64 = 48 << 20;

/// Libraries the borrowed machine provides itself: glibc's, the compiler runtime's, and
/// libtorch's (with the CUDA libraries it loads).
fn provided_there(name: &str, path: &str, torch_lib: &Path) -> bool {
    const BASE: [&str; 12] =
        ["linux-vdso", "ld-linux", "libc.so", "libm.so", "libdl.so", "librt.so", "libpthread.so", "libutil.so", "libgcc_s.so", "libstdc++.so", "libresolv.so", "libgomp.so"];
    BASE.iter().any(|b| name.starts_with(b)) || Path::new(path).starts_with(torch_lib) || path.contains("/nvidia/")
}

fn gzip_into(src: &Path, dst: &Path) -> Result<u64> {
    let out = std::fs::File::create(dst).with_context(|| format!("creating {}", dst.display()))?;
    let status = Command::new("gzip").args(["-9", "-c"]).arg(src).stdout(out).status().context("running gzip (install it: apt-get install gzip)")?;
    if !status.success() {
        bail!("gzip {} failed ({status})", src.display());
    }
    Ok(std::fs::metadata(dst)?.len())
}

pub fn run(root: &Path) -> Result<()> {
    let torch = crate::setup::run(root)?;
    let status = crate::cargo().current_dir(root).args(["build", "--release", "-p", "mi-cli"]).status()?;
    if !status.success() {
        bail!("building the infomax binary failed ({status})");
    }
    let bin = root.join("target/release/infomax");
    let dir = root.join(DIR);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing the old bundle {}", dir.display()))?;
    }
    for sub in ["bin", "lib", "mnist"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let mut total = 0;

    let stripped = dir.join("bin/infomax");
    std::fs::copy(&bin, &stripped)?;
    let status = Command::new("strip").arg(&stripped).status().context("running strip (install binutils)")?;
    if !status.success() {
        bail!("strip {} failed ({status})", stripped.display());
    }
    total += gzip_into(&stripped, &dir.join("bin/infomax.gz"))?;
    std::fs::remove_file(&stripped)?;

    let ldd = Command::new("ldd").arg(&bin).env("LD_LIBRARY_PATH", &torch.lib_dir).output().context("running ldd")?;
    if !ldd.status.success() {
        bail!("ldd {} failed: {}", bin.display(), String::from_utf8_lossy(&ldd.stderr));
    }
    let mut libs = vec![];
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        // "\tlibopenblas.so.0 => /lib/x86_64-linux-gnu/libopenblas.so.0 (0x…)"
        let Some((name, rest)) = line.trim().split_once(" => ") else { continue };
        let path = rest.split(" (").next().unwrap_or("").trim();
        if path.is_empty() || path == "not found" {
            bail!("ldd: {name} is not found for {}; run `cargo xtask setup`", bin.display());
        }
        if !provided_there(name, path, &torch.lib_dir) {
            let src = std::fs::canonicalize(path)?;
            total += gzip_into(&src, &dir.join(format!("lib/{name}.gz")))?;
            libs.push(name.to_string());
        }
    }

    let mnist = mi_data::mnist::default_dir(None);
    mi_data::mnist::ensure(&mnist, &mut |m| println!("{m}")).with_context(|| format!("MNIST in {}", mnist.display()))?;
    for f in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
        total += gzip_into(&mnist.join(f), &dir.join(format!("mnist/{f}.gz")))?;
    }
    if total > MAX_BUNDLE_BYTES {
        bail!("the bundle is {:.1} MiB, over the {} MiB that leave room for the working tree", total as f64 / 1048576.0, MAX_BUNDLE_BYTES >> 20);
    }
    println!(
        "device bundle: {} ({:.1} MiB: the stripped infomax, {}, MNIST)\n\
         On the accelerator machine (device tool `run`, carry [\"{DIR}\"], timeout_s 560):\n    bash scripts/device/a4-paper-gpu.sh\n\
         It returns $OUT/log.txt, REPORT.md, summary.json and the results folder as one .tar.gz.",
        dir.display(),
        total as f64 / 1048576.0,
        if libs.is_empty() { "no extra libraries".to_string() } else { libs.join(", ") }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_and_torch_libraries_stay_behind_others_travel() {
        let torch = Path::new("/x/.venv/libtorch/lib");
        assert!(provided_there("libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", torch));
        assert!(provided_there("libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", torch));
        assert!(provided_there("libtorch_cpu.so", "/x/.venv/libtorch/lib/libtorch_cpu.so", torch));
        assert!(provided_there("libcudart.so.13", "/x/.venv/libtorch/lib/../../nvidia/cu13/lib/libcudart.so.13", torch));
        assert!(!provided_there("libopenblas.so.0", "/lib/x86_64-linux-gnu/libopenblas.so.0", torch));
        assert!(!provided_there("libgfortran.so.5", "/lib/x86_64-linux-gnu/libgfortran.so.5", torch));
    }
}
