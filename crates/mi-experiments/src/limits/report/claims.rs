//! The claims of the slides, each with its criterion and our measurement.
use super::*;
use mi_report::claims::{Claim, Verdict};

/// The claims of the slides (Poole et al.; Song & Ermon; McAllester & Stratos), each with our
/// measurement. Each criterion is stated in its claim; claim 1 records the one change made after
/// results were seen (see [`infonce_capped`]).
pub fn claims(s: &Summary, cfg: &LimitsSettings) -> Vec<Claim> {
    let mut out = vec![];
    let parts: [fn(&Summary, &LimitsSettings, &mut Vec<Claim>); 10] = [
        infonce_capped,
        nwj_variance_grows,
        dv_biased,
        smile_low_variance,
        smile_tau_tradeoff,
        ialpha_between,
        cubic_changes_estimates,
        optimal_critic,
        infonce_saturates,
        ln_n_cap,
    ];
    for claim in parts {
        claim(s, cfg, &mut out);
    }
    out
}

/// A verdict on the staircase: none without a series, never "holds" while runs are missing.
fn verdict(s: &Summary, ok: bool, any: bool) -> Option<bool> {
    let incomplete = s.runs_done < s.runs_expected;
    if any {
        Some(ok && !incomplete)
    } else {
        None
    }
}

/// Claim 1: InfoNCE flat near log B from 6 nats on. The reference is the optimal critic's InfoNCE at
/// the same I and B (measured below): no critic can do better, and at 6 nats with B = 64 even it
/// sits ≈ 0.45 below log B, so "near log B" means "at the optimal critic's envelope".
///
/// The criterion fixed before the first results asks this of every task; just before results
/// were committed it was narrowed to the Gaussian task (on y³ the separable critic lags). The
/// verdict uses the original reading; the narrowed one is reported beside it.
fn infonce_capped(s: &Summary, cfg: &LimitsSettings, out: &mut Vec<Claim>) {
    let log_b = (cfg.staircase.batch as f64).ln();
    let levels = &cfg.staircase.levels_nats;
    let optimal_at = |mi: f64| {
        s.infonce_saturation.iter().find(|p| p.batch == cfg.staircase.batch && (p.mi_nats - mi).abs() < 1e-9).map(|p| p.mean_nats)
    };
    let (mut ok_all, mut ok_gaussian, mut any, mut parts) = (true, true, false, vec![]);
    for (c, t) in combos(s) {
        if let Some(x) = series(s, c, t, Bound::Infonce) {
            let lv: Vec<&LevelStats> = x.levels.iter().filter(|l| l.mi_nats >= 6.0).collect();
            if lv.is_empty() {
                continue;
            }
            any = true;
            for l in &lv {
                let reference = optimal_at(l.mi_nats).unwrap_or(log_b - 0.5);
                let here = l.mean_nats >= reference - 0.25 && l.mean_nats <= log_b + 1e-9;
                ok_all &= here;
                ok_gaussian &= if t == TaskVariant::Gaussian { here } else { l.mean_nats <= log_b + 1e-9 };
            }
            parts.push(format!("{}: {}", tag(c, t), lv.iter().map(|l| f3(l.mean_nats)).collect::<Vec<_>>().join(", ")));
        }
    }
    let refs: Vec<String> = levels.iter().filter(|&&l| l >= 6.0).map(|&l| optimal_at(l).map_or("–".into(), f3)).collect();
    let reading = |ok: bool| if ok { "holds" } else { "does not hold" };
    out.push(Claim {
        claim: format!("InfoNCE is capped at log B: flat near log {} = {log_b:.3} from the 6-nat step on", cfg.staircase.batch),
        paper: "InfoNCE flat at log 64 ≈ 4.16 once I ≥ 6 nats (Poole et al. Fig. 2; Song & Ermon Fig. 1)".into(),
        ours: format!(
            "mean estimate at 6, 8, 10 nats — {}; the optimal critic's InfoNCE at the same I and B: {}. Under the \
             narrowed reading adopted just before the first results were committed (the envelope on the Gaussian task \
             only; on y³ only ≤ log B) the claim {}; the verdict keeps the original reading.",
            parts.join("; "),
            refs.join(", "),
            reading(ok_gaussian)
        ),
        criterion: "on every task and critic, every level mean from 6 nats on is ≤ log B and within 0.25 nats of the optimal critic's InfoNCE at the same I and B (the most any critic can reach)".into(),
        verdict: Verdict::from_check(verdict(s, ok_all, any)),
    });
}

