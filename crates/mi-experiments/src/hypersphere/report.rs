//! Tables, figures and the report's text.
use super::*;

pub(super) fn objective_text(o: &Objective) -> String {
    match o {
        Objective::Random => "random init".into(),
        Objective::Supervised => "supervised (CE)".into(),
        Objective::Contrastive { tau } => format!("contrastive τ = {tau}"),
        Objective::AlignUniform(w) => format!("{}·L_align(α={}) + {}·L_uniform(t={})", w.w_align, w.alpha, w.w_uniform, w.t),
    }
}

pub(super) fn table(s: &HyperSummary, study: Study) -> String {
    let mut t = String::from(
        "| Encoder | Objective | d | Runs | Linear (output) | Linear (probe layer) | 5-NN (output) | L_align | L_uniform | exp(L_uniform) | Train s |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for e in s.encoders.iter().filter(|e| e.spec.in_study(study)) {
        let sd = |m: f64, d: f64, p: bool| {
            let (m, d) = if p { (100.0 * m, 100.0 * d) } else { (m, d) };
            match (e.runs > 1, p) {
                (true, true) => format!("{m:.2} ± {d:.2}"),
                (true, false) => format!("{m:.3} ± {d:.3}"),
                (false, true) => format!("{m:.2}"),
                (false, false) => format!("{m:.3}"),
            }
        };
        t.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.3} | {:.0} |\n",
            e.name,
            objective_text(&e.spec.objective),
            e.spec.output_dim,
            e.runs,
            sd(e.mean.linear_accuracy, e.sd.linear_accuracy, true),
            sd(e.mean.probe_layer_accuracy, e.sd.probe_layer_accuracy, true),
            sd(e.mean.knn_accuracy, e.sd.knn_accuracy, true),
            sd(e.mean.l_align, e.sd.l_align, false),
            sd(e.mean.l_uniform, e.sd.l_uniform, false),
            e.exp_l_uniform,
            e.train_seconds_mean
        ));
    }
    t.push_str("\nAccuracies in percent on the test set.\n");
    t
}

pub(super) fn marker(o: &Objective) -> Marker {
    match o {
        Objective::Random => Marker::Triangle,
        Objective::Supervised => Marker::Diamond,
        Objective::Contrastive { .. } => Marker::Circle,
        Objective::AlignUniform(_) => Marker::Square,
    }
}

pub(super) fn sweep_scatter(s: &HyperSummary) -> Scatter {
    let mut sc = Scatter::new(
        format!("Sweep ({}-d head, MNIST test set): alignment vs uniformity", s.settings.output_dim),
        format!("L_uniform (t = {}; optimum {:.3})", s.settings.eval_t, s.uniform_optimum_sphere),
        format!("L_align (α = {})", s.settings.eval_alpha),
        "linear acc.",
    );
    for e in s.encoders.iter().filter(|e| e.spec.in_study(Study::Sweep) || (e.spec.output_dim == s.settings.output_dim && e.spec.objective == Objective::Random)) {
        sc.points.push(ScatterPoint { x: e.mean.l_uniform, y: e.mean.l_align, value: e.mean.linear_accuracy, label: e.spec.label.clone(), marker: marker(&e.spec.objective) });
    }
    sc.markers = vec![(Marker::Circle, "contrastive".into()), (Marker::Square, "align+uniform".into()), (Marker::Triangle, "random init".into())];
    sc
}

pub(super) fn circle_columns(s: &HyperSummary, records: &[EncoderRecord]) -> Vec<figure::CircleColumn> {
    s.encoders
        .iter()
        .filter(|e| e.spec.in_study(Study::Circle))
        .filter_map(|e| {
            let r = records.iter().filter(|r| r.config == e.name).min_by_key(|r| r.run)?;
            let c = r.circle.as_ref()?;
            Some(figure::CircleColumn {
                title: e.spec.label.clone(),
                caption: vec![
                    format!("linear acc. {} (run {})", pct(r.metrics.linear_accuracy), r.run),
                    format!("L_align {:.3}", r.metrics.l_align),
                    format!("L_uniform {:.3} (opt. {:.3})", r.metrics.l_uniform, s.uniform_optimum_circle),
                ],
                angles: c.angles.iter().map(|&a| f64::from(a)).collect(),
                labels: c.labels.clone(),
            })
        })
        .collect()
}

/// Writes `summary.json`, the plots and `REPORT.md` from the records.
/// The report: circle figure, sweep scatter, the three studies' tables and the claims.
pub(super) fn report_of(summary: &HyperSummary, records: &[EncoderRecord], profile_reason: &str) -> Report {
    let mut figures = vec![];
    let cols = circle_columns(summary, records);
    if !cols.is_empty() {
        let svg = figure::circle_figure(&cols, &summary.settings.figure, "Features on S¹ (2-D heads), MNIST test set");
        figures.push(Figure { name: "circle".into(), svg, png_scale: 1.5, listed: true });
    }
    if summary.encoders.iter().any(|e| e.spec.in_study(Study::Sweep)) {
        figures.push(Figure { name: "sweep".into(), svg: sweep_scatter(summary).to_svg(), png_scale: 1.5, listed: true });
    }
    Report { title: TITLE.into(), intro: intro(summary, profile_reason), claims: claims(summary), sections: sections(summary), figures }
}

const TITLE: &str = "Alignment and uniformity on the hypersphere (Wang & Isola, ICML 2020), on MNIST";

