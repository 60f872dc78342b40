//! `reproduce naf`: the seed's picture, a 2-D neural autoregressive flow fitted to 2-D target
//! densities.
//!
//! For each target (ring, two moons, a mixture of eight Gaussians) a [`mi_flows::Naf2d`] is fitted
//! by maximum likelihood on fresh target samples, then drawn next to the source (the flow's
//! standard normal base) and the target: one row per target with four panels — source density,
//! target density, learned density, and a histogram of samples drawn through the learned flow's
//! inverse (bisection). Target, learned and sample panels share one colour scale per row. One run
//! unit is one target; its four panels are kept as `panels_<target>.png` beside its record, so the
//! picture (`naf.svg`, rasterised to `naf.png`) is redrawn from the folder with `--report-only`.
use mi_flows::{fit_2d, flow_density, grid, FitConfig, Flow, Naf2d, Naf2dConfig, Target2d};
use mi_report::chart::esc as xml_escape;
use mi_report::image::{base64, Image};
use mi_train::options::Override;
use mi_train::{Context, Experiment, ExperimentError, Figure, Profile, Report, Result, RunKey, RunOptions, UnitPlan};
use serde::{Deserialize, Serialize};
use std::time::Instant;
use tch::{nn, Device, Kind, Tensor};

/// A flow library error, for the experiment's error type.
fn flow_error(e: mi_flows::FlowError) -> ExperimentError {
    ExperimentError::Other(Box::new(e))
}

/// Everything that determines the picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NafConfig {
    pub profile: String,
    pub seed: u64,
    /// Target names (`ring`, `moons`, `mixture`).
    pub targets: Vec<String>,
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub layers: usize,
    pub components: i64,
    pub hidden: Vec<i64>,
    /// The panels show `[−extent, extent]²`.
    pub extent: f64,
    /// Panel side in pixels.
    pub pixels: usize,
    /// Samples drawn through the inverse for the fourth panel.
    pub samples: usize,
    /// The learned density's mass is measured on `[−wide, wide]²` with `wide_points²` points.
    pub wide: f64,
    pub wide_points: usize,
}

impl NafConfig {
    /// `quick` (also `paper`: the picture has no paper-scale setting) or `smoke`.
    pub fn named(profile: Profile, seed: u64) -> Self {
        let base = Self {
            profile: profile.to_string(),
            seed,
            targets: vec!["ring".into(), "moons".into(), "mixture".into()],
            steps: 2000,
            batch: 512,
            lr: 5e-3,
            layers: 3,
            components: 16,
            hidden: vec![64, 64],
            extent: 4.0,
            pixels: 200,
            samples: 30_000,
            wide: 12.0,
            wide_points: 321,
        };
        match profile {
            Profile::Quick | Profile::Paper => base,
            Profile::Smoke => Self { steps: 100, pixels: 64, samples: 5_000, wide_points: 161, ..base },
        }
    }

    /// Checked once, before anything runs.
    pub fn validate(&self) -> Result<()> {
        if self.targets.is_empty() || self.pixels < 2 || self.steps == 0 || self.batch == 0 || self.samples == 0 {
            return Err(ExperimentError::Invalid(format!("nothing to draw with {self:?}")));
        }
        for t in &self.targets {
            Target2d::by_name(t).map_err(|e| ExperimentError::Invalid(e.to_string()))?;
        }
        Ok(())
    }
}

/// What was trained for one target, and how well it fits.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetSummary {
    pub target: String,
    pub steps: usize,
    pub parameters: i64,
    /// Held-out negative log-likelihood of the learned flow, nats per point.
    pub final_nll_nats: f64,
    /// Monte-Carlo estimate of the target's entropy on the same points (the best reachable NLL).
    pub target_entropy_nats: f64,
    /// `final_nll − target_entropy`: an estimate of KL(target ‖ learned), nats.
    pub kl_estimate_nats: f64,
    /// Integral of the learned density over the wide grid (should be ≈ 1).
    pub learned_mass_on_wide_grid: f64,
    /// (step, training NLL of that step's batch).
    pub loss_history: Vec<(usize, f64)>,
    pub train_seconds: f64,
}

