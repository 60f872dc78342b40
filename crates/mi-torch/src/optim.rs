//! Adam with one fused pass per parameter on the CPU.
//!
//! PyTorch's Adam — the C++ `torch::optim::Adam` that `tch::nn::Adam` wraps, and the Python one —
//! updates each parameter with about eight separate tensor operations (moment updates, square
//! root, division, bias corrections, the update itself), and `zero_grad` adds one more. Each is a
//! separate pass over memory with its own dispatch and OpenMP region. For the paper's small
//! networks this is a large share of a training step: profiled with PyTorch 2.11 on 2 cores, the
//! optimiser took ≈40 % of an A4 MLP step, more than the matrix products.
//!
//! [`Adam`] computes exactly the same update (Kingma & Ba with PyTorch's bias correction and
//! ε placement: `p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)`) in one loop over the parameter,
//! its gradient and the two moments, taking the gradients straight from the autograd engine (no
//! `.grad` to zero or accumulate into). It does this for
//! contiguous `f32`/`f64` tensors on the CPU; anything else (a CUDA tensor, another dtype, a
//! non-contiguous view) takes the same formula as tensor operations, so the optimiser works on
//! every device. A test checks it against `tch::nn::Adam` step by step.
use tch::{nn, Device, Kind, Tensor};

/// Adam's settings (PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8, no weight decay).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self { beta1: 0.9, beta2: 0.999, eps: 1e-8 }
    }
}

/// The moments of one parameter: plain vectors for the fused CPU loop, tensors otherwise.
enum Moments {
    F32 { m: Vec<f32>, v: Vec<f32> },
    F64 { m: Vec<f64>, v: Vec<f64> },
    Tensors { m: Tensor, v: Tensor },
}

struct Slot {
    param: Tensor,
    moments: Moments,
}

/// The Adam optimiser over a fixed list of parameters (see the module docs).
pub struct Adam {
    slots: Vec<Slot>,
    lr: f64,
    cfg: AdamConfig,
    step_count: u64,
}

fn fused_cpu(kind: Kind, t: &Tensor) -> bool {
    t.device() == Device::Cpu && t.kind() == kind && t.is_contiguous()
}

impl Adam {
    /// Adam over the trainable variables of `vs`, learning rate `lr`, PyTorch's defaults.
    pub fn new(vs: &nn::VarStore, lr: f64) -> Self {
        Self::with_config(vs.trainable_variables(), lr, AdamConfig::default())
    }

    /// Adam over the given parameters (shallow clones of the variables to update).
    pub fn with_config(params: Vec<Tensor>, lr: f64, cfg: AdamConfig) -> Self {
        let slots = params
            .into_iter()
            .map(|param| {
                let n = param.numel();
                let moments = if fused_cpu(Kind::Float, &param) {
                    Moments::F32 { m: vec![0.0; n], v: vec![0.0; n] }
                } else if fused_cpu(Kind::Double, &param) {
                    Moments::F64 { m: vec![0.0; n], v: vec![0.0; n] }
                } else {
                    Moments::Tensors { m: param.zeros_like().detach(), v: param.zeros_like().detach() }
                };
                Slot { param, moments }
            })
            .collect();
        Self { slots, lr, cfg, step_count: 0 }
    }

    /// The learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Changes the learning rate (the moments are kept).
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    /// Number of steps taken.
    pub fn steps(&self) -> u64 {
        self.step_count
    }

    /// Zeroes every defined `.grad` (needed only around your own `backward` + [`Adam::step`]).
    pub fn zero_grad(&mut self) {
        for s in &mut self.slots {
            s.param.zero_grad();
        }
    }

