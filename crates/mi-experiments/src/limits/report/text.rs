//! The report's introduction and sections (tables and their explanations).
use super::*;
use std::fmt::Write;

/// The report's title.
pub const TITLE: &str = "Limits of variational MI estimators — staircase, log-batch cap, NWJ variance, DV bias, ln N";

/// The report's introduction and sections.
pub fn text(s: &Summary, cfg: &LimitsSettings, why: &str) -> (String, Vec<(String, String)>) {
    let intro = intro(s, cfg, why);
    let mut sections = vec![];
    if s.runs_done < s.runs_expected {
        sections.push((
            "Incomplete".to_string(),
            format!("{} of {} training runs are recorded; run the same command again to train the rest. Claims about the staircase are shown as not holding until then.", s.runs_done, s.runs_expected),
        ));
    }
    sections.push(("Staircase".into(), "![all estimators](staircase.svg)\n\nOne panel per estimator; curves are the mean ± 1 sd of the per-step estimates within bins of steps (the band is the step-to-step spread, i.e. the estimator's variance plus the critic's drift). Panels are clipped to [−2, 14] nats; NWJ's excursions go far below.".into()));
    sections.push(("Bias, variance and MSE per MI level".into(), bias_table(s, cfg)));
    sections.push(("The optimal critic: NWJ variance, DV bias".into(), optimal_section(s, cfg)));
    sections.push((format!("InfoNCE with the optimal critic ({} batches per cell)", cfg.optimal.infonce_trials), saturation_table(s, cfg)));
    sections.push(("The ln N cap and an uncapped alternative".into(), cap_section(s, cfg)));
    (intro, sections)
}

/// What ran, with which settings.
fn intro(s: &Summary, cfg: &LimitsSettings, why: &str) -> String {
    let st = &cfg.staircase;
    format!(
        "What variational MI estimators cannot do, measured on data with known MI. {}, seed {}, \
         device {}. Staircase: d = {} coordinate pairs, true MI {:?} nats, fresh samples every step, batch {}, Adam {}, \
         critics 2×{:?} ReLU (separable: {}-d embeddings, dot product; concat: MLP on [x; y] for all B² pairs); \
         separable {} steps per level on {:?}, concat {} steps per level on {:?}; {} run(s) each. Bias, variance \
         and MSE of a level use its last {:.0} % of steps. Training took {:.0} s ({} of {} runs recorded).\n\n\
         The ground-truth table of the non-neural estimators (KSG, Gaussian/CCA) on the same kind of tasks is \
         in [results/estimators](../estimators/REPORT.md).",
        mi_train::profile::sentence(why),
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
    )
}

/// Bias, variance and MSE of every staircase series at every level.
fn bias_table(s: &Summary, cfg: &LimitsSettings) -> String {
    let st = &cfg.staircase;
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
    for e in all_reported(&cfg.objectives) {
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
    t
}

/// The optimal critic: measured NWJ variance and DV bias against theory.
fn optimal_section(s: &Summary, cfg: &LimitsSettings) -> String {
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
    o
}

/// InfoNCE with the optimal critic by batch size and MI.
fn saturation_table(s: &Summary, cfg: &LimitsSettings) -> String {
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
    sat
}

/// Estimates from N samples against ln N, and the difference-of-entropies estimator.
fn cap_section(s: &Summary, cfg: &LimitsSettings) -> String {
    let st = &cfg.staircase;
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
        let tr: Vec<String> = p.trained.iter().filter(|t| t.task == TaskVariant::Gaussian).map(|t| format!("{} {}", t.estimator, f3(t.mean_nats))).collect();
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
    cap
}
