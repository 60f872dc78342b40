//! A1 (paper §3.1, Fig. 1): invertible encoders. A1a is a grid of additive RealNVP encoders ×
//! bilinear 392×392 critic × {I_NCE, I_NWJ}, loss −I_est; A1b ([`adversarial`]) an affine RealNVP
//! trained against a linear classifier, one run written to `adversarial.json` before the grid.
pub mod adversarial;
mod report;

use crate::infomax::grid::{GridSettings, PairGrid};
use crate::infomax::report::GridReport;
use crate::infomax::*;
use adversarial::{AdversarialSettings, AdversarialSummary};
use mi_train::{Context, ExperimentError, Profile, Result};

pub struct A1;

/// A1b's result file in the A1 folder.
pub const ADVERSARIAL: &str = "adversarial.json";

/// Additive RealNVP encoders × bilinear critic × {InfoNCE, NWJ}.
pub fn configs() -> Vec<PairConfig> {
    [Bound::Infonce, Bound::Nwj]
        .into_iter()
        .map(|est| PairConfig::new(EncoderKind::RealnvpAdditive, CriticKind::Bilinear, est, None))
        .collect()
}

/// A1b's settings in a profile. The quick profile deviates from the paper (stated in the report):
/// with the paper's encoder rate 1e-5 the probe barely moves in the few hundred iterations a CPU
/// affords (docs/profiles.md).
pub fn adversarial_settings(profile: Profile) -> AdversarialSettings {
    let paper = AdversarialSettings::paper();
    match profile {
        Profile::Paper => paper,
        Profile::Quick => AdversarialSettings { warmup_steps: 300, iterations: 600, classifier_steps: 5, encoder_lr: 1e-4, probe_every: 200, ..paper },
        Profile::Smoke => AdversarialSettings { warmup_steps: 5, iterations: 4, classifier_steps: 2, probe_every: 2, ..paper },
    }
}

impl PairGrid for A1 {
    type Extra = Option<AdversarialSummary>;

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
            Profile::Quick => (LoopSettings::quick(801, 400), 1),
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

    /// A1b: kept when the folder already has it, not run with `--report-only` nor by one unit of
    /// the grid alone (`--run-index`: a cluster's array tasks would each run it); a plain
    /// `reproduce a1` on the folder runs it.
    fn prepare_extra(&self, data: &PairViews, s: &GridSettings, ctx: &Context) -> Result<Option<AdversarialSummary>> {
        let path = ctx.dir.path(ADVERSARIAL);
        if path.exists() {
            ctx.say("a1b: already recorded, kept");
            return read_adversarial(&path).map(Some);
        }
        if ctx.opts.report_only || ctx.opts.run_index.is_some() {
            ctx.say("a1b: not recorded, not run here (it runs with a plain `reproduce a1` on this folder)");
            return Ok(None);
        }
        let a = adversarial::run(data, &adversarial_settings(s.profile), &s.loop_settings, s.seed, ctx.opts.quiet)?;
        ctx.dir.write_json(ADVERSARIAL, &a)?;
        Ok(Some(a))
    }

    fn report(&self, s: &Summary, extra: &Option<AdversarialSummary>) -> GridReport {
        report::report(s, extra.as_ref())
    }
}

fn read_adversarial(path: &std::path::Path) -> Result<AdversarialSummary> {
    let text = std::fs::read_to_string(path).map_err(|e| ExperimentError::Invalid(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| ExperimentError::Invalid(format!("{} is not a valid A1b result ({e}); delete it to rerun A1b", path.display())))
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
