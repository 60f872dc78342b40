//! The checks good flow libraries run on themselves: round trips, log-dets against autograd
//! Jacobians, identity-like initialisations, monotonicity, normalisation.
use mi_flows::*;
use tch::{nn, Device, Kind, Tensor};

/// libtorch's generator is process-wide and tests run on parallel threads: every test that seeds
/// and draws holds this lock, so a seed is followed by that test's draws only.
static RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    RNG.lock().unwrap_or_else(|e| e.into_inner())
}

fn f64_store() -> nn::VarStore {
    let mut vs = nn::VarStore::new(Device::Cpu);
    vs.set_kind(Kind::Double);
    vs
}

fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}

/// Per-sample Jacobians `[B, D, D]` of a flow's forward map by reverse-mode autograd.
fn autograd_jacobian(flow: &dyn Flow, x: &Tensor) -> Tensor {
    let x = x.detach().set_requires_grad(true);
    let (y, _) = flow.forward(&x);
    let d = y.size()[1];
    let rows: Vec<Tensor> = (0..d)
        .map(|k| {
            let g = Tensor::run_backward(&[y.select(1, k).sum(Kind::Double)], &[&x], true, false);
            g[0].shallow_clone()
        })
        .collect();
    Tensor::stack(&rows, 1)
}

fn check_logdet_against_autograd(flow: &dyn Flow, x: &Tensor, tol: f64) {
    let (_, logdet) = flow.forward(x);
    let j = autograd_jacobian(flow, x);
    let (_, logabsdet) = Tensor::linalg_slogdet(&j);
    let err = max_abs(&(logdet.detach() - logabsdet));
    assert!(err < tol, "analytic log-det differs from autograd log|det J| by {err}");
    // and it is not trivially zero
    assert!(max_abs(&logdet) > 1e-3 || flow.num_parameters() == 0);
}

fn check_round_trip(flow: &dyn Flow, x: &Tensor, tol: f64) {
    let (y, ld) = flow.forward(x);
    let (back, ld_inv) = flow.inverse(&y);
    let err = max_abs(&(&back - x));
    assert!(err < tol, "round trip error {err}");
    let ld_err = max_abs(&(ld + ld_inv));
    assert!(ld_err < tol, "log-det forward + inverse = {ld_err}");
    // the map is not the identity (so the round trip means something)
    assert!(max_abs(&(y - x)) > 1e-3);
}

fn realnvp(vs: &nn::VarStore, dim: i64, kind: CouplingKind, init: WeightInit) -> RealNvp {
    let mut cfg = RealNvpConfig::new(dim, 6, &[16, 16], kind, 42).with_init(init);
    if init == WeightInit::GlorotUniform {
        // a non-trivial map whose scales stay moderate over six couplings
        cfg.last_init = WeightInit::Normal { std: 0.1 };
    }
    RealNvp::new(&vs.root(), &cfg).unwrap()
}

const KINDS: [CouplingKind; 3] =
    [CouplingKind::Additive, CouplingKind::Affine(Scale::Exp), CouplingKind::Affine(Scale::Softplus { eps: 1e-7 })];

#[test]
fn realnvp_round_trips_to_1e9_in_f64() {
    let _g = lock();
    mi_torch::seed_everything(0);
    for kind in KINDS {
        let vs = f64_store();
        let flow = realnvp(&vs, 10, kind, WeightInit::GlorotUniform);
        let x = Tensor::randn([64, 10], (Kind::Double, Device::Cpu)) * 2.0;
        check_round_trip(&flow, &x, 1e-9);
    }
}

#[test]
fn realnvp_logdet_matches_autograd_jacobian() {
    let _g = lock();
    mi_torch::seed_everything(1);
    for kind in KINDS {
        let vs = f64_store();
        let flow = realnvp(&vs, 6, kind, WeightInit::GlorotUniform);
        let x = Tensor::randn([5, 6], (Kind::Double, Device::Cpu));
        if kind == CouplingKind::Additive {
            let (_, ld) = flow.forward(&x);
            assert_eq!(max_abs(&ld), 0.0);
            let j = autograd_jacobian(&flow, &x);
            let (_, lad) = Tensor::linalg_slogdet(&j);
            assert!(max_abs(&lad) < 1e-9, "additive stack is volume preserving");
        } else {
            check_logdet_against_autograd(&flow, &x, 1e-6);
        }
    }
}