    /// Back-propagates `loss` and takes one step, like `tch::nn::Optimizer::backward_step`.
    ///
    /// The gradients are taken straight from the autograd engine (as `torch.autograd.grad` does)
    /// instead of being accumulated into each parameter's `.grad`: that saves the zeroing and the
    /// accumulation passes, and leaves `.grad` untouched.
    pub fn backward_step(&mut self, loss: &Tensor) {
        let params: Vec<&Tensor> = self.slots.iter().map(|s| &s.param).collect();
        let grads = Tensor::run_backward(&[loss], &params, false, false);
        self.apply(&grads);
    }

    /// One Adam update of every parameter from its `.grad` (after your own `backward`), skipping
    /// parameters without a gradient; the gradients are zero afterwards.
    pub fn step(&mut self) {
        let grads: Vec<Tensor> = self.slots.iter().map(|s| s.param.grad()).collect();
        self.apply(&grads);
        let _guard = tch::no_grad_guard();
        for g in grads {
            if g.defined() {
                let mut g = g;
                let _ = g.zero_();
            }
        }
    }

    /// The update itself, with `grads[i]` the gradient of parameter `i` (undefined: skipped).
    fn apply(&mut self, grads: &[Tensor]) {
        self.step_count += 1;
        let t = self.step_count as f64;
        let AdamConfig { beta1, beta2, eps } = self.cfg;
        let bc1 = 1.0 - beta1.powf(t);
        let bc2_sqrt = (1.0 - beta2.powf(t)).sqrt();
        let step_size = self.lr / bc1;
        let _guard = tch::no_grad_guard();
        for (s, grad) in self.slots.iter_mut().zip(grads) {
            if !grad.defined() {
                continue;
            }
            let n = s.param.numel();
            // the fused loops read the gradient as a flat slice in the parameter's layout
            let flat = |kind: Kind| {
                (grad.device() == Device::Cpu && grad.kind() == kind && grad.numel() == n && grad.size() == s.param.size())
                    .then(|| if grad.is_contiguous() { grad.shallow_clone() } else { grad.contiguous() })
            };
            match &mut s.moments {
                Moments::F32 { m, v } if flat(Kind::Float).is_some() => {
                    let g = flat(Kind::Float).expect("checked");
                    // SAFETY: the parameter is a contiguous CPU f32 tensor of n = m.len() elements
                    // (checked at construction; a parameter's layout does not change), g a
                    // contiguous CPU f32 tensor of n elements, read only; no other code touches
                    // either while these slices live (no grad mode, this thread), and the slices
                    // end with this block.
                    let (p, g) = unsafe {
                        (
                            std::slice::from_raw_parts_mut(s.param.data_ptr() as *mut f32, n),
                            std::slice::from_raw_parts(g.data_ptr() as *const f32, n),
                        )
                    };
                    let k = Coefficients { beta1: beta1 as f32, beta2: beta2 as f32, eps: eps as f32, step_size: step_size as f32, bc2_sqrt: bc2_sqrt as f32 };
                    update_f32(p, g, m, v, k);
                }
                Moments::F64 { m, v } if flat(Kind::Double).is_some() => {
                    let g = flat(Kind::Double).expect("checked");
                    // SAFETY: as above, for f64.
                    let (p, g) = unsafe {
                        (
                            std::slice::from_raw_parts_mut(s.param.data_ptr() as *mut f64, n),
                            std::slice::from_raw_parts(g.data_ptr() as *const f64, n),
                        )
                    };
                    update_f64(p, g, m, v, Coefficients { beta1, beta2, eps, step_size, bc2_sqrt });
                }
                Moments::Tensors { m, v } => {
                    // another device or dtype: the same update as tensor operations
                    let _ = m.g_mul_scalar_(beta1).g_add_(&(grad * (1.0 - beta1)));
                    let _ = v.g_mul_scalar_(beta2).g_add_(&(grad * grad * (1.0 - beta2)));
                    let denom = v.sqrt() / bc2_sqrt + eps;
                    let _ = s.param.g_sub_(&(&*m / denom * step_size));
                }
                _ => panic!(
                    "mi_torch::optim::Adam: the gradient of a parameter of shape {:?} ({:?}, {:?}) has shape {:?} ({:?}, {:?})",
                    s.param.size(),
                    s.param.kind(),
                    s.param.device(),
                    grad.size(),
                    grad.kind(),
                    grad.device()
                ),
            }
        }
    }
}

