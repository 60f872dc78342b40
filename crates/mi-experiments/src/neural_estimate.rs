//! Neural MI estimation from samples: train a critic with a variational bound on a training
//! split, early-stop on a held-out split, and report the held-out estimate with the cap it
//! cannot exceed.
//!
//! ```text
//! paired samples (x_i, y_i) ──standardise (training-split moments)──► shuffle once (seeded)
//!   ├─ training split (1 − held_out) ── batches of B ── critic scores S (B×B) ── bound ── Adam
//!   └─ held-out split ── every `eval_every` steps: the bound (f64) averaged over its full
//!                        batches of B; stop after `patience` evaluations without improvement
//! ```
//!
//! What is reported, per bound (the value is always the f64 form of [`mi_estimators::bounds`] on
//! held-out score matrices; training uses the tensor form):
//!
//! | `--estimator` | trained with | reported | cap |
//! |---|---|---|---|
//! | `infonce` | InfoNCE | InfoNCE | log B, exactly (a property of the bound) |
//! | `nwj` | NWJ | NWJ | ≈ ln N held-out samples (McAllester & Stratos) |
//! | `dv` | DV | DV | ≈ ln N |
//! | `mine` | DV with MINE's moving-average gradient | DV | ≈ ln N |
//! | `smile` | JS (SMILE's gradient) | SMILE(τ), DV with clipped negatives | ≈ ln N |
//! | `js` | JS (f-GAN) | NWJ of the critic + 1 (the JS optimum is the log density ratio) | ≈ ln N |
//!
//! Early stopping picks the evaluation with the largest held-out estimate, so the reported value
//! carries a small selection bias upwards (the maximum over evaluations of a noisy average); with
//! thousands of held-out pairs it is far below the estimators' own bias and variance.
use mi_train::{ExperimentError, Result};
use mi_critics::{ConcatMlp, Critic, Separable};
use mi_estimators::bounds::{Bound, MineEma};
use ndarray::{Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tch::nn::OptimizerConfig;
use tch::{nn, Device, Kind, Tensor};

/// The bounds a critic can be trained with here: those that need no baseline network.
pub fn trainable(bound: Bound) -> bool {
    !bound.needs_baseline()
}

/// The critic architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NeuralCritic {
    /// φ1(x)ᵀφ2(y), each φ = Dense(d→hidden, ReLU) → Dense(hidden→embed).
    Separable,
    /// f([x; y]) = Dense(hidden→1)(ReLU(Dense(dx+dy→hidden))) on all B² pairs.
    Concat,
}

impl NeuralCritic {
    pub fn named(name: &str) -> Option<Self> {
        match name {
            "separable" => Some(Self::Separable),
            "concat" => Some(Self::Concat),
            _ => None,
        }
    }
}

/// Settings of one neural estimate.
#[derive(Debug, Clone, Serialize)]
pub struct NeuralOptions {
    pub bound: Bound,
    pub critic: NeuralCritic,
    pub hidden: i64,
    /// Embedding size of the separable critic.
    pub embed: i64,
    /// Pairs per batch; InfoNCE's estimate cannot exceed log(batch).
    pub batch: usize,
    pub learning_rate: f64,
    /// The most training steps (early stopping usually ends sooner).
    pub max_steps: usize,
    pub eval_every: usize,
    /// Evaluations without a better held-out estimate before stopping.
    pub patience: usize,
    /// Fraction of the samples held out for early stopping and the reported estimate.
    pub held_out: f64,
    /// Weight on the past of MINE's moving average.
    pub mine_decay: f64,
    pub seed: u64,
    #[serde(skip)]
    pub device: Device,
}

impl Default for NeuralOptions {
    fn default() -> Self {
        Self {
            bound: Bound::Infonce,
            critic: NeuralCritic::Separable,
            hidden: 256,
            embed: 32,
            batch: 128,
            learning_rate: 5e-4,
            max_steps: 5_000,
            eval_every: 100,
            patience: 10,
            held_out: 0.2,
            mine_decay: 0.99,
            seed: 0,
            device: Device::Cpu,
        }
    }
}

