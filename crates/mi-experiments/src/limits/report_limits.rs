//! Claims, plots and REPORT.md of `reproduce limits`, computed from the summary only.
use super::staircase::{CriticArch, Estimator, TaskVariant};
use super::{LevelStats, LimitsSettings, SeriesSummary, Summary};
use crate::chart::{svg_to_png, Chart, HLine, Series};
use crate::report::{self, Claim};
use crate::results::{ResultsDir, Result};
use std::fmt::Write;

fn series(s: &Summary, c: CriticArch, t: TaskVariant, e: Estimator) -> Option<&SeriesSummary> {
    s.staircase.iter().find(|x| x.critic == c && x.task == t && x.estimator == e)
}

fn level(x: &SeriesSummary, mi: f64) -> Option<&LevelStats> {
    x.levels.iter().find(|l| (l.mi_nats - mi).abs() < 1e-9)
}

/// The (critic, task) pairs that have a series.
fn combos(s: &Summary) -> Vec<(CriticArch, TaskVariant)> {
    let mut v: Vec<(CriticArch, TaskVariant)> = s.staircase.iter().map(|x| (x.critic, x.task)).collect();
    v.sort();
    v.dedup();
    v
}

fn tag(c: CriticArch, t: TaskVariant) -> String {
    format!("{}/{}", c.name(), t.name())
}

fn f3(v: f64) -> String {
    if v.is_finite() {
        if v.abs() >= 1e4 {
            format!("{v:.2e}")
        } else {
            format!("{v:.3}")
        }
    } else {
        "–".into()
    }
}