/// Claim 2: NWJ variance grows and exceeds the others at 8–10 nats. "The others" are the estimators
/// whose value is not an NWJ bound: the JS run's first readout *is* NWJ (of the JS critic), so
/// it is reported next to NWJ rather than counted against it.
fn nwj_variance_grows(s: &Summary, cfg: &LimitsSettings, out: &mut Vec<Claim>) {
    let top2: Vec<f64> = cfg.staircase.levels_nats.iter().rev().take(2).copied().collect();
    let nwj_type = |e: Bound| matches!(e, Bound::Nwj | Bound::Js);
    let (mut ok, mut any, mut parts) = (true, false, vec![]);
    for (c, t) in combos(s) {
        let Some(n) = series(s, c, t, Bound::Nwj) else { continue };
        any = true;
        let v: Vec<f64> = n.levels.iter().map(|l| l.variance).collect();
        let k = v.len();
        let grows = k >= 4 && v[k - 2].min(v[k - 1]) > v[0].max(v[1]);
        let mut beats = true;
        let mut others_max = vec![];
        for &mi in &top2 {
            let vn = level(n, mi).map_or(f64::NAN, |l| l.variance);
            let om = s
                .staircase
                .iter()
                .filter(|x| x.critic == c && x.task == t && !nwj_type(x.estimator))
                .filter_map(|x| level(x, mi).map(|l| (x.estimator, l.variance)))
                .fold((Bound::Nwj, f64::NEG_INFINITY), |a, b| if b.1 > a.1 || b.1.is_nan() { b } else { a });
            beats &= vn > om.1;
            let js = series(s, c, t, Bound::Js).and_then(|x| level(x, mi)).map_or(f64::NAN, |l| l.variance);
            others_max.push(format!("{mi}: NWJ {} vs max other {} ({}); NWJ of the JS critic {}", f3(vn), f3(om.1), om.0, f3(js)));
        }
        ok &= grows && beats;
        parts.push(format!("{}: Var by level {} — {}", tag(c, t), v.iter().map(|x| f3(*x)).collect::<Vec<_>>().join(", "), others_max.join(", ")));
    }
    out.push(Claim {
        claim: "NWJ's variance grows with the true MI and exceeds every other estimator's at 8–10 nats".into(),
        paper: "NWJ tracks the truth with exploding variance (Song & Ermon Fig. 1; variance ≥ (e^I − 1)/M)".into(),
        ours: format!(
            "{} (criterion: both top levels above both bottom levels, and above every estimator that is not an NWJ \
             bound — InfoNCE, DV/MINE, SMILE, I_α — at the top two)",
            parts.join("; ")
        ),
        criterion: "both top levels' variance above both bottom levels', and above every non-NWJ estimator's at the top levels".into(),
        verdict: Verdict::from_check(verdict(s, ok, any)),
    });
}

/// Claim 3: DV/MINE biased
fn dv_biased(s: &Summary, cfg: &LimitsSettings, out: &mut Vec<Claim>) {
    let top2: Vec<f64> = cfg.staircase.levels_nats.iter().rev().take(2).copied().collect();
    let (mut ok, mut any, mut parts) = (true, false, vec![]);
    for (c, t) in combos(s) {
        let Some(d) = series(s, c, t, Bound::Mine) else { continue };
        any = true;
        let b: Vec<f64> = top2.iter().filter_map(|&mi| level(d, mi).map(|l| l.bias_nats)).collect();
        ok &= b.iter().all(|v| v.abs() > 0.5);
        parts.push(format!("{}: bias by level {}", tag(c, t), d.levels.iter().map(|l| f3(l.bias_nats)).collect::<Vec<_>>().join(", ")));
    }
    out.push(Claim {
        claim: "DV/MINE is biased at high MI".into(),
        paper: "DV/MINE biased; the batch estimate puts the log outside the mean".into(),
        ours: format!("{} (criterion: |bias| > 0.5 nats at the top two levels)", parts.join("; ")),
        criterion: "|bias| > 0.5 nats at the top two levels".into(),
        verdict: Verdict::from_check(verdict(s, ok, any)),
    });
}