/// One evaluation of the held-out estimate.
#[derive(Debug, Clone, Serialize)]
pub struct NeuralEval {
    pub step: usize,
    /// Mean of the reported value over the training batches since the previous evaluation.
    pub train_mi_nats: f64,
    pub held_out_mi_nats: f64,
}

/// What a neural estimate found.
#[derive(Debug, Clone, Serialize)]
pub struct NeuralEstimate {
    pub estimator: String,
    /// The held-out estimate at the early-stopping step.
    pub mi_nats: f64,
    /// Its standard error over the held-out batches: the evaluation noise given the trained
    /// critic (NaN with a single held-out batch). Seed-to-seed variation of training is not in it.
    pub held_out_standard_error_nats: f64,
    /// What the estimate cannot exceed: log(batch) for InfoNCE (exact); for the other bounds
    /// ln(held-out pairs), the McAllester–Stratos limit of distribution-free lower bounds.
    pub cap_nats: f64,
    /// `log_batch` or `log_held_out_samples`.
    pub cap_kind: &'static str,
    /// Training steps taken (early stopping included).
    pub steps: usize,
    /// The step whose critic gave `mi_nats`.
    pub best_step: usize,
    pub stopped_early: bool,
    pub batch: usize,
    pub n_train: usize,
    pub n_held_out: usize,
    pub history: Vec<NeuralEval>,
}

fn tensor_of(a: &ArrayView2<f64>, rows: &[usize], device: Device) -> Tensor {
    let (n, d) = (rows.len(), a.ncols());
    let mut flat = Vec::with_capacity(n * d);
    for &r in rows {
        flat.extend(a.row(r).iter().map(|&v| v as f32));
    }
    Tensor::from_slice(&flat).view([n as i64, d as i64]).to_device(device)
}

fn to_array(t: &Tensor) -> Result<Array2<f64>> {
    let size = t.size();
    let flat = Vec::<f64>::try_from(t.to_kind(Kind::Double).to_device(Device::Cpu).contiguous().view([-1]))?;
    Array2::from_shape_vec((size[0] as usize, size[1] as usize), flat)
        .map_err(|e| ExperimentError::Invalid(format!("score matrix: {e}")))
}

/// Per-column standardisation with the training rows' mean and sd (constant columns are only
/// centred).
fn standardise(a: &Array2<f64>, train_rows: &[usize]) -> Array2<f64> {
    let mut out = a.clone();
    for mut col in out.axis_iter_mut(Axis(1)) {
        let n = train_rows.len() as f64;
        let mean = train_rows.iter().map(|&r| col[r]).sum::<f64>() / n;
        let var = train_rows.iter().map(|&r| (col[r] - mean).powi(2)).sum::<f64>() / n;
        let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
        col.mapv_inplace(|v| (v - mean) / sd);
    }
    out
}

// `!(v > 0.0)` on purpose: it also refuses NaN
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn check(x: &ArrayView2<f64>, y: &ArrayView2<f64>, o: &NeuralOptions) -> Result<()> {
    let bad = |m: String| Err(ExperimentError::Invalid(m));
    if x.nrows() != y.nrows() {
        return bad(format!("X has {} rows but Y has {}: the samples must be paired, one per row", x.nrows(), y.nrows()));
    }
    if x.ncols() == 0 || y.ncols() == 0 {
        return bad("X and Y need at least one column each".into());
    }
    if x.iter().chain(y.iter()).any(|v| !v.is_finite()) {
        return bad("the samples contain NaN or infinity: remove or impute those rows first".into());
    }
    if !(o.held_out > 0.0 && o.held_out < 1.0) {
        return bad(format!("held-out fraction {} must be in (0, 1)", o.held_out));
    }
    if o.batch < 2 {
        return bad(format!("batch {} must be at least 2 (the bounds compare each pair with the others)", o.batch));
    }
    if o.max_steps == 0 || o.eval_every == 0 || o.patience == 0 {
        return bad("steps, eval_every and patience must be at least 1".into());
    }
    if !(o.learning_rate > 0.0) || o.hidden < 1 || o.embed < 1 {
        return bad("learning rate, hidden and embedding sizes must be positive".into());
    }
    if !trainable(o.bound) {
        return bad(format!("{} needs a baseline network, which `infomax estimate` does not train; use infonce, nwj, dv, mine, smile or js", o.bound));
    }
    if let Bound::Smile { tau } = o.bound {
        if !(tau > 0.0) {
            return bad(format!("SMILE's τ must be > 0, got {tau}"));
        }
    }
    let n_held = (x.nrows() as f64 * o.held_out).round() as usize;
    let n_train = x.nrows() - n_held;
    if n_held < o.batch || n_train < o.batch {
        return bad(format!(
            "{} samples with {:.0} % held out leave {n_train} for training and {n_held} held out, but a batch needs {} \
             pairs in each: give more samples or a smaller --batch",
            x.nrows(),
            o.held_out * 100.0,
            o.batch
        ));
    }
    Ok(())
}

