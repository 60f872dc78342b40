//! The tidy check: the dependency rules of `ARCHITECTURE.md`, enforced.
//!
//! 1. The ndarray crates (mi-estimators without its `tch` feature, mi-data, mi-views, mi-probe,
//!    and the Python package mi-python built on them)
//!    do not pull in tch or torch-sys, even transitively.
//! 2. Workspace crates depend on each other only along the allowed edges below.
//! 3. Library crates below mi-experiments do no file or screen I/O, except mi-data and mi-train.
//! 4. The report crate builds without libtorch; experiment modules do not import each other; no
//!    source file over 600 lines and no function over 80 lines outside tests.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn cargo(args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo).current_dir(root()).args(args).output().unwrap();
    assert!(out.status.success(), "cargo {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn normal_dep_names(package: &str, extra: &[&str]) -> BTreeSet<String> {
    let mut args = vec!["tree", "-p", package, "-e", "normal", "--prefix", "none"];
    args.extend_from_slice(extra);
    cargo(&args)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn ndarray_crates_do_not_depend_on_tch() {
    for krate in ["mi-estimators", "mi-data", "mi-views", "mi-probe", "mi-report", "mi-python"] {
        let deps = normal_dep_names(krate, &[]);
        assert!(deps.contains("ndarray") || deps.contains("resvg") || krate == "mi-data", "{krate}: cargo tree output looks wrong: {deps:?}");
        for banned in ["tch", "torch-sys", "mi-torch"] {
            assert!(!deps.contains(banned), "{krate} depends on {banned} (normal dependencies: {deps:?})");
        }
    }
    // Positive control: the check above would see tch if it were there.
    let with_feature = normal_dep_names("mi-estimators", &["--features", "tch"]);
    assert!(with_feature.contains("tch"), "mi-estimators/tch should bring tch: {with_feature:?}");
}

/// Which workspace crates each crate may depend on (normal dependencies).
fn allowed() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let set = |v: &[&'static str]| v.iter().copied().collect::<BTreeSet<_>>();
    let all_libs = [
        "mi-estimators",
        "mi-data",
        "mi-views",
        "mi-probe",
        "mi-torch",
        "mi-encoders",
        "mi-critics",
        "mi-flows",
    ];
    let mut m = BTreeMap::new();
    m.insert("mi-estimators", set(&["mi-torch"])); // only under the optional `tch` feature
    m.insert("mi-data", set(&[]));
    m.insert("mi-views", set(&["mi-data"]));
    m.insert("mi-probe", set(&[]));
    m.insert("mi-torch", set(&[]));
    // encoders → flows: the RealNVP encoders of A1 are mi-flows' RealNVP stacks (ARCHITECTURE.md)
    m.insert("mi-encoders", set(&["mi-torch", "mi-flows"]));
    m.insert("mi-critics", set(&["mi-torch"]));
    m.insert("mi-flows", set(&["mi-torch"]));
    // the report crate draws and formats: it knows nothing of training
    m.insert("mi-report", set(&[]));
    // the engine: every library's error converts into its one error type
    let mut train = all_libs.to_vec();
    train.push("mi-report");
    m.insert("mi-train", set(&train));
    let mut experiments = train.clone();
    experiments.push("mi-train");
    m.insert("mi-experiments", set(&experiments));
    let mut cli = experiments.clone();
    cli.push("mi-experiments");
    m.insert("mi-cli", set(&cli));
    m.insert("xtask", set(&["mi-data"]));
    // the Python package: the estimation half only, so the wheel needs no libtorch
    m.insert("mi-python", set(&["mi-estimators", "mi-probe"]));
    m.insert("infomax-tests", set(&["mi-estimators", "mi-data", "mi-views", "mi-probe"]));
    m
}

#[test]
fn workspace_edges_follow_architecture_md() {
    let meta: serde_json::Value =
        serde_json::from_str(&cargo(&["metadata", "--no-deps", "--format-version", "1"])).unwrap();
    let allowed = allowed();
    let packages = meta["packages"].as_array().unwrap();
    let names: BTreeSet<String> = packages.iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
    for name in allowed.keys() {
        assert!(names.contains(*name), "ARCHITECTURE.md names {name} but the workspace has no such crate");
    }
    for p in packages {
        let name = p["name"].as_str().unwrap();
        let ok = allowed.get(name).unwrap_or_else(|| panic!("crate {name} is not in the tidy table: add it with its allowed edges"));
        for d in p["dependencies"].as_array().unwrap() {
            let dep = d["name"].as_str().unwrap();
            let normal = d["kind"].is_null();
            if normal && names.contains(dep) {
                assert!(ok.contains(dep), "{name} depends on {dep}, which ARCHITECTURE.md does not allow");
            }
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn only_data_experiments_and_binaries_do_io() {
    let banned = ["std::fs", "File::create", "File::open", "println!", "eprintln!", "print!(", "stdout()"];
    for krate in ["mi-estimators", "mi-views", "mi-probe", "mi-torch", "mi-encoders", "mi-critics", "mi-flows", "mi-report", "mi-python"] {
        let mut files = vec![];
        rust_files(&root().join("crates").join(krate).join("src"), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            // unit tests at the bottom of a file may do what they like
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (i, line) in code.lines().enumerate() {
                let l = line.trim_start();
                if l.starts_with("//") {
                    continue;
                }
                for b in banned {
                    assert!(!l.contains(b), "{}:{}: `{b}` in a library crate that must not do I/O", f.display(), i + 1);
                }
            }
        }
    }
}

/// The experiment modules of mi-experiments: each is one module (file or folder) and none imports
/// another's. What A1–A4 share lives in `infomax`, which is not an experiment.
const EXPERIMENTS: [&str; 9] = ["a1", "a2", "a3", "a4", "limits", "hypersphere", "naf", "estimators", "neural_estimate"];

#[test]
fn experiments_do_not_import_each_other() {
    let src = root().join("crates/mi-experiments/src");
    for exp in EXPERIMENTS {
        let mut files = vec![];
        let dir = src.join(exp);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        } else {
            files.push(src.join(format!("{exp}.rs")));
        }
        assert!(!files.is_empty() && files.iter().all(|f| f.exists()), "experiment module {exp} not found");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for other in EXPERIMENTS.iter().filter(|o| **o != exp) {
                for pat in [format!("crate::{other}::"), format!("crate::{other};"), format!("crate::{other}}}")] {
                    assert!(!text.contains(&pat), "{}: experiment {exp} imports experiment {other} (`{pat}`)", f.display());
                }
            }
        }
    }
}

/// Lines of each function outside `#[cfg(test)]` code, counted from its `fn` line to the brace
/// that closes it (string and char literals are skipped so that braces in them do not count).
fn long_functions(text: &str, limit: usize) -> Vec<(String, usize)> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let lines: Vec<&str> = code.lines().collect();
    let mut out = vec![];
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let is_fn = ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn ", "const fn ", "pub const fn ", "unsafe fn ", "pub unsafe fn "]
            .iter()
            .any(|p| t.starts_with(p));
        if !is_fn {
            continue;
        }
        let (mut depth, mut opened) = (0i64, false);
        for (j, l) in lines.iter().enumerate().skip(i) {
            if !opened && depth == 0 && l.trim_end().ends_with(';') {
                break; // a declaration without a body
            }
            let mut in_str = false;
            let mut prev = ' ';
            for c in l.chars() {
                match c {
                    '"' if prev != '\\' => in_str = !in_str,
                    '{' if !in_str => {
                        depth += 1;
                        opened = true;
                    }
                    '}' if !in_str => depth -= 1,
                    _ => {}
                }
                prev = c;
            }
            if opened && depth <= 0 {
                if j - i + 1 > limit {
                    out.push((t.chars().take(60).collect(), j - i + 1));
                }
                break;
            }
        }
    }
    out
}

#[test]
fn files_and_functions_stay_small() {
    let mut files = vec![];
    rust_files(&root().join("crates"), &mut files);
    rust_files(&root().join("xtask").join("src"), &mut files);
    let mut problems = vec![];
    for f in files.iter().filter(|f| f.components().all(|c| c.as_os_str() != "tests" && c.as_os_str() != "benches" && c.as_os_str() != "examples")) {
        let text = std::fs::read_to_string(f).unwrap();
        let n = text.lines().count();
        if n > 600 {
            problems.push(format!("{}: {n} lines (at most 600)", f.display()));
        }
        for (name, len) in long_functions(&text, 80) {
            problems.push(format!("{}: `{name}` is {len} lines (at most 80)", f.display()));
        }
    }
    assert!(problems.is_empty(), "split these:\n{}", problems.join("\n"));
    // the check itself can fail
    let long = format!("fn f() {{\n{}}}\n", "    let x = 1;\n".repeat(90));
    assert_eq!(long_functions(&long, 80).len(), 1);
    assert!(long_functions("fn g() { \"}\"; }\n", 80).is_empty());
}
