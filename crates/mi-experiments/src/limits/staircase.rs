//! The staircase benchmark (Poole et al. 2019; Song & Ermon 2020): one critic trained through
//! MI levels 2 → 4 → … nats on fresh Gaussian (or cubic) samples every step, recording the
//! estimate of every step.
//!
//! One training run per (critic, task, objective). Objectives and what each run reports:
//! * InfoNCE → InfoNCE; NWJ → NWJ; MINE (DV value, moving-average gradient) → DV;
//! * JS (f-GAN) → three values of the same critic: NWJ of f + 1 (the JS critic's optimum is
//!   log r, NWJ's is 1 + log r), SMILE τ = 1 and SMILE τ = 5. SMILE's gradient *is* JS's, so a
//!   separate SMILE run with the same seed would train exactly the same critic;
//! * I_α (α = 0.01) with a learned baseline a(x) (an MLP of the row variable) → I_α.
//!
//! Objectives are [`Bound`]s: any bound of mi-estimators trains here (one that needs a baseline
//! gets the baseline network), so a new bound needs no change in this file.
//!
//! Training is in f32; the recorded estimates are the f64 bounds of `mi-estimators` on the
//! step's score matrix (exact log-sum-exp), before that step's update. A step whose loss is not
//! finite is not applied (counted in `skipped_steps`) so one overflow cannot poison the critic.
use mi_train::{ExperimentError, Result};
use mi_train::progress::RunProgress;
use mi_critics::{ConcatMlp, Critic, Separable};
use mi_estimators::bounds::{Bound, MineEma};
use mi_estimators::tasks::{Task, Transform};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Instant;
use tch::nn::{self, Module, OptimizerConfig};
use tch::{Device, Kind, Tensor};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriticArch {
    /// φ1(x)ᵀφ2(y), each φ = 2×256 ReLU → 32.
    Separable,
    /// MLP 2×256 ReLU → 1 on [x; y], evaluated on all B² pairs.
    Concat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskVariant {
    /// The Gaussian staircase itself.
    Gaussian,
    /// y ↦ y³ coordinate-wise (same MI).
    Cubic,
}

impl TaskVariant {
    pub fn task(self, dim: usize, mi_nats: f64) -> Result<Task> {
        let t = Task::staircase(dim, mi_nats)?;
        Ok(match self {
            TaskVariant::Gaussian => t,
            TaskVariant::Cubic => t.with_y_transform(Transform::Cube)?,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            TaskVariant::Gaussian => "gaussian",
            TaskVariant::Cubic => "cubic",
        }
    }
}

impl CriticArch {
    pub fn name(self) -> &'static str {
        match self {
            CriticArch::Separable => "separable",
            CriticArch::Concat => "concat",
        }
    }
}

/// The bounds the staircase trains as objectives by default (Poole et al.'s figure), in order.
pub const OBJECTIVES: [Bound; 5] = [Bound::Infonce, Bound::Nwj, Bound::Mine, Bound::Js, IALPHA];
/// SMILE with τ = 1 and τ = 5, the two clippings the staircase reads a JS critic with.
pub const SMILE_1: Bound = Bound::Smile { tau: 1.0 };
pub const SMILE_5: Bound = Bound::Smile { tau: 5.0 };
/// I_α with α = 0.01, the staircase's setting.
pub const IALPHA: Bound = Bound::Ialpha { alpha: Bound::DEFAULT_ALPHA };

/// The estimates a run trained with `objective` records: a JS critic is read three ways (NWJ of
/// f + 1, SMILE τ = 1, SMILE τ = 5: SMILE's gradient *is* JS's); every other bound as itself.
pub fn reported(objective: Bound) -> Vec<Bound> {
    match objective {
        Bound::Js => vec![Bound::Js, SMILE_1, SMILE_5],
        b => vec![b],
    }
}

/// Every estimate runs trained with `objectives` record, each once, in order (the figure's panels).
pub fn all_reported(objectives: &[Bound]) -> Vec<Bound> {
    let mut all: Vec<Bound> = objectives.iter().flat_map(|&o| reported(o)).collect();
    all.sort();
    all.dedup();
    all
}

/// A bound's value on one score matrix (f64; the baseline only for the bounds that use one);
/// `None` when it is not finite or cannot be computed (a diverged critic).
fn value(bound: Bound, scores: &Array2<f64>, log_baseline: Option<&Array1<f64>>) -> Option<f64> {
    let lb = log_baseline.map(|b| b.view());
    bound.value_with_baseline(&scores.view(), lb.as_ref()).ok().filter(|v| v.is_finite())
}

/// One training run's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub name: String,
    pub critic: CriticArch,
    pub task: TaskVariant,
    pub objective: Bound,
    pub steps_per_level: usize,
}

