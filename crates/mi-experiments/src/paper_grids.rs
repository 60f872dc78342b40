//! A3 (critic capacity) and A4 (encoder architecture vs estimator): grids of the InfoMax loop on
//! MNIST top/bottom halves, their profiles, and their reports against the paper.
use crate::chart::{Chart, HLine, Series};
use crate::grid::{self, ConfigSummary, GridSpec, Summary};
use crate::infomax::{self, CriticKind, EncoderKind, EstimatorKind, ExperimentError, LoopSettings, MnistViews, PairConfig, Result};
use crate::profile::{self, Profile};
use crate::report::{self, Claim};
use crate::results::{Provenance, ResultsDir};
use mi_torch::DeviceChoice;
use std::path::PathBuf;

/// What a user chooses on the command line.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub profile: Option<Profile>,
    pub device: DeviceChoice,
    pub runs: Option<usize>,
    pub steps: Option<usize>,
    pub seed: u64,
    pub out: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub quiet: bool,
}

const LOG_128: f64 = 4.852_030_263_919_617;

fn name(e: EncoderKind, c: CriticKind, est: EstimatorKind, t: Option<f64>) -> String {
    let e = match e {
        EncoderKind::Mlp => "mlp",
        EncoderKind::Convnet => "convnet",
        EncoderKind::SkipMlp => "skip_mlp",
        EncoderKind::RealnvpAdditive => "realnvp_additive",
        EncoderKind::RealnvpAffine => "realnvp_affine",
    };
    let c = match c {
        CriticKind::Bilinear => "bilinear",
        CriticKind::Separable => "separable",
        CriticKind::Concat => "concat",
        CriticKind::None => "none",
    };
    let est = match est {
        EstimatorKind::Infonce => "infonce",
        EstimatorKind::Nwj => "nwj",
        EstimatorKind::None => "none",
    };
    match t {
        Some(t) => format!("{e}-{c}-{est}-t{t}"),
        None => format!("{e}-{c}-{est}"),
    }
}

/// A4: {MLP, ConvNet} × {InfoNCE, NWJ} × t ∈ {2, 4}, bilinear critic, loss |I_est − t|.
pub fn a4_configs() -> Vec<PairConfig> {
    let mut v = vec![];
    for est in [EstimatorKind::Infonce, EstimatorKind::Nwj] {
        for t in [2.0, 4.0] {
            for enc in [EncoderKind::Mlp, EncoderKind::Convnet] {
                v.push(PairConfig { name: name(enc, CriticKind::Bilinear, est, Some(t)), encoder: enc, critic: CriticKind::Bilinear, estimator: est, t: Some(t) });
            }
        }
    }
    v
}

/// A3: MLP encoder × {bilinear, separable, concat-MLP} × {InfoNCE, NWJ}, loss −I_est.
pub fn a3_configs() -> Vec<PairConfig> {
    let mut v = vec![];
    for est in [EstimatorKind::Infonce, EstimatorKind::Nwj] {
        for c in [CriticKind::Bilinear, CriticKind::Separable, CriticKind::Concat] {
            v.push(PairConfig { name: name(EncoderKind::Mlp, c, est, None), encoder: EncoderKind::Mlp, critic: c, estimator: est, t: None });
        }
    }
    v
}

/// Settings and number of runs of a profile.
pub fn profile_settings(experiment: &str, profile: Profile) -> (LoopSettings, usize) {
    let paper = LoopSettings::paper();
    match profile {
        Profile::Paper => (paper, 20),
        // Sized for 2 CPU cores (see the module docs of each experiment in ARCHITECTURE.md):
        // the ConvNet runs at ≈15–20 steps/s there, the MLP at ≈200.
        // A4, measured here (2 quiet cores): a ConvNet run trains at ≈9 steps/s and each
        // evaluation (features of 70,000 images and a SAGA probe) costs ≈27 s; an MLP run's
        // evaluation ≈15 s. 1,501 steps with 3 evaluations took 41 min for the 16 runs, so the
        // quick profile trains 1,001 steps and evaluates at steps 0 and 1,000 only:
        // 8 × (110 + 54) s + 8 × 40 s ≈ 27 min. A3 (MLP only): 6 configurations × 3 runs × 3,001
        // steps at ≈200 steps/s.
        Profile::Quick => match experiment {
            "a4" => (LoopSettings { steps: 1_001, eval_every: 1_000, eval_test_batches: 20, ..paper }, 2),
            _ => (LoopSettings { steps: 3_001, eval_every: 500, eval_test_batches: 20, ..paper }, 3),
        },
        Profile::Smoke => (
            LoopSettings { steps: 21, eval_every: 10, eval_train_batches: 2, eval_test_batches: 4, probe_max_epochs: 5, ..paper },
            1,
        ),
    }
}

