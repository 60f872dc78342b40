//! `infomax estimate`: I(X; Y) in nats from two data files with the same number of rows.
//!
//! Estimators: `ksg` (KSG algorithm 1), `ksg2` (KSG algorithm 2), `gaussian` (Gaussian / CCA).
//! k-NN estimators standardise each column and add a 1e-10-scale Gaussian jitter seeded by
//! `--seed` (as scikit-learn does) so that tied values cannot make the estimate depend on row order.
//! The neural estimators (`infonce`, `nwj`, `dv`, `mine`, `smile`, `js`) train a critic
//! (`--critic separable|concat`) with that bound on 80 % of the rows, early-stop on the other
//! 20 % and report the held-out estimate with `cap_nats`, what it cannot exceed (log batch for
//! InfoNCE, ln of the held-out rows for the others); see `mi_experiments::neural_estimate`.
//!
//! `auto` (docs/estimator-bench.md) is the larger of the null-corrected copula-KSG and
//! copula-Gaussian estimates; the JSON names the component that gave it and holds both.
//!
//! `--copula` replaces every column by the normal scores of its ranks first (MI is unchanged by
//! the transform; k-NN and Gaussian estimates usually improve on skewed or heavy-tailed margins).
//! `--permutations N` (k-NN and Gaussian estimators) adds a permutation test of I = 0: the p-value
//! and the null-corrected estimate (the estimate minus the mean over N row shuffles of Y).
use mi_estimators::auto::{auto_mi, AutoEstimate, AutoOptions, DEFAULT_AUTO_PERMUTATIONS};
use mi_estimators::copula::normal_scores;
use mi_estimators::gaussian::gaussian_mi_estimate_nats;
use mi_estimators::interval::{subsample_interval, Interval, DEFAULT_SPLITS};
use mi_estimators::permutation::permutation_test;
use mi_estimators::knn::{ksg_cmi_nats, ksg_mi_nats, Jitter, KnnOptions, KsgAlgorithm};
use mi_estimators::bounds::Bound;
use mi_experiments::neural_estimate::{self, NeuralCritic, NeuralOptions};
use ndarray::{Array2, ArrayView2};
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
    /// Samples of Z, same number of rows: estimate the conditional I(X; Y | Z) instead (ksg only:
    /// the Frenzel–Pompe estimator).
    #[arg(long)]
    pub z: Option<PathBuf>,
    /// ksg | ksg2 | gaussian | auto | infonce | nwj | dv | mine | smile | js. auto: the larger of
    /// the null-corrected copula-KSG and copula-Gaussian estimates (docs/estimator-bench.md).
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
    /// Print the estimate in bits (JSON always holds both `mi_nats` and `mi_bits`).
    #[arg(long)]
    pub bits: bool,
    /// Rank-transform every column to normal scores before estimating (a copula estimate).
    #[arg(long)]
    pub copula: bool,
    /// k-NN, Gaussian and auto estimators: shuffle Y this many times for a permutation test of
    /// I = 0 (auto: for its null correction, default 10).
    #[arg(long, default_value_t = 0)]
    pub permutations: usize,
    /// k-NN and Gaussian estimators: a confidence interval at this level (e.g. 0.95), from random
    /// splits of the rows into disjoint halves (see mi_estimators::interval).
    #[arg(long)]
    pub ci: Option<f64>,
    /// Neural estimators: separable | concat.
    #[arg(long, default_value = "separable")]
    pub critic: String,
    /// Neural estimators: the most training steps (early stopping usually ends sooner).
    #[arg(long, default_value_t = 5_000)]
    pub steps: usize,
    /// Neural estimators: pairs per batch (InfoNCE cannot exceed log batch).
    #[arg(long, default_value_t = 128)]
    pub batch: usize,
    /// Neural estimators: cpu | cuda | auto.
    #[arg(long, default_value = "cpu")]
    pub device: String,
}

