//! The SVG of charts and scatter plots stays byte-identical to what the experiments' reports were
//! made with (the golden files were written by the code this crate's charts were copied from), so
//! moving a report onto this crate changes no committed figure.
use mi_report::chart::{Chart, HLine, Series};
use mi_report::scatter::{Marker, Scatter, ScatterPoint};

fn line_chart() -> Chart {
    let mut c = Chart::new("Accuracy & I_est <MNIST>", "step", "test accuracy");
    c.series.push(Series { label: "ConvNet, InfoNCE".into(), points: vec![(0.0, 0.80, 0.01), (1000.0, 0.86, 0.02), (2000.0, 0.9, 0.015), (3000.0, f64::NAN, 0.0)], dashed: false, color: 0 });
    c.series.push(Series { label: "MLP \"NWJ\"".into(), points: vec![(0.0, 0.81, 0.0), (1000.0, 0.83, 0.0), (2000.0, 0.82, 0.0)], dashed: true, color: 11 });
    c.hlines.push(HLine { y: 0.84, label: "pixels 0.840".into() });
    c.hlines.push(HLine { y: 5.0, label: "off the axis".into() });
    c
}

fn fixed_range_chart() -> Chart {
    let mut c = Chart::new("I_est", "step (k)", "nats");
    c.y_range = Some((0.0, 20000.0));
    c.width = 500.0;
    c.series.push(Series { label: "a".into(), points: vec![(0.0, 1234.5, 300.0), (5.0, 15000.0, f64::INFINITY)], dashed: false, color: 3 });
    c
}

fn scatter() -> Scatter {
    let mut sc = Scatter::new("sweep", "L_uniform", "L_align", "accuracy");
    sc.points.push(ScatterPoint { x: -3.5, y: 0.4, value: 0.9, label: "τ=0.2".into(), marker: Marker::Circle });
    sc.points.push(ScatterPoint { x: -0.1, y: 0.01, value: 0.2, label: "w <collapse>".into(), marker: Marker::Square });
    sc.points.push(ScatterPoint { x: -2.0, y: 0.2, value: f64::NAN, label: "nan".into(), marker: Marker::Triangle });
    sc.points.push(ScatterPoint { x: -1.0, y: 0.3, value: 0.5, label: "d".into(), marker: Marker::Diamond });
    sc.points.push(ScatterPoint { x: f64::NAN, y: 0.2, value: 0.5, label: "hidden".into(), marker: Marker::Triangle });
    sc.markers = vec![(Marker::Circle, "contrastive".into()), (Marker::Square, "align+uniform".into()), (Marker::Diamond, "other".into())];
    sc
}

fn same(name: &str, got: &str, want: &str) {
    let at = got.bytes().zip(want.bytes()).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
    assert!(got == want, "{name}: differs from byte {at}: got …{}… want …{}…", &got[at.saturating_sub(40)..(at + 40).min(got.len())], &want[at.saturating_sub(40)..(at + 40).min(want.len())]);
}

#[test]
fn line_charts_are_byte_identical_to_the_golden_svg() {
    same("line_chart", &line_chart().to_svg(), include_str!("golden/line_chart.svg"));
    same("fixed_range_chart", &fixed_range_chart().to_svg(), include_str!("golden/fixed_range_chart.svg"));
}

#[test]
fn scatter_is_byte_identical_to_the_golden_svg() {
    same("scatter", &scatter().to_svg(), include_str!("golden/scatter.svg"));
}
