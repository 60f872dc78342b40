//! Progress of long work: a bar on a terminal (steps/s, ETA, current estimate), plain lines
//! otherwise (every 10% of a run), and a line per finished run.
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// Progress of one run of `total` steps.
pub struct RunProgress {
    label: String,
    total: u64,
    bar: Option<ProgressBar>,
    start: Instant,
    next_line_at: u64,
    quiet: bool,
}

impl RunProgress {
    /// A bar when stderr is a terminal, plain lines otherwise; nothing at all when `quiet`.
    pub fn new(label: impl Into<String>, total: u64, quiet: bool) -> Self {
        let label = label.into();
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} {per_sec} ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(label.clone());
            bar
        });
        Self { label, total, bar, start: Instant::now(), next_line_at: total / 10, quiet }
    }

    /// Records that `step` steps are done, with the current estimate to show.
    pub fn update(&mut self, step: u64, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_position(step);
            bar.set_message(message.to_string());
        } else if !self.quiet && step >= self.next_line_at && step > 0 {
            let secs = self.start.elapsed().as_secs_f64().max(1e-9);
            let rate = step as f64 / secs;
            let eta = (self.total.saturating_sub(step)) as f64 / rate.max(1e-9);
            eprintln!("  {} {step}/{} ({rate:.1} steps/s, ETA {eta:.0} s) {message}", self.label, self.total);
            self.next_line_at = step + (self.total / 10).max(1);
        }
    }

    /// Ends the bar and prints one line for the finished run.
    pub fn finish(self, summary: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if !self.quiet {
            eprintln!("{} done in {:.1} s: {summary}", self.label, self.start.elapsed().as_secs_f64());
        }
    }
}
