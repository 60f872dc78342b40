//! `infomax estimate`: I(X; Y) in nats from two data files with the same number of rows.
//!
//! Estimators: `ksg` (KSG algorithm 1), `ksg2` (KSG algorithm 2), `gaussian` (Gaussian / CCA).
//! k-NN estimators standardise each column and add a 1e-10-scale Gaussian jitter seeded by
//! `--seed` (as scikit-learn does) so that tied values cannot make the estimate depend on row order.
//! The neural estimators (`infonce`, `nwj`, `dv`, `mine`, `smile`, `js`) are refused with exit
//! status 2: neural estimation from samples is not available yet.
use mi_estimators::gaussian::gaussian_mi_estimate_nats;
use mi_estimators::knn::{ksg_mi_nats, Jitter, KnnOptions, KsgAlgorithm};
use ndarray::Array2;
use std::path::PathBuf;

/// Scale of the tie-breaking jitter the k-NN estimators get (after standardisation).
pub const JITTER_SCALE: f64 = 1e-10;

#[derive(clap::Args)]
pub struct Args {
    /// Samples of X: .npy ([n] or [n, d]; f32, f64 or integer) or .csv (numeric, optional header).
    #[arg(long)]
    pub x: PathBuf,
    /// Samples of Y, same number of rows as X.
    #[arg(long)]
    pub y: PathBuf,
    /// ksg | ksg2 | gaussian | infonce | nwj | dv | mine | smile | js
    #[arg(long, default_value = "ksg")]
    pub estimator: String,
    /// Neighbours for the k-NN estimators.
    #[arg(long, default_value_t = 3)]
    pub k: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object instead of a human line.
    #[arg(long)]
    pub json: bool,
}

/// What `estimate` found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    pub estimator: String,
    pub mi_nats: f64,
    pub n: usize,
    pub dx: usize,
    pub dy: usize,
    /// neighbours (k-NN estimators only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<usize>,
    /// jitter scale (k-NN estimators only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jitter: Option<f64>,
    pub seed: u64,
}

const NEURAL: [&str; 6] = ["infonce", "nwj", "dv", "mine", "smile", "js"];

enum Which {
    Ksg(KsgAlgorithm),
    Gaussian,
}

fn which(name: &str) -> anyhow::Result<Which> {
    match name {
        "ksg" => Ok(Which::Ksg(KsgAlgorithm::One)),
        "ksg2" => Ok(Which::Ksg(KsgAlgorithm::Two)),
        "gaussian" => Ok(Which::Gaussian),
        n if NEURAL.contains(&n) => Err(crate::input_error(format!(
            "estimator '{n}': neural estimation from samples is not available yet in this version; use ksg, ksg2 or gaussian"
        ))),
        other => Err(crate::input_error(format!(
            "unknown estimator '{other}': expected ksg, ksg2 or gaussian (neural: infonce, nwj, dv, mine, smile, js — not available yet)"
        ))),
    }
}

fn read(path: &std::path::Path, which: &str) -> anyhow::Result<Array2<f64>> {
    mi_data::array_file::read_matrix(path).map_err(|e| crate::input_error(format!("--{which}: {e}")))
}

