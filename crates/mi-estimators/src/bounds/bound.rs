//! [`Bound`]: every variational bound of this module as one value, so that experiments, the CLI and
//! result files name a bound the same way, and one `match` maps it to its f64 reading
//! ([`Bound::value`]) and its training objective (`Bound::tensor`, feature `tch`).
//!
//! | variant | canonical name | also parses | [`Bound::value`] | `tensor` / `tensor_with` |
//! |---|---|---|---|---|
//! | `Infonce` | `infonce` | | [`infonce()`] | `infonce_tensor` |
//! | `Nwj` | `nwj` | | [`nwj()`] | `nwj_tensor` |
//! | `Dv` | `dv` | | [`dv()`] | `dv_tensor` |
//! | `Mine` | `mine` | `dv_mine` | [`dv()`] | `mine_tensor` (needs a [`super::MineEma`]) |
//! | `Tuba` | `tuba` | | [`tuba()`] (needs a baseline) | `tuba_tensor` (needs a baseline) |
//! | `Js` | `js` | `js_nwj` | [`nwj()`] of scores + 1 | `js_tensor` |
//! | `Smile { tau }` | `smile_tau<τ>` | `smile` (τ = 5) | [`smile()`] | `smile_tensor` |
//! | `Ialpha { alpha }` | `ialpha_alpha<α>` | `ialpha`, `i_alpha` (α = 0.01) | [`interpolated()`] (needs a baseline) | `interpolated_tensor` (needs a baseline) |
//!
//! Parameters are written in Rust's shortest round-trip form (`smile_tau1`, `smile_tau2.5`,
//! `smile_tauinf`, `ialpha_alpha0.01`), so a name read back is bit-for-bit the bound written.
//! JS is a training signal, not a bound: its optimal critic is log r where NWJ's is 1 + log r,
//! so a JS-trained critic is read as NWJ of (scores + 1). MINE differs from DV only in its gradient.
use super::ialpha::check_alpha;
use super::smile::check_tau;
use super::{dv, infonce, interpolated, nwj, smile, tuba};
use crate::error::{EstimatorError, Result};
use ndarray::{ArrayView1, ArrayView2};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// A variational MI bound on a B×B score matrix (positive pairs on the diagonal).
///
/// Equality, order and hash compare the variant, then the parameter bit for bit (`f64::total_cmp`),
/// so a `Bound` can key a `BTreeMap` or `HashMap`. The order is the variants' order below, then τ
/// or α ascending: infonce < nwj < mine < js < smile_tau1 < smile_tau5 < ialpha_alpha0.01.
#[derive(Debug, Clone, Copy)]
pub enum Bound {
    /// InfoNCE (CPC); never above log B.
    Infonce,
    /// NWJ, the f-divergence bound (TUBA with baseline e).
    Nwj,
    /// Donsker–Varadhan.
    Dv,
    /// MINE: DV, trained with the moving-average gradient correction.
    Mine,
    /// TUBA with a per-row log-baseline.
    Tuba,
    /// Jensen–Shannon (f-GAN): trained as JS, read as NWJ of (scores + 1).
    Js,
    /// SMILE: trained with JS's gradient, read as DV with the negatives clipped to [−τ, τ].
    Smile { tau: f64 },
    /// I_α: the baseline interpolates InfoNCE's (weight α ∈ [0, 1]) and a per-row log-baseline.
    Ialpha { alpha: f64 },
}

const NEEDS_BASELINE: &str = "a per-row log-baseline of length B";

fn unknown(name: &str) -> EstimatorError {
    EstimatorError::param("bound", format!("{name:?}"), Bound::EXPECTED)
}