/// What `estimate` found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    pub estimator: String,
    /// columns of Z for a conditional estimate I(X; Y | Z)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dz: Option<usize>,
    pub mi_nats: f64,
    pub mi_bits: f64,
    /// whether the columns were rank-transformed to normal scores first
    pub copula: bool,
    /// the permutation test (with `--permutations N`, N > 0)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permutation: Option<PermutationReport>,
    /// the components of an `auto` estimate and which one gave it
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto: Option<AutoEstimate>,
    /// the confidence interval (with `--ci LEVEL`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
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
    /// what a neural estimate cannot exceed (neural estimators only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_nats: Option<f64>,
    /// `log_batch` (InfoNCE) or `log_held_out_samples` (neural estimators only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_kind: Option<&'static str>,
    /// training steps taken (neural estimators only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<usize>,
    /// the step whose held-out estimate is reported (neural estimators only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_step: Option<usize>,
    /// training and held-out rows, batch and critic (neural estimators only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_train: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_held_out: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critic: Option<String>,
}

/// The permutation test of I = 0 as `estimate` reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PermutationReport {
    pub permutations: usize,
    /// (1 + #{shuffled ≥ observed}) / (1 + permutations)
    pub p_value: f64,
    pub null_mean_nats: f64,
    /// the estimate minus the null mean
    pub null_corrected_nats: f64,
}

enum Which {
    Ksg(KsgAlgorithm),
    Gaussian,
    Auto,
    Neural(Bound, NeuralCritic),
}

fn which(args: &Args) -> anyhow::Result<Which> {
    match args.estimator.as_str() {
        "ksg" => Ok(Which::Ksg(KsgAlgorithm::One)),
        "ksg2" => Ok(Which::Ksg(KsgAlgorithm::Two)),
        "gaussian" => Ok(Which::Gaussian),
        "auto" => Ok(Which::Auto),
        n => match n.parse::<Bound>().ok().filter(|b| neural_estimate::trainable(*b)) {
            Some(bound) => {
                let critic = NeuralCritic::named(&args.critic).ok_or_else(|| {
                    crate::input_error(format!("unknown --critic '{}': expected separable or concat", args.critic))
                })?;
                Ok(Which::Neural(bound, critic))
            }
            None => Err(crate::input_error(format!(
                "unknown estimator '{n}': expected ksg, ksg2, gaussian, auto, infonce, nwj, dv, mine, smile or js"
            ))),
        },
    }
}

fn read(path: &std::path::Path, which: &str) -> anyhow::Result<Array2<f64>> {
    mi_data::array_file::read_matrix(path).map_err(|e| crate::input_error(format!("--{which}: {e}")))
}

/// Refuses option combinations that do not make sense, before any file is read.
fn check_options(args: &Args, kind: &Which) -> anyhow::Result<()> {
    let neural = matches!(kind, Which::Neural(..));
    if args.z.is_some() && !matches!(kind, Which::Ksg(KsgAlgorithm::One)) {
        return Err(crate::input_error(format!(
            "--z (conditional MI) is estimated by ksg only (the Frenzel–Pompe estimator), not by {}; use --estimator ksg",
            args.estimator
        )));
    }
    if args.z.is_some() && args.permutations > 0 {
        return Err(crate::input_error(
            "--permutations with --z: shuffling Y would also break its dependence on Z, so it does not test I(X; Y | Z) = 0; drop one of them",
        ));
    }
    if matches!(kind, Which::Auto) && args.ci.is_some() {
        return Err(crate::input_error(
            "--ci is not available for auto (which of its components gives the answer can change between the halves an interval is built from); drop --ci, or ask for an interval of one estimator: --estimator ksg|gaussian --copula --ci LEVEL",
        ));
    }
    if args.ci.is_some() && (neural || args.z.is_some()) {
        return Err(crate::input_error(
            "--ci is for the k-NN and Gaussian estimators of I(X; Y) (not yet with --z, nor for neural estimators, whose held-out estimate would need a retrained critic per half); drop --ci or use ksg, ksg2 or gaussian without --z",
        ));
    }
    if args.permutations > 0 && neural {
        return Err(crate::input_error(format!(
            "--permutations {} is for the k-NN and Gaussian estimators: a neural estimate would train {} critics; drop it, or use ksg, ksg2 or gaussian",
            args.permutations, args.permutations
        )));
    }
    Ok(())
}

