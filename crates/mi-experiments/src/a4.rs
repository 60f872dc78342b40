//! A4 (paper §3.3, Fig. 4): encoder architecture vs estimator. {MLP, ConvNet} × {I_NCE, I_NWJ} ×
//! t ∈ {2, 4}, bilinear critic, loss |I_est − t|: at matched I_est, does the ConvNet give better
//! features?
use crate::infomax::grid::{GridSettings, PairGrid};
use crate::infomax::report::{differences_section, final_by_run, final_table, final_values, find, first_by_run, rise_by_run, GridReport};
use crate::infomax::*;
use mi_report::chart::{Chart, HLine, Series};
use mi_report::claims::{Claim, Verdict};
use mi_report::significance::{welch, TTest};
use mi_report::format::grouped;
use mi_train::{Context, Profile, Result};

pub struct A4;

/// A4's quick profile: how long its I_NWJ pair with t = 4 trains (the other pairs: 1,501 steps).
/// That bound needs ≈5,000 steps to reach its target at the paper's learning rate, but 5,001 steps
/// and 3 runs do not fit the profile's 30 minutes (docs/profiles.md): at 3,000 the ConvNet is
/// still short of t, which the report says.
pub const QUICK_NWJ_T4: Schedule = Schedule { steps: 3_001, eval_every: 1_000 };

/// Runs per configuration in the quick profile: three, so that no pair's verdict rests on one run.
pub const QUICK_RUNS: usize = 3;

/// {MLP, ConvNet} × {InfoNCE, NWJ} × t ∈ {2, 4}, bilinear critic.
pub fn configs() -> Vec<PairConfig> {
    let mut v = vec![];
    for est in [Bound::Infonce, Bound::Nwj] {
        for t in [2.0, 4.0] {
            for enc in [EncoderKind::Mlp, EncoderKind::Convnet] {
                v.push(PairConfig::new(enc, CriticKind::Bilinear, est, Some(t)));
            }
        }
    }
    v
}

impl PairGrid for A4 {
    type Extra = ();

    fn id(&self) -> String {
        "a4".into()
    }

    fn title(&self) -> String {
        "A4 — encoder architecture matters more than the estimator (paper §3.3, Fig. 4)".into()
    }

    fn configs(&self, profile: Profile) -> Vec<PairConfig> {
        let mut c = configs();
        if profile == Profile::Quick {
            // the pair is compared at equal steps: MLP and ConvNet alike
            for c in c.iter_mut().filter(|c| c.estimator == Bound::Nwj && c.t == Some(4.0)) {
                c.schedule = Some(QUICK_NWJ_T4);
            }
        }
        c
    }

    fn loop_settings(&self, profile: Profile) -> (LoopSettings, usize) {
        match profile {
            Profile::Paper => (LoopSettings::paper(), 20),
            Profile::Quick => (LoopSettings::quick(1_501, 750), QUICK_RUNS),
            Profile::Smoke => (LoopSettings::smoke(), 1),
        }
    }

    fn prepare_extra(&self, _data: &PairViews, _s: &GridSettings, _ctx: &Context) -> Result<()> {
        Ok(())
    }

    fn report(&self, s: &Summary, _extra: &()) -> GridReport {
        let mut claims = vec![architecture_claim(s)];
        let gaps: Vec<(String, f64)> = s.configs.iter().filter(|c| c.runs > 0).map(|c| (c.name.clone(), final_values(c).2)).collect();
        let max_gap = gaps.iter().map(|g| g.1).fold(f64::NEG_INFINITY, f64::max);
        claims.push(Claim {
            claim: "The estimate reaches its target: |I_est − t| is small for all eight configurations".into(),
            paper: "|I_est − t| → 0 for all (reached after ≈7k steps)".into(),
            ours: format!("largest final |I_est − t| = {max_gap:.3} nats ({})", gaps.iter().map(|g| format!("{} {:.3}", g.0, g.1)).collect::<Vec<_>>().join(", ")),
            criterion: "every configuration's mean final |I_est − t| on training batches is below 0.25 nats".into(),
            verdict: Verdict::from_check(Some(gaps.len() == 8 && max_gap < 0.25)),
        });
        let mut sections = vec![("ConvNet − MLP, with intervals".into(), gap_table(s)), ("Final values".into(), final_table(s)), profile_distance(s), differences_section(&[])];
        let last_step = s.configs.iter().filter_map(|c| c.last.as_ref().map(|p| p.step)).max().unwrap_or(0);
        if max_gap >= 0.25 && last_step < 7_000 {
            let far: Vec<String> = gaps.iter().filter(|g| g.1 >= 0.25).map(|g| g.0.clone()).collect();
            sections.push(("Why some estimates have not reached t".into(), short_of_target(&far, last_step)));
        }
        let b = s.baseline.pixels_test_accuracy;
        claims.push(Claim {
            claim: "Linear probe on raw pixels (top halves)".into(),
            paper: "≈0.84–0.85".into(),
            criterion: "within 0.82–0.87 (the probe is deterministic given its seed: no interval)".into(),
            ours: format!("{b:.4}"),
            verdict: Verdict::from_check(Some((0.82..=0.87).contains(&b))),
        });
        GridReport { claims, charts: charts(s), sections }
    }
}