impl Bound {
    /// τ of the bare name `smile` (Song & Ermon's best setting).
    pub const DEFAULT_TAU: f64 = 5.0;
    /// α of the bare names `ialpha` and `i_alpha` (the staircase's setting).
    pub const DEFAULT_ALPHA: f64 = 0.01;
    /// The names that parse without a parameter, for command-line help. `smile_tau<τ>` and
    /// `ialpha_alpha<α>` choose the parameter.
    pub const NAMES: [&'static str; 8] = ["infonce", "nwj", "dv", "mine", "tuba", "js", "smile", "ialpha"];
    /// What [`Bound::parse`] accepts, as its error message says.
    pub const EXPECTED: &'static str = "expected one of infonce, nwj, dv, mine, tuba, js, smile (τ = 5), \
        smile_tau<τ> (τ > 0 or inf), ialpha (α = 0.01), ialpha_alpha<α> (0 ≤ α ≤ 1), \
        or the older names dv_mine (= mine), js_nwj (= js), i_alpha (= ialpha)";

    /// Parses a canonical or older name (see the module docs); the error lists what is accepted.
    pub fn parse(name: &str) -> Result<Bound> {
        Ok(match name {
            "infonce" => Bound::Infonce,
            "nwj" => Bound::Nwj,
            "dv" => Bound::Dv,
            "mine" | "dv_mine" => Bound::Mine,
            "tuba" => Bound::Tuba,
            "js" | "js_nwj" => Bound::Js,
            "smile" => Bound::Smile { tau: Self::DEFAULT_TAU },
            "ialpha" | "i_alpha" => Bound::Ialpha { alpha: Self::DEFAULT_ALPHA },
            _ => {
                let number = |v: &str| v.parse::<f64>().map_err(|_| unknown(name));
                if let Some(tau) = name.strip_prefix("smile_tau") {
                    Bound::smile(number(tau)?)?
                } else if let Some(alpha) = name.strip_prefix("ialpha_alpha") {
                    Bound::ialpha(number(alpha)?)?
                } else {
                    return Err(unknown(name));
                }
            }
        })
    }

    /// SMILE with clipping threshold τ > 0 (`f64::INFINITY`: no clipping, which is DV).
    pub fn smile(tau: f64) -> Result<Bound> {
        check_tau(tau)?;
        Ok(Bound::Smile { tau })
    }

    /// I_α with α ∈ [0, 1].
    pub fn ialpha(alpha: f64) -> Result<Bound> {
        check_alpha(alpha)?;
        Ok(Bound::Ialpha { alpha })
    }

    /// A name for people, as figure panels and tables print it.
    pub fn label(&self) -> String {
        match self {
            Bound::Infonce => "InfoNCE".into(),
            Bound::Nwj => "NWJ".into(),
            Bound::Dv => "DV".into(),
            Bound::Mine => "DV/MINE".into(),
            Bound::Tuba => "TUBA".into(),
            Bound::Js => "JS (NWJ of the JS critic)".into(),
            Bound::Smile { tau } => format!("SMILE τ={tau}"),
            Bound::Ialpha { alpha } => format!("I_α (α={alpha})"),
        }
    }

    /// The symbol the papers write (Tschannen et al.: I_NCE, I_NWJ; Poole et al.; Song & Ermon).
    pub fn symbol(&self) -> &'static str {
        match self {
            Bound::Infonce => "I_NCE",
            Bound::Nwj => "I_NWJ",
            Bound::Dv => "I_DV",
            Bound::Mine => "I_MINE",
            Bound::Tuba => "I_TUBA",
            Bound::Js => "I_JS",
            Bound::Smile { .. } => "I_SMILE",
            Bound::Ialpha { .. } => "I_α",
        }
    }

    /// Whether evaluating or training needs a per-row log-baseline (TUBA, I_α).
    pub fn needs_baseline(&self) -> bool {
        matches!(self, Bound::Tuba | Bound::Ialpha { .. })
    }

    /// The most this bound can report on a batch of B pairs, whatever the true MI: log B for
    /// InfoNCE; `None` for the bounds without such a cap.
    pub fn cap_nats(&self, batch: usize) -> Option<f64> {
        matches!(self, Bound::Infonce).then(|| (batch as f64).ln())
    }

    /// The reported estimate in nats on a B×B score matrix. TUBA and I_α need a baseline: use
    /// [`Bound::value_with_baseline`].
    pub fn value(&self, scores: &ArrayView2<f64>) -> Result<f64> {
        self.value_with_baseline(scores, None)
    }

    /// The reported estimate with a per-row log-baseline of length B, which only TUBA and I_α use
    /// (the others ignore it). MINE reads as DV here; the free [`super::mine()`] also updates an average.
    pub fn value_with_baseline(&self, scores: &ArrayView2<f64>, log_baseline: Option<&ArrayView1<f64>>) -> Result<f64> {
        let baseline = || log_baseline.ok_or_else(|| self.missing(NEEDS_BASELINE));
        match *self {
            Bound::Infonce => infonce(scores),
            Bound::Nwj => nwj(scores),
            Bound::Dv | Bound::Mine => dv(scores),
            Bound::Tuba => tuba(scores, baseline()?),
            Bound::Js => nwj(&(scores.to_owned() + 1.0).view()),
            Bound::Smile { tau } => smile(scores, tau),
            Bound::Ialpha { alpha } => interpolated(scores, baseline()?, alpha),
        }
    }