/// Runs A3 or A4 end to end: data, grid (resumable), summary, plots, report. Returns the folder.
pub fn reproduce(experiment: &str, opts: &RunOptions) -> Result<PathBuf> {
    let configs = match experiment {
        "a4" => a4_configs(),
        "a3" => a3_configs(),
        other => return Err(ExperimentError::Invalid(format!("paper_grids has no experiment '{other}'"))),
    };
    let device = mi_torch::resolve_device(opts.device)?;
    let on_cuda = device.is_cuda();
    let (profile, why) = profile::choose(opts.profile, on_cuda);
    let say = |m: &str| {
        if !opts.quiet {
            eprintln!("{m}");
        }
    };
    say(&format!("{experiment}: {why}; device {device:?}"));
    let (mut settings, mut runs) = profile_settings(experiment, profile);
    if let Some(s) = opts.steps {
        if s == 0 {
            return Err(ExperimentError::Invalid("--steps must be at least 1".into()));
        }
        settings.steps = s;
        settings.eval_every = settings.eval_every.min(s.max(2) - 1).max(1);
    }
    if let Some(r) = opts.runs {
        if r == 0 {
            return Err(ExperimentError::Invalid("--runs must be at least 1".into()));
        }
        runs = r;
    }
    let spec = GridSpec { experiment: experiment.into(), profile, configs, settings, runs, seed: opts.seed };

    // the smoke profile runs every code path on a slice of the data
    let (n_train, n_test) = if profile == Profile::Smoke { (6_000, 1_000) } else { (60_000, 10_000) };
    let data_dir = mi_data::data_root(opts.data_dir.as_deref()).join("mnist");
    let out = opts.out.clone().unwrap_or_else(|| PathBuf::from("results").join(experiment));
    let config = serde_json::json!({
        "experiment": experiment,
        "settings": {
            "profile": profile,
            "loop": spec.settings,
            "runs": runs,
            "seed": opts.seed,
            "configs": spec.configs,
            "n_train": n_train,
            "n_test": n_test,
        },
        "profile_reason": why,
        "data_dir": data_dir,
        "provenance": Provenance::collect(&format!("{device:?}")),
    });
    let dir = ResultsDir::open(&out, &config)?;
    say(&format!("{experiment}: {} configurations × {runs} runs × {} steps → {}", spec.configs.len(), spec.settings.steps, out.display()));

    mi_data::mnist::ensure(&data_dir, &mut |m| say(m))?;
    let mut mnist = mi_data::mnist::load(&data_dir)?;
    if n_train < mnist.train_labels.len() || n_test < mnist.test_labels.len() {
        mnist.train_images = mnist.train_images.slice_move(ndarray::s![..n_train, .., ..]);
        mnist.train_labels = mnist.train_labels.slice_move(ndarray::s![..n_train]);
        mnist.test_images = mnist.test_images.slice_move(ndarray::s![..n_test, .., ..]);
        mnist.test_labels = mnist.test_labels.slice_move(ndarray::s![..n_test]);
    }
    let data = MnistViews::from_mnist(&mnist, device)?;

    let baseline = infomax::pixel_baseline(&data, &spec.settings, opts.seed)?;
    say(&format!("pixel baseline: test accuracy {:.4}", baseline.test_accuracy));
    let write_all = |records: &[infomax::EvalRecord]| -> Result<()> {
        let summary = grid::summarize(&spec, &baseline, records);
        dir.write_json(ResultsDir::SUMMARY, &summary)?;
        let (claims, charts, mut sections) = match experiment {
            "a4" => a4_report(&summary),
            _ => a3_report(&summary),
        };
        let done: usize = summary.configs.iter().map(|c| c.runs).sum();
        let expected = spec.configs.len() * spec.runs;
        if done < expected {
            sections.insert(
                0,
                (
                    "Incomplete".into(),
                    format!(
                        "{done} of {expected} runs are recorded. Run the same command again to continue with the \
                         others; claims about missing configurations are shown as not holding."
                    ),
                ),
            );
        }
        let plots = report::write_charts(&dir, &charts)?;
        let intro = format!(
            "Profile `{profile}` ({why}); {} configurations × {runs} runs, {} steps each, evaluation every {} steps, \
             batch {}, Adam {}. Device: {device:?}. Accuracies are the test accuracy of a fresh linear probe \
             (min-max scaling, SAGA, C = {}, tol = {}) on g1(top halves) of all {} training and {} test images. \
             I_est is averaged over {} fresh training batches (as the paper plotted it); the test-set estimate is in \
             `summary.json` (`i_est_test_mean`). Curves are mean ± 1 sd over runs.",
            spec.configs.len(),
            spec.settings.steps,
            spec.settings.eval_every,
            spec.settings.batch,
            spec.settings.learning_rate,
            spec.settings.probe_c,
            spec.settings.probe_tol,
            data.n_train(),
            data.test_labels.len(),
            spec.settings.eval_train_batches,
        );
        let title = match experiment {
            "a4" => "A4 — encoder architecture matters more than the estimator (paper §3.3, Fig. 4)",
            _ => "A3 — larger critics do not give better representations (paper §3.2, Fig. 3)",
        };
        dir.write_text("REPORT.md", &report::render(title, &intro, &claims, &sections, &plots))?;
        Ok(())
    };
    let records = grid::run_grid(&spec, &data, &dir, opts.quiet, &mut |_, _, _| Ok(None), &mut |r| write_all(r))?;
    write_all(&records)?;
    say(&format!("{experiment}: wrote {}/REPORT.md", out.display()));
    Ok(out)
}

