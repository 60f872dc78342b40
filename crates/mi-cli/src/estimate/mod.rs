//! `infomax estimate`: I(X; Y) in nats from two data files with the same number of rows, or from
//! column groups of one table (`--data FILE --columns X;Y[;Z]`, see `columns.rs`).
//!
//! Estimators: `ksg` (KSG algorithm 1), `ksg2` (KSG algorithm 2), `gaussian` (Gaussian / CCA),
//! `plugin` and `miller-madow` (categorical data as integer codes, see `discrete.rs`).
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
//! `--permutations N` (k-NN, Gaussian and discrete estimators) adds a permutation test of I = 0: the p-value
//! and the null-corrected estimate (the estimate minus the mean over N row shuffles of Y).
use mi_estimators::auto::{auto_mi, AutoEstimate, AutoOptions, DEFAULT_AUTO_PERMUTATIONS};
use mi_estimators::copula::normal_scores;
use mi_estimators::gaussian::gaussian_mi_estimate_nats;
use mi_estimators::interval::{subsample_interval, subsample_interval_conditional, Interval, DEFAULT_SPLITS};
use mi_estimators::permutation::permutation_test;
use mi_estimators::knn::{ksg_cmi_nats, ksg_mi_nats, Jitter, KnnOptions, KsgAlgorithm, Norm};
use mi_estimators::bounds::Bound;
use mi_experiments::neural_estimate::{self, NeuralCritic};
use ndarray::{Array2, ArrayView2};
use std::path::PathBuf;

/// Scale of the tie-breaking jitter the k-NN estimators get (after standardisation).
pub const JITTER_SCALE: f64 = 1e-10;

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Samples of X: .npy ([n] or [n, d]; f32, f64 or integer) or .csv (numeric, optional header).
    #[arg(long, required_unless_present = "data", conflicts_with = "data")]
    pub x: Option<PathBuf>,
    /// Samples of Y, same number of rows as X.
    #[arg(long, required_unless_present = "data", conflicts_with = "data")]
    pub y: Option<PathBuf>,
    /// One table (.npy or .csv) holding X, Y (and Z) as column groups: see --columns.
    #[arg(long, requires = "columns")]
    pub data: Option<PathBuf>,
    /// With --data: X;Y or X;Y;Z, each a comma-separated list of 0-based column indices or CSV
    /// header names, e.g. --columns "age,income;score".
    #[arg(long, requires = "data")]
    pub columns: Option<String>,
    /// Samples of Z, same number of rows: estimate the conditional I(X; Y | Z) instead (ksg only:
    /// the Frenzel–Pompe estimator).
    #[arg(long)]
    pub z: Option<PathBuf>,
    /// ksg | ksg2 | gaussian | auto | plugin | miller-madow | infonce | nwj | dv | mine | smile |
    /// js. auto: the larger of the null-corrected copula-KSG and copula-Gaussian estimates
    /// (docs/estimator-bench.md); plugin, miller-madow: categorical data (integer codes; a
    /// multi-column X is one variable whose categories are its distinct rows).
    #[arg(long, default_value = "ksg")]
    pub estimator: String,
    /// k-NN estimators: the norm within X, within Y (and Z): max (KSG as published: cubes) or
    /// euclidean (per-marginal Euclidean: products of balls, less biased in higher dimension,
    /// slower); the joint distance is the max of the two.
    #[arg(long, default_value = "max")]
    pub norm: String,
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
    /// ksg only: x (X categorical, Y continuous: Ross's k-NN estimator), y (the other way round)
    /// or both (either variable may mix point masses and continuous values: Gao et al.'s mixed
    /// KSG). Categorical values are integer codes.
    #[arg(long)]
    pub discrete: Option<String>,
    /// Neural estimators: train this many critics (seeds --seed, --seed + 1, …) and report the
    /// median held-out estimate with the spread (default 3).
    #[arg(long)]
    pub seeds: Option<usize>,
    /// Neural estimators: cpu | cuda | auto.
    #[arg(long, default_value = "cpu")]
    pub device: String,
}