    /// The differentiable training objective on a B×B score tensor (maximise it). Its value is
    /// [`Bound::value`]'s, except for JS, whose objective is not an MI estimate. MINE, TUBA and
    /// I_α need more than the scores and return [`EstimatorError::MissingInput`] here: use
    /// [`Bound::tensor_with`].
    #[cfg(feature = "tch")]
    pub fn tensor(&self, scores: &tch::Tensor) -> Result<tch::Tensor> {
        self.tensor_with(scores, None, None)
    }

    /// The training objective with what some bounds need besides the scores: MINE the run's moving
    /// average (updated here), TUBA and I_α a log-baseline tensor of shape `[B]`. Each bound uses
    /// only what it needs and ignores the rest; a missing input is [`EstimatorError::MissingInput`].
    #[cfg(feature = "tch")]
    pub fn tensor_with(
        &self,
        scores: &tch::Tensor,
        ema: Option<&mut super::MineEma>,
        log_baseline: Option<&tch::Tensor>,
    ) -> Result<tch::Tensor> {
        use super::{dv_tensor, infonce_tensor, interpolated_tensor, js_tensor, mine_tensor, nwj_tensor, smile_tensor, tuba_tensor};
        let baseline = || log_baseline.ok_or_else(|| self.missing("a per-row log-baseline tensor of shape [B]"));
        match *self {
            Bound::Infonce => infonce_tensor(scores),
            Bound::Nwj => nwj_tensor(scores),
            Bound::Dv => dv_tensor(scores),
            Bound::Mine => mine_tensor(scores, ema.ok_or_else(|| self.missing("a MineEma (its moving average)"))?),
            Bound::Tuba => tuba_tensor(scores, baseline()?),
            Bound::Js => js_tensor(scores),
            Bound::Smile { tau } => smile_tensor(scores, tau),
            Bound::Ialpha { alpha } => interpolated_tensor(scores, baseline()?, alpha),
        }
    }

    fn missing(&self, input: &'static str) -> EstimatorError {
        EstimatorError::MissingInput { bound: self.to_string(), input }
    }

    /// The variant's position and its parameter: what equality, order and hash compare.
    fn key(&self) -> (u8, f64) {
        match *self {
            Bound::Infonce => (0, 0.0),
            Bound::Nwj => (1, 0.0),
            Bound::Dv => (2, 0.0),
            Bound::Mine => (3, 0.0),
            Bound::Tuba => (4, 0.0),
            Bound::Js => (5, 0.0),
            Bound::Smile { tau } => (6, tau),
            Bound::Ialpha { alpha } => (7, alpha),
        }
    }
}

impl fmt::Display for Bound {
    /// The canonical name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Infonce => f.write_str("infonce"),
            Bound::Nwj => f.write_str("nwj"),
            Bound::Dv => f.write_str("dv"),
            Bound::Mine => f.write_str("mine"),
            Bound::Tuba => f.write_str("tuba"),
            Bound::Js => f.write_str("js"),
            Bound::Smile { tau } => write!(f, "smile_tau{tau}"),
            Bound::Ialpha { alpha } => write!(f, "ialpha_alpha{alpha}"),
        }
    }
}

impl FromStr for Bound {
    type Err = EstimatorError;
    fn from_str(name: &str) -> Result<Bound> {
        Bound::parse(name)
    }
}

impl PartialEq for Bound {
    fn eq(&self, other: &Bound) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Bound {}

impl Ord for Bound {
    fn cmp(&self, other: &Bound) -> Ordering {
        let ((a, x), (b, y)) = (self.key(), other.key());
        a.cmp(&b).then(x.total_cmp(&y))
    }
}

impl PartialOrd for Bound {
    fn partial_cmp(&self, other: &Bound) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Bound {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let (variant, parameter) = self.key();
        (variant, parameter.to_bits()).hash(state);
    }
}

/// Serialised as the canonical name (also as a map key).
impl serde::Serialize for Bound {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read from any name [`Bound::parse`] accepts, so files written with the older names still read.
impl<'de> serde::Deserialize<'de> for Bound {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Bound, D::Error> {
        let name = String::deserialize(deserializer)?;
        Bound::parse(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