/// The paper's ConvNet − MLP accuracy gap at matched I_est (Fig. 4: ConvNet ≈0.90–0.92 against
/// MLP ≈0.80–0.84): its lower end, 8 points.
pub const PAPER_GAP: f64 = 0.08;

/// One (estimator, t) pair's ConvNet − MLP comparison, each a Welch test over runs: the gap at the
/// end, the same gap at step 0 (the architectures' prior at random init), and the gain from MI
/// training (each run's rise from its step 0, ConvNet against MLP).
pub struct PairGap {
    pub label: String,
    pub runs: (usize, usize),
    pub end: Option<TTest>,
    pub start: Option<TTest>,
    pub gain: Option<TTest>,
}

pub fn pair_gaps(s: &Summary) -> Vec<PairGap> {
    let mut out = vec![];
    for est in [Bound::Infonce, Bound::Nwj] {
        for t in [2.0, 4.0] {
            let get = |e| find(s, |c| c.encoder == e && c.estimator == est && c.t == Some(t));
            let label = format!("{} t={t}", est.symbol());
            out.push(match (get(EncoderKind::Convnet), get(EncoderKind::Mlp)) {
                (Some(conv), Some(mlp)) => PairGap {
                    label,
                    runs: (conv.runs, mlp.runs),
                    end: welch(&final_by_run(conv), &final_by_run(mlp)),
                    start: welch(&first_by_run(conv), &first_by_run(mlp)),
                    gain: welch(&rise_by_run(conv), &rise_by_run(mlp)),
                },
                (conv, mlp) => PairGap { label, runs: (conv.map_or(0, |c| c.runs), mlp.map_or(0, |c| c.runs)), end: None, start: None, gain: None },
            });
        }
    }
    out
}

pub fn architecture_claim(s: &Summary) -> Claim {
    let gaps = pair_gaps(s);
    let ours = gaps
        .iter()
        .map(|g| match &g.end {
            Some(t) => format!("{}: {}", g.label, t.describe(100.0, 1, "points")),
            None => format!("{}: {} ConvNet / {} MLP runs, no interval (needs ≥ 2 each)", g.label, g.runs.0, g.runs.1),
        })
        .collect::<Vec<_>>()
        .join("; ");
    Claim {
        claim: "At matched I_est, ConvNet encoders beat MLP encoders in test accuracy by 8–10 points, for every (estimator, t)".into(),
        paper: "ConvNet ≈0.90–0.92 vs MLP ≈0.80–0.84 at step 20k".into(),
        criterion: "per (estimator, t), Welch's t test of ConvNet − MLP final accuracy over runs; holds when every pair's 95 % interval lies above 0 and its gap reaches 8 points; direction only when every interval lies above 0 but some gap is smaller (the smallest fraction of 8 points is shown); ≥ 2 runs per encoder".into(),
        ours: format!("ConvNet − MLP: {ours}"),
        verdict: Verdict::all(gaps.iter().map(|g| Verdict::from_effect(g.end.as_ref(), PAPER_GAP))),
    }
}