/// The standardised samples split into training rows and held-out batches.
struct Split {
    x_train: Tensor,
    y_train: Tensor,
    held_batches: Vec<(Tensor, Tensor)>,
    n_train: usize,
    n_held: usize,
    dims: (i64, i64),
}

fn split(x: &ArrayView2<f64>, y: &ArrayView2<f64>, o: &NeuralOptions) -> Split {
    let n = x.nrows();
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed ^ 0x6e65_7572);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    let n_held = (n as f64 * o.held_out).round() as usize;
    let (held_rows, train_rows) = order.split_at(n_held);
    let (xs, ys) = (standardise(&x.to_owned(), train_rows), standardise(&y.to_owned(), train_rows));
    let (xs, ys) = (xs.view(), ys.view());
    let device = o.device;
    Split {
        x_train: tensor_of(&xs, train_rows, device),
        y_train: tensor_of(&ys, train_rows, device),
        held_batches: held_rows.chunks_exact(o.batch).map(|rows| (tensor_of(&xs, rows, device), tensor_of(&ys, rows, device))).collect(),
        n_train: train_rows.len(),
        n_held,
        dims: (xs.ncols() as i64, ys.ncols() as i64),
    }
}

/// The mean reported estimate over the held-out batches and its standard error over them.
fn held_out_value(critic: &dyn Critic, data: &Split, o: &NeuralOptions) -> Result<(f64, f64)> {
    let _g = tch::no_grad_guard();
    let mut values = Vec::with_capacity(data.held_batches.len());
    for (hx, hy) in &data.held_batches {
        values.push(o.bound.value(&to_array(&critic.scores(hx, hy))?.view()).map_err(|e| ExperimentError::Invalid(format!("bound: {e}")))?);
    }
    let m = values.len() as f64;
    let mean = values.iter().sum::<f64>() / m;
    let var = if values.len() > 1 { values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m - 1.0) } else { f64::NAN };
    Ok((mean, (var / m).sqrt()))
}

/// The best held-out estimate so far and when to stop.
#[derive(Default)]
struct EarlyStop {
    best: f64,
    best_standard_error: f64,
    best_step: usize,
    since_best: usize,
}

impl EarlyStop {
    /// Records an evaluation; `true` when `patience` evaluations in a row did not improve.
    fn update(&mut self, step: usize, (held, standard_error): (f64, f64), patience: usize) -> bool {
        if held > self.best {
            (self.best, self.best_standard_error, self.best_step, self.since_best) = (held, standard_error, step, 0);
            false
        } else {
            self.since_best += 1;
            self.since_best >= patience
        }
    }
}