#[test]
fn additive_realnvp_with_zero_shift_nets_is_exactly_a_permutation() {
    let vs = nn::VarStore::new(Device::Cpu);
    let flow = realnvp(&vs, 12, CouplingKind::Additive, WeightInit::Zeros);
    let perm = flow.composed_permutation();
    let mut sorted = perm.clone();
    sorted.sort();
    assert_eq!(sorted, (0..12).collect::<Vec<_>>());
    assert_ne!(perm, (0..12).collect::<Vec<_>>(), "five random permutations compose to the identity?");
    let x = Tensor::randn([7, 12], (Kind::Float, Device::Cpu));
    let (y, ld) = flow.forward(&x);
    let expected = x.index_select(1, &Tensor::from_slice(&perm));
    assert!(y.equal(&expected), "not exactly the composed permutation");
    assert_eq!(max_abs(&ld), 0.0);
}

#[test]
fn a_leading_permutation_comes_before_the_first_coupling() {
    let vs = nn::VarStore::new(Device::Cpu);
    let cfg = RealNvpConfig::new(12, 6, &[16, 16], CouplingKind::Additive, 42)
        .with_init(WeightInit::Zeros)
        .with_leading_permutation();
    let flow = RealNvp::new(&vs.root(), &cfg).unwrap();
    assert_eq!(flow.permutations().count(), 6);
    // With identity couplings the stack is still exactly the composed permutation...
    let perm = flow.composed_permutation();
    let x = Tensor::randn([7, 12], (Kind::Float, Device::Cpu));
    assert!(flow.forward(&x).0.equal(&x.index_select(1, &Tensor::from_slice(&perm))));
    // ...and the first coupling now sees permuted coordinates: the leading permutation is not
    // the identity, so the first coupling's conditioning half is not the input's first half.
    let first = flow.permutations().next().unwrap().indices().to_vec();
    assert_ne!(first, (0..12).collect::<Vec<_>>());
}

#[test]
fn same_seed_same_flow() {
    let _g = lock();
    let build = || {
        mi_torch::seed_everything(5);
        let vs = nn::VarStore::new(Device::Cpu);
        let f = realnvp(&vs, 8, CouplingKind::Affine(Scale::Exp), WeightInit::GlorotUniform);
        let x = Tensor::ones([3, 8], (Kind::Float, Device::Cpu));
        f.forward(&x).0
    };
    assert!(build().equal(&build()));
}

#[test]
fn coupling_leaves_conditioning_half_untouched() {
    let vs = f64_store();
    let c = Coupling::new(
        &vs.root(),
        &CouplingConfig {
            dim: 5,
            d_cond: 2,
            hidden: vec![8],
            kind: CouplingKind::Affine(Scale::Softplus { eps: 1e-7 }),
            init: WeightInit::GlorotUniform,
            last_init: WeightInit::GlorotUniform,
        },
    )
    .unwrap();
    let x = Tensor::randn([4, 5], (Kind::Double, Device::Cpu));
    let (y, _) = c.forward(&x);
    assert!(y.narrow(1, 0, 2).equal(&x.narrow(1, 0, 2)));
    assert!(max_abs(&(y.narrow(1, 2, 3) - x.narrow(1, 2, 3))) > 1e-3);
    assert!(Coupling::new(
        &vs.root().sub("bad"),
        &CouplingConfig {
            dim: 5,
            d_cond: 5,
            hidden: vec![],
            kind: CouplingKind::Additive,
            init: WeightInit::Zeros,
            last_init: WeightInit::Zeros
        }
    )
    .is_err());
}

fn dsf(vs: &nn::VarStore, dim: i64) -> DeepSigmoidalFlow {
    DeepSigmoidalFlow::new(&vs.root(), DsfConfig { dim, components: 4, layers: 2 }).unwrap()
}