/// X, Y and Z (with `--z`) as the estimators get them: paired rows, no constant column, rank-
/// transformed to normal scores with `--copula`.
struct Inputs {
    x: Array2<f64>,
    y: Array2<f64>,
    z: Option<Array2<f64>>,
}

fn read_inputs(args: &Args) -> anyhow::Result<Inputs> {
    let x = read(&args.x, "x")?;
    let y = read(&args.y, "y")?;
    let z = args.z.as_ref().map(|p| read(p, "z")).transpose()?;
    let n = x.nrows();
    for (a, which) in std::iter::once((&y, "Y")).chain(z.as_ref().map(|z| (z, "Z"))) {
        if a.nrows() != n {
            return Err(crate::input_error(format!("X has {n} rows but {which} has {}: the files must hold paired samples, one per row", a.nrows())));
        }
    }
    for (a, which) in [(&x, "x"), (&y, "y")].into_iter().chain(z.as_ref().map(|z| (z, "z"))) {
        if let Some(c) = (0..a.ncols()).find(|&c| n > 1 && a.column(c).iter().all(|&v| v == a[[0, c]])) {
            return Err(crate::input_error(format!(
                "--{which}: column {c} is constant (every row is {}): it carries no information and cannot be standardised or ranked; drop the column",
                a[[0, c]]
            )));
        }
    }
    if !args.copula {
        return Ok(Inputs { x, y, z });
    }
    let scores = |a: &Array2<f64>, which: &str| normal_scores(&a.view()).map_err(|e| crate::input_error(format!("--copula on --{which}: {e}")));
    Ok(Inputs { x: scores(&x, "x")?, y: scores(&y, "y")?, z: z.as_ref().map(|z| scores(z, "z")).transpose()? })
}

/// Reads the files, checks them and estimates. Every failure caused by the input is an
/// [`crate::InputError`] (exit status 2).
pub fn estimate(args: &Args) -> anyhow::Result<Report> {
    let kind = which(args)?;
    check_options(args, &kind)?;
    let Inputs { x, y, z } = read_inputs(args)?;
    let n = x.nrows();
    let mut report = Report {
        estimator: args.estimator.clone(),
        dz: z.as_ref().map(|z| z.ncols()),
        mi_nats: f64::NAN,
        mi_bits: f64::NAN,
        copula: args.copula,
        permutation: None,
        auto: None,
        interval: None,
        n,
        dx: x.ncols(),
        dy: y.ncols(),
        k: None,
        jitter: None,
        seed: args.seed,
        cap_nats: None,
        cap_kind: None,
        steps: None,
        best_step: None,
        n_train: None,
        n_held_out: None,
        batch: None,
        critic: None,
    };
    match kind {
        Which::Ksg(alg) => {
            if args.k == 0 || args.k >= n {
                return Err(crate::input_error(format!("--k {} is invalid for {n} samples: need 1 ≤ k < n", args.k)));
            }
            let opts = KnnOptions { jitter: Some(Jitter { scale: JITTER_SCALE, seed: args.seed }), ..KnnOptions::with_k(args.k) };
            (report.mi_nats, report.permutation, report.interval) = match &z {
                Some(z) => (ksg_cmi_nats(&x.view(), &y.view(), &z.view(), &opts).map_err(crate::input_error)?, None, None),
                None => tested(args, &x, &y, |a, b| ksg_mi_nats(a, b, alg, &opts))?,
            };
            (report.k, report.jitter) = (Some(args.k), Some(JITTER_SCALE));
        }
        Which::Gaussian => (report.mi_nats, report.permutation, report.interval) = tested(args, &x, &y, gaussian_mi_estimate_nats)?,
        Which::Auto => {
            let permutations = if args.permutations > 0 { args.permutations } else { DEFAULT_AUTO_PERMUTATIONS };
            let opts = AutoOptions { k: args.k, permutations, seed: args.seed, jitter_scale: JITTER_SCALE };
            if args.k == 0 || args.k >= n {
                return Err(crate::input_error(format!("--k {} is invalid for {n} samples: need 1 ≤ k < n", args.k)));
            }
            let a = auto_mi(&x.view(), &y.view(), &opts).map_err(crate::input_error)?;
            (report.mi_nats, report.copula, report.k, report.jitter) = (a.mi_nats, true, Some(args.k), Some(JITTER_SCALE));
            report.auto = Some(a);
        }
        Which::Neural(bound, critic) => neural(args, bound, critic, &x, &y, &mut report)?,
    }
    report.mi_bits = report.mi_nats / std::f64::consts::LN_2;
    Ok(report)
}