/// The summary written to `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct NafSummary {
    pub experiment: &'static str,
    pub seed: u64,
    pub profile: String,
    pub device: String,
    pub targets: Vec<TargetSummary>,
}

/// The four panels of one row, as densities on the picture grid (row-major, top row first).
struct Row {
    source: Vec<f64>,
    target: Vec<f64>,
    learned: Vec<f64>,
    samples: Vec<f64>,
}

/// One line of `runs.jsonl`: a target's fit (`config` is the target, `run` is 0).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NafRecord {
    pub config: String,
    pub run: usize,
    #[serde(flatten)]
    pub fit: TargetSummary,
}

fn to_vec(t: &Tensor) -> Result<Vec<f64>> {
    let flat = t.f_to_kind(Kind::Double)?.f_to_device(Device::Cpu)?.f_contiguous()?.f_view([-1])?;
    Ok(Vec::<f64>::try_from(&flat)?)
}

/// A normalised 2-D histogram of points on the picture grid: density per pixel.
fn histogram(points: &[f64], extent: f64, pixels: usize) -> Vec<f64> {
    let mut h = vec![0.0; pixels * pixels];
    let n = points.len() / 2;
    let cell = 2.0 * extent / pixels as f64;
    for p in points.chunks_exact(2) {
        let c = ((p[0] + extent) / cell).floor();
        let r = ((extent - p[1]) / cell).floor();
        if c >= 0.0 && r >= 0.0 && (c as usize) < pixels && (r as usize) < pixels {
            h[r as usize * pixels + c as usize] += 1.0;
        }
    }
    let norm = 1.0 / (n.max(1) as f64 * cell * cell);
    h.iter_mut().for_each(|v| *v *= norm);
    h
}

fn fit_one(cfg: &NafConfig, index: usize, device: Device, log: &dyn Fn(&str)) -> Result<(TargetSummary, Row)> {
    let name = &cfg.targets[index];
    let target = Target2d::by_name(name).map_err(flow_error)?;
    mi_torch::seed_everything(cfg.seed.wrapping_mul(1000).wrapping_add(index as u64));
    let mut vs = nn::VarStore::new(device);
    vs.set_kind(Kind::Double);
    let flow = Naf2d::new(
        &vs.root(),
        &Naf2dConfig { layers: cfg.layers, components: cfg.components, hidden: cfg.hidden.clone() },
    )
    .map_err(flow_error)?;
    let fit_cfg = FitConfig {
        steps: cfg.steps,
        batch: cfg.batch,
        lr: cfg.lr,
        seed: cfg.seed.wrapping_mul(1000).wrapping_add(index as u64),
        eval_samples: 16_384,
        log_every: (cfg.steps / 30).max(1),
    };
    log(&format!("naf: fitting {name} ({} parameters, {} steps)", flow.num_parameters(), cfg.steps));
    let start = Instant::now();
    // Training tensors are small (512 × 16): libtorch's intra-op threads only add synchronisation
    // there, and on a busy machine they make each step several times slower. The evaluation
    // below (large grids, bisection on many samples) keeps the default threads.
    let threads = tch::get_num_threads();
    tch::set_num_threads(1);
    let report = fit_2d(&flow, &vs, &target, &fit_cfg);
    tch::set_num_threads(threads);
    let report = report.map_err(flow_error)?;
    let train_seconds = start.elapsed().as_secs_f64();
    log(&format!(
        "naf: {name}: held-out NLL {:.4} nats (target entropy {:.4}) in {train_seconds:.1} s",
        report.final_nll, report.target_entropy
    ));

    let t_eval = Instant::now();
    let (g, _) = grid(-cfg.extent, cfg.extent, cfg.pixels, Kind::Double, device).map_err(flow_error)?;
    let source = to_vec(&mi_flows::standard_normal_log_density(&g).exp())?;
    let target_d = to_vec(&target.log_density(&g).exp())?;
    let learned = to_vec(&flow_density(&flow, &g))?;
    let (wide, da) = grid(-cfg.wide, cfg.wide, cfg.wide_points, Kind::Double, device).map_err(flow_error)?;
    let mass = flow_density(&flow, &wide).f_sum(Kind::Double)?.f_double_value(&[])? * da;
    log(&format!("naf: {name}: densities on the grids in {:.1} s", t_eval.elapsed().as_secs_f64()));
    let t_inv = Instant::now();
    // samples through the inverse: z ~ N(0, I), x = f⁻¹(z)
    let z = Tensor::f_randn([cfg.samples as i64, 2], (Kind::Double, device))?;
    let (x, _) = tch::no_grad(|| flow.inverse(&z));
    let samples = histogram(&to_vec(&x)?, cfg.extent, cfg.pixels);
    log(&format!("naf: {name}: {} samples through the inverse in {:.1} s", cfg.samples, t_inv.elapsed().as_secs_f64()));

    let summary = TargetSummary {
        target: name.clone(),
        steps: cfg.steps,
        parameters: flow.num_parameters(),
        final_nll_nats: report.final_nll,
        target_entropy_nats: report.target_entropy,
        kl_estimate_nats: report.final_nll - report.target_entropy,
        learned_mass_on_wide_grid: mass,
        loss_history: report.loss_history,
        train_seconds,
    };
    Ok((summary, Row { source, target: target_d, learned, samples }))
}