impl Args {
    /// The command line's defaults with this estimator and no files (for callers that hold the
    /// data in memory: [`estimate_arrays`]).
    pub fn defaults(estimator: &str) -> Args {
        Args {
            x: None,
            y: None,
            data: None,
            columns: None,
            z: None,
            estimator: estimator.into(),
            k: 3,
            seed: 0,
            json: true,
            bits: false,
            copula: false,
            permutations: 0,
            ci: None,
            critic: "separable".into(),
            steps: 5_000,
            batch: 128,
            device: "cpu".into(),
            seeds: None,
            discrete: None,
            norm: "max".into(),
        }
    }
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
    /// max or euclidean (KSG only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub norm: Option<String>,
    /// which side is categorical (`--discrete`: x, y or both)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discrete: Option<String>,
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
    /// one entry per trained critic (neural estimators only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neural_runs: Option<Vec<neural::NeuralRun>>,
    /// smallest and largest held-out estimate over the seeds (neural estimators only)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_range_nats: Option<(f64, f64)>,
    /// reasons not to take the number at face value (an estimate ≤ 0, at the cap, unstable)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
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
    /// plug-in (false) or Miller–Madow (true), on integer codes
    Discrete(bool),
    Neural(Bound, NeuralCritic),
}

fn which(args: &Args) -> anyhow::Result<Which> {
    match args.estimator.as_str() {
        "ksg" => Ok(Which::Ksg(KsgAlgorithm::One)),
        "ksg2" => Ok(Which::Ksg(KsgAlgorithm::Two)),
        "gaussian" => Ok(Which::Gaussian),
        "auto" => Ok(Which::Auto),
        "plugin" => Ok(Which::Discrete(false)),
        "miller-madow" => Ok(Which::Discrete(true)),
        n => match n.parse::<Bound>().ok().filter(|b| neural_estimate::trainable(*b)) {
            Some(bound) => {
                let critic = NeuralCritic::named(&args.critic).ok_or_else(|| {
                    crate::input_error(format!("unknown --critic '{}': expected separable or concat", args.critic))
                })?;
                Ok(Which::Neural(bound, critic))
            }
            None => Err(crate::input_error(format!(
                "unknown estimator '{n}': expected ksg, ksg2, gaussian, auto, plugin, miller-madow, infonce, nwj, dv, mine, smile or js"
            ))),
        },
    }
}

fn read(path: &std::path::Path, which: &str) -> anyhow::Result<Array2<f64>> {
    mi_data::array_file::read_matrix(path).map_err(|e| crate::input_error(format!("--{which}: {e}")))
}

/// Checks the estimator's name and the option combination without reading any data.
pub fn check_estimator(args: &Args) -> anyhow::Result<()> {
    check_options(args, &which(args)?)
}

/// The `--norm` of the k-NN estimators.
fn norm(args: &Args) -> anyhow::Result<Norm> {
    match args.norm.as_str() {
        "max" => Ok(Norm::Max),
        "euclidean" => Ok(Norm::Euclidean),
        other => Err(crate::input_error(format!("--norm {other}: expected max or euclidean"))),
    }
}

/// Whether Z is given (as a file, or as the third group of --columns).
fn conditional(args: &Args) -> bool {
    args.z.is_some() || args.columns.as_deref().is_some_and(|c| c.split(';').count() == 3)
}