/// Claim 4: SMILE τ = 5: low variance, close at moderate MI
fn smile_low_variance(s: &Summary, _cfg: &LimitsSettings, out: &mut Vec<Claim>) {
    let (mut ok, mut any, mut parts) = (true, false, vec![]);
    for (c, t) in combos(s) {
        let (Some(sm), Some(n)) = (series(s, c, t, SMILE_5), series(s, c, t, Bound::Nwj)) else { continue };
        any = true;
        let lower = sm.levels.iter().zip(&n.levels).all(|(a, b)| a.variance < b.variance);
        let close = sm.levels.iter().filter(|l| l.mi_nats <= 4.0).all(|l| l.bias_nats.abs() <= 1.0);
        ok &= lower && close;
        parts.push(format!(
            "{}: bias {} / Var {}",
            tag(c, t),
            sm.levels.iter().map(|l| f3(l.bias_nats)).collect::<Vec<_>>().join(", "),
            sm.levels.iter().map(|l| f3(l.variance)).collect::<Vec<_>>().join(", ")
        ));
    }
    out.push(Claim {
        claim: "SMILE (τ = 5) has low variance and is close to the truth at moderate MI".into(),
        paper: "SMILE τ=5: bounded variance, small bias up to moderate MI (Song & Ermon Fig. 1)".into(),
        ours: format!("{} (criterion: variance below NWJ's at every level, |bias| ≤ 1 nat at 2–4 nats)", parts.join("; ")),
        criterion: "variance below NWJ's at every level, |bias| ≤ 1 nat at 2–4 nats".into(),
        verdict: Verdict::from_check(verdict(s, ok, any)),
    });
}

/// Claim 5: τ trades bias for variance
fn smile_tau_tradeoff(s: &Summary, cfg: &LimitsSettings, out: &mut Vec<Claim>) {
    let levels = &cfg.staircase.levels_nats;
    let (mut ok, mut any, mut parts) = (true, false, vec![]);
    for (c, t) in combos(s) {
        let (Some(a), Some(b)) = (series(s, c, t, SMILE_1), series(s, c, t, SMILE_5)) else { continue };
        any = true;
        let var_ok = a.levels.iter().zip(&b.levels).all(|(x, y)| x.variance <= y.variance);
        let top = levels.last().copied().unwrap_or(f64::NAN);
        let (ba, bb) = (level(a, top).map_or(f64::NAN, |l| l.bias_nats), level(b, top).map_or(f64::NAN, |l| l.bias_nats));
        ok &= var_ok && ba.abs() >= bb.abs();
        parts.push(format!("{}: at {top} nats τ=1 bias {} Var {}, τ=5 bias {} Var {}", tag(c, t), f3(ba), f3(level(a, top).map_or(f64::NAN, |l| l.variance)), f3(bb), f3(level(b, top).map_or(f64::NAN, |l| l.variance))));
    }
    out.push(Claim {
        claim: "A smaller clipping threshold τ lowers SMILE's variance and raises its bias".into(),
        paper: "τ trades bias for variance (Song & Ermon, Thm. 3 and Fig. 1)".into(),
        ours: format!("{} (criterion: Var τ=1 ≤ Var τ=5 at every level, |bias| τ=1 ≥ τ=5 at the top level)", parts.join("; ")),
        criterion: "Var τ=1 ≤ Var τ=5 at every level, |bias| τ=1 ≥ τ=5 at the top level".into(),
        verdict: Verdict::from_check(verdict(s, ok, any)),
    });
}

