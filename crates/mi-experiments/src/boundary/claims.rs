//! The four claims of the slides' encoder–critic boundary discussion, each decided from the final
//! evaluation of every boundary against run-to-run noise. The criteria (the constants below and
//! the words in each [`Claim::criterion`]) were written before any quick or paper run.
use super::network::DEPTHS;
use super::summary::{BoundarySummary, BoundarySummaryOf, StepSummary};
use mi_report::claims::{Claim, Verdict};
use mi_report::significance::{one_sample, welch, TTest};

/// Two-sided level of every interval (95 %).
pub const ALPHA: f64 = 0.05;
/// Claim 4: final held-out I_est of two boundaries counts as "similar" when the 95 % interval of
/// their difference lies inside ± this many nats (≈3 % of the InfoNCE ceiling log 128 = 4.85).
pub const SIMILAR_I_EST_NATS: f64 = 0.15;
/// The boundaries the slides name (the control is the paper's default boundary).
pub const SLIDE_BOUNDARIES: [&str; 3] = ["p1", "p2", "p3"];

fn boundary<'a>(s: &'a BoundarySummary, name: &str) -> Option<&'a BoundarySummaryOf> {
    s.boundaries.iter().find(|b| b.name == name)
}

/// Each run's accuracy at depth `a` minus its accuracy at depth `b` (the same run's features, so
/// the difference is paired).
pub fn paired_gap(p: &StepSummary, a: usize, b: usize) -> Option<TTest> {
    let (x, y) = (&p.test_accuracy_by_depth.get(a)?.by_run, &p.test_accuracy_by_depth.get(b)?.by_run);
    one_sample(&x.iter().zip(y).map(|(x, y)| x - y).collect::<Vec<_>>())
}

/// The depth with the highest mean final accuracy.
pub fn best_depth(p: &StepSummary) -> usize {
    (0..p.test_accuracy_by_depth.len()).max_by(|&a, &b| p.test_accuracy_by_depth[a].mean.total_cmp(&p.test_accuracy_by_depth[b].mean)).unwrap_or(0)
}

fn pts(t: &TTest) -> String {
    t.describe(100.0, 1, "points")
}

/// Claim 1: the best probe depth is an inner module (AB or ABC) and beats both ends.
pub fn inner_depth_claim(s: &BoundarySummary) -> Claim {
    let mut parts = vec![];
    let mut verdicts = vec![];
    for b in &s.boundaries {
        let Some(p) = &b.last else {
            verdicts.push(Verdict::NotMeasured);
            parts.push(format!("{}: no final evaluation", b.name));
            continue;
        };
        let best = best_depth(p);
        let inner = best != 0 && best != DEPTHS.len() - 1;
        let vs_a = paired_gap(p, best, 0);
        let vs_end = paired_gap(p, best, DEPTHS.len() - 1);
        let v = if !inner {
            if p.run_ids.len() < 2 { Verdict::NotMeasured } else { Verdict::DoesNotHold }
        } else {
            match (&vs_a, &vs_end) {
                (Some(a), Some(e)) => Verdict::from_check(Some(a.above_zero() && e.above_zero())),
                _ => Verdict::NotMeasured,
            }
        };
        verdicts.push(v);
        let mut text = format!("{}: best {} ({:.4})", b.name, DEPTHS[best], p.test_accuracy_by_depth[best].mean);
        for (end, t) in [(0, &vs_a), (DEPTHS.len() - 1, &vs_end)] {
            if let (true, Some(t)) = (best != end, t) {
                text.push_str(&format!(", − {} {}", DEPTHS[end], pts(t)));
            }
        }
        parts.push(text);
    }
    Claim {
        claim: "The best features for the downstream task sit in the middle of the network: the best probe depth is an inner module (AB or ABC), not A or ABCD".into(),
        paper: "slides, \"The Encoder-Critic Boundary\": best representations \"at the middle\" of the network (a hypothesis; the paper does not test it)".into(),
        criterion: "for every boundary (P1, P2, P3 and the bilinear control), the depth with the highest mean final test accuracy is AB or ABC, and its paired (by run) accuracy gap to A and to ABCD each has a 95 % interval above 0; ≥ 2 runs".into(),
        ours: parts.join("; "),
        verdict: Verdict::all(verdicts),
    }
}

