//! Scatter plots whose points are coloured by a value (viridis, with a colour bar) and shaped by a
//! group: the hypersphere sweep's L_uniform against L_align, coloured by accuracy. SVG written
//! directly; PNG through [`crate::chart::svg_to_png`].
use crate::chart::{esc, fmt_tick, open_svg, ticks, PlotArea};
use crate::image::viridis;
use std::fmt::Write;

/// The shape of a point: tells groups apart while colour shows the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// One point with its colour value and a short label written next to it.
#[derive(Debug, Clone)]
pub struct ScatterPoint {
    pub x: f64,
    pub y: f64,
    pub value: f64,
    pub label: String,
    pub marker: Marker,
}

#[derive(Debug, Clone)]
pub struct Scatter {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// What the colour shows (the colour bar's title).
    pub value_label: String,
    pub points: Vec<ScatterPoint>,
    /// Legend entries for the markers used.
    pub markers: Vec<(Marker, String)>,
    /// Fixed colour range; default: the values' range.
    pub value_range: Option<(f64, f64)>,
    pub width: f64,
    pub height: f64,
}

fn rgb(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn marker_svg(m: Marker, x: f64, y: f64, r: f64, fill: &str) -> String {
    let stroke = r##"stroke="#222" stroke-width="0.8""##;
    match m {
        Marker::Circle => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{fill}" {stroke}/>"#),
        Marker::Square => {
            format!(r#"<rect x="{:.1}" y="{:.1}" width="{}" height="{}" fill="{fill}" {stroke}/>"#, x - r, y - r, 2.0 * r, 2.0 * r)
        }
        Marker::Triangle => format!(
            r#"<path d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" fill="{fill}" {stroke}/>"#,
            y - 1.2 * r,
            x + 1.1 * r,
            y + 0.8 * r,
            x - 1.1 * r,
            y + 0.8 * r
        ),
        Marker::Diamond => format!(
            r#"<path d="M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z" fill="{fill}" {stroke}/>"#,
            y - 1.3 * r,
            x + 1.3 * r,
            y + 1.3 * r,
            x - 1.3 * r
        ),
    }
}

fn range(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v.filter(|x| x.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    }
}

impl Scatter {
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, y_label: impl Into<String>, value_label: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            value_label: value_label.into(),
            points: vec![],
            markers: vec![],
            value_range: None,
            width: 760.0,
            height: 500.0,
        }
    }

    /// The plot as a standalone SVG document. Points with a non-finite coordinate are left out;
    /// a non-finite value is drawn grey.
    pub fn to_svg(&self) -> String {
        let (w, h) = (self.width, self.height);
        let (left, right, top, bottom) = (75.0, 200.0, 40.0, 55.0);
        let (pw, ph) = (w - left - right, h - top - bottom);
        let pts: Vec<&ScatterPoint> = self.points.iter().filter(|p| p.x.is_finite() && p.y.is_finite()).collect();
        let pad = |(lo, hi): (f64, f64)| (lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo));
        let (x0, x1) = pad(range(pts.iter().map(|p| p.x)));
        let (y0, y1) = pad(range(pts.iter().map(|p| p.y)));
        let (v0, v1) = self.value_range.unwrap_or_else(|| range(pts.iter().map(|p| p.value)));
        let sx = |x: f64| left + (x - x0) / (x1 - x0) * pw;
        let sy = |y: f64| top + ph - (y - y0) / (y1 - y0) * ph;
        let colour = |v: f64| if v.is_finite() { rgb(viridis((v - v0) / (v1 - v0))) } else { "#999999".into() };
        let mut s = open_svg(w, h, &self.title, left + pw / 2.0);
        let plot = PlotArea { left, top, width: pw, height: ph };
        plot.axes(&mut s, (x0, x1), (y0, y1), &sx, &sy, (&self.x_label, &self.y_label), h);
        for p in &pts {
            let (x, y) = (sx(p.x), sy(p.y));
            s.push_str(&marker_svg(p.marker, x, y, 6.0, &colour(p.value)));
            let _ = write!(s, r##"<text x="{:.1}" y="{:.1}" font-size="9" fill="#333">{}</text>"##, x + 8.0, y - 6.0, esc(&p.label));
        }
        // colour bar
        let (bx, by, bw, bh) = (left + pw + 20.0, top + 10.0, 16.0, ph * 0.55);
        let steps = 40;
        for i in 0..steps {
            let f = i as f64 / steps as f64;
            let y = by + bh - (f + 1.0 / steps as f64) * bh;
            let _ = write!(s, r#"<rect x="{bx}" y="{y:.2}" width="{bw}" height="{:.2}" fill="{}"/>"#, bh / steps as f64 + 0.5, rgb(viridis(f + 0.5 / steps as f64)));
        }
        let _ = write!(s, r##"<rect x="{bx}" y="{by}" width="{bw}" height="{bh:.1}" fill="none" stroke="#333"/>"##);
        for t in ticks(v0, v1) {
            let y = by + bh - (t - v0) / (v1 - v0) * bh;
            let _ = write!(s, r#"<text x="{}" y="{:.1}">{}</text>"#, bx + bw + 5.0, y + 4.0, fmt_tick(t));
        }
        let _ = write!(s, r#"<text x="{bx}" y="{}">{}</text>"#, by - 8.0 + 0.0, esc(&self.value_label));
        for (k, (m, label)) in self.markers.iter().enumerate() {
            let y = by + bh + 30.0 + 20.0 * k as f64;
            s.push_str(&marker_svg(*m, bx + 6.0, y, 6.0, "#ffffff"));
            let _ = write!(s, r#"<text x="{}" y="{:.1}">{}</text>"#, bx + 18.0, y + 4.0, esc(label));
        }
        s.push_str("</svg>\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::svg_to_png;

    #[test]
    fn every_point_is_drawn_with_its_colour_and_the_svg_renders() {
        let mut sc = Scatter::new("sweep", "L_uniform", "L_align", "accuracy");
        sc.points.push(ScatterPoint { x: -3.5, y: 0.4, value: 0.9, label: "τ=0.2".into(), marker: Marker::Circle });
        sc.points.push(ScatterPoint { x: -0.1, y: 0.01, value: 0.2, label: "w 256:1 <collapse>".into(), marker: Marker::Square });
        sc.points.push(ScatterPoint { x: f64::NAN, y: 0.2, value: 0.5, label: "hidden".into(), marker: Marker::Triangle });
        sc.markers = vec![(Marker::Circle, "contrastive".into()), (Marker::Square, "align+uniform".into())];
        let svg = sc.to_svg();
        assert!(svg.contains("τ=0.2") && svg.contains("&lt;collapse&gt;") && !svg.contains("hidden"));
        // the best value is the brightest colour, the worst the darkest
        assert!(svg.contains(&rgb(viridis(1.0))) && svg.contains(&rgb(viridis(0.0))));
        assert!(svg.contains("contrastive") && svg.contains("align+uniform"));
        let png = svg_to_png(&svg, 1.0).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}
