//! A1 (paper §3.1, Fig. 1): invertible encoders. A1a is a grid of additive RealNVP encoders ×
//! bilinear 392×392 critic × {I_NCE, I_NWJ}, loss −I_est; A1b ([`adversarial`]) an affine RealNVP
//! trained against a linear classifier, several seeds written to `adversarial.json` before the grid.
pub mod adversarial;
mod report;

use crate::infomax::grid::{GridSettings, PairGrid};
use crate::infomax::report::GridReport;
use crate::infomax::*;
use adversarial::{AdversarialFile, AdversarialSettings, AdversarialSummary};
use mi_train::{Context, ExperimentError, Profile, Result};

pub struct A1;

/// A1b's result file in the A1 folder.
pub const ADVERSARIAL: &str = "adversarial.json";

/// One A1b seed run at the paper's full length (4,000 iterations), kept beside a quick profile's
/// shorter seeds when present: `cargo run --release -p mi-experiments --example a1b_full_length`.
pub const ADVERSARIAL_FULL_LENGTH: &str = "adversarial_full_length.json";

/// What A1 records besides its grid: the A1b seeds of the profile, and the full-length seed.
#[derive(Debug, Clone, Default)]
pub struct A1b {
    pub seeds: Vec<AdversarialSummary>,
    pub full_length: Option<AdversarialSummary>,
}

/// Additive RealNVP encoders × bilinear critic × {InfoNCE, NWJ}.
pub fn configs() -> Vec<PairConfig> {
    [Bound::Infonce, Bound::Nwj]
        .into_iter()
        .map(|est| PairConfig::new(EncoderKind::RealnvpAdditive, CriticKind::Bilinear, est, None))
        .collect()
}

/// A1b's settings in a profile. Every profile keeps the paper's schedule (1,000 warm-up steps,
/// 10 classifier steps per encoder step, Adam 1e-3 / 1e-5, a fresh batch for the encoder step);
/// the quick profile stops earlier, the smoke profile is a code-path check.
pub fn adversarial_settings(profile: Profile) -> AdversarialSettings {
    let paper = AdversarialSettings::paper();
    match profile {
        Profile::Paper => paper,
        Profile::Quick => AdversarialSettings { iterations: QUICK_A1B_ITERATIONS, probe_every: 200, ..paper },
        Profile::Smoke => AdversarialSettings { warmup_steps: 5, iterations: 4, classifier_steps: 2, probe_every: 2, seeds: 2, ..paper },
    }
}

/// Where the quick profile stops A1b (the paper: 4,000 iterations). Raised from 400 after the
/// results were seen: docs/profiles.md says why and what that means for the verdict.
pub const QUICK_A1B_ITERATIONS: usize = 800;

/// The seed of A1b's `k`-th run.
pub fn adversarial_seed(base: u64, k: usize) -> u64 {
    run_seed(base, "a1b-adversarial", k)
}

impl PairGrid for A1 {
    type Extra = A1b;

    fn id(&self) -> String {
        "a1".into()
    }

    fn title(&self) -> String {
        "A1 — invertible encoders: accuracy moves while the true MI stays constant (paper §3.1, Fig. 1)".into()
    }

    fn configs(&self, _profile: Profile) -> Vec<PairConfig> {
        configs()
    }

    fn loop_settings(&self, profile: Profile) -> (LoopSettings, usize) {
        match profile {
            Profile::Paper => (LoopSettings::paper(), 20),
            Profile::Quick => (LoopSettings::quick(801, 400), 3),
            Profile::Smoke => (LoopSettings::smoke(), 1),
        }
    }

    /// Every evaluation pushes the images through 13.9 M-parameter RealNVPs: the smoke profile
    /// uses fewer.
    fn sizes(&self, profile: Profile) -> (usize, usize) {
        match profile {
            Profile::Smoke => (2_000, 500),
            _ => (60_000, 10_000),
        }
    }

    fn config_extras(&self, profile: Profile) -> Vec<(&'static str, serde_json::Value)> {
        vec![("adversarial", serde_json::json!(adversarial_settings(profile)))]
    }

    /// A1b: the seeds already recorded are kept and the missing ones run, each written as soon as
    /// it ends (an interrupted A1b resumes with the next seed). Not run with `--report-only` nor
    /// by one unit of the grid alone (`--run-index`: a cluster's array tasks would each run it);
    /// a plain `reproduce a1` on the folder runs it.
    fn prepare_extra(&self, data: &PairViews, s: &GridSettings, ctx: &Context) -> Result<A1b> {
        let full = ctx.dir.path(ADVERSARIAL_FULL_LENGTH);
        let full_length = if full.exists() { read_adversarial(&full)?.into_iter().next() } else { None };
        Ok(A1b { seeds: self.a1b_seeds(data, s, ctx)?, full_length })
    }

    fn report(&self, s: &Summary, extra: &A1b) -> GridReport {
        report::report(s, &extra.seeds, extra.full_length.as_ref())
    }
}

impl A1 {
    fn a1b_seeds(&self, data: &PairViews, s: &GridSettings, ctx: &Context) -> Result<Vec<AdversarialSummary>> {
        let path = ctx.dir.path(ADVERSARIAL);
        let mut runs = if path.exists() { read_adversarial(&path)? } else { vec![] };
        let settings = adversarial_settings(s.profile);
        if let Some(other) = runs.iter().find(|r| AdversarialSettings { seeds: settings.seeds, ..r.settings.clone() } != settings) {
            ctx.say(&format!("a1b: {} holds runs with other settings ({:?}); kept as they are, none added", ADVERSARIAL, other.settings));
            return Ok(runs);
        }
        if runs.len() >= settings.seeds || ctx.opts.report_only || ctx.opts.run_index.is_some() {
            ctx.say(&format!("a1b: {} of {} seeds recorded{}", runs.len(), settings.seeds, if runs.len() < settings.seeds { " (the others run with a plain `reproduce a1` on this folder)" } else { "" }));
            return Ok(runs);
        }
        for k in runs.len()..settings.seeds {
            ctx.say(&format!("a1b: seed {} of {}", k + 1, settings.seeds));
            runs.push(adversarial::run(data, &settings, &s.loop_settings, adversarial_seed(s.seed, k), ctx.opts.quiet)?);
            ctx.dir.write_json(ADVERSARIAL, &AdversarialFile::Runs { runs: runs.clone() })?;
        }
        Ok(runs)
    }
}

/// The runs in an A1b file (either layout).
pub fn read_adversarial(path: &std::path::Path) -> Result<Vec<AdversarialSummary>> {
    let text = std::fs::read_to_string(path).map_err(|e| ExperimentError::Invalid(format!("cannot read {}: {e}", path.display())))?;
    let file: AdversarialFile = serde_json::from_str(&text).map_err(|e| ExperimentError::Invalid(format!("{} is not a valid A1b result ({e}); delete it to rerun A1b", path.display())))?;
    Ok(file.into_runs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_is_the_papers_grid_and_its_paper_profile_the_papers_a1b() {
        assert!(configs().iter().all(|c| c.encoder == EncoderKind::RealnvpAdditive && c.critic == CriticKind::Bilinear && c.t.is_none()));
        assert_eq!(adversarial_settings(Profile::Paper), AdversarialSettings::paper());
    }
}