/// Claim 6: I_α between InfoNCE and NWJ
fn ialpha_between(s: &Summary, cfg: &LimitsSettings, out: &mut Vec<Claim>) {
    let top2: Vec<f64> = cfg.staircase.levels_nats.iter().rev().take(2).copied().collect();
    let (mut ok, mut any, mut parts) = (true, false, vec![]);
    for (c, t) in combos(s) {
        let (Some(ia), Some(nce), Some(n)) = (series(s, c, t, IALPHA), series(s, c, t, Bound::Infonce), series(s, c, t, Bound::Nwj))
        else {
            continue;
        };
        any = true;
        let mut here = true;
        for &mi in &top2 {
            let (vi, vc, vn) = (level(ia, mi), level(nce, mi), level(n, mi));
            if let (Some(vi), Some(vc), Some(vn)) = (vi, vc, vn) {
                here &= vc.variance <= vi.variance && vi.variance <= vn.variance && vi.mean_nats > vc.mean_nats;
                parts.push(format!("{} {mi}: mean {} (InfoNCE {}), Var {} (InfoNCE {}, NWJ {})", tag(c, t), f3(vi.mean_nats), f3(vc.mean_nats), f3(vi.variance), f3(vc.variance), f3(vn.variance)));
            } else {
                here = false;
            }
        }
        ok &= here;
    }
    out.push(Claim {
        claim: "I_α sits between InfoNCE and NWJ: above InfoNCE's cap, with variance between theirs".into(),
        paper: "I_α interpolates between InfoNCE (α = 1) and NWJ (α = 0) (Poole et al. Fig. 2)".into(),
        ours: format!("{} (criterion at the top two levels: Var InfoNCE ≤ Var I_α ≤ Var NWJ and mean I_α > mean InfoNCE)", parts.join("; ")),
        criterion: "at the top two levels: Var InfoNCE ≤ Var I_α ≤ Var NWJ and mean I_α > mean InfoNCE".into(),
        verdict: Verdict::from_check(verdict(s, ok, any)),
    });
}

/// Claim 7: the cubic variant
fn cubic_changes_estimates(s: &Summary, _cfg: &LimitsSettings, out: &mut Vec<Claim>) {
    let mut worst = (0.0f64, String::new());
    let mut any = false;
    for x in s.staircase.iter().filter(|x| x.task == TaskVariant::Gaussian) {
        if let Some(y) = series(s, x.critic, TaskVariant::Cubic, x.estimator) {
            for (a, b) in x.levels.iter().zip(&y.levels) {
                let d = b.mean_nats - a.mean_nats;
                if d.is_finite() {
                    any = true;
                    if d.abs() > worst.0.abs() {
                        worst = (d, format!("{} {} at {} nats: {} vs {}", x.critic.name(), x.estimator, a.mi_nats, f3(b.mean_nats), f3(a.mean_nats)));
                    }
                }
            }
        }
    }
    let smile_sep = |t| series(s, CriticArch::Separable, t, SMILE_5).map(|x| x.levels.iter().map(|l| f3(l.mean_nats)).collect::<Vec<_>>().join(", "));
    out.push(Claim {
        claim: "MI is invariant under y ↦ y³, the estimates are not".into(),
        paper: "the cubic variant (same MI) is estimated differently (Poole et al.; Song & Ermon Fig. 1, bottom)".into(),
        ours: format!(
            "largest change of a level mean, cubic − Gaussian: {} nats ({}); separable SMILE τ=5 Gaussian [{}], cubic [{}] (criterion: some change > 0.5 nats)",
            f3(worst.0),
            worst.1,
            smile_sep(TaskVariant::Gaussian).unwrap_or_default(),
            smile_sep(TaskVariant::Cubic).unwrap_or_default()
        ),
        criterion: "some level mean changes by > 0.5 nats between the Gaussian and the y³ task".into(),
        verdict: Verdict::from_check(verdict(s, worst.0.abs() > 0.5, any)),
    });
}

