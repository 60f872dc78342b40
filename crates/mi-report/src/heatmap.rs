//! A table of numbers drawn as coloured cells (viridis, scaled from the smallest to the largest
//! mean), each cell labelled "mean ± sd": for grids of one measurement over two factors, such as
//! probe accuracy by (boundary, depth).
use crate::chart::esc;
use crate::image::viridis;
use std::fmt::Write;

#[derive(Debug, Clone)]
pub struct Heatmap {
    pub title: String,
    pub row_title: String,
    pub col_title: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// `cells[r][c] = (mean, sd)`; NaN means are drawn grey and labelled "—".
    pub cells: Vec<Vec<(f64, f64)>>,
    /// Decimals of the labels.
    pub decimals: usize,
}

impl Heatmap {
    pub fn to_svg(&self) -> String {
        // row labels get the room their longest one needs (≈ 7.5 px a character at 13 px)
        let longest = self.rows.iter().map(|r| r.chars().count()).max().unwrap_or(0) as f64;
        let (cell_w, cell_h, left, top) = (150.0, 54.0, (7.5 * longest + 24.0).max(170.0), 80.0);
        let width = left + cell_w * self.cols.len() as f64 + 20.0;
        let height = top + cell_h * self.rows.len() as f64 + 30.0;
        let means: Vec<f64> = self.cells.iter().flatten().map(|c| c.0).filter(|m| m.is_finite()).collect();
        let lo = means.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = means.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
             <text x=\"{}\" y=\"24\" font-size=\"16\" text-anchor=\"middle\">{}</text>\n\
             <text x=\"{}\" y=\"52\" font-size=\"13\" text-anchor=\"middle\">{}</text>\n\
             <text x=\"12\" y=\"{}\" font-size=\"13\">{}</text>",
            width / 2.0,
            esc(&self.title),
            left + cell_w * self.cols.len() as f64 / 2.0,
            esc(&self.col_title),
            top - 8.0,
            esc(&self.row_title)
        );
        for (c, label) in self.cols.iter().enumerate() {
            let _ = writeln!(s, "<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\">{}</text>", left + cell_w * (c as f64 + 0.5), top - 8.0, esc(label));
        }
        for (r, label) in self.rows.iter().enumerate() {
            let y = top + cell_h * r as f64;
            let _ = writeln!(s, "<text x=\"12\" y=\"{}\" font-size=\"13\">{}</text>", y + cell_h / 2.0 + 4.0, esc(label));
            for (c, &(mean, sd)) in self.cells.get(r).map(|v| v.as_slice()).unwrap_or(&[]).iter().enumerate() {
                let x = left + cell_w * c as f64;
                let (fill, ink, text) = if mean.is_finite() {
                    let t = if hi > lo { (mean - lo) / (hi - lo) } else { 0.5 };
                    let [red, green, blue] = viridis(t);
                    let light = 0.299 * f64::from(red) + 0.587 * f64::from(green) + 0.114 * f64::from(blue) > 140.0;
                    (format!("rgb({red},{green},{blue})"), if light { "black" } else { "white" }, format!("{mean:.*} ± {sd:.*}", self.decimals, self.decimals))
                } else {
                    ("#cccccc".to_string(), "black", "—".to_string())
                };
                let _ = writeln!(
                    s,
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{cell_w}\" height=\"{cell_h}\" fill=\"{fill}\" stroke=\"white\"/>\n\
                     <text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\" fill=\"{ink}\">{}</text>",
                    x + cell_w / 2.0,
                    y + cell_h / 2.0 + 4.0,
                    esc(&text)
                );
            }
        }
        let _ = writeln!(s, "<text x=\"{left}\" y=\"{}\" font-size=\"11\" fill=\"#555\">colour: mean, from the smallest (dark) to the largest (bright)</text>", height - 10.0);
        s.push_str("</svg>\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_is_labelled_and_the_extremes_take_the_ends_of_the_map() {
        let h = Heatmap {
            title: "t & u".into(),
            row_title: "row".into(),
            col_title: "col".into(),
            rows: vec!["P1".into(), "P2".into()],
            cols: vec!["A".into(), "AB".into()],
            cells: vec![vec![(0.9, 0.01), (0.95, 0.02)], vec![(f64::NAN, 0.0), (0.92, 0.0)]],
            decimals: 3,
        };
        let svg = h.to_svg();
        assert!(svg.contains("0.900 ± 0.010") && svg.contains("0.950 ± 0.020") && svg.contains("0.920 ± 0.000"));
        assert!(svg.contains("t &amp; u") && svg.contains(">—<"));
        let [r, g, b] = viridis(0.0);
        assert!(svg.contains(&format!("rgb({r},{g},{b})")));
        let [r, g, b] = viridis(1.0);
        assert!(svg.contains(&format!("rgb({r},{g},{b})")));
        assert!(crate::chart::svg_to_png(&svg, 1.0).is_ok());
    }
}