fn max_of(v: &[f64]) -> f64 {
    v.iter().copied().filter(|x| x.is_finite()).fold(0.0, f64::max)
}

/// The four panel images of a row: source on its own scale, the rest on the target's.
fn panels(row: &Row, pixels: usize) -> [Image; 4] {
    let vmax = max_of(&row.target);
    [
        Image::heatmap(&row.source, pixels, pixels, max_of(&row.source)),
        Image::heatmap(&row.target, pixels, pixels, vmax),
        Image::heatmap(&row.learned, pixels, pixels, vmax),
        Image::heatmap(&row.samples, pixels, pixels, vmax),
    ]
}

const GAP: usize = 8;
const TITLES: [&str; 4] = ["source N(0, I)", "target", "learned (NAF density)", "samples via inverse"];

/// A row's four panels side by side, `GAP` apart: what `panels_<target>.png` holds.
fn strip(panels: &[Image; 4], pixels: usize) -> Image {
    let mut img = Image::filled(4 * pixels + 3 * GAP, pixels, [255, 255, 255]);
    for (c, p) in panels.iter().enumerate() {
        img.blit(p, c * (pixels + GAP), 0);
    }
    img
}

fn strip_file(target: &str) -> String {
    format!("panels_{target}.png")
}

/// The picture: a row per target (its PNG strip, or a note where it is missing), titles, numbers.
fn svg(strips: &[Option<Vec<u8>>], summaries: &[TargetSummary], cfg: &NafConfig) -> String {
    let p = cfg.pixels;
    let (left, top) = (150usize, 60usize);
    let w = left + 4 * p + 5 * GAP;
    let h = top + summaries.len() * (p + GAP) + 40;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{left}\" y=\"22\" font-size=\"16\">A 2-D neural autoregressive flow between densities \
         (seed {}, {} steps; panels show [−{e}, {e}]²)</text>\n",
        cfg.seed,
        cfg.steps,
        e = cfg.extent
    );
    for (c, t) in TITLES.iter().enumerate() {
        let x = left + GAP + c * (p + GAP) + p / 2;
        s += &format!("<text x=\"{x}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\">{}</text>\n", top - 8, xml_escape(t));
    }
    for (r, (png, sm)) in strips.iter().zip(summaries).enumerate() {
        let y = top + r * (p + GAP);
        s += &format!("<text x=\"10\" y=\"{}\" font-size=\"14\" font-weight=\"bold\">{}</text>\n", y + p / 2 - 20, xml_escape(&sm.target));
        let lines = [
            format!("NLL {:.3} nats", sm.final_nll_nats),
            format!("entropy {:.3}", sm.target_entropy_nats),
            format!("mass {:.4}", sm.learned_mass_on_wide_grid),
        ];
        for (i, l) in lines.iter().enumerate() {
            s += &format!("<text x=\"10\" y=\"{}\" font-size=\"12\">{}</text>\n", y + p / 2 + i * 16, xml_escape(l));
        }
        match png {
            Some(png) => {
                s += &format!(
                    "<image x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{p}\" style=\"image-rendering:pixelated\" \
                     href=\"data:image/png;base64,{}\"/>\n",
                    left + GAP,
                    4 * p + 3 * GAP,
                    base64(png)
                );
            }
            None => {
                s += &format!("<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#a00\">{} is missing from the folder</text>\n", left + GAP, y + p / 2, strip_file(&sm.target));
            }
        }
    }
    s += &format!(
        "<text x=\"{left}\" y=\"{}\" font-size=\"11\" fill=\"#555\">Colour: density, linear; target, learned and \
         samples share the target's scale per row. NLL on 16,384 held-out target points; mass = integral of the \
         learned density over [−{w}, {w}]².</text>\n</svg>\n",
        h - 14,
        w = cfg.wide
    );
    s
}