/// 8–10. the optimal critic
fn optimal_critic(s: &Summary, cfg: &LimitsSettings, out: &mut Vec<Claim>) {
    if s.optimal.is_empty() {
        return;
    }
    let m = cfg.optimal.batch * (cfg.optimal.batch - 1);
    let above = s.optimal.iter().all(|l| l.nwj_variance >= l.nwj_variance_bound);
    let rising = s.optimal.windows(2).filter(|w| w[1].nwj_variance > w[0].nwj_variance).count();
    out.push(Claim {
        claim: format!("With the optimal critic, NWJ's variance is at least (e^I − 1)/M (M = B(B − 1) = {m}) and grows exponentially"),
        paper: "Var ≥ (e^I − 1)/M for NWJ-type estimators (Song & Ermon, Thm. 2)".into(),
        ours: s
            .optimal
            .iter()
            .map(|l| format!("{} nats: {} (bound {}, exact {})", l.mi_nats, f3(l.nwj_variance), f3(l.nwj_variance_bound), f3(l.nwj_variance_theory)))
            .collect::<Vec<_>>()
            .join("; ")
            + &format!(" — rises at {rising} of {} steps", s.optimal.len().saturating_sub(1)),
        criterion: "every level's variance ≥ (e^I − 1)/M, and it rises at every step".into(),
        verdict: Verdict::from_check(Some(above && rising + 1 >= s.optimal.len())),
    });
    // The sample variance converges at the usual 1/√trials rate only where E_q[r⁴] is finite,
    // i.e. ρ < 1/3 per coordinate (see `theory`); above, its own variance is infinite.
    let d = cfg.staircase.dim;
    let low: Vec<_> = s.optimal.iter().filter(|l| crate::limits::theory::staircase_rho(d, l.mi_nats) < 1.0 / 3.0).collect();
    let agree = !low.is_empty()
        && low.iter().all(|l| {
            let se = (l.nwj_variance_theory / l.trials as f64).sqrt();
            (l.nwj_variance / l.nwj_variance_theory - 1.0).abs() <= 0.2 && (l.nwj_mean_nats - l.mi_nats).abs() <= 4.0 * se
        });
    let edge = -(d as f64) / 2.0 * (1.0f64 - 1.0 / 9.0).ln();
    out.push(Claim {
        claim: "With the optimal critic, NWJ is unbiased and its variance is the exact Gaussian value (theory vs measurement)".into(),
        paper: "E[NWJ] = I; Var = dρ²/B + [(e^{2I} − 1) + ((1 − ρ⁴)^{−d} − 1)]/(B(B − 1)) (derived in `limits/theory.rs`)".into(),
        ours: s
            .optimal
            .iter()
            .map(|l| format!("{}: mean {} var/exact {}", l.mi_nats, f3(l.nwj_mean_nats), f3(l.nwj_variance / l.nwj_variance_theory)))
            .collect::<Vec<_>>()
            .join("; ")
            + &format!(
                " (criterion where E_q[r⁴] is finite, ρ < 1/3, i.e. I < {edge:.2} nats at d = {d}: variance within ±20 %, \
                 mean within 4 standard errors; above that the sample variance has infinite variance itself and \
                 under-reads — see the section below)"
            ),
        criterion: "where ρ < 1/3: variance within ±20 % of the exact value, mean within 4 standard errors of I".into(),
        verdict: Verdict::from_check(Some(agree)),
    });
    let small = low;
    let dv_ok = s.optimal.iter().all(|l| l.dv_bias_paired_nats > 0.0)
        && !small.is_empty()
        && small.iter().all(|l| (l.dv_bias_paired_nats / l.dv_bias_delta_theory - 1.0).abs() <= 0.25);
    out.push(Claim {
        claim: "With the optimal critic, DV on a batch is biased — upwards, by ≈ Var[Z]/2 at low MI, growing with I".into(),
        paper: "DV/MINE biased (log outside the mean); E[DV] − I = −E[log Z] ≥ 0 by Jensen".into(),
        ours: s
            .optimal
            .iter()
            .map(|l| format!("{}: {} (delta method {})", l.mi_nats, f3(l.dv_bias_paired_nats), f3(l.dv_bias_delta_theory)))
            .collect::<Vec<_>>()
            .join("; ")
            + " (criterion: positive everywhere; within 25 % of the delta method where ρ < 1/3, as above)",
        criterion: "bias positive everywhere; within 25 % of the delta method where ρ < 1/3".into(),
        verdict: Verdict::from_check(Some(dv_ok)),
    });
}