/// Reads both files, checks them and estimates. Every failure caused by the input is an
/// [`crate::InputError`] (exit status 2).
pub fn estimate(args: &Args) -> anyhow::Result<Report> {
    let kind = which(&args.estimator)?;
    let x = read(&args.x, "x")?;
    let y = read(&args.y, "y")?;
    if x.nrows() != y.nrows() {
        return Err(crate::input_error(format!(
            "X has {} rows but Y has {}: the files must hold paired samples, one per row",
            x.nrows(),
            y.nrows()
        )));
    }
    let n = x.nrows();
    let (mi_nats, k, jitter) = match kind {
        Which::Ksg(alg) => {
            if args.k == 0 || args.k >= n {
                return Err(crate::input_error(format!("--k {} is invalid for {n} samples: need 1 ≤ k < n", args.k)));
            }
            let opts = KnnOptions { jitter: Some(Jitter { scale: JITTER_SCALE, seed: args.seed }), ..KnnOptions::with_k(args.k) };
            (ksg_mi_nats(&x.view(), &y.view(), alg, &opts).map_err(crate::input_error)?, Some(args.k), Some(JITTER_SCALE))
        }
        Which::Gaussian => (gaussian_mi_estimate_nats(&x.view(), &y.view()).map_err(crate::input_error)?, None, None),
    };
    Ok(Report { estimator: args.estimator.clone(), mi_nats, n, dx: x.ncols(), dy: y.ncols(), k, jitter, seed: args.seed })
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let r = estimate(&args)?;
    if args.json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        let k = r.k.map(|k| format!(", k = {k}")).unwrap_or_default();
        println!("I(X; Y) ≈ {:.4} nats ({}{k}, n = {}, dx = {}, dy = {})", r.mi_nats, r.estimator, r.n, r.dx, r.dy);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mi_estimators::tasks::Task;

    struct Dir(PathBuf);
    impl Dir {
        fn new(name: &str) -> Dir {
            let d = std::env::temp_dir().join(format!("infomax-estimate-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&d).unwrap();
            Dir(d)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn args(x: PathBuf, y: PathBuf, estimator: &str, k: usize) -> Args {
        Args { x, y, estimator: estimator.into(), k, seed: 0, json: true }
    }

    fn is_input_error(e: &anyhow::Error) -> bool {
        e.is::<crate::InputError>()
    }

    #[test]
    fn estimates_a_bivariate_gaussian() {
        let d = Dir::new("ok");
        let (x, y) = Task::bivariate_gaussian(0.75).unwrap().sample(5_000, 1);
        let (px, py) = (d.0.join("a.npy"), d.0.join("b.npy"));
        mi_data::array_file::write_npy_f64(&px, &x).unwrap();
        mi_data::array_file::write_npy_f64(&py, &y).unwrap();
        let r = estimate(&args(px.clone(), py.clone(), "ksg", 3)).unwrap();
        assert_eq!((r.n, r.dx, r.dy), (5_000, 1, 1));
        assert!((r.mi_nats - 0.4133).abs() < 0.03, "{}", r.mi_nats);
        let g = estimate(&args(px.clone(), py.clone(), "gaussian", 3)).unwrap();
        assert!((g.mi_nats - 0.4133).abs() < 0.03, "{}", g.mi_nats);
        let json = serde_json::to_value(&r).unwrap();
        for key in ["estimator", "mi_nats", "n", "dx", "dy"] {
            assert!(json.get(key).is_some(), "{key} missing");
        }
    }

    #[test]
    fn bad_input_is_an_input_error() {
        let d = Dir::new("bad");
        let (x, y) = Task::bivariate_gaussian(0.5).unwrap().sample(10, 1);
        let (px, py) = (d.0.join("x.npy"), d.0.join("y.npy"));
        mi_data::array_file::write_npy_f64(&px, &x).unwrap();
        mi_data::array_file::write_npy_f64(&py, &y.slice(ndarray::s![..9, ..]).to_owned()).unwrap();
        let short = estimate(&args(px.clone(), py.clone(), "ksg", 3)).unwrap_err();
        assert!(is_input_error(&short) && short.to_string().contains("rows"), "{short}");
        let pyy = d.0.join("y2.npy");
        mi_data::array_file::write_npy_f64(&pyy, &y).unwrap();
        for (est, k) in [("ksg", 10), ("ksg", 0), ("nope", 3), ("infonce", 3), ("mine", 3)] {
            let e = estimate(&args(px.clone(), pyy.clone(), est, k)).unwrap_err();
            assert!(is_input_error(&e), "{est} {k}: {e}");
        }
        let csv = d.0.join("t.csv");
        std::fs::write(&csv, "a,b\n1,x\n").unwrap();
        assert!(is_input_error(&estimate(&args(csv.clone(), pyy.clone(), "ksg", 3)).unwrap_err()));
        let nan = d.0.join("n.csv");
        std::fs::write(&nan, "1\nnan\n3\n").unwrap();
        assert!(is_input_error(&estimate(&args(nan, pyy.clone(), "ksg", 1)).unwrap_err()));
        let empty = d.0.join("e.csv");
        std::fs::write(&empty, "").unwrap();
        assert!(is_input_error(&estimate(&args(empty, pyy.clone(), "ksg", 1)).unwrap_err()));
        assert!(is_input_error(&estimate(&args(d.0.join("missing.npy"), pyy, "ksg", 1)).unwrap_err()));
    }
}