/// The gap table: end, step 0 and training gain per pair, with intervals.
pub fn gap_table(s: &Summary) -> String {
    let cell = |t: &Option<TTest>| t.as_ref().map(|t| t.describe(100.0, 1, "")).unwrap_or_else(|| "—".into());
    let mut text = String::from(
        "ConvNet − MLP test accuracy in points, mean over runs with Welch's 95 % interval and p-value. \
         *At step 0* is the same gap before any update (the architectures' prior at random init); \
         *gain from training* compares each run's rise from its own step 0 (ConvNet against MLP), \
         i.e. the end gap minus the step-0 gap, tested against run-to-run noise.\n\n\
         | Pair | Runs (ConvNet / MLP) | Gap at the end | Gap at step 0 | Gain from training |\n|---|---|---|---|---|\n",
    );
    for g in pair_gaps(s) {
        text.push_str(&format!("| {} | {} / {} | {} | {} | {} |\n", g.label, g.runs.0, g.runs.1, cell(&g.end), cell(&g.start), cell(&g.gain)));
    }
    text.pop(); // the report puts the blank line between sections
    text
}

/// How far this profile's runs are from the paper's and what the paper profile should show.
fn profile_distance(s: &Summary) -> (String, String) {
    let last_step = s.configs.iter().filter_map(|c| c.last.as_ref().map(|p| p.step)).max().unwrap_or(0);
    let runs = s.configs.iter().map(|c| c.runs).max().unwrap_or(0);
    (
        "How far these runs are from the paper's".into(),
        format!(
            "These runs end at step {} at most ({runs} runs per configuration); the paper trains 21,000 steps with 20 runs, and its \
             8–10-point gap is read at step 20,000. A gap measured this early need not be the gap at 20,000 steps, in \
             either direction, and a verdict here is about this profile only; the `paper` \
             profile (`cargo xtask slurm a4 --profile paper` on a cluster, or one GPU for about a day) is what tests the \
             claim at its stated size. The gap at step 0 above is the part of the final gap that the architectures have before \
             any MI training.",
            grouped(last_step + 1)
        ),
    )
}

fn short_of_target(far: &[String], last_step: usize) -> String {
    format!(
        "Configurations still short of t at their last evaluation: {} (the last evaluation of this run is at step {last_step}). The paper's estimates reach their targets after ≈7,000 steps and it trains for 21,000. The `quick` profile trains 1,501 steps, and {} for the I_NWJ pair with t = 4, the bound that is slowest to reach its target: at the paper's learning rate one I_NWJ ConvNet run with t = 4 (training-batch estimate, mean of each 250 steps; `cargo run --release -p mi-experiments --example a4_trajectory -- convnet nwj 4 7000 1e-4 6010103490282208454`, the seed of this profile's run 0) stood at 2.07 at step 1,000, 2.58 at 1,500, 3.04 at 2,000, 3.73 at 3,500, 3.88 at 5,000 and 3.91 at 7,000, with a dip to 3.45 around step 5,500. Where a ConvNet sits *below* its target and below the MLP's estimate, its higher accuracy comes with a lower I_est, which supports the paper's point rather than weakens it; the comparison at the paper's length needs the `paper` profile (a GPU job). A higher learning rate is no shortcut: while sizing this profile we tried Adam 3e-4 and 1e-3 (one run of each configuration), and both times the I_NWJ ConvNets collapsed to a constant critic (I_est ≈ 0 for t = 2 and 4, accuracy 0.77–0.81; at 3e-4 the I_NCE ConvNets still reached 0.87 and 0.90); at 2e-4 the I_NWJ ConvNet with t = 4 fell to ≈0 as well.",
        far.join(", "),
        grouped(QUICK_NWJ_T4.steps)
    )
}

