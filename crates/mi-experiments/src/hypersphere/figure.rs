//! The circle figure of the hypersphere study (Wang & Isola, Fig. 3): one column per encoder with
//! 2-D features on S¹, three panels each — a 2-D Gaussian KDE of the points in the plane, a von
//! Mises KDE of their angles, and the von Mises KDE of the angles of each class — and a caption
//! with linear-probe accuracy, L_align and L_uniform. Vector SVG only (no embedded raster), so
//! the PNG copy rasterised by resvg shows everything.
use mi_report::kde::{angle_grid, gaussian_kde_2d, von_mises_kde};
use mi_report::chart::esc;
use mi_report::image::viridis;
use std::f64::consts::PI;
use std::fmt::Write;

/// Ten colours for the ten classes (matplotlib's tab10).
pub const CLASS_COLORS: [&str; 10] =
    ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/// One column: an encoder's angles on S¹ (radians) with the class of each point.
#[derive(Debug, Clone)]
pub struct CircleColumn {
    pub title: String,
    pub caption: Vec<String>,
    pub angles: Vec<f64>,
    pub labels: Vec<u8>,
}

/// How the densities are drawn.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FigureSettings {
    /// The plane panel shows `[−extent, extent]²` with `pixels × pixels` cells.
    pub extent: f64,
    pub pixels: usize,
    /// Bandwidth of the 2-D Gaussian KDE.
    pub sigma: f64,
    /// Concentration κ of the von Mises kernel.
    pub kappa: f64,
    /// Angles at which the von Mises KDEs are evaluated.
    pub angle_points: usize,
}

impl Default for FigureSettings {
    fn default() -> Self {
        Self { extent: 1.3, pixels: 64, sigma: 0.08, kappa: 20.0, angle_points: 240 }
    }
}

const COL_W: f64 = 250.0;
const SIDE: f64 = 200.0;
const CURVE_H: f64 = 120.0;
const LEFT: f64 = 40.0;