/// Trains a critic on paired samples `x` (`[n, dx]`) and `y` (`[n, dy]`) and returns the held-out
/// estimate. Deterministic on the CPU for a given seed. `progress(step, held_out_estimate)` is
/// called after every evaluation.
pub fn estimate(x: &ArrayView2<f64>, y: &ArrayView2<f64>, o: &NeuralOptions, progress: &mut dyn FnMut(usize, f64)) -> Result<NeuralEstimate> {
    check(x, y, o)?;
    let data = split(x, y, o);
    mi_torch::seed_everything(o.seed);
    let vs = nn::VarStore::new(o.device);
    let (dx, dy) = data.dims;
    let critic: Box<dyn Critic> = match o.critic {
        NeuralCritic::Separable => Box::new(Separable::new(&vs.root().sub("critic"), dx, dy, o.hidden, o.embed).map_err(inv)?),
        NeuralCritic::Concat => Box::new(ConcatMlp::new(&vs.root().sub("critic"), dx, dy, o.hidden).map_err(inv)?),
    };
    let mut opt = nn::Adam::default().build(&vs, o.learning_rate)?;
    let mut ema = MineEma::new(o.mine_decay).map_err(|e| ExperimentError::Invalid(e.to_string()))?;
    let mut batches = mi_views::batch::BatchStream::new(data.n_train, o.batch, o.seed).map_err(inv)?;
    let mut history = vec![];
    let mut stop = EarlyStop { best: f64::NEG_INFINITY, ..Default::default() };
    let (mut train_acc, mut train_count) = (0.0, 0usize);
    let (mut steps, mut stopped_early) = (0, false);
    for step in 1..=o.max_steps {
        let idx: Vec<i64> = batches.next_batch().into_iter().map(|i| i as i64).collect();
        let it = Tensor::from_slice(&idx).to_device(o.device);
        let s = critic.scores(&data.x_train.index_select(0, &it), &data.y_train.index_select(0, &it));
        let objective = o.bound.tensor_with(&s, Some(&mut ema), None).map_err(|e| ExperimentError::Invalid(format!("bound: {e}")))?;
        opt.backward_step(&(-&objective));
        steps = step;
        train_acc += reported_value(o, &s, &objective, step)?;
        train_count += 1;
        if step % o.eval_every == 0 || step == o.max_steps {
            let (held, se) = held_out_value(&*critic, &data, o)?;
            history.push(NeuralEval { step, train_mi_nats: train_acc / train_count as f64, held_out_mi_nats: held });
            (train_acc, train_count) = (0.0, 0);
            progress(step, held);
            if stop.update(step, (held, se), o.patience) {
                stopped_early = step < o.max_steps;
                break;
            }
        }
    }
    if !stop.best.is_finite() {
        return Err(ExperimentError::Invalid(format!(
            "the held-out {} estimate never became finite (its exponential term overflowed); try another bound or a \
             smaller learning rate",
            o.bound
        )));
    }
    let (cap_nats, cap_kind) = match o.bound.cap_nats(o.batch) {
        Some(cap) => (cap, "log_batch"),
        None => ((data.n_held as f64).ln(), "log_held_out_samples"),
    };
    Ok(NeuralEstimate {
        estimator: o.bound.to_string(),
        mi_nats: stop.best,
        held_out_standard_error_nats: stop.best_standard_error,
        cap_nats,
        cap_kind,
        steps,
        best_step: stop.best_step,
        stopped_early,
        batch: o.batch,
        n_train: data.n_train,
        n_held_out: data.n_held,
        history,
    })
}

/// The reported value of a training batch (JS and SMILE train on another objective); an error
/// when a bound without an exponential term diverges.
fn reported_value(o: &NeuralOptions, s: &Tensor, objective: &Tensor, step: usize) -> Result<f64> {
    let reported = match o.bound {
        Bound::Js | Bound::Smile { .. } => o.bound.value(&to_array(&s.detach())?.view()).map_err(|e| ExperimentError::Invalid(format!("bound: {e}")))?,
        _ => objective.double_value(&[]),
    };
    if !reported.is_finite() && !matches!(o.bound, Bound::Nwj | Bound::Js) {
        return Err(ExperimentError::Invalid(format!("training diverged at step {step} ({} estimate {reported}); try a smaller learning rate", o.bound)));
    }
    Ok(reported)
}