/// Refuses option combinations that do not make sense, before any file is read.
fn check_options(args: &Args, kind: &Which) -> anyhow::Result<()> {
    let neural = matches!(kind, Which::Neural(..));
    if conditional(args) && !matches!(kind, Which::Ksg(KsgAlgorithm::One)) {
        return Err(crate::input_error(format!(
            "--z (conditional MI) is estimated by ksg only (the Frenzel–Pompe estimator), not by {}; use --estimator ksg",
            args.estimator
        )));
    }
    if conditional(args) && args.permutations > 0 {
        return Err(crate::input_error(
            "--permutations with --z: shuffling Y would also break its dependence on Z, so it does not test I(X; Y | Z) = 0; drop one of them",
        ));
    }
    if args.discrete.is_some() && (!matches!(kind, Which::Ksg(KsgAlgorithm::One)) || args.copula || conditional(args)) {
        return Err(crate::input_error(
            "--discrete is for --estimator ksg on I(X; Y), without --copula (ranks would turn codes into non-integers) and without Z; drop one of them",
        ));
    }
    if let Some(d) = &args.discrete {
        discrete::side(d)?;
    }
    if norm(args)? != Norm::Max && (!matches!(kind, Which::Ksg(_)) || args.discrete.is_some()) {
        return Err(crate::input_error(format!(
            "--norm {} is for --estimator ksg and ksg2 (without --discrete; auto uses the max-norm by its fixed rule); drop --norm",
            args.norm
        )));
    }
    if matches!(kind, Which::Discrete(_)) && args.copula {
        return Err(crate::input_error(format!(
            "--copula with --estimator {}: the copula is for continuous data (categorical codes have no meaningful ranks); drop --copula",
            args.estimator
        )));
    }
    if matches!(kind, Which::Auto) && args.ci.is_some() {
        return Err(crate::input_error(
            "--ci is not available for auto (which of its components gives the answer can change between the halves an interval is built from); drop --ci, or ask for an interval of one estimator: --estimator ksg|gaussian --copula --ci LEVEL",
        ));
    }
    if args.ci.is_some() && neural {
        return Err(crate::input_error(
            "--ci is for the k-NN, Gaussian and discrete estimators (a neural held-out estimate would need a retrained critic per half; its seeds' range is reported instead); drop --ci or use ksg, ksg2 or gaussian",
        ));
    }
    if args.seeds.is_some_and(|s| s != 1) && !neural {
        return Err(crate::input_error(format!(
            "--seeds is for the neural estimators (one critic per seed); {} has no training to repeat: drop --seeds",
            args.estimator
        )));
    }
    if args.seeds == Some(0) {
        return Err(crate::input_error("--seeds 0: train at least one critic"));
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
    if let (Some(data), Some(spec)) = (&args.data, &args.columns) {
        if args.z.is_some() {
            return Err(crate::input_error("--z with --data: give Z as the third group of --columns (X;Y;Z) instead"));
        }
        let (table, header) = mi_data::array_file::read_table(data).map_err(|e| crate::input_error(format!("--data: {e}")))?;
        let groups = columns::resolve(spec, table.ncols(), header.as_deref())?;
        let mut g = groups.iter().map(|cols| columns::select(&table, cols));
        let (x, y) = (g.next().expect("resolve gives 2 or 3 groups"), g.next().expect("resolve gives 2 or 3 groups"));
        return prepare_inputs(args, x, y, g.next());
    }
    let (Some(px), Some(py)) = (&args.x, &args.y) else {
        return Err(crate::input_error("give --x and --y (two files), or --data FILE --columns X;Y"));
    };
    let x = read(px, "x")?;
    let y = read(py, "y")?;
    let z = args.z.as_ref().map(|p| read(p, "z")).transpose()?;
    prepare_inputs(args, x, y, z)
}

fn prepare_inputs(args: &Args, x: Array2<f64>, y: Array2<f64>, z: Option<Array2<f64>>) -> anyhow::Result<Inputs> {
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
    estimate_inputs(args, kind, read_inputs(args)?)
}

/// [`estimate`] on data already in memory (`args.x`, `args.y` and `args.z` are not read; no Z).
pub fn estimate_arrays(args: &Args, x: Array2<f64>, y: Array2<f64>) -> anyhow::Result<Report> {
    let kind = which(args)?;
    check_options(args, &kind)?;
    estimate_inputs(args, kind, prepare_inputs(args, x, y, None)?)
}

fn estimate_inputs(args: &Args, kind: Which, Inputs { x, y, z }: Inputs) -> anyhow::Result<Report> {
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
        norm: None,
        discrete: None,
        seed: args.seed,
        cap_nats: None,
        cap_kind: None,
        steps: None,
        best_step: None,
        n_train: None,
        n_held_out: None,
        batch: None,
        critic: None,
        neural_runs: None,
        seed_range_nats: None,
        warnings: vec![],
    };
    match kind {
        Which::Ksg(alg) => knn_estimate(args, alg, &x, &y, z.as_ref(), &mut report)?,
        Which::Gaussian => (report.mi_nats, report.permutation, report.interval) = tested(args, &x, &y, gaussian_mi_estimate_nats)?,
        Which::Discrete(miller_madow) => {
            let what = format!("--estimator {}", args.estimator);
            discrete::check_codes(&x.view(), "X", &what)?;
            discrete::check_codes(&y.view(), "Y", &what)?;
            (report.mi_nats, report.permutation, report.interval) = tested(args, &x, &y, |a, b| discrete::categorical_mi(miller_madow, a, b))?;
        }
        Which::Auto => {
            let permutations = if args.permutations > 0 { args.permutations } else { DEFAULT_AUTO_PERMUTATIONS };
            let opts = AutoOptions { k: args.k, permutations, seed: args.seed, jitter_scale: JITTER_SCALE };
            check_k(args, n)?;
            let a = auto_mi(&x.view(), &y.view(), &opts).map_err(crate::input_error)?;
            (report.mi_nats, report.copula, report.k, report.jitter) = (a.mi_nats, true, Some(args.k), Some(JITTER_SCALE));
            report.auto = Some(a);
        }
        Which::Neural(bound, critic) => neural::estimate(args, bound, critic, &x, &y, &mut report)?,
    }
    if report.mi_nats <= 0.0 && report.warnings.is_empty() {
        report.warnings.push(format!(
            "the estimate is {:.4} nats, ≤ 0: MI is never negative, so this is the estimator's bias or noise around a small value; it is not evidence that I = 0 (use --permutations for a test)",
            report.mi_nats
        ));
    }
    report.mi_bits = report.mi_nats / std::f64::consts::LN_2;
    Ok(report)
}

