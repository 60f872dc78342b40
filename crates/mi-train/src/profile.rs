//! Experiment profiles: how big a run is.
//!
//! * `paper` — exactly the paper's settings (a GPU job for most experiments).
//! * `quick` — sized for a 2-core CPU (each experiment within about 30 minutes) while keeping the
//!   paper's qualitative claims visible with mean ± sd over several runs.
//! * `smoke` — every code path in under two minutes; used by the tests.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Paper,
    Quick,
    Smoke,
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "paper" => Ok(Self::Paper),
            "quick" => Ok(Self::Quick),
            "smoke" => Ok(Self::Smoke),
            other => Err(format!("unknown profile '{other}': expected paper, quick or smoke")),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Paper => "paper",
            Self::Quick => "quick",
            Self::Smoke => "smoke",
        })
    }
}

/// The profile to run and a sentence saying why: the user's choice when given, otherwise `paper`
/// on a CUDA device and `quick` on the CPU.
pub fn choose(requested: Option<Profile>, on_cuda: bool) -> (Profile, String) {
    match requested {
        Some(p) => (p, format!("profile '{p}' as requested")),
        None if on_cuda => (Profile::Paper, "profile 'paper' (the default on a CUDA device)".into()),
        None => (
            Profile::Quick,
            "profile 'quick' (the default without CUDA: the paper's full settings are a GPU job; \
             pass --profile paper to run them anyway)"
                .into(),
        ),
    }
}

/// A report's opening words from [`choose`]'s sentence: `Profile 'quick' as requested`.
pub fn sentence(reason: &str) -> String {
    let mut c = reason.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_opens_a_sentence() {
        assert_eq!(sentence("profile 'quick' as requested"), "Profile 'quick' as requested");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn parse_display_and_default_choice() {
        for p in [Profile::Paper, Profile::Quick, Profile::Smoke] {
            assert_eq!(p.to_string().parse::<Profile>().unwrap(), p);
        }
        assert!("fast".parse::<Profile>().unwrap_err().contains("paper, quick or smoke"));
        assert_eq!(choose(None, true).0, Profile::Paper);
        assert_eq!(choose(None, false).0, Profile::Quick);
        assert_eq!(choose(Some(Profile::Smoke), true).0, Profile::Smoke);
        assert_eq!(serde_json::to_string(&Profile::Quick).unwrap(), "\"quick\"");
    }
}