fn inv(e: impl std::fmt::Display) -> ExperimentError {
    ExperimentError::Invalid(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mi_estimators::tasks::Task;

    fn opts(bound: Bound) -> NeuralOptions {
        NeuralOptions { bound, max_steps: 600, eval_every: 50, patience: 4, ..Default::default() }
    }

    #[test]
    fn infonce_and_nwj_recover_a_gaussian_mi() {
        let _rng = crate::test_rng_lock();
        let task = Task::bivariate_gaussian(0.75).unwrap();
        let (x, y) = task.sample(5_000, 3);
        let truth = task.true_mi_nats(); // 0.4133
        for bound in [Bound::Infonce, Bound::Nwj, Bound::Smile { tau: 5.0 }] {
            let r = estimate(&x.view(), &y.view(), &opts(bound), &mut |_, _| {}).unwrap();
            assert!((r.mi_nats - truth).abs() < 0.08, "{bound:?}: {} vs {truth}", r.mi_nats);
            assert!(r.mi_nats <= r.cap_nats);
            assert_eq!(r.n_held_out, 1_000);
            assert!(r.history.iter().any(|h| h.step == r.best_step && h.held_out_mi_nats == r.mi_nats));
        }
    }

    #[test]
    fn infonce_is_capped_by_log_batch_on_high_mi() {
        let _rng = crate::test_rng_lock();
        // 10 nats of true MI, batch 16: InfoNCE cannot report more than ln 16 ≈ 2.77
        let task = Task::staircase(20, 10.0).unwrap();
        let (x, y) = task.sample(4_000, 1);
        let o = NeuralOptions { batch: 16, max_steps: 800, eval_every: 100, ..opts(Bound::Infonce) };
        let r = estimate(&x.view(), &y.view(), &o, &mut |_, _| {}).unwrap();
        assert_eq!(r.cap_kind, "log_batch");
        assert!((r.cap_nats - 16f64.ln()).abs() < 1e-12);
        assert!(r.mi_nats <= r.cap_nats + 1e-9, "{} > {}", r.mi_nats, r.cap_nats);
        assert!(r.mi_nats > r.cap_nats - 0.5, "InfoNCE should saturate near its cap, got {}", r.mi_nats);
    }

    #[test]
    fn same_seed_same_estimate_and_early_stopping_on_independent_data() {
        let _rng = crate::test_rng_lock();
        // independent X and Y: the held-out estimate stops improving quickly and stays near 0
        let (x, _) = Task::bivariate_gaussian(0.0).unwrap().sample(2_000, 5);
        let (y, _) = Task::bivariate_gaussian(0.0).unwrap().sample(2_000, 6);
        let o = NeuralOptions { max_steps: 3_000, eval_every: 25, patience: 3, batch: 64, ..opts(Bound::Dv) };
        let a = estimate(&x.view(), &y.view(), &o, &mut |_, _| {}).unwrap();
        let b = estimate(&x.view(), &y.view(), &o, &mut |_, _| {}).unwrap();
        assert_eq!(a.mi_nats, b.mi_nats);
        assert!(a.stopped_early && a.steps < 3_000, "ran {} steps", a.steps);
        assert!(a.mi_nats.abs() < 0.1, "{}", a.mi_nats);
    }

    #[test]
    fn bad_input_is_refused_with_a_message() {
        let _rng = crate::test_rng_lock();
        let (x, y) = Task::bivariate_gaussian(0.5).unwrap().sample(100, 1);
        let o = opts(Bound::Infonce);
        let short = y.slice(ndarray::s![..99, ..]).to_owned();
        let e = estimate(&x.view(), &short.view(), &o, &mut |_, _| {}).unwrap_err();
        assert!(e.to_string().contains("rows"), "{e}");
        let e = estimate(&x.view(), &y.view(), &o, &mut |_, _| {}).unwrap_err(); // 20 held out < 128
        assert!(e.to_string().contains("--batch"), "{e}");
        let mut nan = x.clone();
        nan[[3, 0]] = f64::NAN;
        let small = NeuralOptions { batch: 8, ..o.clone() };
        assert!(estimate(&nan.view(), &y.view(), &small, &mut |_, _| {}).unwrap_err().to_string().contains("NaN"));
        let bad_tau = NeuralOptions { bound: Bound::Smile { tau: 0.0 }, ..small };
        assert!(estimate(&x.view(), &y.view(), &bad_tau, &mut |_, _| {}).is_err());
    }

    #[test]
    fn js_reports_nwj_of_the_shifted_critic() {
        let _rng = crate::test_rng_lock();
        let s = ndarray::array![[2.0, -1.0], [0.5, 1.0]];
        let v = Bound::Js.value(&s.view()).unwrap();
        let shifted = s.mapv(|v| v + 1.0);
        assert_eq!(v, mi_estimators::bounds::nwj(&shifted.view()).unwrap());
    }
}