/// The constants of one step: β1, β2, ε, lr/(1−β1ᵗ) and √(1−β2ᵗ).
#[derive(Clone, Copy)]
struct Coefficients<T> {
    beta1: T,
    beta2: T,
    eps: T,
    step_size: T,
    bc2_sqrt: T,
}

macro_rules! fused_update {
    ($name:ident, $body:ident, $t:ty) => {
        /// The loop body of one parameter, written so that LLVM vectorises it (no indexing).
        #[inline(always)]
        fn $body(p: &mut [$t], g: &[$t], m: &mut [$t], v: &mut [$t], k: Coefficients<$t>) {
            let one: $t = 1.0;
            for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                *m = k.beta1 * *m + (one - k.beta1) * g;
                *v = k.beta2 * *v + (one - k.beta2) * g * g;
                *p -= k.step_size * *m / (v.sqrt() / k.bc2_sqrt + k.eps);
            }
        }

        /// The same loop compiled for the widest vector unit this CPU has (chosen at run time;
        /// the build targets baseline x86-64). Only +, ×, ÷ and √ — all correctly rounded, and
        /// never contracted into FMAs — so every variant gives bit-identical results.
        fn $name(p: &mut [$t], g: &[$t], m: &mut [$t], v: &mut [$t], k: Coefficients<$t>) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn wide(p: &mut [$t], g: &[$t], m: &mut [$t], v: &mut [$t], k: Coefficients<$t>) {
                    $body(p, g, m, v, k)
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2(p: &mut [$t], g: &[$t], m: &mut [$t], v: &mut [$t], k: Coefficients<$t>) {
                    $body(p, g, m, v, k)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU has AVX-512F (checked on the line above).
                    return unsafe { wide(p, g, m, v, k) };
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2 (checked on the line above).
                    return unsafe { avx2(p, g, m, v, k) };
                }
            }
            $body(p, g, m, v, k)
        }
    };
}

fused_update!(update_f32, update_f32_body, f32);
fused_update!(update_f64, update_f64_body, f64);

#[cfg(test)]
mod tests {
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
                ours.backward_step(&net_a.forward(&x).mse_loss(&y, tch::Reduction::Mean));
                theirs.backward_step(&net_b.forward(&x).mse_loss(&y, tch::Reduction::Mean));
                let d = max_abs_diff(&vs_a, &vs_b);
                assert!(d < tol, "{kind:?} step {step}: parameters differ by {d}");
            }
            // and training did something
            let moved = (net_a.forward(&x).mse_loss(&y, tch::Reduction::Mean)).double_value(&[]);
            let (_, net_c, _, _) = problem(3, kind);
            let start = net_c.forward(&x).mse_loss(&y, tch::Reduction::Mean).double_value(&[]);
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
            a.backward_step(&net_a.forward(&x).mse_loss(&y, tch::Reduction::Mean));
            net_b.forward(&x).mse_loss(&y, tch::Reduction::Mean).backward();
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
        opt.backward_step(&net.forward(&x).mse_loss(&y, tch::Reduction::Mean));
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
            a.backward_step(&net_a.forward(&x).mse_loss(&y, tch::Reduction::Mean));
            b.backward_step(&net_b.forward(&x).mse_loss(&y, tch::Reduction::Mean));
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
            fused.backward_step(&net_a.forward(&x).mse_loss(&y, tch::Reduction::Mean));
            slow.backward_step(&net_b.forward(&x).mse_loss(&y, tch::Reduction::Mean));
        }
        let d = max_abs_diff(&vs_a, &vs_b);
        assert!(d < 1e-5, "tensor path differs from the fused loop by {d}");
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
}