fn rgb(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// A line (and optionally the area under it) of `ys` over the angle grid in a box.
fn curve(s: &mut String, grid: &[f64], ys: &[f64], (x0, y0, w, h): (f64, f64, f64, f64), ymax: f64, color: &str, fill: bool) {
    let px = |a: f64| x0 + (a + PI) / (2.0 * PI) * w;
    let py = |v: f64| y0 + h - (v / ymax).clamp(0.0, 1.0) * h;
    let mut d = String::new();
    for (i, (&a, &v)) in grid.iter().zip(ys).enumerate() {
        let _ = write!(d, "{}{:.1},{:.1} ", if i == 0 { "M" } else { "L" }, px(a), py(v));
    }
    if fill {
        let _ = write!(s, r#"<path d="{d}L{:.1},{:.1} L{:.1},{:.1} Z" fill="{color}" fill-opacity="0.25" stroke="none"/>"#, px(grid[grid.len() - 1]), y0 + h, px(grid[0]), y0 + h);
    }
    let _ = write!(s, r#"<path d="{d}" fill="none" stroke="{color}" stroke-width="1.3"/>"#);
}

fn axes(s: &mut String, (x0, y0, w, h): (f64, f64, f64, f64), ymax: f64) {
    let _ = write!(s, r##"<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#333"/>"##);
    for (a, label) in [(-PI, "−π"), (0.0, "0"), (PI, "π")] {
        let x = x0 + (a + PI) / (2.0 * PI) * w;
        let _ = write!(s, r#"<text x="{x:.1}" y="{}" text-anchor="middle" font-size="10">{label}</text>"#, y0 + h + 12.0);
    }
    let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="end" font-size="9">{ymax:.2}</text>"#, x0 - 3.0, y0 + 8.0);
    let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="end" font-size="9">0</text>"#, x0 - 3.0, y0 + h);
    // the uniform density 1/(2π)
    let u = 1.0 / (2.0 * PI);
    if u < ymax {
        let y = y0 + h - u / ymax * h;
        let _ = write!(s, r##"<line x1="{x0}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#000" stroke-dasharray="2,3" stroke-width="0.8"/>"##, x0 + w);
    }
}

/// Panel (a): the points in the plane as a Gaussian KDE, with the unit circle dashed.
fn plane_panel(s: &mut String, col: &CircleColumn, fs: &FigureSettings, x0: f64, top_a: f64) {
    let pts: Vec<(f64, f64)> = col.angles.iter().map(|a| (a.cos(), a.sin())).collect();
    let dens = gaussian_kde_2d(&pts, fs.extent, fs.pixels, fs.sigma);
    let vmax = dens.iter().copied().fold(0.0, f64::max);
    let _ = write!(s, r#"<rect x="{x0}" y="{top_a}" width="{SIDE}" height="{SIDE}" fill="{}"/>"#, rgb(viridis(0.0)));
    let cell = SIDE / fs.pixels as f64;
    if vmax > 0.0 {
        for r in 0..fs.pixels {
            for c in 0..fs.pixels {
                let v = dens[r * fs.pixels + c] / vmax;
                if v > 0.01 {
                    let _ = write!(
                        s,
                        r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="{}"/>"#,
                        x0 + c as f64 * cell,
                        top_a + r as f64 * cell,
                        cell + 0.3,
                        cell + 0.3,
                        rgb(viridis(v))
                    );
                }
            }
        }
    }
    let radius = SIDE / 2.0 / fs.extent;
    let _ = write!(s, r##"<circle cx="{}" cy="{}" r="{radius:.1}" fill="none" stroke="#fff" stroke-opacity="0.35" stroke-dasharray="3,3"/>"##, x0 + SIDE / 2.0, top_a + SIDE / 2.0);
}

/// The whole figure as an SVG document.
pub fn circle_figure(columns: &[CircleColumn], fs: &FigureSettings, title: &str) -> String {
    let n = columns.len().max(1) as f64;
    let width = LEFT + n * COL_W + 90.0;
    let (top_a, top_b) = (60.0, 60.0 + SIDE + 40.0);
    let top_c = top_b + CURVE_H + 40.0;
    let top_caption = top_c + CURVE_H + 32.0;
    let max_caption = columns.iter().map(|c| c.caption.len()).max().unwrap_or(0) as f64;
    let height = top_caption + 16.0 * max_caption + 30.0;
    let grid = angle_grid(fs.angle_points);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = write!(s, r#"<rect width="{width}" height="{height}" fill="white"/>"#);
    let _ = write!(s, r#"<text x="{LEFT}" y="24" font-size="15">{}</text>"#, esc(title));
    for (row, (y, label)) in [(top_a, "features (2-D KDE)"), (top_b, "angles (von Mises KDE)"), (top_c, "angles per class")].iter().enumerate() {
        let h = if row == 0 { SIDE } else { CURVE_H };
        let _ = write!(s, r#"<text transform="translate(14,{}) rotate(-90)" text-anchor="middle" font-size="11">{label}</text>"#, y + h / 2.0);
    }
    for (k, col) in columns.iter().enumerate() {
        let x0 = LEFT + k as f64 * COL_W;
        let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="middle" font-size="13" font-weight="bold">{}</text>"#, x0 + SIDE / 2.0, top_a - 10.0, esc(&col.title));
        plane_panel(&mut s, col, fs, x0, top_a);
        // (b) all angles
        let all = von_mises_kde(&col.angles, fs.kappa, &grid);
        let ymax_b = all.iter().copied().fold(1.5 / (2.0 * PI), f64::max) * 1.05;
        let bbox = (x0, top_b, SIDE, CURVE_H);
        axes(&mut s, bbox, ymax_b);
        curve(&mut s, &grid, &all, bbox, ymax_b, "#1f77b4", true);
        // (c) per class
        let per_class: Vec<Vec<f64>> = (0..10u8)
            .map(|c| {
                let a: Vec<f64> = col.angles.iter().zip(&col.labels).filter(|(_, l)| **l == c).map(|(&a, _)| a).collect();
                von_mises_kde(&a, fs.kappa, &grid)
            })
            .collect();
        let ymax_c = per_class.iter().flatten().copied().fold(1.5 / (2.0 * PI), f64::max) * 1.05;
        let cbox = (x0, top_c, SIDE, CURVE_H);
        axes(&mut s, cbox, ymax_c);
        for (c, d) in per_class.iter().enumerate() {
            if d.iter().any(|v| *v > 0.0) {
                curve(&mut s, &grid, d, cbox, ymax_c, CLASS_COLORS[c], false);
            }
        }
        for (i, line) in col.caption.iter().enumerate() {
            let _ = write!(s, r#"<text x="{x0}" y="{}" font-size="11">{}</text>"#, top_caption + 16.0 * i as f64, esc(line));
        }
    }
    // class legend
    let lx = LEFT + n * COL_W;
    let _ = write!(s, r#"<text x="{lx}" y="{}" font-size="11">class</text>"#, top_c - 4.0);
    for (c, color) in CLASS_COLORS.iter().enumerate() {
        let y = top_c + 10.0 + 13.0 * c as f64;
        let _ = write!(s, r#"<line x1="{lx}" x2="{}" y1="{y}" y2="{y}" stroke="{color}" stroke-width="2"/><text x="{}" y="{}" font-size="10">{c}</text>"#, lx + 18.0, lx + 24.0, y + 4.0);
    }
    let _ = write!(
        s,
        r##"<text x="{LEFT}" y="{}" font-size="10" fill="#555">Top: Gaussian KDE (σ = {}) of the points in [−{e}, {e}]², dashed: the unit circle. Middle and bottom: von Mises KDE (κ = {}) of the angles; dotted: the uniform density 1/(2π).</text>"##,
        height - 10.0,
        fs.sigma,
        fs.kappa,
        e = fs.extent
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_has_a_column_per_encoder_and_renders() {
        let uniform: Vec<f64> = (0..400).map(|i| -PI + 2.0 * PI * i as f64 / 400.0).collect();
        let labels: Vec<u8> = (0..400).map(|i| (i / 40) as u8).collect();
        let cols = vec![
            CircleColumn { title: "uniform".into(), caption: vec!["acc 1.0".into()], angles: uniform.clone(), labels: labels.clone() },
            CircleColumn { title: "clustered <x>".into(), caption: vec!["acc 0.1".into(), "L".into()], angles: vec![0.3; 400], labels },
        ];
        let svg = circle_figure(&cols, &FigureSettings::default(), "S¹ features");
        assert!(svg.contains("uniform") && svg.contains("clustered &lt;x&gt;") && svg.contains("acc 0.1"));
        for c in CLASS_COLORS {
            assert!(svg.contains(c), "class colour {c}");
        }
        let png = mi_report::chart::svg_to_png(&svg, 1.0).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}
