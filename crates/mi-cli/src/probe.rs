//! `infomax probe`: fit the SAGA linear probe (multinomial logistic regression, scikit-learn
//! semantics) on training features and report train and test accuracy.
use crate::input_error;
use mi_probe::{LogisticRegression, ProbeError, Scaling, UpdateScheme};
use ndarray::{Array1, Array2};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Training features: .npy or .csv, one row per sample.
    #[arg(long)]
    pub train_x: PathBuf,
    /// Training labels: integer .npy or one-column .csv.
    #[arg(long)]
    pub train_y: PathBuf,
    #[arg(long)]
    pub test_x: PathBuf,
    #[arg(long)]
    pub test_y: PathBuf,
    /// Inverse L2 regularisation strength (scikit-learn's C).
    #[arg(long, default_value_t = 10.0)]
    pub c: f64,
    /// Stop when max|ΔW| / max|W| ≤ tol after an epoch (scikit-learn's rule).
    #[arg(long, default_value_t = 0.1)]
    pub tol: f64,
    #[arg(long, default_value_t = 100)]
    pub max_epochs: usize,
    /// minmax | standard | none (fitted on the training features).
    #[arg(long, default_value = "minmax")]
    pub scale: String,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

/// What `infomax probe --json` prints.
#[derive(serde::Serialize)]
struct Report {
    test_accuracy: f64,
    train_accuracy: f64,
    epochs: usize,
    converged: bool,
    /// SAGA's update scheme (`dense`, or `just_in_time` on data with many zeros; the same
    /// iterates up to rounding).
    update_scheme: Option<UpdateScheme>,
    /// Wall-clock seconds of scaling + fitting + scoring (not reading the files).
    seconds: f64,
    n_train: usize,
    n_test: usize,
    n_features: usize,
    n_classes: usize,
    c: f64,
    tol: f64,
    max_epochs: usize,
    scale: Scaling,
    seed: u64,
}

fn probe_error(e: ProbeError) -> anyhow::Error {
    input_error(e)
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let scaling: Scaling = args.scale.parse().map_err(probe_error)?;
    let probe = LogisticRegression::builder()
        .c(args.c)
        .tol(args.tol)
        .max_epochs(args.max_epochs)
        .seed(args.seed)
        .build()
        .map_err(probe_error)?;
    let inputs = read_inputs(&args)?;
    let report = fit_and_score(&args, scaling, &probe, inputs)?;
    print_report(&report, args.json)
}

/// The four files of `infomax probe`, as read.
struct Inputs {
    train_x: Array2<f64>,
    train_y: Array1<i64>,
    test_x: Array2<f64>,
    test_y: Array1<i64>,
}

/// Reads the four files and checks that they fit together: as many labels as rows, the same
/// number of features for training and test, no negative label.
fn read_inputs(args: &Args) -> anyhow::Result<Inputs> {
    let inputs = Inputs {
        train_x: mi_data::array_file::read_matrix(&args.train_x).map_err(input_error)?,
        train_y: mi_data::array_file::read_labels(&args.train_y).map_err(input_error)?,
        test_x: mi_data::array_file::read_matrix(&args.test_x).map_err(input_error)?,
        test_y: mi_data::array_file::read_labels(&args.test_y).map_err(input_error)?,
    };
    let Inputs { train_x, train_y, test_x, test_y } = &inputs;
    let name = |p: &PathBuf| p.display().to_string();
    for (x_path, x, y_path, y) in [(&args.train_x, train_x, &args.train_y, train_y), (&args.test_x, test_x, &args.test_y, test_y)] {
        if x.nrows() != y.len() {
            return Err(input_error(format!("{} has {} rows but {} has {} labels", name(x_path), x.nrows(), name(y_path), y.len())));
        }
    }
    if train_x.ncols() != test_x.ncols() {
        return Err(input_error(format!(
            "{} has {} features per row but {} has {}",
            name(&args.train_x),
            train_x.ncols(),
            name(&args.test_x),
            test_x.ncols()
        )));
    }
    for (path, y) in [(&args.train_y, train_y), (&args.test_y, test_y)] {
        if let Some((row, l)) = y.iter().enumerate().find(|(_, &l)| l < 0) {
            return Err(input_error(format!("{}: label {l} at row {row} is negative; expected class labels 0, 1, 2, …", name(path))));
        }
    }
    Ok(inputs)
}

/// Scales, fits and scores (the part that is timed).
fn fit_and_score(args: &Args, scaling: Scaling, probe: &LogisticRegression, inputs: Inputs) -> anyhow::Result<Report> {
    let Inputs { train_x, train_y, test_x, test_y } = inputs;
    let start = Instant::now();
    let (train_x, test_x) = scaling.fit_transform_pair(train_x.view(), test_x.view()).map_err(probe_error)?;
    let model = probe.fit(train_x.view(), train_y.view()).map_err(probe_error)?;
    let train_accuracy = model.score(train_x.view(), train_y.view()).map_err(probe_error)?;
    let test_accuracy = model.score(test_x.view(), test_y.view()).map_err(probe_error)?;
    let seconds = start.elapsed().as_secs_f64();

    Ok(Report {
        test_accuracy,
        train_accuracy,
        epochs: model.epochs(),
        converged: model.converged(),
        update_scheme: model.update_scheme(),
        seconds,
        n_train: train_x.nrows(),
        n_test: test_x.nrows(),
        n_features: train_x.ncols(),
        n_classes: model.classes().len(),
        c: args.c,
        tol: args.tol,
        max_epochs: args.max_epochs,
        scale: scaling,
        seed: args.seed,
    })
}

/// Prints the report: one JSON object with `--json`, else one line.
fn print_report(report: &Report, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        println!(
            "test accuracy {:.4}, train accuracy {:.4} ({} classes, {} features, {} train / {} test rows; {} epochs{}, {:.2} s)",
            report.test_accuracy,
            report.train_accuracy,
            report.n_classes,
            report.n_features,
            report.n_train,
            report.n_test,
            report.epochs,
            if report.converged { "" } else { ", not converged: raise --max-epochs or --tol" },
            report.seconds
        );
    }
    Ok(())
}