/// Settings shared by every run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaircaseSettings {
    pub dim: usize,
    pub levels_nats: Vec<f64>,
    pub batch: usize,
    pub learning_rate: f64,
    pub hidden: Vec<i64>,
    pub embed: i64,
    pub mine_ema_decay: f64,
    /// Sample sizes N at which the trained separable critics are evaluated after the last level.
    pub cap_sizes: Vec<usize>,
    pub cap_trials: usize,
}

/// The trained critic of the last level, evaluated on N fresh samples (one N×N matrix per trial).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapEval {
    pub n: usize,
    pub estimator: Bound,
    /// One value per trial; `None` where not finite.
    pub values_nats: Vec<Option<f64>>,
}

/// Everything one run records (one line of `runs.jsonl`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub config: String,
    pub run: usize,
    pub seed: u64,
    pub critic: CriticArch,
    pub task: TaskVariant,
    pub objective: Bound,
    pub steps_per_level: usize,
    pub levels_nats: Vec<f64>,
    /// Per reported estimator, the estimate at every step (all levels in order); `None` where
    /// not finite. Stored as f32 (the values are noisy to far more than f32's precision).
    pub estimates_nats: BTreeMap<Bound, Vec<Option<f32>>>,
    pub skipped_steps: usize,
    pub seconds: f64,
    pub cap_eval: Vec<CapEval>,
}

/// The critic and, for I_α, the baseline network.
struct Models {
    vs: nn::VarStore,
    critic: Box<dyn Critic>,
    baseline: Option<nn::Sequential>,
}

fn build(cfg: &TrainConfig, s: &StaircaseSettings, device: Device, seed: u64) -> Result<Models> {
    mi_torch::seed_everything(seed);
    let vs = nn::VarStore::new(device);
    let d = s.dim as i64;
    let critic: Box<dyn Critic> = match cfg.critic {
        CriticArch::Separable => Box::new(Separable::with_layers(&vs.root().sub("critic"), d, d, &s.hidden, s.embed)?),
        CriticArch::Concat => Box::new(ConcatMlp::with_layers(&vs.root().sub("critic"), d, d, &s.hidden)?),
    };
    let baseline = cfg.objective.needs_baseline().then(|| {
        let p = vs.root().sub("baseline");
        let mut seq = nn::seq();
        let mut prev = d;
        for (k, &h) in s.hidden.iter().enumerate() {
            seq = seq.add(nn::linear(p.sub(k.to_string()), prev, h, Default::default())).add_fn(|t| t.relu());
            prev = h;
        }
        seq.add(nn::linear(p.sub("out"), prev, 1, Default::default()))
    });
    Ok(Models { vs, critic, baseline })
}

fn to_tensor(a: &Array2<f64>, device: Device) -> Tensor {
    let f = a.mapv(|v| v as f32);
    mi_torch::array2_to_tensor(&f.view(), device)
}

fn to_f64(t: &Tensor) -> Result<Array2<f64>> {
    Ok(mi_torch::tensor_to_array2::<f64>(&t.detach())?)
}

