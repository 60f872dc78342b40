//! What every experiment's report is made of: line charts and scatter plots (SVG, with PNG copies
//! rasterised by resvg), RGB images as PNG, the claims table and REPORT.md text, the statistics and
//! kernel densities the reports quote, the t tests every verdict is decided by (`significance`),
//! number formatting.
//!
//! The crate's invariant: **no libtorch and no I/O.** It depends on no tch / torch-sys / mi-torch
//! crate, so it builds and tests with a plain `cargo test` on any machine, and it neither reads
//! nor writes files nor prints: every function returns a `String` or bytes, and the caller (the
//! experiment engine) decides where they go.
#![forbid(unsafe_code)]

pub mod chart;
pub mod claims;
pub mod format;
pub mod heatmap;
pub mod image;
pub mod kde;
pub mod scatter;
pub mod significance;
pub mod stats;
