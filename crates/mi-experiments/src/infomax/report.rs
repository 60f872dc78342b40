//! The parts of an InfoMax grid's report that every grid shares: introduction, final values, run
//! time, the sections about an incomplete grid and a learning rate off the paper's, and helpers
//! to read a summary.
use super::grid::GridSettings;
use super::*;
use mi_report::chart::{Chart, HLine, Series};
use mi_report::claims::Claim;
use mi_train::Context;

/// log 128: InfoNCE's cap at the paper's batch size.
pub const LOG_128: f64 = 4.852_030_263_919_617;

/// What a grid's own report part is: claims, charts (name, chart) and sections (heading, text).
pub struct GridReport {
    pub claims: Vec<Claim>,
    pub charts: Vec<(String, Chart)>,
    pub sections: Vec<(String, String)>,
}

/// (test accuracy, I_est, |I_est − t|) at a configuration's last evaluation (NaN when missing).
pub fn final_values(c: &ConfigSummary) -> (f64, f64, f64) {
    c.last.as_ref().map(|p| (p.test_accuracy_mean, p.i_est_mean, p.gap_mean.unwrap_or(f64::NAN))).unwrap_or((f64::NAN, f64::NAN, f64::NAN))
}

/// The first configuration with recorded runs that matches `pred`.
pub fn find(s: &Summary, pred: impl Fn(&ConfigSummary) -> bool) -> Option<&ConfigSummary> {
    s.configs.iter().find(|c| pred(c) && c.runs > 0)
}

pub fn first_last(c: &ConfigSummary) -> Option<(&CurvePoint, &CurvePoint)> {
    Some((c.curve.first()?, c.curve.last()?))
}

/// Each run's test accuracy at the last evaluation (empty when the configuration has none).
pub fn final_by_run(c: &ConfigSummary) -> Vec<f64> {
    c.last.as_ref().map(|p| p.test_accuracy_by_run.clone()).unwrap_or_default()
}

/// Each run's I_est on training batches at the last evaluation.
pub fn final_i_est_by_run(c: &ConfigSummary) -> Vec<f64> {
    c.last.as_ref().map(|p| p.i_est_by_run.clone()).unwrap_or_default()
}

/// Each run's test accuracy at the first evaluation (step 0, before any update).
pub fn first_by_run(c: &ConfigSummary) -> Vec<f64> {
    c.curve.first().map(|p| p.test_accuracy_by_run.clone()).unwrap_or_default()
}

/// Each run's change in test accuracy from its own first evaluation to its last, for the runs
/// recorded at both (paired by run number).
pub fn rise_by_run(c: &ConfigSummary) -> Vec<f64> {
    let Some((first, last)) = first_last(c) else { return vec![] };
    last.run_ids
        .iter()
        .zip(&last.test_accuracy_by_run)
        .filter_map(|(run, acc)| first.run_ids.iter().position(|r| r == run).map(|k| acc - first.test_accuracy_by_run[k]))
        .collect()
}

/// `+1.2 [+0.3, +2.1] points, p = 0.03 (3 runs)`, or why there is no interval.
pub fn points_with_interval(test: Option<&mi_report::significance::TTest>, runs: usize) -> String {
    match test {
        Some(t) => format!("{} ({runs} runs)", t.describe(100.0, 1, "points")),
        None => format!("{runs} run{}: no interval (needs ≥ 2)", if runs == 1 { "" } else { "s" }),
    }
}

/// Accuracy and I_est over training, one series per configuration labelled by its estimator.
pub fn accuracy_and_iest_charts(s: &Summary, tag: &str, b: f64) -> Vec<(String, Chart)> {
    let mut acc = Chart::new(format!("{tag}: test accuracy"), "training step", "linear-probe test accuracy");
    let mut iest = Chart::new(format!("{tag}: I_est on training batches"), "training step", "I_est (nats)");
    for (k, c) in s.configs.iter().filter(|c| c.runs > 0).enumerate() {
        let label = c.estimator.symbol().to_string();
        acc.series.push(Series { label: label.clone(), points: c.curve.iter().map(|p| (p.step as f64, p.test_accuracy_mean, p.test_accuracy_sd)).collect(), dashed: false, color: k });
        iest.series.push(Series { label, points: c.curve.iter().map(|p| (p.step as f64, p.i_est_mean, p.i_est_sd)).collect(), dashed: false, color: k });
    }
    acc.hlines.push(HLine { y: b, label: format!("pixels {b:.3}") });
    iest.hlines.push(HLine { y: LOG_128, label: "log 128".into() });
    vec![("accuracy".into(), acc), ("i_est".into(), iest)]
}