/// `--k` against the rows: 1 ≤ k < n.
fn check_k(args: &Args, n: usize) -> anyhow::Result<()> {
    if args.k == 0 || args.k >= n {
        return Err(crate::input_error(format!("--k {} is invalid for {n} samples: need 1 ≤ k < n", args.k)));
    }
    Ok(())
}

/// The k-NN estimates: KSG (`--norm`), Frenzel–Pompe with Z, the mixed estimators with
/// `--discrete` (no jitter: their ties are data).
fn knn_estimate(args: &Args, alg: KsgAlgorithm, x: &Array2<f64>, y: &Array2<f64>, z: Option<&Array2<f64>>, report: &mut Report) -> anyhow::Result<()> {
    let n = x.nrows();
    check_k(args, n)?;
    let opts = KnnOptions { jitter: Some(Jitter { scale: JITTER_SCALE, seed: args.seed }), norm: norm(args)?, ..KnnOptions::with_k(args.k) };
    (report.k, report.jitter, report.norm) = (Some(args.k), Some(JITTER_SCALE), Some(args.norm.clone()));
    (report.mi_nats, report.permutation, report.interval) = match (z, args.discrete.as_deref()) {
        (Some(z), _) => conditional_estimate(args, x, y, z, &opts)?,
        (None, Some(name)) => {
            let side = discrete::side(name)?;
            for (a, which, s) in [(x, "X", discrete::DiscreteSide::X), (y, "Y", discrete::DiscreteSide::Y)] {
                if side == s {
                    discrete::check_codes(&a.view(), which, &format!("--discrete {name}"))?;
                }
            }
            (report.jitter, report.discrete) = (None, Some(name.to_string()));
            tested(args, x, y, |a, b| discrete::mixed_mi(side, args.k, a, b))?
        }
        (None, None) => tested(args, x, y, |a, b| ksg_mi_nats(a, b, alg, &opts))?,
    };
    Ok(())
}

/// I(X; Y | Z) by Frenzel–Pompe, with `--ci`'s interval (the halves split X, Y and Z together).
fn conditional_estimate(args: &Args, x: &Array2<f64>, y: &Array2<f64>, z: &Array2<f64>, opts: &KnnOptions) -> anyhow::Result<(f64, Option<PermutationReport>, Option<Interval>)> {
    let cmi = |a: &ArrayView2<f64>, b: &ArrayView2<f64>, c: &ArrayView2<f64>| ksg_cmi_nats(a, b, c, opts);
    match args.ci {
        Some(level) => {
            let i = subsample_interval_conditional(&x.view(), &y.view(), &z.view(), level, DEFAULT_SPLITS, args.seed, cmi)
                .map_err(|e| crate::input_error(format!("--ci {level}: {e}")))?;
            Ok((i.estimate_nats, None, Some(i)))
        }
        None => Ok((cmi(&x.view(), &y.view(), &z.view()).map_err(crate::input_error)?, None, None)),
    }
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
        let seeds = match (&r.neural_runs, r.seed_range_nats) {
            (Some(runs), Some((lo, hi))) if runs.len() > 1 => format!("; median of {} critics (range {lo:.4} to {hi:.4} nats)", runs.len()),
            _ => String::new(),
        };
        let cap = match (r.cap_nats, r.steps) {
            (Some(c), Some(s)) => format!(
                "{seeds}; held-out estimate after {s} steps (best at {}), cannot exceed {c:.4} nats ({})",
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
        for w in &r.warnings {
            eprintln!("warning: {w}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

mod columns;
mod neural;
mod discrete;