/// The claims of the slides (Poole et al.; Song & Ermon; McAllester & Stratos), each with our
/// measurement. Thresholds are fixed here, before any result is seen, and stated in the text.
pub fn claims(s: &Summary, cfg: &LimitsSettings) -> Vec<Claim> {
    let mut out = vec![];
    let log_b = (cfg.staircase.batch as f64).ln();
    let levels = &cfg.staircase.levels_nats;
    let top2: Vec<f64> = levels.iter().rev().take(2).copied().collect();
    let incomplete = s.runs_done < s.runs_expected;
    let verdict = |ok: bool, any: bool| if any { Some(ok && !incomplete) } else { None };

    // 1. InfoNCE flat near log B from 6 nats on. The reference is the optimal critic's InfoNCE at
    // the same I and B (measured below): no critic can do better, and at 6 nats with B = 64 even it
    // sits ≈ 0.45 below log B, so "near log B" means "at the optimal critic's envelope".
    {
        let optimal_at = |mi: f64| {
            s.infonce_saturation.iter().find(|p| p.batch == cfg.staircase.batch && (p.mi_nats - mi).abs() < 1e-9).map(|p| p.mean_nats)
        };
        let (mut ok, mut any, mut parts) = (true, false, vec![]);
        for (c, t) in combos(s) {
            if let Some(x) = series(s, c, t, Estimator::Infonce) {
                let lv: Vec<&LevelStats> = x.levels.iter().filter(|l| l.mi_nats >= 6.0).collect();
                if lv.is_empty() {
                    continue;
                }
                any = true;
                for l in &lv {
                    let reference = optimal_at(l.mi_nats).unwrap_or(log_b - 0.5);
                    // the verdict is on the Gaussian staircase, as in the papers' figure; on y³ the
                    // critic, not the bound, limits the estimate (shown for context)
                    if t == TaskVariant::Gaussian {
                        ok &= l.mean_nats >= reference - 0.25 && l.mean_nats <= log_b + 1e-9;
                    } else {
                        ok &= l.mean_nats <= log_b + 1e-9;
                    }
                }
                parts.push(format!("{}: {}", tag(c, t), lv.iter().map(|l| f3(l.mean_nats)).collect::<Vec<_>>().join(", ")));
            }
        }
        let refs: Vec<String> = levels.iter().filter(|&&l| l >= 6.0).map(|&l| optimal_at(l).map_or("–".into(), f3)).collect();
        out.push(Claim {
            claim: format!("InfoNCE is capped at log B: flat near log {} = {log_b:.3} from the 6-nat step on", cfg.staircase.batch),
            paper: "InfoNCE flat at log 64 ≈ 4.16 once I ≥ 6 nats (Poole et al. Fig. 2; Song & Ermon Fig. 1)".into(),
            ours: format!(
                "mean estimate at 6, 8, 10 nats — {}; the optimal critic's InfoNCE at the same I and B: {} (criterion: never above \
                 log B, and on the Gaussian task within 0.25 nats of the optimal critic's value, the most any critic can \
                 reach; on y³ the critic lags and is shown for context)",
                parts.join("; "),
                refs.join(", ")
            ),
            holds: verdict(ok, any),
        });
    }

    // 2. NWJ variance grows and exceeds the others at 8–10 nats. "The others" are the estimators
    // whose value is not an NWJ bound: the JS run's first readout *is* NWJ (of the JS critic), so
    // it is reported next to NWJ rather than counted against it.
    {
        let nwj_type = |e: Estimator| matches!(e, Estimator::Nwj | Estimator::JsNwj);
        let (mut ok, mut any, mut parts) = (true, false, vec![]);
        for (c, t) in combos(s) {
            let Some(n) = series(s, c, t, Estimator::Nwj) else { continue };
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
                    .fold((Estimator::Nwj, f64::NEG_INFINITY), |a, b| if b.1 > a.1 || b.1.is_nan() { b } else { a });
                beats &= vn > om.1;
                let js = series(s, c, t, Estimator::JsNwj).and_then(|x| level(x, mi)).map_or(f64::NAN, |l| l.variance);
                others_max.push(format!("{mi}: NWJ {} vs max other {} ({}); NWJ of the JS critic {}", f3(vn), f3(om.1), om.0.name(), f3(js)));
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
            holds: verdict(ok, any),
        });
    }

    // 3. DV/MINE biased
    {
        let (mut ok, mut any, mut parts) = (true, false, vec![]);
        for (c, t) in combos(s) {
            let Some(d) = series(s, c, t, Estimator::DvMine) else { continue };
            any = true;
            let b: Vec<f64> = top2.iter().filter_map(|&mi| level(d, mi).map(|l| l.bias_nats)).collect();
            ok &= b.iter().all(|v| v.abs() > 0.5);
            parts.push(format!("{}: bias by level {}", tag(c, t), d.levels.iter().map(|l| f3(l.bias_nats)).collect::<Vec<_>>().join(", ")));
        }
        out.push(Claim {
            claim: "DV/MINE is biased at high MI".into(),
            paper: "DV/MINE biased; the batch estimate puts the log outside the mean".into(),
            ours: format!("{} (criterion: |bias| > 0.5 nats at the top two levels)", parts.join("; ")),
            holds: verdict(ok, any),
        });
    }

    // 4. SMILE τ = 5: low variance, close at moderate MI
    {
        let (mut ok, mut any, mut parts) = (true, false, vec![]);
        for (c, t) in combos(s) {
            let (Some(sm), Some(n)) = (series(s, c, t, Estimator::Smile5), series(s, c, t, Estimator::Nwj)) else { continue };
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
            holds: verdict(ok, any),
        });
    }

    // 5. τ trades bias for variance
    {
        let (mut ok, mut any, mut parts) = (true, false, vec![]);
        for (c, t) in combos(s) {
            let (Some(a), Some(b)) = (series(s, c, t, Estimator::Smile1), series(s, c, t, Estimator::Smile5)) else { continue };
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
            holds: verdict(ok, any),
        });
    }

    // 6. I_α between InfoNCE and NWJ
    {
        let (mut ok, mut any, mut parts) = (true, false, vec![]);
        for (c, t) in combos(s) {
            let (Some(ia), Some(nce), Some(n)) = (series(s, c, t, Estimator::Ialpha), series(s, c, t, Estimator::Infonce), series(s, c, t, Estimator::Nwj))
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
            holds: verdict(ok, any),
        });
    }

    // 7. the cubic variant
    {
        let mut worst = (0.0f64, String::new());
        let mut any = false;
        for x in s.staircase.iter().filter(|x| x.task == TaskVariant::Gaussian) {
            if let Some(y) = series(s, x.critic, TaskVariant::Cubic, x.estimator) {
                for (a, b) in x.levels.iter().zip(&y.levels) {
                    let d = b.mean_nats - a.mean_nats;
                    if d.is_finite() {
                        any = true;
                        if d.abs() > worst.0.abs() {
                            worst = (d, format!("{} {} at {} nats: {} vs {}", x.critic.name(), x.estimator.name(), a.mi_nats, f3(b.mean_nats), f3(a.mean_nats)));
                        }
                    }
                }
            }
        }
        let smile_sep = |t| series(s, CriticArch::Separable, t, Estimator::Smile5).map(|x| x.levels.iter().map(|l| f3(l.mean_nats)).collect::<Vec<_>>().join(", "));
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
            holds: verdict(worst.0.abs() > 0.5, any),
        });
    }

    // 8–10. the optimal critic
    if !s.optimal.is_empty() {
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
            holds: Some(above && rising + 1 >= s.optimal.len()),
        });
        // The sample variance converges at the usual 1/√trials rate only where E_q[r⁴] is finite,
        // i.e. ρ < 1/3 per coordinate (see `theory`); above, its own variance is infinite.
        let d = cfg.staircase.dim;
        let low: Vec<_> = s.optimal.iter().filter(|l| super::theory::staircase_rho(d, l.mi_nats) < 1.0 / 3.0).collect();
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
            holds: Some(agree),
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
            holds: Some(dv_ok),
        });
    }

    // 11. InfoNCE saturation
    if !s.infonce_saturation.is_empty() {
        let never_above = s.infonce_saturation.iter().all(|p| p.max_nats <= p.log_batch + 1e-9);
        let sat: Vec<_> = s.infonce_saturation.iter().filter(|p| p.mi_nats >= p.log_batch + 3.0).collect();
        let near = sat.iter().all(|p| p.mean_nats >= p.log_batch - 0.5);
        let mut parts = vec![];
        for &b in &cfg.optimal.infonce_batches {
            if let Some(p) = s.infonce_saturation.iter().filter(|p| p.batch == b).last() {
                parts.push(format!("B = {b}: {} at {} nats (log B = {})", f3(p.mean_nats), p.mi_nats, f3(p.log_batch)));
            }
        }
        out.push(Claim {
            claim: "InfoNCE never exceeds log B, and saturates there once I ≫ log B".into(),
            paper: "InfoNCE ≤ log B; E[InfoNCE] → min(I, ≈ log B) (Poole et al.)".into(),
            ours: format!("{} (criterion: every value ≤ log B; mean ≥ log B − 0.5 wherever I ≥ log B + 3)", parts.join("; ")),
            holds: Some(never_above && !sat.is_empty() && near),
        });
    }

    // 12–13. ln N
    if !s.cap.is_empty() {
        let opt_ok = s.cap.iter().filter(|p| p.infonce_optimal_max_nats.is_finite()).all(|p| p.infonce_optimal_max_nats <= p.ln_n + 1e-9);
        // trained InfoNCE critics on N fresh samples obey the same cap (by construction)
        let trained_nce_ok = s.cap.iter().all(|p| p.trained.iter().filter(|t| t.estimator == Estimator::Infonce).all(|t| t.max_nats <= p.ln_n + 1e-9));
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
            holds: Some(opt_ok && trained_nce_ok),
        });
        // The theorem itself is about distribution-free, high-confidence lower bounds computed from
        // N samples. The trained critics here are fitted on far more than N samples, and their point
        // values carry no confidence correction, so they neither support nor contradict it.
        let train_samples = cfg.separable_steps_per_level * cfg.staircase.levels_nats.len() * cfg.staircase.batch;
        let mut above = vec![];
        for p in &s.cap {
            for t in p.trained.iter().filter(|t| t.task == TaskVariant::Gaussian && t.estimator != Estimator::Infonce) {
                if t.mean_nats > p.ln_n {
                    above.push(format!("{} at N = {}: {}", t.estimator.name(), p.n, f3(t.mean_nats)));
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
            holds: None,
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
            holds: Some(doe_ok),
        });
    }
    out
}

