//! REPORT.md and its plot files, generated from `summary.json`-shaped data so that no number in a
//! report is written by hand. Pure: the text and bytes are returned, the caller writes them.
use crate::chart::{svg_to_png, Chart};
use crate::significance::TTest;
use std::fmt::Write;

/// What our measurement says about one claim of the paper: the same four words in every report.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The claim at the strength the paper states it.
    Holds,
    /// The effect has the claimed sign and is distinguishable from run-to-run noise, but it is
    /// smaller than the paper's: `fraction_of_paper` of the size the paper states.
    DirectionOnly { fraction_of_paper: f64 },
    /// Our numbers do not show the claim (wrong sign, or not distinguishable from noise).
    DoesNotHold,
    /// Not measured here (a configuration missing, or too few runs to estimate the noise).
    NotMeasured,
}

impl Verdict {
    /// A pass/fail check of a fact that has no run-to-run noise to test against (a bijection's
    /// round trip, a parameter count): `None` when it could not be made.
    pub fn from_check(ok: Option<bool>) -> Verdict {
        match ok {
            Some(true) => Verdict::Holds,
            Some(false) => Verdict::DoesNotHold,
            None => Verdict::NotMeasured,
        }
    }

    /// The verdict on "the effect is positive and at least `paper_size`" from its t test: holds
    /// when the 95 % interval lies above 0 and the estimate reaches `paper_size`; direction only
    /// when the interval lies above 0 but the estimate is smaller; does not hold otherwise; not
    /// measured without a test (fewer than two runs on a side).
    pub fn from_effect(test: Option<&TTest>, paper_size: f64) -> Verdict {
        match test {
            None => Verdict::NotMeasured,
            Some(t) if !t.estimate.is_finite() => Verdict::NotMeasured,
            Some(t) if !t.above_zero() => Verdict::DoesNotHold,
            Some(t) if t.estimate >= paper_size => Verdict::Holds,
            Some(t) => Verdict::DirectionOnly { fraction_of_paper: t.estimate / paper_size },
        }
    }

    /// Several parts of one claim (e.g. every (estimator, t) pair): the weakest part decides —
    /// does not hold, then not measured, then direction only (the smallest fraction), then holds.
    pub fn all(parts: impl IntoIterator<Item = Verdict>) -> Verdict {
        let mut out = Verdict::Holds;
        let mut any = false;
        for v in parts {
            any = true;
            out = match (out, v) {
                (Verdict::DoesNotHold, _) | (_, Verdict::DoesNotHold) => Verdict::DoesNotHold,
                (Verdict::NotMeasured, _) | (_, Verdict::NotMeasured) => Verdict::NotMeasured,
                (Verdict::DirectionOnly { fraction_of_paper: a }, Verdict::DirectionOnly { fraction_of_paper: b }) => {
                    Verdict::DirectionOnly { fraction_of_paper: a.min(b) }
                }
                (d @ Verdict::DirectionOnly { .. }, Verdict::Holds) | (Verdict::Holds, d @ Verdict::DirectionOnly { .. }) => d,
                (Verdict::Holds, Verdict::Holds) => Verdict::Holds,
            };
        }
        if any {
            out
        } else {
            Verdict::NotMeasured
        }
    }

    /// The table's words: `holds`, `direction only (40 % of the paper's size)`, `**does not
    /// hold**`, `not measured`.
    pub fn words(&self) -> String {
        match self {
            Verdict::Holds => "holds".into(),
            Verdict::DirectionOnly { fraction_of_paper } => format!("direction only ({:.0} % of the paper's size)", fraction_of_paper * 100.0),
            Verdict::DoesNotHold => "**does not hold**".into(),
            Verdict::NotMeasured => "not measured".into(),
        }
    }
}

/// One claim of the paper, the criterion that tests it (fixed before the runs it judges), and
/// our measurement of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Claim {
    pub claim: String,
    pub paper: String,
    /// How `verdict` is decided from the numbers, in words a reader can check.
    pub criterion: String,
    pub ours: String,
    pub verdict: Verdict,
}

/// The scale at which charts are rasterised for their PNG copies (1.5 × the SVG's size).
pub const PNG_SCALE: f32 = 1.5;

