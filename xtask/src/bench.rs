//! `cargo xtask bench`: infomax side by side with the tools people use today, in one run, on the
//! same data, on this machine. Writes `results/bench/bench.json` and `results/bench/REPORT.md`.
//!
//! * KSG (N = 10,000, k = 3): 1+1 dimensions against scikit-learn's `mutual_info_regression`,
//!   5+5 against a scipy-cKDTree KSG (`scripts/bench/ksg.py` ↔ `mi-estimators/examples/ksg_bench`).
//! * SAGA probe: 60,000 × 100 and × 392, C = 10, tol 0.1 and 1e-3 against scikit-learn's SAGA
//!   (`scripts/probe/bench_sklearn.py` ↔ `mi-probe/examples/probe_timing`).
//! * A4 training steps per second (MLP and ConvNet pairs, bilinear critic, InfoNCE, batch 128)
//!   against PyTorch in the same `.venv` (`scripts/bench/a4_step_rate.py` ↔
//!   `mi-experiments/examples/a4_step_rate`).
//!
//! The Python tools (scikit-learn, scipy) are installed into `.venv` by this command.
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out).lines().filter_map(|l| serde_json::from_str(l.trim()).ok()).collect()
}

fn run_capture(cmd: &mut Command, what: &str) -> Result<Vec<Value>> {
    println!("xtask bench: {what}");
    let out = cmd.output().with_context(|| format!("could not start: {what}"))?;
    if !out.status.success() {
        bail!("{what} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    Ok(json_lines(&out.stdout))
}


fn build_example(root: &Path, package: &str, example: &str) -> Result<std::path::PathBuf> {
    let st = crate::cargo().current_dir(root).args(["build", "--release", "-q", "-p", package, "--example", example]).status()?;
    if !st.success() {
        bail!("building example {example} of {package} failed ({st})");
    }
    Ok(root.join("target/release/examples").join(example))
}

/// The first round's records with `steps_per_second` replaced by the median over rounds of the
/// record with the same encoder and variant.
fn median_rounds(rounds: &[Vec<Value>]) -> Vec<Value> {
    let Some(first) = rounds.first() else { return vec![] };
    first
        .iter()
        .map(|r| {
            let mut rates: Vec<f64> = rounds
                .iter()
                .filter_map(|round| round.iter().find(|o| o["encoder"] == r["encoder"] && o["variant"] == r["variant"]))
                .map(|o| f(o, "steps_per_second"))
                .filter(|x| x.is_finite())
                .collect();
            rates.sort_by(f64::total_cmp);
            let mut out = r.clone();
            if !rates.is_empty() {
                out["steps_per_second"] = json!(rates[rates.len() / 2]);
                out["rounds"] = json!(rates.len());
            }
            out
        })
        .collect()
}

fn f(v: &Value, k: &str) -> f64 {
    v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

/// Rounds of the A4 timing: five interleaved rounds (per encoder: ours, then PyTorch), median
/// steps/s of each (encoder, variant), as a single timing on a shared 2-core machine varies by ±20 %.
const ROUNDS: usize = 5;

/// glibc settings that keep freed memory in the heap, as the infomax binaries set them
/// (`mi_torch::retain_freed_memory`).
const GLIBC_HEAP_KEPT: &str = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824";

/// The programs the benchmarks run.
struct Tools {
    python: PathBuf,
    ksg_bin: PathBuf,
    probe_bin: PathBuf,
    a4_bin: PathBuf,
}

pub fn run(root: &Path) -> Result<()> {
    crate::setup::run(root)?;
    let python = root.join(".venv/bin/python");
    crate::python::ensure_packages(root, &[("scikit-learn", "sklearn"), ("scipy", "scipy"), ("numpy", "numpy")])?;
    let tools = Tools {
        ksg_bin: build_example(root, "mi-estimators", "ksg_bench")?,
        probe_bin: build_example(root, "mi-probe", "probe_timing")?,
        a4_bin: build_example(root, "mi-experiments", "a4_step_rate")?,
        python,
    };
    let tmp = std::env::temp_dir().join(format!("infomax-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;

    let mut rows = ksg_rows(root, &tools, &tmp)?;
    rows.extend(probe_rows(root, &tools)?);
    rows.extend(python_rows(root, &tools)?);
    let (rs_rounds, py_rounds) = a4_rounds(root, &tools)?;
    rows.extend(a4_rows(&median_rounds(&rs_rounds), &median_rounds(&py_rounds)));
    let _ = std::fs::remove_dir_all(&tmp);

    // which library libtorch's sgemm_ bound to in our binary (libtorch_cpu's MKL, like PyTorch's)
    let blas = rs_rounds.first().and_then(|r| r.first()).and_then(|r| r["blas_library"].as_str()).unwrap_or("unknown").to_string();
    write_report(root, &rows, &blas)
}

/// KSG: infomax against scipy and scikit-learn on the same data (written to `tmp` by the Python
/// script), one row per case and tool.
fn ksg_rows(root: &Path, tools: &Tools, tmp: &Path) -> Result<Vec<Value>> {
    let py = run_capture(Command::new(&tools.python).arg(root.join("scripts/bench/ksg.py")).arg(tmp), "KSG: scipy / scikit-learn")?;
    let rs = run_capture(Command::new(&tools.ksg_bin).arg(tmp), "KSG: infomax")?;
    let mut rows = vec![];
    for r in &rs {
        let case = r["case"].as_str().unwrap_or("");
        for p in py.iter().filter(|p| p["case"] == case) {
            rows.push(json!({
                "benchmark": case, "ours": "infomax ksg1", "theirs": p["tool"],
                "ours_seconds": f(r, "seconds"), "theirs_seconds": f(p, "seconds"),
                "speedup": f(p, "seconds") / f(r, "seconds"),
                "ours_mi_nats": f(r, "mi_nats"), "theirs_mi_nats": f(p, "mi_nats"),
                "abs_difference": (f(r, "mi_nats") - f(p, "mi_nats")).abs(),
            }));
        }
    }
    Ok(rows)
}

/// The SAGA probe against scikit-learn's, one row per problem and tolerance (f64 storage).
fn probe_rows(root: &Path, tools: &Tools) -> Result<Vec<Value>> {
    let rs = run_capture(Command::new(&tools.probe_bin).args(["1"]), "SAGA probe: infomax")?;
    let py = run_capture(
        Command::new(&tools.python).arg(root.join("scripts/probe/bench_sklearn.py")).args(["--repeats", "1"]),
        "SAGA probe: scikit-learn",
    )?;
    let mut rows = vec![];
    for r in rs.iter().filter(|r| r["storage"] == "f64") {
        if let Some(p) = py.iter().find(|p| p["problem"] == r["problem"] && f(p, "tol") == f(r, "tol")) {
            rows.push(json!({
                "benchmark": format!("probe {} tol {}", r["problem"].as_str().unwrap_or(""), f(r, "tol")),
                "ours": "infomax probe (SAGA)", "theirs": "scikit-learn LogisticRegression(saga)",
                "ours_seconds": f(r, "seconds"), "theirs_seconds": f(p, "seconds"),
                "speedup": f(p, "seconds") / f(r, "seconds"),
                "ours_test_accuracy": f(r, "test_accuracy"), "theirs_test_accuracy": f(p, "test_accuracy"),
                "ours_epochs": r["epochs"], "theirs_epochs": p["epochs"],
            }));
        }
    }
    Ok(rows)
}

/// The `infomax` Python package against scikit-learn, called from one Python process
/// (`scripts/bench/python_api.py`): KSG 1+1 at N = 10,000 and the SAGA probe on the MNIST top
/// halves. The wheel is built and installed into `.venv` first, MNIST fetched if missing.
fn python_rows(root: &Path, tools: &Tools) -> Result<Vec<Value>> {
    crate::python::install_wheel(root)?;
    let mnist = mi_data::mnist::default_dir(None);
    mi_data::mnist::ensure(&mnist, &mut |m| println!("{m}")).with_context(|| format!("MNIST in {}", mnist.display()))?;
    let py = run_capture(Command::new(&tools.python).arg(root.join("scripts/bench/python_api.py")), "Python: infomax vs scikit-learn")?;
    let mut rows = vec![];
    for p in &py {
        let case = p["case"].as_str().unwrap_or("");
        let mut row = json!({
            "benchmark": case,
            "ours_seconds": f(p, "ours_seconds"), "theirs_seconds": f(p, "theirs_seconds"),
            "speedup": f(p, "theirs_seconds") / f(p, "ours_seconds"),
        });
        if case.contains("ksg") {
            row["ours"] = json!("infomax.mutual_info (Python)");
            row["theirs"] = json!("sklearn mutual_info_regression");
            row["ours_mi_nats"] = p["ours_mi_nats"].clone();
            row["theirs_mi_nats"] = p["theirs_mi_nats"].clone();
            row["abs_difference"] = json!((f(p, "ours_mi_nats") - f(p, "theirs_mi_nats")).abs());
        } else {
            row["ours"] = json!("infomax.probe.LogisticRegression (Python)");
            row["theirs"] = json!("scikit-learn LogisticRegression(saga)");
            for k in ["ours_test_accuracy", "theirs_test_accuracy", "ours_accuracy_by_seed", "theirs_accuracy_by_seed", "ours_epochs", "theirs_epochs"] {
                row[k] = p[k].clone();
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The records of a timing, one list per round.
type Rounds = Vec<Vec<Value>>;

/// A4 training steps per second, [`ROUNDS`] interleaved rounds: the records of infomax and of
/// the PyTorch twin (plain and with [`GLIBC_HEAP_KEPT`]).
fn a4_rounds(root: &Path, tools: &Tools) -> Result<(Rounds, Rounds)> {
    let twin = root.join("scripts/bench/a4_step_rate.py");
    let (mut rs_rounds, mut py_rounds) = (vec![], vec![]);
    for round in 1..=ROUNDS {
        let (mut rs, mut py) = (vec![], vec![]);
        for enc in ["mlp", "convnet"] {
            rs.extend(run_capture(Command::new(&tools.a4_bin).args(["200", enc]), &format!("A4 steps/s, {enc}: infomax (tch), round {round}/{ROUNDS}"))?);
            py.extend(run_capture(
                Command::new(&tools.python).arg(&twin).args(["200", enc]),
                &format!("A4 steps/s, {enc}: PyTorch, round {round}/{ROUNDS}"),
            )?);
            // the same twin with glibc keeping freed memory, as the infomax binaries set it
            // (mi_torch::retain_freed_memory): what a PyTorch user gets from one variable
            let tuned = run_capture(
                Command::new(&tools.python).env("GLIBC_TUNABLES", GLIBC_HEAP_KEPT).arg(&twin).args(["200", enc]),
                &format!("A4 steps/s, {enc}: PyTorch with GLIBC_TUNABLES, round {round}/{ROUNDS}"),
            )?;
            py.extend(tuned.into_iter().map(mark_heap_kept));
        }
        rs_rounds.push(rs);
        py_rounds.push(py);
    }
    Ok((rs_rounds, py_rounds))
}

/// Adds "GLIBC_TUNABLES heap kept" to a record's variant.
fn mark_heap_kept(mut v: Value) -> Value {
    let variant = v["variant"].as_str().unwrap_or("").to_string();
    v["variant"] = json!(if variant.is_empty() { "GLIBC_TUNABLES heap kept".to_string() } else { format!("{variant}, GLIBC_TUNABLES heap kept") });
    v
}

/// One row per infomax encoder and PyTorch variant, from the median records of the rounds.
fn a4_rows(rs: &[Value], py: &[Value]) -> Vec<Value> {
    let mut rows = vec![];
    for r in rs {
        // the PyTorch twin times the ConvNet twice: as a port usually writes TF 'same' padding
        // (F.pad, unpadded conv) and with the split padding the Rust encoder uses
        for p in py.iter().filter(|p| p["encoder"] == r["encoder"]) {
            let variant = p["variant"].as_str().unwrap_or("");
            let theirs = if variant.is_empty() { "PyTorch 2.11".to_string() } else { format!("PyTorch 2.11, {variant}") };
            rows.push(json!({
                "benchmark": format!("A4 training, {} encoders", r["encoder"].as_str().unwrap_or("")),
                "ours": "infomax (tch 0.24)", "theirs": theirs,
                "ours_steps_per_second": f(r, "steps_per_second"), "theirs_steps_per_second": f(p, "steps_per_second"),
                "speedup": f(r, "steps_per_second") / f(p, "steps_per_second"),
            }));
        }
    }
    rows
}

/// The checked-out revision (12 hex digits), with `-dirty` when code outside `results/` has
/// uncommitted changes (the rule `config.json` of every experiment follows); None outside git.
fn git_revision(root: &Path) -> Option<String> {
    let git = |args: &[&str]| Command::new("git").current_dir(root).args(args).output().ok().filter(|o| o.status.success());
    let revision = String::from_utf8_lossy(&git(&["rev-parse", "--short=12", "HEAD"])?.stdout).trim().to_string();
    let dirty = git(&["status", "--porcelain", "--untracked-files=no", "--", ":(top)", ":(top,exclude)results"]).is_some_and(|o| !o.stdout.is_empty());
    Some(if dirty { format!("{revision}-dirty") } else { revision })
}

/// Writes `results/bench/bench.json` and `results/bench/REPORT.md` (also printed), with the
/// revision, this machine's cores, OpenMP threads and load average.
fn write_report(root: &Path, rows: &[Value], blas: &str) -> Result<()> {
    let revision = git_revision(root);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let omp = std::env::var("OMP_NUM_THREADS").ok();
    let doc = json!({ "rows": rows, "git_revision": revision, "cpu_cores": cores, "omp_num_threads": omp, "load_average_at_end": load.trim(), "libtorch_blas": blas });
    let out = root.join("results/bench");
    let mut md = String::from("# Benchmarks: infomax side by side with the usual tools\n\n");
    md.push_str(&format!(
        "Generated by `cargo xtask bench` at revision `{}` on this machine ({cores} cores; {}load average at the end: {}). \
         Each pair ran back to back in one invocation on the same data. Speed-up > 1 means infomax is faster. \
         libtorch's BLAS in our binary: `{blas}`.\n\n",
        revision.as_deref().unwrap_or("unknown (not a git checkout)"),
        omp.as_deref().map(|n| format!("OMP_NUM_THREADS={n} for libtorch and PyTorch alike; ")).unwrap_or_default(),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    ));
    md.push_str(&a4_note());
    md.push_str("| Benchmark | infomax | other tool | speed-up | agreement |\n|---|---|---|---|---|\n");
    for r in rows {
        md.push_str(&table_row(r));
    }
    mi_data::atomic::write_atomic(&out.join("bench.json"), (serde_json::to_string_pretty(&doc)? + "\n").as_bytes())?;
    mi_data::atomic::write_atomic(&out.join("REPORT.md"), md.as_bytes())?;
    println!("{md}");
    println!("xtask bench: wrote {}", out.join("bench.json").display());
    Ok(())
}

/// What the A4 rows of the report compare, and how.
fn a4_note() -> String {
    format!(
        "A4 training steps: median of {ROUNDS} interleaved rounds of 200 steps. infomax trains with its fused Adam \
         (`mi_torch::optim::Adam`, what the experiments use); the PyTorch twin is timed with `torch.optim.Adam` as a \
         script creates it by default and, for the MLP, also with `Adam(fused=True)`, PyTorch's own fused CPU kernel. \
         The infomax binaries keep libtorch's freed memory in the heap (`mi_torch::retain_freed_memory`: glibc maps \
         allocations from 32 MiB and trims beyond 1 GiB, instead of paying fresh page faults for every 0.2–3 MB tensor); \
         the rows marked `GLIBC_TUNABLES heap kept` time the PyTorch twin with the same setting \
         (`GLIBC_TUNABLES={GLIBC_HEAP_KEPT}`), which a PyTorch user can set too. \
         infomax's ConvNet also pools its layer norm analytically (the normalised map is never built; see ARCHITECTURE.md), \
         while the twin builds the map, as the paper's code does.\n\n"
    )
}

/// One row of the report's table.
fn table_row(r: &Value) -> String {
    let agreement = if let Some(d) = r.get("abs_difference").and_then(Value::as_f64) {
        format!("ΔMI = {d:.2e} nats (absolute)")
    } else if let (Some(o), Some(t)) = (r.get("ours_accuracy_by_seed").and_then(Value::as_array), r.get("theirs_accuracy_by_seed").and_then(Value::as_array)) {
        let list = |v: &Vec<Value>| v.iter().map(|a| format!("{:.4}", a.as_f64().unwrap_or(f64::NAN))).collect::<Vec<_>>().join(", ");
        format!("mean accuracy {:.4} vs {:.4} over {} seeds ({} / {})", f(r, "ours_test_accuracy"), f(r, "theirs_test_accuracy"), o.len(), list(o), list(t))
    } else if r.get("ours_test_accuracy").is_some() {
        format!("accuracy {:.4} vs {:.4}", f(r, "ours_test_accuracy"), f(r, "theirs_test_accuracy"))
    } else {
        "—".into()
    };
    let (ours, theirs) = if r.get("ours_seconds").is_some() {
        (format!("{:.3} s", f(r, "ours_seconds")), format!("{:.3} s ({})", f(r, "theirs_seconds"), r["theirs"].as_str().unwrap_or("")))
    } else {
        (format!("{:.1} steps/s", f(r, "ours_steps_per_second")), format!("{:.1} steps/s ({})", f(r, "theirs_steps_per_second"), r["theirs"].as_str().unwrap_or("")))
    };
    format!("| {} | {ours} | {theirs} | {:.2}× | {agreement} |\n", r["benchmark"].as_str().unwrap_or(""), f(r, "speedup"))
}
