//! Line charts with ±1 sd bands, as SVG (written directly) and PNG (the SVG rasterised by resvg).
//!
//! Small on purpose: what the paper's figures need — curves of a mean over runs with a shaded
//! band, horizontal reference lines (a pixel baseline, log B), axis ticks, a legend.
use std::fmt::Write;

/// A palette that stays distinguishable in print.
const COLORS: [&str; 10] =
    ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

/// One curve: points `(x, mean, sd)`; the band is drawn when any sd is positive.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64, f64)>,
    /// Dashed line (e.g. to tell estimators apart while colour tells architectures apart).
    pub dashed: bool,
    pub color: usize,
}

/// A horizontal reference line with a label.
#[derive(Debug, Clone)]
pub struct HLine {
    pub y: f64,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub hlines: Vec<HLine>,
    /// Fixed y range (e.g. the paper's axis); default: fitted to the data.
    pub y_range: Option<(f64, f64)>,
    pub width: f64,
    pub height: f64,
}

impl Chart {
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            series: vec![],
            hlines: vec![],
            y_range: None,
            width: 720.0,
            height: 440.0,
        }
    }

    fn data_ranges(&self) -> ((f64, f64), (f64, f64)) {
        let mut xs = (f64::INFINITY, f64::NEG_INFINITY);
        let mut ys = (f64::INFINITY, f64::NEG_INFINITY);
        for s in &self.series {
            for &(x, m, sd) in &s.points {
                if x.is_finite() && m.is_finite() {
                    xs = (xs.0.min(x), xs.1.max(x));
                    let sd = if sd.is_finite() { sd } else { 0.0 };
                    ys = (ys.0.min(m - sd), ys.1.max(m + sd));
                }
            }
        }
        for h in &self.hlines {
            if h.y.is_finite() {
                ys = (ys.0.min(h.y), ys.1.max(h.y));
            }
        }
        if !xs.0.is_finite() {
            xs = (0.0, 1.0);
        }
        if !ys.0.is_finite() {
            ys = (0.0, 1.0);
        }
        if xs.1 - xs.0 < 1e-12 {
            xs = (xs.0 - 0.5, xs.1 + 0.5);
        }
        if ys.1 - ys.0 < 1e-12 {
            ys = (ys.0 - 0.5, ys.1 + 0.5);
        }
        let pad = 0.05 * (ys.1 - ys.0);
        (xs, self.y_range.unwrap_or((ys.0 - pad, ys.1 + pad)))
    }

    /// The chart as a standalone SVG document.
    pub fn to_svg(&self) -> String {
        let (w, h) = (self.width, self.height);
        let (left, right, top, bottom) = (70.0, 190.0, 40.0, 55.0);
        let (pw, ph) = (w - left - right, h - top - bottom);
        let ((x0, x1), (y0, y1)) = self.data_ranges();
        let sx = |x: f64| left + (x - x0) / (x1 - x0) * pw;
        let sy = |y: f64| top + ph - (y.clamp(y0, y1) - y0) / (y1 - y0) * ph;
        let mut s = open_svg(w, h, &self.title, left + pw / 2.0);
        let plot = PlotArea { left, top, width: pw, height: ph };
        plot.axes(&mut s, (x0, x1), (y0, y1), &sx, &sy, (&self.x_label, &self.y_label), h);
        // reference lines
        for hl in &self.hlines {
            if hl.y >= y0 && hl.y <= y1 {
                let y = sy(hl.y);
                let _ = write!(s, r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#000" stroke-dasharray="2,3"/>"##, left + pw);
                let _ = write!(s, r##"<text x="{}" y="{:.1}" fill="#000" font-size="11">{}</text>"##, left + 6.0, y - 4.0, esc(&hl.label));
            }
        }
        // bands, then lines
        for se in &self.series {
            let c = COLORS[se.color % COLORS.len()];
            let pts: Vec<_> = se.points.iter().filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
            if pts.iter().any(|p| p.2 > 0.0) {
                let mut d = String::new();
                for (i, p) in pts.iter().enumerate() {
                    let _ = write!(d, "{}{:.1},{:.1} ", if i == 0 { "M" } else { "L" }, sx(p.0), sy(p.1 + p.2.max(0.0)));
                }
                for p in pts.iter().rev() {
                    let _ = write!(d, "L{:.1},{:.1} ", sx(p.0), sy(p.1 - p.2.max(0.0)));
                }
                let _ = write!(s, r#"<path d="{d}Z" fill="{c}" fill-opacity="0.15" stroke="none"/>"#);
            }
        }
        for (k, se) in self.series.iter().enumerate() {
            let c = COLORS[se.color % COLORS.len()];
            let pts: Vec<_> = se.points.iter().filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
            let d: String = pts
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{}{:.1},{:.1} ", if i == 0 { "M" } else { "L" }, sx(p.0), sy(p.1)))
                .collect();
            let dash = if se.dashed { r#" stroke-dasharray="6,4""# } else { "" };
            if !d.is_empty() {
                let _ = write!(s, r#"<path d="{d}" fill="none" stroke="{c}" stroke-width="2"{dash}/>"#);
            }
            for p in &pts {
                let _ = write!(s, r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{c}"/>"#, sx(p.0), sy(p.1));
            }
            let ly = top + 10.0 + 18.0 * k as f64;
            let lx = left + pw + 10.0;
            let _ = write!(s, r#"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{c}" stroke-width="2"{dash}/>"#, lx + 24.0);
            let _ = write!(s, r#"<text x="{}" y="{}">{}</text>"#, lx + 30.0, ly + 4.0, esc(&se.label));
        }
        s.push_str("</svg>\n");
        s
    }
}

/// The `<svg>` opening, a white background and the centred title.
pub(crate) fn open_svg(w: f64, h: f64, title: &str, title_x: f64) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = write!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = write!(s, r#"<text x="{title_x}" y="22" text-anchor="middle" font-size="15">{}</text>"#, esc(title));
    s
}

/// Where the data are drawn inside a figure, in SVG units.
pub(crate) struct PlotArea {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl PlotArea {
    /// Grid lines with tick labels on both axes, the frame, and the axis labels (`labels` is
    /// (x, y); `h` the figure's height, for the x label's baseline).
    #[allow(clippy::too_many_arguments)] // one call per chart kind; a struct would only rename them
    pub(crate) fn axes(&self, s: &mut String, x: (f64, f64), y: (f64, f64), sx: &dyn Fn(f64) -> f64, sy: &dyn Fn(f64) -> f64, labels: (&str, &str), h: f64) {
        let PlotArea { left, top, width: pw, height: ph } = *self;
        for t in ticks(y.0, y.1) {
            let y = sy(t);
            let _ = write!(s, r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e5e5"/>"##, left + pw);
            let _ = write!(s, r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#, left - 6.0, y + 4.0, fmt_tick(t));
        }
        for t in ticks(x.0, x.1) {
            let x = sx(t);
            let _ = write!(s, r##"<line x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{}" stroke="#f0f0f0"/>"##, top + ph);
            let _ = write!(s, r#"<text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#, top + ph + 18.0, fmt_tick(t));
        }
        let _ = write!(s, r##"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>"##);
        let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#, left + pw / 2.0, h - 12.0, esc(labels.0));
        let _ = write!(s, r#"<text transform="translate(18,{}) rotate(-90)" text-anchor="middle">{}</text>"#, top + ph / 2.0, esc(labels.1));
    }
}

/// Rasterises an SVG document to PNG bytes (text uses the system's fonts; without any, the
/// picture is drawn without its labels).
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    let mut opt = resvg::usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    let tree = resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| format!("invalid SVG: {e}"))?;
    let size = tree.size().to_int_size().scale_by(scale).ok_or("empty SVG")?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("SVG too large to rasterise")?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("PNG encoding failed: {e}"))
}

/// Escapes text for SVG (`&`, `<`, `>`, `"`); the same as [`crate::image::xml_escape`].
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// About five round tick values covering `[lo, hi]`.
pub(crate) fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = hi - lo;
    if span <= 0.0 || !span.is_finite() {
        return vec![lo];
    }
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| span / s <= 6.0).unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() * step;
    (0..)
        .map(|i| first + i as f64 * step)
        .take_while(|t| *t <= hi + 1e-9 * step)
        .take(20)
        .collect()
}

pub(crate) fn fmt_tick(t: f64) -> String {
    if t.abs() >= 1000.0 && t.fract() == 0.0 {
        format!("{}k", t / 1000.0)
    } else if t.fract() == 0.0 {
        format!("{t:.0}")
    } else {
        let s = format!("{t:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 20000.0), vec![0.0, 5000.0, 10000.0, 15000.0, 20000.0]);
        let t = ticks(0.78, 0.92);
        assert!(t.len() >= 3 && t[0] >= 0.78 && *t.last().unwrap() <= 0.92, "{t:?}");
        assert_eq!(fmt_tick(20000.0), "20k");
        assert_eq!(fmt_tick(0.85), "0.85");
    }

    #[test]
    fn svg_has_every_series_and_renders_to_png() {
        let mut c = Chart::new("accuracy", "step", "test accuracy");
        c.series.push(Series { label: "ConvNet <t=2>".into(), points: vec![(0.0, 0.8, 0.01), (1000.0, 0.9, 0.02)], dashed: false, color: 0 });
        c.series.push(Series { label: "MLP".into(), points: vec![(0.0, 0.8, 0.0), (1000.0, 0.82, 0.0)], dashed: true, color: 1 });
        c.hlines.push(HLine { y: 0.84, label: "pixels".into() });
        let svg = c.to_svg();
        assert!(svg.contains("ConvNet &lt;t=2&gt;") && svg.contains("MLP") && svg.contains("pixels"));
        assert_eq!(svg.matches("<path").count(), 3, "one band (only the first has sd) and two lines");
        let png = svg_to_png(&svg, 1.0).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
}