fn fit_table(summary: &NafSummary) -> String {
    let mut s = String::from(
        "| target | parameters | held-out NLL (nats) | target entropy (nats) | NLL − entropy ≈ KL | mass on wide grid | train s |\n|---|---|---|---|---|---|---|\n",
    );
    for t in &summary.targets {
        s += &format!(
            "| {} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.1} |\n",
            t.target, t.parameters, t.final_nll_nats, t.target_entropy_nats, t.kl_estimate_nats, t.learned_mass_on_wide_grid, t.train_seconds
        );
    }
    s
}

/// The picture as an [`Experiment`]: one unit per target.
pub struct Naf;

impl Experiment for Naf {
    type Settings = NafConfig;
    type Prepared = ();
    type Record = NafRecord;
    type Summary = NafSummary;

    fn id(&self) -> String {
        "naf".into()
    }

    fn accepts(&self) -> &'static [Override] {
        &[Override::Steps]
    }

    /// The flows are tiny: the CPU is as fast as a GPU here.
    fn prefers_cpu(&self) -> bool {
        true
    }

    fn settings(&self, profile: Profile, opts: &RunOptions) -> Result<NafConfig> {
        let mut cfg = NafConfig::named(profile, opts.seed);
        cfg.steps = opts.steps.unwrap_or(cfg.steps);
        cfg.validate()?;
        Ok(cfg)
    }

    fn settings_json(&self, cfg: &NafConfig) -> serde_json::Value {
        serde_json::to_value(cfg).unwrap_or_default()
    }

    /// ≈150 steps/s of batch 512 plus ≈4 s of density grids per target on the development machine.
    fn unit_plan(&self, cfg: &NafConfig, _unit: &RunKey) -> UnitPlan {
        UnitPlan { seed: Some(cfg.seed), steps: Some(cfg.steps as u64), cost_core_seconds: Some(cfg.steps as f64 / 150.0 + 4.0) }
    }

    fn units(&self, cfg: &NafConfig) -> Vec<RunKey> {
        cfg.targets.iter().map(|t| RunKey { config: t.clone(), run: 0 }).collect()
    }

    fn start_line(&self, cfg: &NafConfig) -> String {
        format!("{} targets ({}), {} steps each", cfg.targets.len(), cfg.targets.join(", "), cfg.steps)
    }

    fn prepare(&self, _cfg: &NafConfig, _ctx: &Context) -> Result<()> {
        Ok(())
    }

    fn run_unit(&self, cfg: &NafConfig, _prep: &(), unit: &RunKey, ctx: &Context) -> Result<Vec<NafRecord>> {
        let index = cfg.targets.iter().position(|t| *t == unit.config).ok_or_else(|| ExperimentError::Invalid(format!("naf: no target {}", unit.config)))?;
        let (fit, row) = fit_one(cfg, index, ctx.device, &|m| ctx.say(m))?;
        let png = strip(&panels(&row, cfg.pixels), cfg.pixels).to_png().map_err(|e| ExperimentError::File { path: ctx.dir.path(&strip_file(&unit.config)), message: e.to_string() })?;
        ctx.dir.write_bytes(&strip_file(&unit.config), &png)?;
        ctx.say(&format!(
            "{:8} held-out NLL {:.4} nats (target entropy {:.4}), mass on wide grid {:.4}",
            fit.target, fit.final_nll_nats, fit.target_entropy_nats, fit.learned_mass_on_wide_grid
        ));
        Ok(vec![NafRecord { config: unit.config.clone(), run: 0, fit }])
    }

    fn summarize(&self, cfg: &NafConfig, _prep: &(), records: &[NafRecord], ctx: &Context) -> Result<NafSummary> {
        let targets = cfg.targets.iter().filter_map(|t| records.iter().find(|r| &r.config == t)).map(|r| r.fit.clone()).collect();
        Ok(NafSummary { experiment: "naf", seed: cfg.seed, profile: cfg.profile.clone(), device: ctx.device_label.clone(), targets })
    }

    fn report(&self, cfg: &NafConfig, _prep: &(), summary: &NafSummary, _records: &[NafRecord], ctx: &Context) -> Result<Report> {
        let strips: Vec<Option<Vec<u8>>> = summary.targets.iter().map(|t| std::fs::read(ctx.dir.path(&strip_file(&t.target))).ok()).collect();
        let intro = format!(
            "![](naf.svg)\n\n{}, seed {}, {} Adam steps of batch {} (lr {} with cosine decay), {} NAF layers \
             with K = {} sigmoids and conditioners 1→{:?}→{}, float64 on {}.",
            mi_train::profile::sentence(&ctx.profile_reason), cfg.seed, cfg.steps, cfg.batch, cfg.lr, cfg.layers, cfg.components, cfg.hidden,
            3 * cfg.components, summary.device
        );
        let figure = Figure { name: "naf".into(), svg: svg(&strips, &summary.targets, cfg), png_scale: 1.0, listed: false };
        Ok(Report {
            title: "NAF: a neural autoregressive flow between 2-D densities".into(),
            intro,
            claims: vec![],
            sections: vec![("Fit per target".into(), fit_table(summary))],
            figures: vec![figure],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_a_density() {
        let pts = [0.1, 0.1, -0.1, -0.1, 0.5, 0.5, 10.0, 10.0];
        let h = histogram(&pts, 1.0, 4);
        let cell = 0.5 * 0.5;
        let mass: f64 = h.iter().sum::<f64>() * cell;
        assert!((mass - 0.75).abs() < 1e-12, "one of four points is outside: {mass}");
        // (0.1, 0.1) is column 2, row 1 (y decreases downwards)
        assert!(h[4 + 2] > 0.0);
    }

    #[test]
    fn profiles_are_valid_and_bad_targets_are_refused() {
        for p in [Profile::Paper, Profile::Quick, Profile::Smoke] {
            NafConfig::named(p, 0).validate().unwrap();
        }
        let mut cfg = NafConfig::named(Profile::Smoke, 0);
        cfg.targets = vec!["spiral".into()];
        assert!(cfg.validate().unwrap_err().is_bad_input());
    }

    #[test]
    fn a_fitted_row_is_a_density_and_its_strip_is_drawn() {
        let _rng = crate::test_rng_lock();
        let mut cfg = NafConfig::named(Profile::Smoke, 3);
        cfg.steps = 30;
        cfg.targets = vec!["mixture".into()];
        cfg.pixels = 16;
        cfg.samples = 500;
        let (fit, row) = fit_one(&cfg, 0, Device::Cpu, &|_| {}).unwrap();
        assert!(fit.final_nll_nats.is_finite());
        assert!((fit.learned_mass_on_wide_grid - 1.0).abs() < 0.05);
        let png = strip(&panels(&row, cfg.pixels), cfg.pixels).to_png().unwrap();
        let svg = svg(&[Some(png)], std::slice::from_ref(&fit), &cfg);
        assert!(svg.starts_with("<svg") && svg.contains("data:image/png;base64,"));
        let png = mi_report::chart::svg_to_png(&svg, 1.0).unwrap();
        assert!(png.len() > 1000);
        assert!(svg_missing_note(&cfg, &fit).contains("panels_mixture.png is missing"));
    }

    fn svg_missing_note(cfg: &NafConfig, fit: &TargetSummary) -> String {
        svg(&[None], std::slice::from_ref(fit), cfg)
    }
}
