//! The staircase panels and the optimal-critic, saturation and ln N charts.
use super::*;
use mi_report::chart::{Chart, HLine, Series};
use mi_train::Figure;
use std::fmt::Write;

const PANEL_RANGE: (f64, f64) = (-2.0, 14.0);

/// The charts: one staircase panel per estimator, then the optimal-critic and ln N figures.
pub fn charts(s: &Summary, cfg: &LimitsSettings) -> Vec<(String, Chart)> {
    let mut out = staircase_charts(s, cfg);
    if !s.optimal.is_empty() {
        out.extend(optimal_charts(s, cfg));
    }
    if !s.infonce_saturation.is_empty() {
        out.push(("infonce_saturation".into(), saturation_chart(s, cfg)));
    }
    if !s.cap.is_empty() {
        out.push(("cap_ln_n".into(), cap_chart(s)));
    }
    out
}

/// One staircase panel per estimator: every (critic, task) series over the true MI.
fn staircase_charts(s: &Summary, cfg: &LimitsSettings) -> Vec<(String, Chart)> {
    let mut out = vec![];
for e in all_reported(&cfg.objectives) {
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
    if e == Bound::Infonce {
        c.hlines.push(HLine { y: (cfg.staircase.batch as f64).ln(), label: format!("log {}", cfg.staircase.batch) });
    }
    out.push((format!("staircase_{}", e), c));
}
    out
}

/// NWJ's variance and DV's bias with the optimal critic, against theory.
fn optimal_charts(s: &Summary, cfg: &LimitsSettings) -> Vec<(String, Chart)> {
    let mut out = vec![];
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
    out
}

/// InfoNCE with the optimal critic against the true MI, one series per batch size.
fn saturation_chart(s: &Summary, cfg: &LimitsSettings) -> Chart {
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
    c
}

/// Estimates from N samples against ln N at the top level.
fn cap_chart(s: &Summary) -> Chart {
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
    for (k, e) in [Bound::Infonce, Bound::Nwj, Bound::Mine, SMILE_5].into_iter().enumerate() {
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
    c
}

/// All staircase panels side by side in one picture (`staircase.svg`, `staircase.png`), as in
/// the papers' figures; the report embeds it in its "Staircase" section.
pub fn staircase_grid(charts: &[(String, Chart)]) -> Option<Figure> {
    let panels: Vec<&Chart> = charts.iter().filter(|(n, _)| n.starts_with("staircase_")).map(|(_, c)| c).collect();
    if panels.is_empty() {
        return None;
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
    Some(Figure { name: "staircase".into(), svg: s, png_scale: 1.0, listed: false })
}