/// The final values of every configuration, and the pixel baseline.
pub fn final_table(s: &Summary) -> String {
    let mut t = String::from("| Configuration | Runs | Final step | Test accuracy | I_est (train batches) | I_est (test set) |\n|---|---|---|---|---|---|\n");
    for c in &s.configs {
        if let Some(p) = &c.last {
            t.push_str(&format!(
                "| {} | {} | {} | {:.4} ± {:.4} | {:.3} ± {:.3} | {:.3} ± {:.3} |\n",
                c.name, c.runs, p.step, p.test_accuracy_mean, p.test_accuracy_sd, p.i_est_mean, p.i_est_sd, p.i_est_test_mean, p.i_est_test_sd
            ));
        }
    }
    t.push_str(&format!("\nPixel baseline (probe on raw top halves): test accuracy {:.4}.\n", s.baseline.pixels_test_accuracy));
    t
}

/// Where every InfoMax grid differs from the authors' notebook (besides what a profile shortens).
const ADAM_EPSILON: &str = "Adam adds ε = 1e-8 to √v̂ (PyTorch's form); the authors' TensorFlow 1 Adam adds it to √v before the bias correction, which makes the effective ε larger by 1/√(1 − β₂ᵗ) early in training (≈32× at step 1, ≈1.6× at step 1,000). With gradients far above 1e-7 this changes little, but it is not measured here.";

/// The "Differences from the paper" section: the shared Adam difference and `own`, the
/// experiment's own (each a sentence).
pub fn differences_section(own: &[&str]) -> (String, String) {
    let mut items: Vec<&str> = own.to_vec();
    items.push(ADAM_EPSILON);
    ("Differences from the paper".into(), items.iter().map(|i| format!("- {i}")).collect::<Vec<_>>().join("\n"))
}

/// The report's introduction: what ran, on what, and how it was evaluated.
pub fn intro(s: &GridSettings, data: &PairViews, ctx: &Context) -> String {
    let ls = &s.loop_settings;
    let views = match data.dataset {
        Dataset::Mnist => String::new(),
        d => {
            let (c, h, w) = d.view_shape();
            format!(" Data: {} top/bottom halves ({c} × {h} × {w} each, {} values).", d.label(), d.view_dim())
        }
    };
    format!(
        "{}; {} configurations × {} runs, {} steps each, evaluation every {} steps{}, \
         batch {}, Adam {}. Device: {}.{views} Accuracies are the test accuracy of a fresh linear probe \
         (min-max scaling, SAGA, C = {}, tol = {}) on g1(top halves) of all {} training and {} test images. \
         I_est is averaged over {} fresh training batches (as the paper plotted it); the test-set estimate is in \
         `summary.json` (`i_est_test_mean`). Curves are mean ± 1 sd over runs.",
        mi_train::profile::sentence(&ctx.profile_reason),
        s.configs.len(),
        s.runs,
        ls.steps,
        ls.eval_every,
        s.own_schedules(),
        ls.batch,
        ls.learning_rate,
        ctx.device_label,
        ls.probe_c,
        ls.probe_tol,
        data.n_train(),
        data.test_labels.len(),
        ls.eval_train_batches,
    )
}

/// The grid's own sections framed by the shared ones: a learning rate off the paper's and an
/// incomplete grid first, the run time last.
pub fn grid_sections(mut sections: Vec<(String, String)>, extra: Option<(String, String)>, s: &GridSettings, own_lr: f64, records: &[EvalRecord]) -> Vec<(String, String)> {
    sections.extend(extra);
    let done = records.iter().map(|r| (r.config.as_str(), r.run)).collect::<std::collections::BTreeSet<_>>().len();
    let expected = s.configs.len() * s.runs;
    if done < expected {
        let text = format!(
            "{done} of {expected} runs are recorded. Run the same command again to continue with the \
             others; claims about missing configurations are shown as not holding."
        );
        sections.insert(0, ("Incomplete".into(), text));
    }
    let (lr, paper_lr) = (s.loop_settings.learning_rate, LoopSettings::paper().learning_rate);
    if lr != paper_lr {
        let why = if lr != own_lr {
            format!("It was set on the command line (`--learning-rate`); the `{}` profile's own rate is {own_lr}.", s.profile)
        } else {
            String::new()
        };
        sections.insert(0, ("Deviation from the paper's settings".into(), format!("These runs train with Adam at learning rate {lr}, the paper at {paper_lr}. {why}")));
    }
    sections.push(("Run time".into(), run_time(records)));
    sections
}

/// The wall time of each recorded run (seconds at its last evaluation) and their sum.
fn run_time(records: &[EvalRecord]) -> String {
    let mut per_run: std::collections::BTreeMap<(usize, String), f64> = Default::default();
    for r in records {
        let e = per_run.entry((r.run, r.config.clone())).or_insert(0.0);
        *e = e.max(r.seconds);
    }
    let total: f64 = per_run.values().sum();
    let mut t = format!(
        "{} runs took {:.1} min in all (training and evaluations; data loading and the pixel baseline come on top). Seconds per run, as recorded in `runs.jsonl` (a run on a machine busy with other work takes longer):\n\n| Run | Configuration | Seconds |\n|---|---|---|\n",
        per_run.len(),
        total / 60.0
    );
    for ((run, config), secs) in &per_run {
        t.push_str(&format!("| {run} | {config} | {secs:.1} |\n"));
    }
    t
}
