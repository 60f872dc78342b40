//! REPORT.md and its plot files, generated from `summary.json`-shaped data so that no number in a
//! report is written by hand. Pure: the text and bytes are returned, the caller writes them.
use crate::chart::{svg_to_png, Chart};
use std::fmt::Write;

/// One claim of the paper and our measurement of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Claim {
    pub claim: String,
    pub paper: String,
    pub ours: String,
    /// `Some(true)`: our numbers support it; `Some(false)`: they do not; `None`: not measured.
    pub holds: Option<bool>,
}

impl Claim {
    pub fn verdict(&self) -> &'static str {
        match self.holds {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not measured",
        }
    }
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

/// The claims as a Markdown table (Claim | Paper | Ours | Holds?).
pub fn claims_table(claims: &[Claim]) -> String {
    let mut s = String::from("| Claim | Paper | Ours | Holds? |\n|---|---|---|---|\n");
    for c in claims {
        let cell = |t: &str| t.replace('|', "\\|");
        let _ = writeln!(s, "| {} | {} | {} | {} |", cell(&c.claim), cell(&c.paper), cell(&c.ours), c.verdict());
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
        Claim { claim: "a | b".into(), paper: "0.9".into(), ours: "0.91 ± 0.01".into(), holds }
    }

    #[test]
    fn verdicts_and_table_escape_pipes() {
        assert_eq!(claim(Some(true)).verdict(), "yes");
        assert_eq!(claim(Some(false)).verdict(), "**no**");
        assert_eq!(claim(None).verdict(), "not measured");
        let t = claims_table(&[claim(Some(false))]);
        assert_eq!(t, "| Claim | Paper | Ours | Holds? |\n|---|---|---|---|\n| a \\| b | 0.9 | 0.91 ± 0.01 | **no** |\n");
        let json = serde_json::to_value(claim(None)).unwrap();
        assert_eq!(json["holds"], serde_json::Value::Null);
        assert_eq!(json["claim"], "a | b");
    }

    #[test]
    fn render_has_every_part_in_order() {
        let sections = vec![("Details".to_string(), "body text".to_string())];
        let r = render("T", "intro", &[claim(Some(true))], &sections, &["acc".to_string()]);
        assert!(r.starts_with("# T\n\nintro\n\n## Claims of the paper, checked\n\n| Claim |"), "{r}");
        let at = |needle: &str| r.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
        assert!(at("| yes |") < at("## Details\n\nbody text") && at("## Details") < at("## Plots\n\n![acc](acc.svg)\n"));
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