/// The files of a set of charts and the plot names a report lists.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFiles {
    /// `(file name, contents)` in writing order: per chart `<name>.svg`, then `<name>.png` when
    /// rasterisation succeeded. The SVG bytes are the UTF-8 text of [`Chart::to_svg`].
    pub files: Vec<(String, Vec<u8>)>,
    /// Every chart's name, in order (whether or not its PNG was made): what [`render`] links.
    pub plots: Vec<String>,
}

/// Every chart as `<name>.svg` and `<name>.png` (rasterised at [`PNG_SCALE`]). The PNG is a
/// convenience copy: when rasterisation fails it is left out and the chart is still listed, so a
/// missing font or renderer never loses the SVG, the plot or the run.
pub fn chart_files(charts: &[(String, Chart)]) -> ChartFiles {
    let mut out = ChartFiles { files: vec![], plots: vec![] };
    for (name, chart) in charts {
        let svg = chart.to_svg();
        let png = svg_to_png(&svg, PNG_SCALE).ok();
        out.files.push((format!("{name}.svg"), svg.into_bytes()));
        if let Some(png) = png {
            out.files.push((format!("{name}.png"), png));
        }
        out.plots.push(name.clone());
    }
    out
}

/// The header of every claims table.
pub const CLAIMS_HEADER: &str = "| Claim | Paper | Criterion | Ours | Verdict |";

/// The claims as a Markdown table ([`CLAIMS_HEADER`]).
pub fn claims_table(claims: &[Claim]) -> String {
    let mut s = format!("{CLAIMS_HEADER}\n|---|---|---|---|---|\n");
    for c in claims {
        let cell = |t: &str| t.replace('|', "\\|");
        let _ = writeln!(s, "| {} | {} | {} | {} | {} |", cell(&c.claim), cell(&c.paper), cell(&c.criterion), cell(&c.ours), c.verdict.words());
    }
    s
}

