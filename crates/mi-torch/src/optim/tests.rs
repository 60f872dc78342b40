//! Tests of the fused Adam: against `tch::nn::Adam`, and its paths against each other.
use super::*;
use tch::nn::{Module, OptimizerConfig};

/// Tests draw from libtorch's one global generator: one at a time, or two "identical"
/// problems built in parallel threads would differ.
static RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn rng_lock() -> std::sync::MutexGuard<'static, ()> {
    RNG.lock().unwrap_or_else(|e| e.into_inner())
}

/// A small network, its data and a loss, built identically from a seed (hold [`rng_lock`]).
fn problem(seed: i64, kind: Kind) -> (nn::VarStore, nn::Sequential, Tensor, Tensor) {
    tch::manual_seed(seed);
    let mut vs = nn::VarStore::new(Device::Cpu);
    let root = vs.root();
    let net = nn::seq()
        .add(nn::linear(&root / "l1", 6, 16, Default::default()))
        .add_fn(|x| x.tanh())
        .add(nn::linear(&root / "l2", 16, 3, Default::default()));
    if kind == Kind::Double {
        vs.double();
    }
    let x = Tensor::randn([64, 6], (kind, Device::Cpu));
    let y = Tensor::randn([64, 3], (kind, Device::Cpu));
    (vs, net, x, y)
}

/// The loss of the test problems.
fn mse(net: &nn::Sequential, x: &Tensor, y: &Tensor) -> Tensor {
    net.forward(x).mse_loss(y, tch::Reduction::Mean)
}