const PANEL_RANGE: (f64, f64) = (-2.0, 14.0);

/// The charts: one staircase panel per estimator, then the optimal-critic and ln N figures.
pub fn charts(s: &Summary, cfg: &LimitsSettings) -> Vec<(String, Chart)> {
    let mut out = vec![];
    for e in Estimator::ALL {
        let xs: Vec<&SeriesSummary> = s.staircase.iter().filter(|x| x.estimator == e).collect();
        if xs.is_empty() {
            continue;
        }
        let mut c = Chart::new(format!("{} on the staircase", e.label()), "training step (levels of equal length per critic)", "estimate (nats)");
        c.y_range = Some(PANEL_RANGE);
        // the truth, drawn over the longest run's steps
        if let Some(longest) = xs.iter().max_by(|a, b| a.steps_per_level.cmp(&b.steps_per_level)) {
            let spl = longest.steps_per_level as f64;
            let mut pts = vec![];
            for (k, &mi) in cfg.staircase.levels_nats.iter().enumerate() {
                pts.push((k as f64 * spl, mi, 0.0));
                pts.push(((k + 1) as f64 * spl, mi, 0.0));
            }
            c.series.push(Series { label: "true MI".into(), points: pts, dashed: true, color: 8 });
        }
        for x in &xs {
            // steps are rescaled to the longest run's level length so the levels line up
            let scale = xs.iter().map(|y| y.steps_per_level).max().unwrap_or(1) as f64 / x.steps_per_level as f64;
            let color = match (x.critic, x.task) {
                (CriticArch::Separable, TaskVariant::Gaussian) => 0,
                (CriticArch::Concat, TaskVariant::Gaussian) => 1,
                (CriticArch::Separable, TaskVariant::Cubic) => 2,
                (CriticArch::Concat, TaskVariant::Cubic) => 3,
            };
            c.series.push(Series {
                label: format!("{} {}", x.critic.name(), x.task.name()),
                points: x.curve.iter().map(|&(st, m, sd)| (st * scale, m, sd)).collect(),
                dashed: false,
                color,
            });
        }
        if e == Estimator::Infonce {
            c.hlines.push(HLine { y: (cfg.staircase.batch as f64).ln(), label: format!("log {}", cfg.staircase.batch) });
        }
        out.push((format!("staircase_{}", e.name()), c));
    }
    if !s.optimal.is_empty() {
        let lg = |v: f64| if v > 0.0 { v.log10() } else { f64::NAN };
        let mut c = Chart::new(
            format!("NWJ with the optimal critic, B = {}", cfg.optimal.batch),
            "true MI (nats)",
            "log10 variance of the estimate",
        );
        c.series.push(Series { label: "measured".into(), points: s.optimal.iter().map(|l| (l.mi_nats, lg(l.nwj_variance), 0.0)).collect(), dashed: false, color: 0 });
        c.series.push(Series { label: "exact (Gaussian)".into(), points: s.optimal.iter().map(|l| (l.mi_nats, lg(l.nwj_variance_theory), 0.0)).collect(), dashed: true, color: 1 });
        c.series.push(Series { label: "(e^I − 1)/M bound".into(), points: s.optimal.iter().map(|l| (l.mi_nats, lg(l.nwj_variance_bound), 0.0)).collect(), dashed: true, color: 2 });
        out.push(("optimal_nwj_variance".into(), c));
        let mut c = Chart::new(format!("DV with the optimal critic, B = {}", cfg.optimal.batch), "true MI (nats)", "log10 bias E[DV] − I (nats)");
        c.series.push(Series { label: "measured mean(DV − NWJ)".into(), points: s.optimal.iter().map(|l| (l.mi_nats, lg(l.dv_bias_paired_nats), 0.0)).collect(), dashed: false, color: 0 });
        c.series.push(Series { label: "measured mean(DV) − I".into(), points: s.optimal.iter().map(|l| (l.mi_nats, lg(l.dv_bias_nats), 0.0)).collect(), dashed: false, color: 3 });
        c.series.push(Series { label: "delta method Var[Z]/2".into(), points: s.optimal.iter().map(|l| (l.mi_nats, lg(l.dv_bias_delta_theory), 0.0)).collect(), dashed: true, color: 1 });
        c.y_range = Some((-4.0, 2.0));
        out.push(("optimal_dv_bias".into(), c));
    }
    if !s.infonce_saturation.is_empty() {
        let mut c = Chart::new("InfoNCE with the optimal critic", "true MI (nats)", "estimate (nats)");
        let levels: Vec<f64> = cfg.optimal.levels_nats.clone();
        c.series.push(Series { label: "true MI".into(), points: levels.iter().map(|&l| (l, l, 0.0)).collect(), dashed: true, color: 8 });
        for (k, &b) in cfg.optimal.infonce_batches.iter().enumerate() {
            c.series.push(Series {
                label: format!("B = {b}"),
                points: s.infonce_saturation.iter().filter(|p| p.batch == b).map(|p| (p.mi_nats, p.mean_nats, p.sd_nats)).collect(),
                dashed: false,
                color: k,
            });
            c.hlines.push(HLine { y: (b as f64).ln(), label: format!("log {b}") });
        }
        out.push(("infonce_saturation".into(), c));
    }
    if !s.cap.is_empty() {
        let mi = s.cap[0].mi_nats;
        let mut c = Chart::new(format!("Estimates from N samples at I = {mi} nats"), "ln N", "estimate (nats)");
        c.series.push(Series { label: "ln N".into(), points: s.cap.iter().map(|p| (p.ln_n, p.ln_n, 0.0)).collect(), dashed: true, color: 8 });
        c.series.push(Series {
            label: "InfoNCE, optimal critic".into(),
            points: s.cap.iter().filter(|p| p.infonce_optimal_mean_nats.is_finite()).map(|p| (p.ln_n, p.infonce_optimal_mean_nats, 0.0)).collect(),
            dashed: false,
            color: 0,
        });
        c.series.push(Series {
            label: "DoE (Gaussian models)".into(),
            points: s.cap.iter().filter_map(|p| p.doe_gaussian_mean_nats.map(|v| (p.ln_n, v, 0.0))).collect(),
            dashed: false,
            color: 1,
        });
        c.series.push(Series {
            label: "DoE on y³".into(),
            points: s.cap.iter().filter_map(|p| p.doe_cubic_mean_nats.map(|v| (p.ln_n, v, 0.0))).collect(),
            dashed: true,
            color: 1,
        });
        for (k, e) in [Estimator::Infonce, Estimator::Nwj, Estimator::DvMine, Estimator::Smile5].into_iter().enumerate() {
            let pts: Vec<(f64, f64, f64)> = s
                .cap
                .iter()
                .filter_map(|p| p.trained.iter().find(|t| t.estimator == e && t.task == TaskVariant::Gaussian).map(|t| (p.ln_n, t.mean_nats, 0.0)))
                .collect();
            if !pts.is_empty() {
                c.series.push(Series { label: format!("trained {}", e.label()), points: pts, dashed: false, color: 2 + k });
            }
        }
        c.hlines.push(HLine { y: mi, label: format!("true MI {mi}") });
        c.y_range = Some((PANEL_RANGE.0, mi + 4.0));
        out.push(("cap_ln_n".into(), c));
    }
    out
}