/// Claim 11: InfoNCE saturation
fn infonce_saturates(s: &Summary, cfg: &LimitsSettings, out: &mut Vec<Claim>) {
    if s.infonce_saturation.is_empty() {
        return;
    }
    let never_above = s.infonce_saturation.iter().all(|p| p.max_nats <= p.log_batch + 1e-9);
    let sat: Vec<_> = s.infonce_saturation.iter().filter(|p| p.mi_nats >= p.log_batch + 3.0).collect();
    let near = sat.iter().all(|p| p.mean_nats >= p.log_batch - 0.5);
    let mut parts = vec![];
    for &b in &cfg.optimal.infonce_batches {
        if let Some(p) = s.infonce_saturation.iter().rfind(|p| p.batch == b) {
            parts.push(format!("B = {b}: {} at {} nats (log B = {})", f3(p.mean_nats), p.mi_nats, f3(p.log_batch)));
        }
    }
    out.push(Claim {
        claim: "InfoNCE never exceeds log B, and saturates there once I ≫ log B".into(),
        paper: "InfoNCE ≤ log B; E[InfoNCE] → min(I, ≈ log B) (Poole et al.)".into(),
        ours: format!("{} (criterion: every value ≤ log B; mean ≥ log B − 0.5 wherever I ≥ log B + 3)", parts.join("; ")),
        criterion: "every value ≤ log B (unclamped); mean ≥ log B − 0.5 wherever I ≥ log B + 3".into(),
        // a value above log B refutes the bound whatever else; with no level far enough above
        // log B the saturation half is not measured
        verdict: Verdict::from_check(if !never_above { Some(false) } else if sat.is_empty() { None } else { Some(near) }),
    });
}