/// Accuracy and |I_est − t| over training, per estimator: one colour per encoder, a dash per t.
fn charts(s: &Summary) -> Vec<(String, Chart)> {
    let b = s.baseline.pixels_test_accuracy;
    let mut charts = vec![];
    for est in [Bound::Infonce, Bound::Nwj] {
        let en = est.symbol();
        let mut acc = Chart::new(format!("A4, {en}: test accuracy"), "training step", "linear-probe test accuracy");
        let mut gap = Chart::new(format!("A4, {en}: |I_est − t|"), "training step", "|I_est − t| (nats, training batches)");
        for c in s.configs.iter().filter(|c| c.estimator == est && c.runs > 0) {
            let label = format!("{} t={}", if c.encoder == EncoderKind::Convnet { "ConvNet" } else { "MLP" }, c.t.unwrap_or(0.0));
            let color = if c.encoder == EncoderKind::Convnet { 0 } else { 1 };
            let dashed = c.t == Some(4.0);
            acc.series.push(Series { label: label.clone(), points: c.curve.iter().map(|p| (p.step as f64, p.test_accuracy_mean, p.test_accuracy_sd)).collect(), dashed, color });
            let points = c.curve.iter().map(|p| (p.step as f64, p.gap_mean.unwrap_or(f64::NAN), p.gap_sd.unwrap_or(0.0))).collect();
            gap.series.push(Series { label, points, dashed, color });
        }
        acc.hlines.push(HLine { y: b, label: format!("pixels {b:.3}") });
        let tag = est.symbol().to_lowercase().replace("i_", "");
        charts.push((format!("accuracy_{tag}"), acc));
        charts.push((format!("gap_{tag}"), gap));
    }
    charts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_quick_profile_trains_the_nwj_t4_pair_longer() {
        let c = A4.configs(Profile::Quick);
        assert_eq!(c.len(), 8);
        let longer: Vec<&str> = c.iter().filter(|c| c.schedule.is_some()).map(|c| c.name.as_str()).collect();
        assert_eq!(longer, ["mlp-bilinear-nwj-t4", "convnet-bilinear-nwj-t4"]);
        let (loop_s, _) = A4.loop_settings(Profile::Quick);
        let own = loop_s.for_config(&c[7]);
        assert!(own.steps > loop_s.steps);
        // the last evaluation falls on the last step of the schedule, like the loop's
        assert_eq!(own.eval_steps().last(), Some(&(own.steps - 1)));
        assert_eq!(loop_s.eval_steps().last(), Some(&(loop_s.steps - 1)));
        assert_eq!(LoopSettings { steps: loop_s.steps, eval_every: loop_s.eval_every, ..own.clone() }, loop_s);
        for p in [Profile::Paper, Profile::Smoke] {
            assert!(A4.configs(p).iter().all(|c| c.schedule.is_none()), "{p}");
        }
        // a configuration without its own schedule keeps the recorded JSON it always had
        assert!(!serde_json::to_string(&configs()[0]).unwrap().contains("schedule"));
        assert_eq!(configs()[0].name, "mlp-bilinear-infonce-t2");
    }
}

#[cfg(test)]
mod claim_tests {
    use super::*;
    use crate::infomax::fixtures::{runs, summary_of};

    /// Every pair with ConvNet runs rising `conv_rise` and MLP runs `mlp_rise` from the same start.
    fn grid(conv_rise: f64, mlp_rise: f64, noise: f64) -> Summary {
        let cs: Vec<_> = configs().into_iter().map(|c| {
            let rise = if c.encoder == EncoderKind::Convnet { conv_rise } else { mlp_rise };
            let t = c.t.unwrap_or(0.0);
            (c, runs(0.82, rise, noise), t)
        }).collect();
        summary_of(&cs, 0.85)
    }

    #[test]
    fn architecture_verdicts_test_the_gap_against_noise_at_the_papers_size() {
        assert_eq!(architecture_claim(&grid(0.10, 0.01, 0.005)).verdict, Verdict::Holds);
        match architecture_claim(&grid(0.04, 0.01, 0.005)).verdict {
            Verdict::DirectionOnly { fraction_of_paper } => assert!((fraction_of_paper - 0.375).abs() < 1e-9, "{fraction_of_paper}"),
            v => panic!("{v:?}"),
        }
        // a mean gap of 1 point inside 2 points of run-to-run noise: does not hold (the old
        // sign-of-the-mean check said it did)
        assert_eq!(architecture_claim(&grid(0.02, 0.01, 0.02)).verdict, Verdict::DoesNotHold);
        assert_eq!(architecture_claim(&grid(0.01, 0.05, 0.005)).verdict, Verdict::DoesNotHold);
        // the gap table shows end, step-0 and gain per pair
        let t = gap_table(&grid(0.10, 0.01, 0.005));
        assert!(t.contains("| I_NCE t=2 | 3 / 3 | +9.0 [") && t.matches("| ").count() > 20, "{t}");
    }
}