/// Claim 2: the designated encoder's output is not the best representation at the two ends of the
/// boundary (P1's encoder A, P3's encoder ABC): the representation spills across the boundary.
pub fn spill_claim(s: &BoundarySummary) -> Claim {
    let mut parts = vec![];
    let mut verdicts = vec![];
    for name in SLIDE_BOUNDARIES {
        let Some(b) = boundary(s, name) else {
            parts.push(format!("{name}: not run"));
            if name != "p2" {
                verdicts.push(Verdict::NotMeasured);
            }
            continue;
        };
        let Some(p) = &b.last else {
            parts.push(format!("{name}: no final evaluation"));
            if name != "p2" {
                verdicts.push(Verdict::NotMeasured);
            }
            continue;
        };
        let e = b.encoder_depth;
        let beaten: Vec<(usize, TTest)> = (0..DEPTHS.len()).filter(|&d| d != e).filter_map(|d| paired_gap(p, d, e).map(|t| (d, t))).collect();
        let spills = beaten.iter().any(|(_, t)| t.above_zero());
        let strongest = beaten.iter().max_by(|a, b| a.1.estimate.total_cmp(&b.1.estimate));
        parts.push(match strongest {
            Some((d, t)) => format!("{name} (encoder {}): best other depth {} − encoder {}", DEPTHS[e], DEPTHS[*d], pts(t)),
            None => format!("{name} (encoder {}): fewer than 2 runs", DEPTHS[e]),
        });
        // P2's encoder is where the slides put the best features: reported, not required
        if name != "p2" {
            verdicts.push(if beaten.is_empty() { Verdict::NotMeasured } else { Verdict::from_check(Some(spills)) });
        }
    }
    Claim {
        claim: "The representation spills across the boundary: with encoder A (P1) or encoder ABC (P3), another module's output is a better representation than the designated encoder's".into(),
        paper: "slides: P1 \"the encoder expands towards the critic\", P3 \"the critic expands towards the encoder\"".into(),
        criterion: "for P1 and for P3, some other depth's paired (by run) final accuracy gap over the designated encoder's depth has a 95 % interval above 0 (P2 is shown, not required); ≥ 2 runs".into(),
        ours: parts.join("; "),
        verdict: Verdict::all(verdicts),
    }
}

/// The three pairs of slide boundaries that have a final evaluation.
fn slide_pairs(s: &BoundarySummary) -> Vec<(&BoundarySummaryOf, &BoundarySummaryOf)> {
    let b: Vec<&BoundarySummaryOf> = SLIDE_BOUNDARIES.iter().filter_map(|n| boundary(s, n)).filter(|b| b.last.is_some()).collect();
    let mut out = vec![];
    for i in 0..b.len() {
        for j in i + 1..b.len() {
            out.push((b[i], b[j]));
        }
    }
    out
}

fn last(b: &BoundarySummaryOf) -> &StepSummary {
    b.last.as_ref().expect("slide_pairs keeps boundaries with a final evaluation")
}

/// Claim 3: the boundary changes what is learned: at some depth, two boundaries' final accuracies
/// differ beyond run-to-run noise.
pub fn boundary_changes_features_claim(s: &BoundarySummary) -> Claim {
    let pairs = slide_pairs(s);
    let tests = pairs.len() * DEPTHS.len();
    let corrected = ALPHA / tests.max(1) as f64;
    let mut found = vec![];
    let mut largest: Option<(String, TTest)> = None;
    let mut complete = pairs.len() == 3;
    for (a, b) in &pairs {
        for (d, depth) in DEPTHS.iter().enumerate() {
            let t = welch(&last(a).test_accuracy_by_depth[d].by_run, &last(b).test_accuracy_by_depth[d].by_run);
            let Some(t) = t else {
                complete = false;
                continue;
            };
            let label = format!("{depth}: {} − {}", a.name, b.name);
            if t.p_value < corrected {
                found.push(format!("{label} {}", pts(&t)));
            }
            if largest.as_ref().is_none_or(|(_, l)| t.estimate.abs() > l.estimate.abs()) {
                largest = Some((label, t));
            }
        }
    }
    let verdict = if !found.is_empty() {
        Verdict::Holds
    } else if complete {
        Verdict::DoesNotHold
    } else {
        Verdict::NotMeasured
    };
    let ours = match (&largest, found.is_empty()) {
        (_, false) => format!("differ beyond noise: {}", found.join("; ")),
        (Some((l, t)), true) => format!("no difference beyond noise in {tests} comparisons; the largest is {l} {}", pts(t)),
        (None, true) => "fewer than 2 runs per boundary".into(),
    };
    Claim {
        claim: "Where the boundary is drawn changes what is learned: at the same module depth, the features of P1, P2 and P3 differ".into(),
        paper: "slides: \"different choices of f, g result in the same F but different downstream features\"".into(),
        criterion: format!(
            "for each depth and each pair of P1–P3, Welch's t test of the final test accuracies over runs; holds when any of the {} tests has p below {:.4} (0.05, Bonferroni-corrected); ≥ 2 runs each",
            DEPTHS.len() * 3,
            ALPHA / (DEPTHS.len() * 3) as f64
        ),
        ours,
        verdict,
    }
}