fn params_sorted(vs: &nn::VarStore) -> Vec<(String, Tensor)> {
    let mut v: Vec<_> = vs.variables().into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn max_abs_diff(a: &nn::VarStore, b: &nn::VarStore) -> f64 {
    params_sorted(a)
        .iter()
        .zip(params_sorted(b))
        .map(|((na, ta), (nb, tb))| {
            assert_eq!(*na, nb);
            (ta - tb).abs().max().double_value(&[])
        })
        .fold(0.0, f64::max)
}

#[test]
fn matches_libtorch_adam_step_by_step() {
    let _rng = rng_lock();
    for (kind, tol) in [(Kind::Float, 2e-6), (Kind::Double, 1e-12)] {
        let (vs_a, net_a, x, y) = problem(3, kind);
        let (vs_b, net_b, _, _) = problem(3, kind);
        assert_eq!(max_abs_diff(&vs_a, &vs_b), 0.0);
        let mut ours = Adam::new(&vs_a, 3e-3);
        let mut theirs = nn::Adam::default().build(&vs_b, 3e-3).unwrap();
        for step in 0..40 {
            ours.backward_step(&mse(&net_a, &x, &y));
            theirs.backward_step(&mse(&net_b, &x, &y));
            let d = max_abs_diff(&vs_a, &vs_b);
            assert!(d < tol, "{kind:?} step {step}: parameters differ by {d}");
        }
        // and training did something
        let moved = mse(&net_a, &x, &y).double_value(&[]);
        let (_, net_c, _, _) = problem(3, kind);
        let start = mse(&net_c, &x, &y).double_value(&[]);
        assert!(moved < start, "{kind:?}: loss {start} -> {moved}");
    }
}

#[test]
fn own_backward_then_step_matches_backward_step() {
    let _rng = rng_lock();
    let (vs_a, net_a, x, y) = problem(4, Kind::Float);
    let (vs_b, net_b, _, _) = problem(4, Kind::Float);
    let mut a = Adam::new(&vs_a, 1e-2);
    let mut b = Adam::new(&vs_b, 1e-2);
    for _ in 0..5 {
        a.backward_step(&mse(&net_a, &x, &y));
        mse(&net_b, &x, &y).backward();
        b.step();
        for (name, p) in vs_b.variables() {
            assert_eq!(p.grad().abs().max().double_value(&[]), 0.0, "{name}: step() leaves zero gradients");
        }
    }
    assert_eq!(max_abs_diff(&vs_a, &vs_b), 0.0);
}

#[test]
fn backward_step_skips_unused_parameters_and_leaves_grad_alone() {
    let _rng = rng_lock();
    let (vs, net, x, y) = problem(5, Kind::Float);
    let unused = vs.root().var("unused", &[4], nn::Init::Const(1.5));
    let mut opt = Adam::new(&vs, 1e-2);
    opt.backward_step(&mse(&net, &x, &y));
    for (name, p) in vs.variables() {
        assert!(!p.grad().defined(), "{name}: .grad was written");
    }
    assert_eq!(Vec::<f32>::try_from(&unused).unwrap(), vec![1.5; 4]);
    assert_eq!(opt.steps(), 1);
}

#[test]
fn stray_gradients_do_not_leak_into_backward_step() {
    let _rng = rng_lock();
    let (vs_a, net_a, x, y) = problem(8, Kind::Float);
    let (vs_b, net_b, _, _) = problem(8, Kind::Float);
    let mut a = Adam::new(&vs_a, 1e-2);
    let mut b = Adam::new(&vs_b, 1e-2);
    net_a.forward(&x).sum(Kind::Float).backward(); // stray gradients in a's .grad
    for _ in 0..3 {
        a.backward_step(&mse(&net_a, &x, &y));
        b.backward_step(&mse(&net_b, &x, &y));
    }
    assert_eq!(max_abs_diff(&vs_a, &vs_b), 0.0);
}

#[test]
fn tensor_path_agrees_with_the_fused_loop() {
    let _rng = rng_lock();
    // the path other devices take, forced on the CPU: the same update within rounding
    let (vs_a, net_a, x, y) = problem(11, Kind::Float);
    let (vs_b, net_b, _, _) = problem(11, Kind::Float);
    let mut fused = Adam::new(&vs_a, 1e-2);
    let mut slow = Adam::new(&vs_b, 1e-2);
    for s in &mut slow.slots {
        s.moments = Moments::Tensors { m: s.param.zeros_like().detach(), v: s.param.zeros_like().detach() };
    }
    for _ in 0..20 {
        fused.backward_step(&mse(&net_a, &x, &y));
        slow.backward_step(&mse(&net_b, &x, &y));
    }
    let d = max_abs_diff(&vs_a, &vs_b);
    assert!(d < 1e-5, "tensor path differs from the fused loop by {d}");
}

/// Puts every parameter of `opt` on the tensor path (as on a GPU) and groups them.
fn force_flat(opt: &mut Adam) {
    for s in &mut opt.slots {
        s.moments = Moments::Tensors { m: s.param.zeros_like().detach(), v: s.param.zeros_like().detach() };
    }
    opt.flatten_tensor_path();
}

#[test]
fn flat_group_agrees_with_the_fused_loop_and_updates_the_varstore() {
    let _rng = rng_lock();
    // the GPU's path, forced on the CPU: all four parameters as one flat tensor, their data
    // views into it. Compared through the VarStores: if the variables did not alias the flat
    // tensor, they would not move and this would fail.
    let (vs_a, net_a, x, y) = problem(12, Kind::Float);
    let (vs_b, net_b, _, _) = problem(12, Kind::Float);
    let mut fused = Adam::new(&vs_a, 1e-2);
    let mut flat = Adam::new(&vs_b, 1e-2);
    force_flat(&mut flat);
    assert_eq!(flat.groups.len(), 1);
    assert_eq!(flat.groups[0].members.len(), 4);
    assert!(flat.slots.iter().all(|s| matches!(s.moments, Moments::Flat)));
    for _ in 0..20 {
        fused.backward_step(&mse(&net_a, &x, &y));
        flat.backward_step(&mse(&net_b, &x, &y));
    }
    let d = max_abs_diff(&vs_a, &vs_b);
    assert!(d < 1e-5, "flat path differs from the fused loop by {d}");
    let (_, net_c, _, _) = problem(12, Kind::Float);
    assert!(mse(&net_b, &x, &y).double_value(&[]) < mse(&net_c, &x, &y).double_value(&[]));
}

#[test]
fn flat_group_leaves_a_parameter_without_gradient_alone() {
    let _rng = rng_lock();
    let (vs_a, net_a, x, y) = problem(14, Kind::Float);
    let (vs_b, net_b, _, _) = problem(14, Kind::Float);
    let unused = vs_b.root().var("unused", &[4], nn::Init::Const(1.5));
    let mut fused = Adam::new(&vs_a, 1e-2);
    let mut flat = Adam::new(&vs_b, 1e-2);
    force_flat(&mut flat);
    assert_eq!(flat.groups[0].members.len(), 5);
    for _ in 0..5 {
        fused.backward_step(&mse(&net_a, &x, &y));
        flat.backward_step(&mse(&net_b, &x, &y));
    }
    assert_eq!(Vec::<f32>::try_from(&unused).unwrap(), vec![1.5; 4]);
    let used: Vec<(String, Tensor)> = params_sorted(&vs_b).into_iter().filter(|(n, _)| n != "unused").collect();
    for ((na, ta), (nb, tb)) in params_sorted(&vs_a).iter().zip(&used) {
        assert_eq!(na, nb);
        let d = (ta - tb).abs().max().double_value(&[]);
        assert!(d < 1e-5, "{na}: {d}");
    }
}

#[test]
fn non_contiguous_gradients_take_the_fused_loop_too() {
    let _rng = rng_lock();
    // a parameter used transposed gets its gradient from the engine in whatever layout the
    // backward produced; the update must still be right
    tch::manual_seed(2);
    let vs_a = nn::VarStore::new(Device::Cpu);
    let vs_b = nn::VarStore::new(Device::Cpu);
    let wa = vs_a.root().var("w", &[5, 7], nn::Init::Randn { mean: 0.0, stdev: 1.0 });
    let wb = vs_b.root().var_copy("w", &wa);
    let x = Tensor::randn([9, 7], (Kind::Float, Device::Cpu));
    let mut ours = Adam::new(&vs_a, 1e-2);
    let mut theirs = nn::Adam::default().build(&vs_b, 1e-2).unwrap();
    for _ in 0..10 {
        ours.backward_step(&x.matmul(&wa.tr()).sin().sum(Kind::Float));
        theirs.backward_step(&x.matmul(&wb.tr()).sin().sum(Kind::Float));
    }
    let d = (&wa - &wb).abs().max().double_value(&[]);
    assert!(d < 2e-6, "{d}");
}

#[test]
fn openmp_threads_give_the_same_parameters_as_one_thread() {
    let _rng = rng_lock();
    // large enough (≈ 200k elements) for the OpenMP path; split at an odd place inside a tensor
    let build = || {
        tch::manual_seed(21);
        let vs = nn::VarStore::new(Device::Cpu);
        let net = nn::seq()
            .add(nn::linear(vs.root() / "a", 392, 300, Default::default()))
            .add_fn(|x| x.relu())
            .add(nn::linear(vs.root() / "b", 300, 277, Default::default()));
        (vs, net)
    };
    let (vs_a, net_a) = build();
    let (vs_b, net_b) = build();
    let x = Tensor::randn([32, 392], (Kind::Float, Device::Cpu));
    let mut par = Adam::new(&vs_a, 1e-3);
    let mut one = Adam::new(&vs_b, 1e-3);
    one.parallel = false;
    let before = tch::get_num_threads();
    tch::set_num_threads(2);
    for _ in 0..5 {
        par.backward_step(&net_a.forward(&x).square().mean(Kind::Float));
        one.backward_step(&net_b.forward(&x).square().mean(Kind::Float));
    }
    tch::set_num_threads(before);
    assert!(omp::entry_points().is_some(), "libtorch's OpenMP runtime was not found in the process");
    assert_eq!(max_abs_diff(&vs_a, &vs_b), 0.0);
    let (vs_c, _) = build();
    assert!(max_abs_diff(&vs_a, &vs_c) > 0.0, "the parameters did not move");
}
#[test]
fn frozen_and_repeated_tensors() {
    let _rng = rng_lock();
    let (vs_a, net_a, x, y) = problem(13, Kind::Float);
    let (vs_b, net_b, _, _) = problem(13, Kind::Float);
    let frozen = Tensor::ones([3], (Kind::Float, Device::Cpu));
    let mut params = vs_a.trainable_variables();
    params.extend(vs_a.trainable_variables()); // every parameter twice
    params.push(frozen.shallow_clone());
    let mut a = Adam::with_config(params, 1e-2, AdamConfig::default());
    assert_eq!(a.slots.len(), vs_a.trainable_variables().len());
    let mut b = Adam::new(&vs_b, 1e-2);
    for _ in 0..3 {
        a.backward_step(&mse(&net_a, &x, &y));
        b.backward_step(&mse(&net_b, &x, &y));
    }
    assert_eq!(max_abs_diff(&vs_a, &vs_b), 0.0);
    assert_eq!(Vec::<f32>::try_from(&frozen).unwrap(), vec![1.0; 3]);
}