fn baseline_f64(b: &Tensor) -> Result<Array1<f64>> {
    let v = Vec::<f64>::try_from(&b.detach().to_device(Device::Cpu).to_kind(Kind::Double).contiguous().view([-1]))?;
    Ok(Array1::from(v))
}

/// Trains one configuration through every level and returns its record.
#[allow(clippy::too_many_arguments)]
pub fn train(cfg: &TrainConfig, s: &StaircaseSettings, run: usize, base_seed: u64, device: Device, quiet: bool) -> Result<RunRecord> {
    if s.levels_nats.is_empty() || cfg.steps_per_level == 0 || s.batch < 2 {
        return Err(ExperimentError::Invalid(format!("nothing to train in {}: levels {:?}, {} steps, batch {}", cfg.name, s.levels_nats, cfg.steps_per_level, s.batch)));
    }
    let seed = crate::infomax::run_seed(base_seed, &cfg.name, run);
    let m = build(cfg, s, device, seed)?;
    let mut opt = nn::Adam::default().build(&m.vs, s.learning_rate)?;
    let mut ema = MineEma::new(s.mine_ema_decay)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x57a1_5ca5);
    let reported = reported(cfg.objective);
    let mut estimates: BTreeMap<Bound, Vec<Option<f32>>> = reported.iter().map(|&e| (e, vec![])).collect();
    let total = cfg.steps_per_level * s.levels_nats.len();
    let mut progress = RunProgress::new(format!("{} run {run}", cfg.name), total as u64, quiet);
    let start = Instant::now();
    let mut skipped = 0;
    for &mi in &s.levels_nats {
        let task = cfg.task.task(s.dim, mi)?;
        for k in 0..cfg.steps_per_level {
            let (x, y) = task.sample(s.batch, rng.gen());
            let (xt, yt) = (to_tensor(&x, device), to_tensor(&y, device));
            let scores = m.critic.scores(&xt, &yt);
            let log_baseline = m.baseline.as_ref().map(|b| b.forward(&xt).squeeze_dim(1));
            let loss = -cfg.objective.tensor_with(&scores, Some(&mut ema), log_baseline.as_ref())?;
            if loss.double_value(&[]).is_finite() {
                opt.backward_step(&loss);
            } else {
                opt.zero_grad();
                skipped += 1;
            }
            let shown = record_estimates(&mut estimates, &reported, &scores, log_baseline.as_ref())?;
            let done = estimates.values().next().map_or(0, Vec::len);
            if k % 25 == 0 || done == total {
                progress.update(done as u64, &format!("I = {mi} nats, {} {shown:.3}", reported[0]));
            }
        }
    }
    let cap_eval = match cfg.critic {
        CriticArch::Separable => cap_evaluation(cfg, s, &m, device, seed)?,
        CriticArch::Concat => vec![],
    };
    let seconds = start.elapsed().as_secs_f64();
    progress.finish(&format!("{} skipped steps, {:.1} steps/s", skipped, total as f64 / seconds.max(1e-9)));
    Ok(RunRecord {
        config: cfg.name.clone(),
        run,
        seed,
        critic: cfg.critic,
        task: cfg.task,
        objective: cfg.objective,
        steps_per_level: cfg.steps_per_level,
        levels_nats: s.levels_nats.clone(),
        estimates_nats: estimates,
        skipped_steps: skipped,
        seconds,
        cap_eval,
    })
}

