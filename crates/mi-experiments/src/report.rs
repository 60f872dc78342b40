//! REPORT.md and plots, generated from `summary.json`-shaped data: no hand-written numbers.
use crate::chart::{svg_to_png, Chart};
use crate::results::{ResultsDir, Result};
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

/// Writes every chart as `<name>.svg` and `<name>.png`; returns the names written.
pub fn write_charts(dir: &ResultsDir, charts: &[(String, Chart)]) -> Result<Vec<String>> {
    let mut names = vec![];
    for (name, chart) in charts {
        let svg = chart.to_svg();
        dir.write_text(&format!("{name}.svg"), &svg)?;
        // PNG is a convenience copy: a rasterisation failure must not lose the SVG or the run
        if let Ok(png) = svg_to_png(&svg, 1.5) {
            dir.write_bytes(&format!("{name}.png"), &png)?;
        }
        names.push(name.clone());
    }
    Ok(names)
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
    let _ = writeln!(s, "## Claims of the paper, checked\n");
    s.push_str(&claims_table(claims));
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