/// Claim 4: the same I_est across P1–P3, but different downstream accuracy of their encoders.
pub fn same_estimate_different_accuracy_claim(s: &BoundarySummary) -> Claim {
    let pairs = slide_pairs(s);
    let mut i_parts = vec![];
    let mut acc_parts = vec![];
    let (mut similar, mut i_differs, mut acc_differs, mut measured) = (true, false, false, pairs.len() == 3);
    for (a, b) in &pairs {
        match welch(&last(a).i_est_test_nats.by_run, &last(b).i_est_test_nats.by_run) {
            Some(t) => {
                similar &= t.ci95.0 > -SIMILAR_I_EST_NATS && t.ci95.1 < SIMILAR_I_EST_NATS;
                i_differs |= t.above_zero() || t.below_zero();
                i_parts.push(format!("{} − {} {}", a.name, b.name, t.describe(1.0, 3, "nats")));
            }
            None => measured = false,
        }
        let (ea, eb) = (a.encoder_depth, b.encoder_depth);
        match welch(&last(a).test_accuracy_by_depth[ea].by_run, &last(b).test_accuracy_by_depth[eb].by_run) {
            Some(t) => {
                acc_differs |= t.above_zero() || t.below_zero();
                acc_parts.push(format!("{}({}) − {}({}) {}", a.name, DEPTHS[ea], b.name, DEPTHS[eb], pts(&t)));
            }
            None => measured = false,
        }
    }
    let verdict = if !measured {
        Verdict::NotMeasured
    } else if i_differs || !acc_differs {
        Verdict::DoesNotHold
    } else if similar {
        Verdict::Holds
    } else {
        // intervals too wide to call the estimates similar, yet none differs: more runs needed
        Verdict::NotMeasured
    };
    Claim {
        claim: "P1–P3 reach the same I_est (they optimise the same family F) while their encoders' downstream accuracy differs".into(),
        paper: "slides: \"P1, P2 and P3 all learn the same modules A, B, C, D\", yet only one encoder's features are the best".into(),
        criterion: format!(
            "Welch's t over runs for each pair of P1–P3: every final held-out I_est difference has its 95 % interval inside ±{SIMILAR_I_EST_NATS} nats, and some pair's designated-encoder test accuracies differ (95 % interval excludes 0); does not hold when an I_est difference excludes 0 or no accuracy differs; not measured when the I_est intervals are too wide to decide"
        ),
        ours: if i_parts.is_empty() && acc_parts.is_empty() {
            "fewer than 2 runs per boundary".into()
        } else {
            format!("held-out I_est: {}; encoder accuracy: {}", i_parts.join(", "), acc_parts.join(", "))
        },
        verdict,
    }
}