/// Appends every reported bound's value on this step's scores (None where it is not finite) and
/// returns the first one's, for the progress line.
fn record_estimates(
    estimates: &mut BTreeMap<Bound, Vec<Option<f32>>>,
    reported: &[Bound],
    scores: &Tensor,
    log_baseline: Option<&Tensor>,
) -> Result<f64> {
    let s64 = to_f64(scores)?;
    let lb = match log_baseline {
        Some(b) => Some(baseline_f64(b)?),
        None => None,
    };
    let mut shown = f64::NAN;
    for &e in reported {
        let v = value(e, &s64, lb.as_ref());
        if e == reported[0] {
            shown = v.unwrap_or(f64::NAN);
        }
        if let Some(series) = estimates.get_mut(&e) {
            series.push(v.map(|v| v as f32).filter(|v| v.is_finite()));
        }
    }
    Ok(shown)
}

/// The final critic (trained at the last level) on N fresh samples of the last level, N ∈
/// `cap_sizes`: each reported bound on the whole N×N score matrix.
fn cap_evaluation(cfg: &TrainConfig, s: &StaircaseSettings, m: &Models, device: Device, seed: u64) -> Result<Vec<CapEval>> {
    let Some(&mi) = s.levels_nats.last() else { return Ok(vec![]) };
    let task = cfg.task.task(s.dim, mi)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xca9_e7a1);
    let _guard = tch::no_grad_guard();
    let mut out: Vec<CapEval> = vec![];
    for &n in &s.cap_sizes {
        let mut per: BTreeMap<Bound, Vec<Option<f64>>> = BTreeMap::new();
        for _ in 0..s.cap_trials {
            let (x, y) = task.sample(n, rng.gen());
            let xt = to_tensor(&x, device);
            let scores = to_f64(&m.critic.scores(&xt, &to_tensor(&y, device)))?;
            let lb = match &m.baseline {
                Some(b) => Some(baseline_f64(&b.forward(&xt).squeeze_dim(1))?),
                None => None,
            };
            for e in reported(cfg.objective) {
                per.entry(e).or_default().push(value(e, &scores, lb.as_ref()));
            }
        }
        out.extend(per.into_iter().map(|(estimator, values_nats)| CapEval { n, estimator, values_nats }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A few dozen steps of every objective on both critics: finite estimates, one per step, and
    /// the same seed gives the same numbers.
    #[test]
    fn every_objective_trains_and_repeats() {
        let _rng = crate::test_rng_lock();
        let s = StaircaseSettings {
            dim: 4,
            levels_nats: vec![1.0, 2.0],
            batch: 16,
            learning_rate: 5e-4,
            hidden: vec![16, 16],
            embed: 8,
            mine_ema_decay: 0.99,
            cap_sizes: vec![32],
            cap_trials: 2,
        };
        tch::set_num_threads(1);
        for critic in [CriticArch::Separable, CriticArch::Concat] {
            for objective in OBJECTIVES.into_iter().chain([Bound::Dv, Bound::Tuba]) {
                let cfg = TrainConfig { name: format!("{}-{objective}", critic.name()), critic, task: TaskVariant::Cubic, objective, steps_per_level: 6 };
                let r = train(&cfg, &s, 0, 1, Device::Cpu, true).unwrap();
                assert_eq!(r.estimates_nats.len(), reported(objective).len());
                for v in r.estimates_nats.values() {
                    assert_eq!(v.len(), 12);
                    assert!(v.iter().all(|x| x.is_some()), "{cfg:?}: {v:?}");
                }
                if objective == Bound::Infonce {
                    let cap = (16f32).ln();
                    assert!(r.estimates_nats[&Bound::Infonce].iter().all(|v| v.unwrap() <= cap + 1e-6));
                }
                let again = train(&cfg, &s, 0, 1, Device::Cpu, true).unwrap();
                assert_eq!(again.estimates_nats, r.estimates_nats, "{cfg:?} is not repeatable");
                match critic {
                    CriticArch::Separable => {
                        assert_eq!(r.cap_eval.len(), reported(objective).len());
                        assert!(r.cap_eval.iter().all(|c| c.n == 32 && c.values_nats.len() == 2));
                    }
                    CriticArch::Concat => assert!(r.cap_eval.is_empty()),
                }
            }
        }
    }
}