/// A neural estimate: a critic trained on 80 % of the rows, its held-out value and cap.
fn neural(args: &Args, bound: Bound, critic: NeuralCritic, x: &Array2<f64>, y: &Array2<f64>, report: &mut Report) -> anyhow::Result<()> {
    let choice: mi_torch::DeviceChoice = args.device.parse().map_err(crate::input_error)?;
    let device = mi_torch::resolve_device(choice).map_err(crate::input_error)?;
    let opts = NeuralOptions { bound, critic, batch: args.batch, max_steps: args.steps, seed: args.seed, device, ..Default::default() };
    let show = !args.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut progress = |step: usize, held: f64| {
        if show {
            eprint!("\r  step {step}/{}: held-out estimate {held:.4} nats   ", args.steps);
        }
    };
    let r = neural_estimate::estimate(&x.view(), &y.view(), &opts, &mut progress).map_err(|e| match e {
        mi_train::ExperimentError::Invalid(m) => crate::input_error(m),
        other => anyhow::Error::new(other),
    })?;
    if show {
        eprintln!();
    }
    report.mi_nats = r.mi_nats;
    report.cap_nats = Some(r.cap_nats);
    report.cap_kind = Some(r.cap_kind);
    report.steps = Some(r.steps);
    report.best_step = Some(r.best_step);
    report.n_train = Some(r.n_train);
    report.n_held_out = Some(r.n_held_out);
    report.batch = Some(r.batch);
    report.critic = Some(args.critic.clone());
    Ok(())
}