pub fn claims(s: &BoundarySummary) -> Vec<Claim> {
    vec![inner_depth_claim(s), spill_claim(s), boundary_changes_features_claim(s), same_estimate_different_accuracy_claim(s)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::summary::{BoundarySummaryOf, OverRuns, StepSummary};
    use mi_train::Profile;

    /// A boundary whose final accuracies are `acc[d] + noise · (run pattern)` for four runs.
    fn b(name: &str, encoder_depth: usize, acc: [f64; 4], noise: f64, i_est: f64) -> BoundarySummaryOf {
        let pattern = [-1.0, 0.5, 1.0, -0.5];
        let over = |m: f64, scale: f64| OverRuns::of(pattern.iter().map(|p| m + scale * p).collect());
        let step = StepSummary {
            step: 100,
            run_ids: vec![0, 1, 2, 3],
            // the same run pattern at every depth (a good run is good everywhere): paired gaps are exact
            test_accuracy_by_depth: acc.iter().map(|&a| over(a, noise)).collect(),
            i_est_train_nats: over(i_est, 0.02),
            i_est_test_nats: over(i_est, 0.02),
        };
        BoundarySummaryOf { name: name.into(), encoder_depth, critic: String::new(), runs: 4, last: Some(step.clone()), curve: vec![step] }
    }

    fn summary(bs: Vec<BoundarySummaryOf>) -> BoundarySummary {
        BoundarySummary { experiment: "boundary".into(), profile: Profile::Quick, depths: DEPTHS.iter().map(|d| d.to_string()).collect(), pixels_test_accuracy: 0.85, boundaries: bs }
    }

    /// The slides' world: middle best, same I_est, one accuracy profile for every boundary.
    fn slides(acc: [f64; 4], i: [f64; 3]) -> BoundarySummary {
        summary(vec![b("p1", 0, acc, 0.003, i[0]), b("p2", 1, acc, 0.003, i[1]), b("p3", 2, acc, 0.003, i[2]), b("bilinear", 3, acc, 0.003, i[0])])
    }

    #[test]
    fn inner_depth_claim_holds_only_when_an_inner_module_beats_both_ends() {
        assert_eq!(inner_depth_claim(&slides([0.90, 0.93, 0.92, 0.88], [3.0; 3])).verdict, Verdict::Holds);
        // the output end is best
        assert_eq!(inner_depth_claim(&slides([0.90, 0.91, 0.92, 0.93], [3.0; 3])).verdict, Verdict::DoesNotHold);
        // an inner module is best by a hair, but within noise of A: paired gap interval includes 0
        let mut s = slides([0.920, 0.921, 0.90, 0.88], [3.0; 3]);
        for bd in &mut s.boundaries {
            // scramble run 0 at depth A so the pairing no longer cancels the noise
            let p = bd.last.as_mut().unwrap();
            p.test_accuracy_by_depth[0] = OverRuns::of(vec![0.93, 0.91, 0.925, 0.915]);
        }
        assert_eq!(inner_depth_claim(&s).verdict, Verdict::DoesNotHold);
        // one run: no noise estimate
        let mut one = slides([0.90, 0.93, 0.92, 0.88], [3.0; 3]);
        for bd in &mut one.boundaries {
            let p = bd.last.as_mut().unwrap();
            p.run_ids.truncate(1);
            for d in &mut p.test_accuracy_by_depth {
                *d = OverRuns::of(vec![d.by_run[0]]);
            }
        }
        assert_eq!(inner_depth_claim(&one).verdict, Verdict::NotMeasured);
    }

    #[test]
    fn spill_claim_needs_both_ends_beaten() {
        assert_eq!(spill_claim(&slides([0.90, 0.93, 0.92, 0.88], [3.0; 3])).verdict, Verdict::Holds);
        // P3's encoder ABC is the best depth: no spill at P3
        let s = slides([0.90, 0.92, 0.93, 0.88], [3.0; 3]);
        assert_eq!(spill_claim(&s).verdict, Verdict::DoesNotHold);
        assert!(spill_claim(&s).ours.contains("p3 (encoder ABC)"));
    }

    #[test]
    fn boundary_claim_needs_a_difference_beyond_corrected_noise() {
        let same = slides([0.90, 0.93, 0.92, 0.88], [3.0; 3]);
        assert_eq!(boundary_changes_features_claim(&same).verdict, Verdict::DoesNotHold);
        let mut differ = same.clone();
        differ.boundaries[2] = b("p3", 2, [0.90, 0.93, 0.96, 0.88], 0.003, 3.0);
        let c = boundary_changes_features_claim(&differ);
        assert_eq!(c.verdict, Verdict::Holds);
        assert!(c.ours.contains("ABC: p1 − p3") && c.ours.contains("ABC: p2 − p3"), "{}", c.ours);
        // a 1-point difference inside 2 points of noise is not a difference
        let mut noisy = same.clone();
        noisy.boundaries[2] = b("p3", 2, [0.90, 0.93, 0.93, 0.88], 0.02, 3.0);
        for bd in &mut noisy.boundaries {
            bd.last.as_mut().unwrap().test_accuracy_by_depth[2] = OverRuns::of(vec![0.90, 0.95, 0.93, 0.91]);
        }
        assert_eq!(boundary_changes_features_claim(&noisy).verdict, Verdict::DoesNotHold);
        // a boundary missing: not measured
        let mut missing = same;
        missing.boundaries.remove(1);
        assert_eq!(boundary_changes_features_claim(&missing).verdict, Verdict::NotMeasured);
    }

    #[test]
    fn same_estimate_claim_needs_similar_i_est_and_differing_encoder_accuracy() {
        // encoders at A, AB, ABC have 0.90, 0.93, 0.92: they differ; I_est equal
        assert_eq!(same_estimate_different_accuracy_claim(&slides([0.90, 0.93, 0.92, 0.88], [3.0; 3])).verdict, Verdict::Holds);
        // I_est of P3 is 0.3 nats lower
        assert_eq!(same_estimate_different_accuracy_claim(&slides([0.90, 0.93, 0.92, 0.88], [3.0, 3.0, 2.7])).verdict, Verdict::DoesNotHold);
        // every encoder is equally good
        assert_eq!(same_estimate_different_accuracy_claim(&slides([0.92, 0.92, 0.92, 0.88], [3.0; 3])).verdict, Verdict::DoesNotHold);
        // I_est too noisy to call similar, and no difference shown: not measured
        let mut wide = slides([0.90, 0.93, 0.92, 0.88], [3.0; 3]);
        for bd in &mut wide.boundaries {
            bd.last.as_mut().unwrap().i_est_test_nats = OverRuns::of(vec![2.6, 3.4, 3.0, 3.0]);
        }
        assert_eq!(same_estimate_different_accuracy_claim(&wide).verdict, Verdict::NotMeasured);
    }
}