/// The report: a title, an introduction, the claims table, free sections, the plots.
pub fn render(title: &str, intro: &str, claims: &[Claim], sections: &[(String, String)], plots: &[String]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {title}\n\n{intro}\n");
    // a study that checks no claim of the paper (a picture, a table of estimates) has no table
    if claims.is_empty() {
        s.pop(); // the next heading brings its own blank line
    } else {
        let _ = writeln!(s, "## Claims of the paper, checked\n");
        s.push_str(&claims_table(claims));
    }
    for (heading, body) in sections {
        let _ = writeln!(s, "\n## {heading}\n\n{body}");
    }
    if !plots.is_empty() {
        let _ = writeln!(s, "\n## Plots\n");
        for p in plots {
            let _ = writeln!(s, "![{p}]({p}.svg)\n");
        }
    }
    let _ = writeln!(s, "\n---\nGenerated from `summary.json` and `runs.jsonl` by `infomax reproduce`; do not edit by hand.");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Series;

    fn claim(holds: Option<bool>) -> Claim {
        Claim { claim: "a | b".into(), paper: "0.9".into(), criterion: "ours ≥ 0.9".into(), ours: "0.91 ± 0.01".into(), verdict: Verdict::from_check(holds) }
    }

    #[test]
    fn verdict_words_and_table_escape_pipes() {
        assert_eq!(claim(Some(true)).verdict.words(), "holds");
        assert_eq!(claim(Some(false)).verdict.words(), "**does not hold**");
        assert_eq!(claim(None).verdict.words(), "not measured");
        assert_eq!(Verdict::DirectionOnly { fraction_of_paper: 0.404 }.words(), "direction only (40 % of the paper's size)");
        let t = claims_table(&[claim(Some(false))]);
        assert_eq!(t, "| Claim | Paper | Criterion | Ours | Verdict |\n|---|---|---|---|---|\n| a \\| b | 0.9 | ours ≥ 0.9 | 0.91 ± 0.01 | **does not hold** |\n");
        let json = serde_json::to_value(claim(None)).unwrap();
        assert_eq!(json["verdict"], "not_measured");
        assert_eq!(json["claim"], "a | b");
        let json = serde_json::to_value(Verdict::DirectionOnly { fraction_of_paper: 0.5 }).unwrap();
        assert_eq!(json["direction_only"]["fraction_of_paper"], 0.5);
    }

    fn test_of(estimate: f64, lo: f64, hi: f64) -> TTest {
        TTest { estimate, se: 0.01, df: 4.0, ci95: (lo, hi), p_value: 0.01 }
    }

    #[test]
    fn effect_verdicts_need_an_interval_above_zero_and_the_paper_size_to_hold() {
        assert_eq!(Verdict::from_effect(Some(&test_of(0.09, 0.05, 0.13)), 0.08), Verdict::Holds);
        // significant but smaller than the paper's: direction only, with the fraction
        assert_eq!(Verdict::from_effect(Some(&test_of(0.02, 0.01, 0.03)), 0.08), Verdict::DirectionOnly { fraction_of_paper: 0.25 });
        // borderline: the interval touches 0
        assert_eq!(Verdict::from_effect(Some(&test_of(0.02, 0.0, 0.04)), 0.08), Verdict::DoesNotHold);
        // large but noisy: not distinguishable from 0
        assert_eq!(Verdict::from_effect(Some(&test_of(0.10, -0.01, 0.21)), 0.08), Verdict::DoesNotHold);
        assert_eq!(Verdict::from_effect(Some(&test_of(-0.05, -0.07, -0.03)), 0.08), Verdict::DoesNotHold);
        assert_eq!(Verdict::from_effect(None, 0.08), Verdict::NotMeasured);
        assert_eq!(Verdict::from_effect(Some(&test_of(f64::NAN, f64::NAN, f64::NAN)), 0.08), Verdict::NotMeasured);
    }

    #[test]
    fn the_weakest_part_decides() {
        let d = |f| Verdict::DirectionOnly { fraction_of_paper: f };
        assert_eq!(Verdict::all([Verdict::Holds, Verdict::Holds]), Verdict::Holds);
        assert_eq!(Verdict::all([Verdict::Holds, d(0.5), d(0.3)]), d(0.3));
        assert_eq!(Verdict::all([d(0.5), Verdict::NotMeasured, Verdict::Holds]), Verdict::NotMeasured);
        assert_eq!(Verdict::all([Verdict::NotMeasured, Verdict::DoesNotHold]), Verdict::DoesNotHold);
        assert_eq!(Verdict::all([]), Verdict::NotMeasured);
    }

    #[test]
    fn render_has_every_part_in_order() {
        let sections = vec![("Details".to_string(), "body text".to_string())];
        let r = render("T", "intro", &[claim(Some(true))], &sections, &["acc".to_string()]);
        assert!(r.starts_with("# T\n\nintro\n\n## Claims of the paper, checked\n\n| Claim |"), "{r}");
        let at = |needle: &str| r.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
        assert!(at("| holds |") < at("## Details\n\nbody text") && at("## Details") < at("## Plots\n\n![acc](acc.svg)\n"));
        assert!(r.ends_with("do not edit by hand.\n"));
        let no_plots = render("T", "i", &[], &[], &[]);
        assert!(!no_plots.contains("## Plots"));
    }

    #[test]
    fn chart_files_are_svg_then_png_per_chart_and_list_every_chart() {
        let mut c = Chart::new("acc", "step", "accuracy");
        c.series.push(Series { label: "a".into(), points: vec![(0.0, 0.5, 0.1), (1.0, 0.7, 0.1)], dashed: false, color: 0 });
        let charts = vec![("first".to_string(), c.clone()), ("second".to_string(), c.clone())];
        let out = chart_files(&charts);
        assert_eq!(out.plots, vec!["first", "second"]);
        let names: Vec<&str> = out.files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, ["first.svg", "first.png", "second.svg", "second.png"]);
        assert_eq!(out.files[0].1, c.to_svg().into_bytes());
        assert_eq!(out.files[1].1, svg_to_png(&c.to_svg(), PNG_SCALE).unwrap());
        // the PNG is 1.5 × the SVG's 720 × 440
        let png = resvg::tiny_skia::Pixmap::decode_png(&out.files[1].1).unwrap();
        assert_eq!((png.width(), png.height()), (1080, 660));
        assert_eq!(chart_files(&[]), ChartFiles { files: vec![], plots: vec![] });
        // a chart that cannot be rasterised keeps its SVG and its place in the plots
        let mut empty = c;
        empty.width = 0.0;
        assert!(svg_to_png(&empty.to_svg(), PNG_SCALE).is_err());
        let out = chart_files(&[("empty".to_string(), empty)]);
        assert_eq!(out.files.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["empty.svg"]);
        assert_eq!(out.plots, vec!["empty"]);
    }
}