fn fin(c: &ConfigSummary) -> (f64, f64, f64) {
    c.last.as_ref().map(|p| (p.test_accuracy_mean, p.i_est_mean, p.gap_mean.unwrap_or(f64::NAN))).unwrap_or((f64::NAN, f64::NAN, f64::NAN))
}

fn find<'a>(s: &'a Summary, pred: impl Fn(&ConfigSummary) -> bool) -> Option<&'a ConfigSummary> {
    s.configs.iter().find(|c| pred(c) && c.runs > 0)
}

fn est_name(e: EstimatorKind) -> &'static str {
    match e {
        EstimatorKind::Infonce => "I_NCE",
        EstimatorKind::Nwj => "I_NWJ",
        EstimatorKind::None => "none",
    }
}

type Report = (Vec<Claim>, Vec<(String, Chart)>, Vec<(String, String)>);

fn final_table(s: &Summary) -> String {
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

fn a4_report(s: &Summary) -> Report {
    let mut claims = vec![];
    let mut all_above = true;
    let mut pairs = vec![];
    for est in [EstimatorKind::Infonce, EstimatorKind::Nwj] {
        for t in [2.0, 4.0] {
            let get = |e| find(s, |c| c.encoder == e && c.estimator == est && c.t == Some(t)).map(fin);
            if let (Some(conv), Some(mlp)) = (get(EncoderKind::Convnet), get(EncoderKind::Mlp)) {
                all_above &= conv.0 > mlp.0;
                pairs.push(format!("{} t={t}: {:.3} vs {:.3}", est_name(est), conv.0, mlp.0));
            } else {
                all_above = false;
                pairs.push(format!("{} t={t}: missing", est_name(est)));
            }
        }
    }
    claims.push(Claim {
        claim: "ConvNet encoders beat MLP encoders in final test accuracy, for every (estimator, t)".into(),
        paper: "ConvNet ≈0.90–0.92 vs MLP ≈0.80–0.84 at step 20k".into(),
        ours: format!("ConvNet vs MLP — {}", pairs.join("; ")),
        holds: Some(all_above && pairs.len() == 4),
    });
    let gaps: Vec<(String, f64)> = s.configs.iter().filter(|c| c.runs > 0).map(|c| (c.name.clone(), fin(c).2)).collect();
    let max_gap = gaps.iter().map(|g| g.1).fold(f64::NEG_INFINITY, f64::max);
    claims.push(Claim {
        claim: "The estimate reaches its target: |I_est − t| is small for all eight configurations".into(),
        paper: "|I_est − t| → 0 for all (reached after ≈7k steps)".into(),
        ours: format!("largest final |I_est − t| = {max_gap:.3} nats ({})", gaps.iter().map(|g| format!("{} {:.3}", g.0, g.1)).collect::<Vec<_>>().join(", ")),
        holds: Some(gaps.len() == 8 && max_gap < 0.25),
    });
    let b = s.baseline.pixels_test_accuracy;
    claims.push(Claim {
        claim: "Linear probe on raw pixels (top halves)".into(),
        paper: "≈0.84–0.85".into(),
        ours: format!("{b:.4}"),
        holds: Some((0.82..=0.87).contains(&b)),
    });
    let mut charts = vec![];
    for est in [EstimatorKind::Infonce, EstimatorKind::Nwj] {
        let en = est_name(est);
        let mut acc = Chart::new(format!("A4, {en}: test accuracy"), "training step", "linear-probe test accuracy");
        let mut gap = Chart::new(format!("A4, {en}: |I_est − t|"), "training step", "|I_est − t| (nats, training batches)");
        for (k, c) in s.configs.iter().filter(|c| c.estimator == est && c.runs > 0).enumerate() {
            let label = format!("{} t={}", if c.encoder == EncoderKind::Convnet { "ConvNet" } else { "MLP" }, c.t.unwrap_or(0.0));
            let color = if c.encoder == EncoderKind::Convnet { 0 } else { 1 };
            let dashed = c.t == Some(4.0);
            acc.series.push(Series { label: label.clone(), points: c.curve.iter().map(|p| (p.step as f64, p.test_accuracy_mean, p.test_accuracy_sd)).collect(), dashed, color });
            gap.series.push(Series {
                label,
                points: c.curve.iter().map(|p| (p.step as f64, p.gap_mean.unwrap_or(f64::NAN), p.gap_sd.unwrap_or(0.0))).collect(),
                dashed,
                color: color + 2 * k / 4,
            });
        }
        acc.hlines.push(HLine { y: b, label: format!("pixels {b:.3}") });
        charts.push((format!("accuracy_{}", est_name(est).to_lowercase().replace("i_", "")), acc));
        charts.push((format!("gap_{}", est_name(est).to_lowercase().replace("i_", "")), gap));
    }
    (claims, charts, vec![("Final values".into(), final_table(s))])
}

fn a3_report(s: &Summary) -> Report {
    let get = |c: CriticKind, e: EstimatorKind| find(s, |x| x.critic == c && x.estimator == e).map(fin);
    let mut claims = vec![];
    let nwj: Vec<(CriticKind, (f64, f64, f64))> =
        [CriticKind::Bilinear, CriticKind::Separable, CriticKind::Concat].into_iter().filter_map(|c| get(c, EstimatorKind::Nwj).map(|v| (c, v))).collect();
    let acc_of = |c: CriticKind| nwj.iter().find(|x| x.0 == c).map(|x| x.1 .0);
    let i_of = |c: CriticKind| nwj.iter().find(|x| x.0 == c).map(|x| x.1 .1);
    if let (Some(bil), Some(con)) = (acc_of(CriticKind::Bilinear), acc_of(CriticKind::Concat)) {
        claims.push(Claim {
            claim: "With I_NWJ, the bilinear critic gives better features than the concat-MLP critic".into(),
            paper: "bilinear ≈0.89 > separable ≈0.87 > concat-MLP ≈0.84".into(),
            ours: format!(
                "bilinear {bil:.3}, separable {}, concat-MLP {con:.3}",
                acc_of(CriticKind::Separable).map(|v| format!("{v:.3}")).unwrap_or("—".into())
            ),
            holds: Some(bil > con),
        });
    }
    if let (Some(ib), Some(is), Some(ic)) = (i_of(CriticKind::Bilinear), i_of(CriticKind::Separable), i_of(CriticKind::Concat)) {
        claims.push(Claim {
            claim: "With I_NWJ, the concat-MLP critic reaches the highest estimate".into(),
            paper: "the MLP critic has the largest I_NWJ".into(),
            ours: format!("I_NWJ: bilinear {ib:.3}, separable {is:.3}, concat-MLP {ic:.3} nats"),
            holds: Some(ic > ib && ic > is),
        });
    }
    let nce: Vec<(CriticKind, f64)> =
        [CriticKind::Bilinear, CriticKind::Separable, CriticKind::Concat].into_iter().filter_map(|c| get(c, EstimatorKind::Infonce).map(|v| (c, v.1))).collect();
    if !nce.is_empty() {
        let lowest = nce.iter().map(|x| x.1).fold(f64::INFINITY, f64::min);
        claims.push(Claim {
            claim: "With I_NCE, every critic sits near the cap log 128 on training batches".into(),
            paper: format!("all near log 128 = {LOG_128:.3}"),
            ours: nce.iter().map(|(c, v)| format!("{c:?} {v:.3}")).collect::<Vec<_>>().join(", "),
            holds: Some(lowest > LOG_128 - 0.5),
        });
        let accs: Vec<(CriticKind, f64)> =
            [CriticKind::Bilinear, CriticKind::Separable, CriticKind::Concat].into_iter().filter_map(|c| get(c, EstimatorKind::Infonce).map(|v| (c, v.0))).collect();
        let worst = accs.iter().min_by(|a, b| a.1.total_cmp(&b.1)).map(|x| x.0);
        claims.push(Claim {
            claim: "With I_NCE, the concat-MLP critic is again the worst downstream".into(),
            paper: "MLP critic worst".into(),
            ours: accs.iter().map(|(c, v)| format!("{c:?} {v:.3}")).collect::<Vec<_>>().join(", "),
            holds: Some(worst == Some(CriticKind::Concat)),
        });
    }
    let b = s.baseline.pixels_test_accuracy;
    let mut charts = vec![];
    for est in [EstimatorKind::Infonce, EstimatorKind::Nwj] {
        let en = est_name(est);
        let mut acc = Chart::new(format!("A3, {en}: test accuracy"), "training step", "linear-probe test accuracy");
        let mut iest = Chart::new(format!("A3, {en} on training batches"), "training step", "I_est (nats)");
        for (k, c) in s.configs.iter().filter(|c| c.estimator == est && c.runs > 0).enumerate() {
            let label = format!("{:?}", c.critic).to_lowercase();
            acc.series.push(Series { label: label.clone(), points: c.curve.iter().map(|p| (p.step as f64, p.test_accuracy_mean, p.test_accuracy_sd)).collect(), dashed: false, color: k });
            iest.series.push(Series { label, points: c.curve.iter().map(|p| (p.step as f64, p.i_est_mean, p.i_est_sd)).collect(), dashed: false, color: k });
        }
        acc.hlines.push(HLine { y: b, label: format!("pixels {b:.3}") });
        if est == EstimatorKind::Infonce {
            iest.hlines.push(HLine { y: LOG_128, label: "log 128".into() });
        }
        let tag = if est == EstimatorKind::Infonce { "nce" } else { "nwj" };
        charts.push((format!("accuracy_{tag}"), acc));
        charts.push((format!("i_est_{tag}"), iest));
    }
    let note = "The paper repeats A3 on CIFAR-10 (appendix). That part needs the CIFAR-10 binary archive in \
                `datasets/cifar10/` (no offline source exists on machines without internet); it is not run by this \
                command yet."
        .to_string();
    (claims, charts, vec![("Final values".into(), final_table(s)), ("CIFAR-10".into(), note)])
}
