//! Categorical and mixed data: the plug-in and Miller–Madow estimators (every value of X and Y an
//! integer code; a multi-column X is one variable whose categories are its distinct rows) and
//! `--discrete x|y|both` for KSG (`mi_estimators::mixed`: Ross's estimator with one categorical
//! side, Gao et al.'s mixed KSG when either side mixes point masses and continuous values).
use mi_estimators::mixed::{category_ids, discrete_continuous_mi_nats, mixed_ksg_mi_nats};
use ndarray::ArrayView2;

/// Which side of a `--discrete` estimate is categorical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscreteSide {
    X,
    Y,
    Both,
}

pub fn side(name: &str) -> anyhow::Result<DiscreteSide> {
    match name {
        "x" => Ok(DiscreteSide::X),
        "y" => Ok(DiscreteSide::Y),
        "both" => Ok(DiscreteSide::Both),
        other => Err(crate::input_error(format!("--discrete {other}: expected x (X categorical, Y continuous), y, or both (either may mix point masses and continuous values)"))),
    }
}

/// Checks that `a` holds integer codes, naming the variable and the estimator in the error.
pub fn check_codes(a: &ArrayView2<f64>, which: &str, what: &str) -> anyhow::Result<()> {
    category_ids(a).map(|_| ()).map_err(|e| {
        crate::input_error(format!("{what} takes categorical data (integer codes) for {which}, but: {e}; encode categories as integers, or use ksg/gaussian/auto for continuous data"))
    })
}

/// The `--discrete` KSG estimate on (x, y).
pub fn mixed_mi(side: DiscreteSide, k: usize, x: &ArrayView2<f64>, y: &ArrayView2<f64>) -> mi_estimators::Result<f64> {
    match side {
        DiscreteSide::X => discrete_continuous_mi_nats(&category_ids(x)?, y, k),
        DiscreteSide::Y => discrete_continuous_mi_nats(&category_ids(y)?, x, k),
        DiscreteSide::Both => mixed_ksg_mi_nats(x, y, k),
    }
}

/// The plug-in (or Miller–Madow) estimate on integer codes.
pub fn categorical_mi(miller_madow: bool, x: &ArrayView2<f64>, y: &ArrayView2<f64>) -> mi_estimators::Result<f64> {
    let (a, b) = (category_ids(x)?, category_ids(y)?);
    if miller_madow {
        mi_estimators::discrete::miller_madow_mi_nats(&a, &b)
    } else {
        mi_estimators::discrete::plugin_mi_nats(&a, &b)
    }
}
