//! Claims, plots and REPORT.md of `reproduce limits`, computed from the summary only.
mod charts;
mod claims;
mod text;

pub use charts::{charts, staircase_grid};
pub use claims::claims;
pub use text::{text, TITLE};

use super::staircase::{all_reported, CriticArch, TaskVariant, IALPHA, SMILE_1, SMILE_5};
use mi_estimators::bounds::Bound;
use super::{LevelStats, LimitsSettings, SeriesSummary, Summary};

pub(super) fn series(s: &Summary, c: CriticArch, t: TaskVariant, e: Bound) -> Option<&SeriesSummary> {
    s.staircase.iter().find(|x| x.critic == c && x.task == t && x.estimator == e)
}

pub(super) fn level(x: &SeriesSummary, mi: f64) -> Option<&LevelStats> {
    x.levels.iter().find(|l| (l.mi_nats - mi).abs() < 1e-9)
}

/// The (critic, task) pairs that have a series.
pub(super) fn combos(s: &Summary) -> Vec<(CriticArch, TaskVariant)> {
    let mut v: Vec<(CriticArch, TaskVariant)> = s.staircase.iter().map(|x| (x.critic, x.task)).collect();
    v.sort();
    v.dedup();
    v
}

pub(super) fn tag(c: CriticArch, t: TaskVariant) -> String {
    format!("{}/{}", c.name(), t.name())
}

pub(super) fn f3(v: f64) -> String {
    if v.is_finite() {
        if v.abs() >= 1e4 {
            format!("{v:.2e}")
        } else {
            format!("{v:.3}")
        }
    } else {
        "–".into()
    }
}