/// 12–13. ln N
fn ln_n_cap(s: &Summary, cfg: &LimitsSettings, out: &mut Vec<Claim>) {
    if s.cap.is_empty() {
        return;
    }
    let opt_ok = s.cap.iter().filter(|p| p.infonce_optimal_max_nats.is_finite()).all(|p| p.infonce_optimal_max_nats <= p.ln_n + 1e-9);
    // trained InfoNCE critics on N fresh samples obey the same cap (by construction)
    let trained_nce_ok = s.cap.iter().all(|p| p.trained.iter().filter(|t| t.estimator == Bound::Infonce).all(|t| t.max_nats <= p.ln_n + 1e-9));
    let top = s.cap.first().map_or(f64::NAN, |p| p.mi_nats);
    out.push(Claim {
        claim: format!("InfoNCE from N samples never exceeds ln N, whatever the true MI ({top} nats here) and however good the critic"),
        paper: "lower bounds from N samples are capped near ln N (McAllester & Stratos 2020); InfoNCE's cap is explicit".into(),
        ours: format!(
            "with the true density ratio as critic: {}; trained InfoNCE critics on N fresh samples: all ≤ ln N = {}",
            s.cap
                .iter()
                .filter(|p| p.infonce_optimal_mean_nats.is_finite())
                .map(|p| format!("N = {} {} (ln N {})", p.n, f3(p.infonce_optimal_mean_nats), f3(p.ln_n)))
                .collect::<Vec<_>>()
                .join(", "),
            trained_nce_ok
        ),
        criterion: "every value with the optimal critic and of trained InfoNCE critics ≤ ln N".into(),
        verdict: Verdict::from_check(Some(opt_ok && trained_nce_ok)),
    });
    // The theorem itself is about distribution-free, high-confidence lower bounds computed from
    // N samples. The trained critics here are fitted on far more than N samples, and their point
    // values carry no confidence correction, so they neither support nor contradict it.
    let train_samples = cfg.separable_steps_per_level * cfg.staircase.levels_nats.len() * cfg.staircase.batch;
    let mut above = vec![];
    for p in &s.cap {
        for t in p.trained.iter().filter(|t| t.task == TaskVariant::Gaussian && t.estimator != Bound::Infonce) {
            if t.mean_nats > p.ln_n {
                above.push(format!("{} at N = {}: {}", t.estimator, p.n, f3(t.mean_nats)));
            }
        }
    }
    out.push(Claim {
        claim: "Any distribution-free, high-confidence lower bound from N samples is at most about ln N".into(),
        paper: "≤ ln N for KL with known p; ≤ 2 ln N + 5 for MI, with probability ≥ 0.96 (McAllester & Stratos 2020)".into(),
        ours: format!(
            "not tested: that needs critics fitted on the same N samples plus a confidence correction. Our trained critics \
             saw {train_samples} training samples (ln = {}), and their point values on N fresh samples are not capped by ln N \
             ({}) — some exceed the true MI, i.e. they are not bounds with any confidence.",
            f3((train_samples as f64).ln()),
            if above.is_empty() { "none above ln N".to_string() } else { above.join(", ") }
        ),
        criterion: "not testable with these runs (needs critics fitted on the same N samples plus a confidence correction)".into(),
        verdict: Verdict::from_check(None),
    });
    let doe: Vec<_> = s.cap.iter().filter_map(|p| p.doe_gaussian_mean_nats.map(|v| (p, v))).collect();
    // from N = 1,024 on (512 fitting rows for a 630-parameter conditional Gaussian in 20 + 20
    // dimensions); below that DoE's own small-sample failure dominates and is reported as such
    let big = doe.iter().filter(|(p, _)| p.n >= 1024 && p.mi_nats > p.ln_n + 1.0).collect::<Vec<_>>();
    let doe_ok = !big.is_empty() && big.iter().all(|(p, v)| *v > p.ln_n) && doe.last().is_some_and(|(p, v)| (v - p.mi_nats).abs() <= 1.0);
    let short: Vec<String> = doe.iter().filter(|(p, v)| *v <= p.ln_n).map(|(p, v)| format!("N = {} ({} ≤ ln N)", p.n, f3(*v))).collect();
    out.push(Claim {
        claim: "A difference-of-entropies estimator is not capped: above ln N at high MI".into(),
        paper: "DoE (two cross-entropy fits) is neither an upper nor a lower bound, but escapes the ln N cap (McAllester & Stratos)".into(),
        ours: s
            .cap
            .iter()
            .map(|p| format!("N = {}: Gaussian DoE {} (ln N {}), on y³ {}", p.n, p.doe_gaussian_mean_nats.map_or("not defined".into(), f3), f3(p.ln_n), p.doe_cubic_mean_nats.map_or("–".into(), f3)))
            .collect::<Vec<_>>()
            .join("; ")
            + &format!(
                " (criterion: above ln N for N ≥ 1,024 wherever I > ln N + 1, within 1 nat of I at the largest N). \
                 Below the cap at small N: {} — DoE's small-sample failure (the conditional model overfits its fitting half).",
                if short.is_empty() { "none".to_string() } else { short.join(", ") }
            ),
        criterion: "above ln N for N ≥ 1,024 wherever I > ln N + 1; within 1 nat of I at the largest N".into(),
        verdict: Verdict::from_check(Some(doe_ok)),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::summary::SaturationPoint;
    use mi_train::Profile;

    fn summary(saturation: Vec<SaturationPoint>) -> Summary {
        Summary {
            experiment: "limits",
            profile: Profile::Smoke,
            seed: 0,
            device: "Cpu".into(),
            runs_done: 0,
            runs_expected: 0,
            training_seconds: 0.0,
            staircase: vec![],
            optimal: vec![],
            infonce_saturation: saturation,
            cap: vec![],
            claims: vec![],
        }
    }

    fn point(mi_nats: f64, mean_nats: f64, max_nats: f64) -> SaturationPoint {
        SaturationPoint { batch: 64, mi_nats, trials: 100, mean_nats, sd_nats: 0.01, max_nats, log_batch: 64f64.ln() }
    }

    /// The limits claims are checks of theorems (a bound either holds or it does not), not effect
    /// sizes against the paper's, so their verdicts are holds / does not hold / not measured.
    #[test]
    fn the_infonce_bound_claim_fails_on_a_value_above_log_b_and_on_no_saturation() {
        let cfg = LimitsSettings::named(Profile::Smoke, 0);
        let log_b = 64f64.ln();
        let verdict = |pts| claims(&summary(pts), &cfg).into_iter().find(|c| c.claim.starts_with("InfoNCE never exceeds")).map(|c| c.verdict);
        // capped and saturated near log B where I ≥ log B + 3: holds
        assert_eq!(verdict(vec![point(2.0, 1.9, 2.2), point(8.0, log_b - 0.1, log_b - 0.01)]), Some(Verdict::Holds));
        // one value above the bound (the unclamped estimate can show it): does not hold
        assert_eq!(verdict(vec![point(2.0, 1.9, 2.2), point(8.0, log_b - 0.1, log_b + 0.02)]), Some(Verdict::DoesNotHold));
        // capped but far below log B at high MI: the saturation half fails
        assert_eq!(verdict(vec![point(8.0, log_b - 0.9, log_b - 0.5)]), Some(Verdict::DoesNotHold));
        // no level reaches log B + 3: the saturation half is not measured
        assert_eq!(verdict(vec![point(2.0, 1.9, 2.2)]), Some(Verdict::NotMeasured));
        // nothing measured: no claim at all
        assert_eq!(verdict(vec![]), None);
    }
}