/// The estimate on (x, y), with the permutation test and the interval when `--permutations` and
/// `--ci` ask for them.
fn tested(
    args: &Args,
    x: &Array2<f64>,
    y: &Array2<f64>,
    estimate: impl Fn(&ArrayView2<f64>, &ArrayView2<f64>) -> mi_estimators::Result<f64>,
) -> anyhow::Result<(f64, Option<PermutationReport>, Option<Interval>)> {
    let interval = match args.ci {
        Some(level) => Some(subsample_interval(&x.view(), &y.view(), level, DEFAULT_SPLITS, args.seed, &estimate).map_err(|e| crate::input_error(format!("--ci {level}: {e}")))?),
        None => None,
    };
    if args.permutations == 0 {
        let value = match &interval {
            Some(i) => i.estimate_nats,
            None => estimate(&x.view(), &y.view()).map_err(crate::input_error)?,
        };
        return Ok((value, None, interval));
    }
    let t = permutation_test(&x.view(), &y.view(), args.permutations, args.seed, estimate).map_err(crate::input_error)?;
    let report = PermutationReport {
        permutations: args.permutations,
        p_value: t.p_value(),
        null_mean_nats: t.null_mean_nats(),
        null_corrected_nats: t.null_corrected_nats(),
    };
    Ok((t.observed_nats, Some(report), interval))
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let r = estimate(&args)?;
    if args.json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        let k = r.k.map(|k| format!(", k = {k}")).unwrap_or_default();
        let cap = match (r.cap_nats, r.steps) {
            (Some(c), Some(s)) => format!(
                "; held-out estimate after {s} steps (best at {}), cannot exceed {c:.4} nats ({})",
                r.best_step.unwrap_or(s),
                if r.cap_kind == Some("log_batch") { "log batch" } else { "ln of the held-out rows" }
            ),
            _ => String::new(),
        };
        let (value, unit, scale) = if args.bits { (r.mi_bits, "bits", 1.0 / std::f64::consts::LN_2) } else { (r.mi_nats, "nats", 1.0) };
        let copula = match &r.auto {
            Some(a) => format!(": {} (null-corrected, {})", a.chosen, a.components.iter().map(|c| format!("{} {:.4}", c.estimator, c.null_corrected_nats * scale)).collect::<Vec<_>>().join(", ")),
            None if r.copula => ", copula".into(),
            None => String::new(),
        };
        let test = r
            .permutation
            .as_ref()
            .map(|t| format!("; permutation test ({} shuffles): p = {:.4}, null-corrected {:.4} {unit}", t.permutations, t.p_value, t.null_corrected_nats * scale))
            .unwrap_or_default();
        let (what, dz) = match r.dz {
            Some(dz) => ("I(X; Y | Z)", format!(", dz = {dz}")),
            None => ("I(X; Y)", String::new()),
        };
        let ci = r
            .interval
            .as_ref()
            .map(|i| format!(" [{:.4}, {:.4}] ({:.0} % interval, {} splits into halves)", i.lower_nats * scale, i.upper_nats * scale, i.level * 100.0, i.splits))
            .unwrap_or_default();
        println!("{what} ≈ {value:.4} {unit}{ci} ({}{copula}{k}, n = {}, dx = {}, dy = {}{dz}{cap}{test})", r.estimator, r.n, r.dx, r.dy);
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
        Args {
            x,
            y,
            z: None,
            estimator: estimator.into(),
            k,
            seed: 0,
            json: true,
            bits: false,
            copula: false,
            permutations: 0,
            ci: None,
            critic: "separable".into(),
            steps: 400,
            batch: 64,
            device: "cpu".into(),
        }
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
    fn copula_bits_and_the_permutation_test() {
        let d = Dir::new("copula");
        // cubing X is a bijection of its margin: MI unchanged, and the copula estimate equals the
        // plain one on the untransformed data exactly (the same ranks)
        let (x, y) = Task::bivariate_gaussian(0.75).unwrap().sample(2_000, 3);
        let (px, pxc, py) = (d.0.join("x.npy"), d.0.join("x3.npy"), d.0.join("y.npy"));
        mi_data::array_file::write_npy_f64(&px, &x).unwrap();
        mi_data::array_file::write_npy_f64(&pxc, &x.mapv(|v| v * v * v)).unwrap();
        mi_data::array_file::write_npy_f64(&py, &y).unwrap();
        let mut a = args(px.clone(), py.clone(), "gaussian", 3);
        a.copula = true;
        let plain_scores = estimate(&a).unwrap();
        a.x = pxc.clone();
        let cubed = estimate(&a).unwrap();
        assert!(cubed.copula && (cubed.mi_nats - plain_scores.mi_nats).abs() < 1e-12, "{} {}", cubed.mi_nats, plain_scores.mi_nats);
        assert!((cubed.mi_nats - 0.4133).abs() < 0.05, "{}", cubed.mi_nats);
        assert!((cubed.mi_bits - cubed.mi_nats / std::f64::consts::LN_2).abs() < 1e-12);
        // without the copula, the Gaussian estimator is misled by the cube
        a.copula = false;
        assert!(estimate(&a).unwrap().mi_nats < cubed.mi_nats - 0.05);
        // dependent data: the smallest p-value 19 shuffles allow; independent data: a large one
        let mut t = args(px.clone(), py.clone(), "ksg", 3);
        t.permutations = 19;
        let dep = estimate(&t).unwrap();
        let p = dep.permutation.clone().unwrap();
        assert_eq!((p.permutations, p.p_value), (19, 0.05));
        assert!((p.null_corrected_nats - (dep.mi_nats - p.null_mean_nats)).abs() < 1e-12 && p.null_mean_nats.abs() < 0.05);
        let json = serde_json::to_value(&dep).unwrap();
        for key in ["mi_bits", "copula", "permutation"] {
            assert!(json.get(key).is_some(), "{key} missing");
        }
        let (_, other) = Task::bivariate_gaussian(0.75).unwrap().sample(2_000, 99);
        let pz = d.0.join("z.npy");
        mi_data::array_file::write_npy_f64(&pz, &other).unwrap();
        t.y = pz;
        assert!(estimate(&t).unwrap().permutation.unwrap().p_value > 0.05);
        // a permutation test of a neural estimator is refused with what to do instead
        let mut n = args(px, py, "infonce", 3);
        n.permutations = 5;
        let e = estimate(&n).unwrap_err();
        assert!(is_input_error(&e) && e.to_string().contains("ksg"), "{e}");
    }

    #[test]
    fn auto_reports_its_components_and_refuses_what_it_cannot_do() {
        let d = Dir::new("auto");
        let task = mi_estimators::tasks::find("student-2x2-df1").unwrap();
        let (x, y) = task.sample(2_000, 5);
        let (px, py) = (d.0.join("x.npy"), d.0.join("y.npy"));
        mi_data::array_file::write_npy_f64(&px, &x).unwrap();
        mi_data::array_file::write_npy_f64(&py, &y).unwrap();
        let mut a = args(px.clone(), py.clone(), "auto", 3);
        let r = estimate(&a).unwrap();
        let auto = r.auto.clone().unwrap();
        assert_eq!(auto.components.len(), 2);
        assert_eq!(auto.components.iter().find(|c| c.estimator == auto.chosen).unwrap().null_corrected_nats, r.mi_nats);
        assert!(r.copula && (r.mi_nats - task.true_mi_nats()).abs() < 0.1, "{r:?}");
        let json = serde_json::to_value(&r).unwrap();
        assert!(json["auto"]["chosen"].is_string() && json["auto"]["components"][1]["null_mean_nats"].is_number());
        a.permutations = 3;
        assert!(estimate(&a).unwrap().auto.is_some());
        a.ci = Some(0.9);
        let e = estimate(&a).unwrap_err();
        assert!(is_input_error(&e) && e.to_string().contains("--ci"), "{e}");
        a.ci = None;
        a.z = Some(px);
        assert!(is_input_error(&estimate(&a).unwrap_err()));
    }

    #[test]
    fn confidence_interval() {
        let d = Dir::new("ci");
        let (x, y) = Task::bivariate_gaussian(0.75).unwrap().sample(4_000, 5);
        let (px, py) = (d.0.join("x.npy"), d.0.join("y.npy"));
        mi_data::array_file::write_npy_f64(&px, &x).unwrap();
        mi_data::array_file::write_npy_f64(&py, &y).unwrap();
        let mut a = args(px.clone(), py.clone(), "ksg", 3);
        let plain = estimate(&a).unwrap();
        a.ci = Some(0.95);
        a.permutations = 9;
        let r = estimate(&a).unwrap();
        let i = r.interval.clone().unwrap();
        // the same estimate as without --ci, inside its interval, which holds the truth here
        assert_eq!(r.mi_nats, plain.mi_nats);
        assert!(i.lower_nats < r.mi_nats && r.mi_nats < i.upper_nats && i.lower_nats < 0.4133 && 0.4133 < i.upper_nats, "{i:?}");
        assert!(r.permutation.is_some() && serde_json::to_value(&r).unwrap()["interval"]["level"] == 0.95);
        for (est, level, z) in [("ksg", 1.5, false), ("ksg", 0.0, false), ("infonce", 0.9, false), ("ksg", 0.9, true)] {
            let mut b = args(px.clone(), py.clone(), est, 3);
            b.ci = Some(level);
            b.z = z.then(|| py.clone());
            let e = estimate(&b).unwrap_err();
            assert!(is_input_error(&e) && e.to_string().contains("--ci"), "{est} {level} {z}: {e}");
        }
    }

    #[test]
    fn conditional_mi_with_z() {
        let d = Dir::new("cmi");
        // X → Z → Y: I(X; Y) > 0 but I(X; Y | Z) ≈ 0
        let (x, z) = Task::bivariate_gaussian(0.8).unwrap().sample(3_000, 1);
        let (noise, _) = Task::bivariate_gaussian(0.5).unwrap().sample(3_000, 2);
        let y = &z + &noise;
        let (px, py, pz) = (d.0.join("x.npy"), d.0.join("y.npy"), d.0.join("z.npy"));
        for (p, a) in [(&px, &x), (&py, &y), (&pz, &z)] {
            mi_data::array_file::write_npy_f64(p, a).unwrap();
        }
        let mut a = args(px.clone(), py.clone(), "ksg", 3);
        let plain = estimate(&a).unwrap();
        a.z = Some(pz.clone());
        let cond = estimate(&a).unwrap();
        assert!(plain.mi_nats > 0.15 && cond.mi_nats.abs() < 0.03 && cond.dz == Some(1), "{} {}", plain.mi_nats, cond.mi_nats);
        assert!(serde_json::to_value(&cond).unwrap().get("dz").is_some());
        // what --z cannot be combined with, and a Z of another length
        for (est, perms) in [("gaussian", 0), ("ksg2", 0), ("ksg", 9)] {
            let mut b = args(px.clone(), py.clone(), est, 3);
            (b.z, b.permutations) = (Some(pz.clone()), perms);
            let e = estimate(&b).unwrap_err();
            assert!(is_input_error(&e), "{est} {perms}: {e}");
        }
        let short = d.0.join("short.npy");
        mi_data::array_file::write_npy_f64(&short, &z.slice(ndarray::s![..100, ..]).to_owned()).unwrap();
        a.z = Some(short);
        let e = estimate(&a).unwrap_err();
        assert!(is_input_error(&e) && e.to_string().contains("Z has 100"), "{e}");
    }

    #[test]
    fn neural_estimators_report_their_cap_and_steps() {
        let d = Dir::new("neural");
        let (x, y) = Task::bivariate_gaussian(0.75).unwrap().sample(3_000, 2);
        let (px, py) = (d.0.join("a.npy"), d.0.join("b.npy"));
        mi_data::array_file::write_npy_f64(&px, &x).unwrap();
        mi_data::array_file::write_npy_f64(&py, &y).unwrap();
        let r = estimate(&args(px.clone(), py.clone(), "infonce", 3)).unwrap();
        assert!((r.mi_nats - 0.4133).abs() < 0.1, "{}", r.mi_nats);
        assert_eq!(r.cap_nats, Some(64f64.ln()));
        assert!(r.steps.is_some_and(|s| (1..=400).contains(&s)));
        let json = serde_json::to_value(&r).unwrap();
        for key in ["estimator", "mi_nats", "n", "dx", "dy", "cap_nats", "steps"] {
            assert!(json.get(key).is_some(), "{key} missing");
        }
        let mut concat = args(px.clone(), py.clone(), "js", 3);
        concat.critic = "concat".into();
        concat.steps = 100;
        let c = estimate(&concat).unwrap();
        assert_eq!(c.cap_kind, Some("log_held_out_samples"));
        assert!(c.mi_nats.is_finite());
        let mut bad = args(px.clone(), py.clone(), "nwj", 3);
        bad.critic = "bilinear".into();
        assert!(is_input_error(&estimate(&bad).unwrap_err()));
        let mut big = args(px, py, "dv", 3);
        big.batch = 5_000;
        let e = estimate(&big).unwrap_err();
        assert!(is_input_error(&e) && e.to_string().contains("--batch"), "{e}");
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
        // 10 rows cannot hold a held-out batch of 64 for the neural estimators
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
        let constant = d.0.join("c.csv");
        std::fs::write(&constant, (0..10).map(|i| format!("{i},7\n")).collect::<String>()).unwrap();
        let e = estimate(&args(constant, pyy.clone(), "ksg", 3)).unwrap_err();
        assert!(is_input_error(&e) && e.to_string().contains("column 1 is constant"), "{e}");
        let empty = d.0.join("e.csv");
        std::fs::write(&empty, "").unwrap();
        assert!(is_input_error(&estimate(&args(empty, pyy.clone(), "ksg", 1)).unwrap_err()));
        assert!(is_input_error(&estimate(&args(d.0.join("missing.npy"), pyy, "ksg", 1)).unwrap_err()));
    }
}