/// All staircase panels side by side in one picture (`staircase.svg`, `staircase.png`), as in
/// the papers' figures.
pub fn write_staircase_grid(dir: &ResultsDir, charts: &[(String, Chart)]) -> Result<()> {
    let panels: Vec<&Chart> = charts.iter().filter(|(n, _)| n.starts_with("staircase_")).map(|(_, c)| c).collect();
    if panels.is_empty() {
        return Ok(());
    }
    let (w, h) = (panels[0].width, panels[0].height);
    let cols = 2usize;
    let rows = panels.len().div_ceil(cols);
    let (tw, th) = (w * cols as f64, h * rows as f64);
    let mut s = format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{tw}" height="{th}" viewBox="0 0 {tw} {th}">"#);
    s.push_str(r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (k, c) in panels.iter().enumerate() {
        let (x, y) = ((k % cols) as f64 * w, (k / cols) as f64 * h);
        let inner = c.to_svg();
        let _ = write!(s, "{}", inner.replacen("<svg ", &format!(r#"<svg x="{x}" y="{y}" "#), 1));
    }
    s.push_str("</svg>\n");
    dir.write_text("staircase.svg", &s)?;
    if let Ok(png) = svg_to_png(&s, 1.0) {
        dir.write_bytes("staircase.png", &png)?;
    }
    Ok(())
}

/// REPORT.md.
pub fn render(s: &Summary, cfg: &LimitsSettings, why: &str, plots: &[String]) -> String {
    let st = &cfg.staircase;
    let intro = format!(
        "What variational MI estimators cannot do, measured on data with known MI. Profile `{}` ({why}), seed {}, \
         device {}. Staircase: d = {} coordinate pairs, true MI {:?} nats, fresh samples every step, batch {}, Adam {}, \
         critics 2×{:?} ReLU (separable: {}-d embeddings, dot product; concat: MLP on [x; y] for all B² pairs); \
         separable {} steps per level on {:?}, concat {} steps per level on {:?}; {} run(s) each. Bias, variance \
         and MSE of a level use its last {:.0} % of steps. Training took {:.0} s ({} of {} runs recorded).\n\n\
         The ground-truth table of the non-neural estimators (KSG, Gaussian/CCA) on the same kind of tasks is \
         in [results/estimators](../estimators/REPORT.md).",
        cfg.profile,
        cfg.seed,
        s.device,
        st.dim,
        st.levels_nats,
        st.batch,
        st.learning_rate,
        st.hidden.first().copied().unwrap_or(0),
        st.embed,
        cfg.separable_steps_per_level,
        cfg.tasks.iter().map(|t| t.name()).collect::<Vec<_>>(),
        cfg.concat_steps_per_level,
        cfg.concat_tasks.iter().map(|t| t.name()).collect::<Vec<_>>(),
        cfg.runs,
        cfg.window_fraction * 100.0,
        s.training_seconds,
        s.runs_done,
        s.runs_expected
    );
    let mut sections = vec![];
    if s.runs_done < s.runs_expected {
        sections.push((
            "Incomplete".to_string(),
            format!("{} of {} training runs are recorded; run the same command again to train the rest. Claims about the staircase are shown as not holding until then.", s.runs_done, s.runs_expected),
        ));
    }
    sections.push(("Staircase".into(), "![all estimators](staircase.svg)\n\nOne panel per estimator; curves are the mean ± 1 sd of the per-step estimates within bins of steps (the band is the step-to-step spread, i.e. the estimator's variance plus the critic's drift). Panels are clipped to [−2, 14] nats; NWJ's excursions go far below.".into()));
    // the table
    let mut t = String::from("Each cell: bias / variance / MSE in nats (nats²) over the level's window; `n/f` counts non-finite estimates.\n\n| estimator | critic | task |");
    for l in &st.levels_nats {
        let _ = write!(t, " {l} nats |");
    }
    t.push_str("\n|---|---|---|");
    for _ in &st.levels_nats {
        t.push_str("---|");
    }
    t.push('\n');
    for e in Estimator::ALL {
        for x in s.staircase.iter().filter(|x| x.estimator == e) {
            let _ = write!(t, "| {} | {} | {} |", e.label(), x.critic.name(), x.task.name());
            for l in &x.levels {
                let nf = if l.n_nonfinite > 0 { format!(" ({} n/f)", l.n_nonfinite) } else { String::new() };
                let _ = write!(t, " {} / {} / {}{nf} |", f3(l.bias_nats), f3(l.variance), f3(l.mse));
            }
            t.push('\n');
        }
    }
    let skipped: usize = s.staircase.iter().map(|x| x.skipped_steps).sum();
    if skipped > 0 {
        let _ = write!(t, "\nSteps skipped because the loss was not finite (counted once per reported estimator): {skipped}.\n");
    }
    sections.push(("Bias, variance and MSE per MI level".into(), t));
    // optimal critic
    let mut o = format!(
        "The optimal critic log r(x, y) = log p(x, y)/(p(x)p(y)) is known for the staircase; NWJ uses it shifted by one (its \
         optimum), DV and InfoNCE as is. {} batches of B = {} per level (M = B(B − 1) off-diagonal pairs). The exact \
         variance and the delta-method bias are derived in `crates/mi-experiments/src/limits/theory.rs` and checked there \
         by simulation.\n\n| I (nats) | mean NWJ | Var NWJ | exact Var | (e^I − 1)/M | measured / exact | DV bias (paired) | \
         mean(DV) − I | delta method | mean InfoNCE |\n|---|---|---|---|---|---|---|---|---|---|\n",
        cfg.optimal.trials, cfg.optimal.batch
    );
    for l in &s.optimal {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            l.mi_nats,
            f3(l.nwj_mean_nats),
            f3(l.nwj_variance),
            f3(l.nwj_variance_theory),
            f3(l.nwj_variance_bound),
            f3(l.nwj_variance / l.nwj_variance_theory),
            f3(l.dv_bias_paired_nats),
            f3(l.dv_bias_nats),
            f3(l.dv_bias_delta_theory),
            f3(l.infonce_mean_nats)
        );
    }
    o.push_str(
        "\nWhy the measured variance falls below the exact one at high MI: Var[NWJ] is carried by the term \
         (e^{2I} − 1)/M, i.e. by rare pairs whose density ratio r is huge under q. Per coordinate, E_q[r^k] is finite \
         only for ρ < 1/(k − 1): with ρ ≥ 1/3 the fourth moment — the variance of the sample variance — is infinite, \
         with ρ ≥ 1/2 even the third. A finite experiment then mostly misses the events that carry the variance, so \
         the sample variance (and the sample mean of r) reads low: the estimator looks stable and is not. The \
         (e^I − 1)/M bound is the part that every experiment does see.\n",
    );
    sections.push(("The optimal critic: NWJ variance, DV bias".into(), o));
    let mut sat = String::from("| B | log B |");
    for l in &cfg.optimal.levels_nats {
        let _ = write!(sat, " {l} |");
    }
    sat.push_str("\n|---|---|");
    for _ in &cfg.optimal.levels_nats {
        sat.push_str("---|");
    }
    sat.push('\n');
    for &b in &cfg.optimal.infonce_batches {
        let _ = write!(sat, "| {b} | {} |", f3((b as f64).ln()));
        for p in s.infonce_saturation.iter().filter(|p| p.batch == b) {
            let _ = write!(sat, " {} |", f3(p.mean_nats));
        }
        sat.push('\n');
    }
    sections.push((format!("InfoNCE with the optimal critic ({} batches per cell)", cfg.optimal.infonce_trials), sat));
    let mut cap = format!(
        "At the top level (I = {} nats). Optimal-critic InfoNCE over all N samples at once ({} trials); Gaussian DoE fits \
         N(μ, Σ) to y and y | x ~ N(Ax + b, Σ_e) on the first N/2 samples and measures both cross-entropies on the other \
         N/2 ({} trials); the trained separable critics of the last level are evaluated on {} fresh N×N matrices each \
         (their critics were fitted on far more than N samples, so those values are a contrast, not N-sample estimators: \
         only InfoNCE's is capped by the N of the evaluation).\n\n\
         | N | ln N | InfoNCE (optimal) | DoE Gaussian | DoE on y³ | trained critics (Gaussian task): mean estimate |\n|---|---|---|---|---|---|\n",
        s.cap.first().map_or(f64::NAN, |p| p.mi_nats),
        cfg.cap.trials,
        cfg.cap.trials,
        st.cap_trials
    );
    for p in &s.cap {
        let tr: Vec<String> = p.trained.iter().filter(|t| t.task == TaskVariant::Gaussian).map(|t| format!("{} {}", t.estimator.name(), f3(t.mean_nats))).collect();
        let _ = writeln!(
            cap,
            "| {} | {} | {} | {} | {} | {} |",
            p.n,
            f3(p.ln_n),
            f3(p.infonce_optimal_mean_nats),
            p.doe_gaussian_mean_nats.map_or("not defined".into(), f3),
            p.doe_cubic_mean_nats.map_or("not defined".into(), f3),
            if tr.is_empty() { "–".into() } else { tr.join(", ") }
        );
    }
    cap.push_str(
        "\nFailure modes of DoE, as measured here: (1) it needs the model family to be right — the same estimator on y ↦ y³ \
         (identical MI) is off by the amount in the table, because each Gaussian cross-entropy overstates its entropy by \
         a different amount; (2) it needs N/2 > dx + dy + 1 samples to fit the conditional covariance at all, and with few \
         samples the fitted conditional overfits, so held-out H(Y|X) is too high and DoE too low; (3) it is not a bound in \
         either direction, so its error has no sign to rely on. Lower bounds, in exchange, are honest about being low.\n",
    );
    sections.push(("The ln N cap and an uncapped alternative".into(), cap));
    report::render("Limits of variational MI estimators — staircase, log-batch cap, NWJ variance, DV bias, ln N", &intro, &s.claims, &sections, plots)
}