fn intro(summary: &HyperSummary, profile_reason: &str) -> String {
    let st = &summary.settings;
    format!(
        "Dataset MNIST; {profile_reason}; device {}; seed {}. Every encoder is the small CNN of \
         `mi_encoders::SmallCnn` (3×3 stride-2 convolutions with {:?} channels, a {}-unit probe layer, a linear head \
         L2-normalised onto the sphere), trained for {} steps of {} images (two augmentations each, both views through \
         the encoder in one batch of {}) with Adam at {} on the first {} training images; {} run(s) per encoder. \
         Evaluation on the {} test images: L_align(α = {}) over one fixed pair of augmentations per image, L_uniform(t = {}) \
         over all pairs, a linear probe (min-max scaling, SAGA, C = {}, tol = {}) on the output and on the probe layer, and a \
         cosine {}-NN on the output, probes fitted on the first {} training images. {} of {} runs recorded.",
        summary.device,
        summary.seed,
        st.channels,
        st.hidden,
        st.steps,
        st.batch,
        2 * st.batch,
        st.learning_rate,
        st.n_train,
        st.runs,
        st.n_test,
        st.eval_alpha,
        st.eval_t,
        st.probe_c,
        st.probe_tol,
        st.knn_k,
        st.n_probe_train,
        summary.runs_done,
        summary.runs_planned
    )
}

fn sections(summary: &HyperSummary) -> Vec<(String, String)> {
    let st = &summary.settings;
    let sw = &summary.sweep;
    let rho = |r: Option<f64>| r.map(|r| format!("{r:+.3}")).unwrap_or_else(|| "— (fewer than 3 encoders or a constant column)".into());
    let collapsed: Vec<String> = summary
        .encoders
        .iter()
        .filter(|e| e.spec.in_study(Study::Sweep) && e.exp_l_uniform > COLLAPSE_EXP_UNIFORM)
        .map(|e| format!("{} (exp L_uniform {:.4}, linear {}, 5-NN {})", e.name, e.exp_l_uniform, pct(e.mean.linear_accuracy), pct(e.mean.knn_accuracy)))
        .collect();
    let collapse_note = if collapsed.is_empty() {
        String::new()
    } else {
        format!(
            "\nEncoders of the sweep far towards collapse (exp L_uniform > {COLLAPSE_EXP_UNIFORM}; 1 = every feature on one \
             point): {}. Their accuracies stay far above chance: the probe's min-max scaling stretches the small residual spread \
             back to [0, 1], and cosine k-NN ignores scale, so accuracy alone would hide the collapse that L_uniform shows.\n",
            collapsed.join("; ")
        )
    };
    let mut sections = vec![
        ("Circle study (2-D heads)".to_string(), format!("{}\nThe optimum of L_uniform(t = {}) on S¹ is {:.5}.\n", table(summary, Study::Circle), st.eval_t, summary.uniform_optimum_circle)),
        ("Contrastive vs align+uniform (like the paper's Table 1)".to_string(), table(summary, Study::Table)),
        (
            "Sweep".to_string(),
            format!(
                "{}\nSpearman rank correlations over the {} trained encoders of the sweep (a number the paper does not give): \
                 linear accuracy vs L_align {}, vs L_uniform {}; 5-NN accuracy vs L_align {}, vs L_uniform {}. Ranking by linear \
                 accuracy: {}. The optimum of L_uniform(t = {}) on S^{} is {:.5}; exp(L_uniform) = 1 means total collapse.\n",
                table(summary, Study::Sweep),
                sw.encoders.len(),
                rho(sw.spearman_linear_vs_align),
                rho(sw.spearman_linear_vs_uniform),
                rho(sw.spearman_knn_vs_align),
                rho(sw.spearman_knn_vs_uniform),
                sw.ranking.join(", "),
                st.eval_t,
                st.output_dim - 1,
                summary.uniform_optimum_sphere
            ) + &collapse_note,
        ),
        (
            "Differences from the paper".to_string(),
            "MNIST instead of CIFAR-10/STL-10/ImageNet-100 (the accuracies are not comparable across datasets; the claims \
             checked are orderings and relations); a small CNN instead of AlexNet/ResNet; Adam with a constant learning rate \
             and a few epochs instead of SGD (momentum 0.9, weight decay 1e-4, lr 0.12 per 256) for 200 epochs; a dozen \
             encoders in the sweep instead of hundreds; in the contrastive loss each anchor's negatives are the second \
             views of the other images of the batch (batch − 1 of them in each direction: 127 in `quick`, 255 in `paper`; the \
             paper's circle study used 256)."
                .to_string(),
        ),
        ("CIFAR-10".to_string(), summary.cifar10.clone()),
    ];
    if summary.runs_done < summary.runs_planned {
        sections.insert(0, ("Incomplete".into(), format!("{} of {} runs are recorded; run the same command again to continue. Claims about missing encoders are shown as not holding.", summary.runs_done, summary.runs_planned)));
    }
    sections
}

pub(super) fn cifar_status(root: &std::path::Path) -> String {
    let dir = root.join("cifar10");
    match mi_data::cifar10::check(&dir) {
        Ok(()) => format!(
            "CIFAR-10 is present in `{}`, but this command runs the study on MNIST only: the CIFAR-10 run (the paper's own \
             dataset for the circle figure, with `Augment::natural` and `SmallCnnConfig::cifar`) is not implemented yet.",
            shown(&dir)
        ),
        Err(_) => format!(
            "CIFAR-10 is not in `{}` on this machine, so the CIFAR-10 part (the paper's own dataset for the circle figure) is \
             skipped; the paper's numbers are quoted in the claims table for reference only.",
            shown(&dir)
        ),
    }
}