#[test]
fn deep_sigmoidal_flow_is_strictly_increasing_on_a_grid() {
    let _g = lock();
    mi_torch::seed_everything(2);
    let vs = f64_store();
    let flow = dsf(&vs, 3);
    let g = Tensor::linspace(-20.0, 20.0, 20001, (Kind::Double, Device::Cpu));
    let x = Tensor::stack(&[&g, &g, &g], 1);
    let (y, ld) = flow.forward(&x);
    let diffs = y.narrow(0, 1, 20000) - y.narrow(0, 0, 20000);
    let min_diff = diffs.min().double_value(&[]);
    assert!(min_diff > 0.0, "not strictly increasing: min step {min_diff}");
    assert!(ld.isfinite().all().int64_value(&[]) == 1);
    // onto a wide range: far tails map far out
    assert!(y.min().double_value(&[]) < -10.0 && y.max().double_value(&[]) > 10.0);
}

#[test]
fn deep_sigmoidal_flow_round_trip_and_logdet() {
    let _g = lock();
    mi_torch::seed_everything(3);
    let vs = f64_store();
    let flow = dsf(&vs, 4);
    let x = Tensor::randn([50, 4], (Kind::Double, Device::Cpu)) * 3.0;
    check_round_trip(&flow, &x, 1e-9);
    check_logdet_against_autograd(&flow, &x.narrow(0, 0, 6), 1e-6);
}

#[test]
fn naf_round_trip_and_logdet() {
    let _g = lock();
    mi_torch::seed_everything(4);
    let vs = f64_store();
    let flow = Naf2d::new(&vs.root(), &Naf2dConfig { layers: 3, components: 6, hidden: vec![16] }).unwrap();
    let x = Tensor::randn([200, 2], (Kind::Double, Device::Cpu)) * 2.0;
    check_round_trip(&flow, &x, 1e-9);
    check_logdet_against_autograd(&flow, &x.narrow(0, 0, 8), 1e-6);
    // the Jacobian of a single layer is triangular: the first output ignores the second input
    let one = Naf2d::new(&vs.root().sub("one"), &Naf2dConfig { layers: 1, components: 4, hidden: vec![8] }).unwrap();
    let j = autograd_jacobian(&one, &x.narrow(0, 0, 4));
    assert_eq!(max_abs(&j.select(1, 0).select(1, 1)), 0.0);
}

#[test]
fn trained_naf_density_integrates_to_one_and_beats_its_start() {
    let _g = lock();
    mi_torch::seed_everything(6);
    let vs = f64_store();
    let flow = Naf2d::new(&vs.root(), &Naf2dConfig { layers: 2, components: 8, hidden: vec![32] }).unwrap();
    let target = Target2d::eight_gaussians();
    let cfg = FitConfig { steps: 300, batch: 256, lr: 1e-2, seed: 1, eval_samples: 2048, log_every: 50 };
    let held_out = target.sample(2048, 99, Kind::Double, Device::Cpu).unwrap();
    let before = -flow_log_density(&flow, &held_out).mean(Kind::Double).double_value(&[]);
    let report = fit_2d(&flow, &vs, &target, &cfg).unwrap();
    assert!(report.final_nll < before - 0.5, "training did not help: {before} -> {}", report.final_nll);
    assert!(report.final_nll > report.target_entropy - 0.1, "NLL below the target's entropy?");
    let (g, da) = grid(-12.0, 12.0, 481, Kind::Double, Device::Cpu).unwrap();
    let mass = flow_density(&flow, &g).sum(Kind::Double).double_value(&[]) * da;
    assert!((mass - 1.0).abs() < 0.02, "learned density integrates to {mass}");
}

#[test]
fn fit_is_deterministic_on_cpu() {
    let _g = lock();
    let run = || {
        mi_torch::seed_everything(8);
        let vs = f64_store();
        let flow = Naf2d::new(&vs.root(), &Naf2dConfig { layers: 1, components: 4, hidden: vec![8] }).unwrap();
        let cfg = FitConfig { steps: 20, batch: 64, lr: 1e-2, seed: 3, eval_samples: 256, log_every: 5 };
        fit_2d(&flow, &vs, &Target2d::ring(), &cfg).unwrap()
    };
    assert_eq!(run(), run());
}
