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
//! `.grad` to zero or accumulate into). It does this for contiguous `f32`/`f64` tensors on the
//! CPU; anything else (a CUDA tensor, another dtype, a non-contiguous view) takes the same formula
//! as tensor operations, so the optimiser works on every device. A test checks it against
//! `tch::nn::Adam` step by step.
//!
//! On that tensor path the parameters of one device and dtype are updated as one flat tensor
//! (their data become views into it), so a step launches about eight kernels instead of about
//! seven per parameter (≈120 for an A4 ConvNet pair): on a GPU small kernels cost mostly their
//! launch. tch 0.24 has no binding for libtorch's own `_fused_adam_`. On the CPU, where each of
//! those operations is real work, flat and per-parameter run at the same speed (A4 MLP pair, the
//! path forced: 185–200 against 183–197 steps/s; the fused loop: 276–286); on a GPU it has not
//! been measured yet.
//!
//! Two differences from PyTorch, neither of which matters for the experiments here: one step
//! count serves all parameters (PyTorch counts per parameter, which differs only for a parameter
//! that gets no gradient in some steps), and a tensor given twice is updated once.
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
    /// Updated with the other parameters of its [`FlatGroup`].
    Flat,
}

/// Parameters of the tensor path (a CUDA device, another dtype) on one device with one dtype,
/// updated as one flat tensor: each parameter's data is a view into `p` (`set_data`), so one
/// update of `p`, `m` and `v` — about eight kernels — replaces about seven per parameter. On a
/// GPU, where each small kernel costs its launch, that is most of the optimiser's time.
struct FlatGroup {
    /// Indices into `Adam::slots`, in the order of their elements in `p`.
    members: Vec<usize>,
    lens: Vec<i64>,
    p: Tensor,
    m: Tensor,
    v: Tensor,
}

struct Slot {
    param: Tensor,
    moments: Moments,
}

/// The Adam optimiser over a fixed list of parameters (see the module docs).
pub struct Adam {
    slots: Vec<Slot>,
    groups: Vec<FlatGroup>,
    lr: f64,
    cfg: AdamConfig,
    step_count: u64,
    /// Use libtorch's OpenMP threads for the CPU update (off only in tests, to compare).
    parallel: bool,
}

fn fused_cpu(kind: Kind, t: &Tensor) -> bool {
    t.device() == Device::Cpu && t.kind() == kind && t.is_contiguous()
}

impl Adam {
    /// Adam over the trainable variables of `vs`, learning rate `lr`, PyTorch's defaults.
    pub fn new(vs: &nn::VarStore, lr: f64) -> Self {
        Self::with_config(vs.trainable_variables(), lr, AdamConfig::default())
    }

    /// Adam over the given parameters (shallow clones of the variables to update; tensors that
    /// do not require gradients are left out, a tensor given twice is kept once).
    pub fn with_config(params: Vec<Tensor>, lr: f64, cfg: AdamConfig) -> Self {
        let mut seen = std::collections::HashSet::new();
        let slots = params
            .into_iter()
            .filter(|p| p.requires_grad() && seen.insert((p.data_ptr() as usize, p.numel(), p.device())))
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
        let mut me = Self { slots, groups: vec![], lr, cfg, step_count: 0, parallel: true };
        me.flatten_tensor_path();
        me
    }

    /// Gathers the parameters of the tensor path into [`FlatGroup`]s, one per (device, dtype)
    /// with at least two of them; their moments start (again) at zero, so call it before the
    /// first step.
    fn flatten_tensor_path(&mut self) {
        let _guard = tch::no_grad_guard();
        let mut by_key: Vec<((Device, Kind), Vec<usize>)> = vec![];
        for (i, s) in self.slots.iter().enumerate() {
            if matches!(s.moments, Moments::Tensors { .. }) && s.param.is_contiguous() {
                let key = (s.param.device(), s.param.kind());
                match by_key.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, v)) => v.push(i),
                    None => by_key.push((key, vec![i])),
                }
            }
        }
        for (_, members) in by_key.into_iter().filter(|(_, m)| m.len() >= 2) {
            let lens: Vec<i64> = members.iter().map(|&i| self.slots[i].param.numel() as i64).collect();
            let parts: Vec<Tensor> = members.iter().map(|&i| self.slots[i].param.detach().reshape([-1])).collect();
            let p = Tensor::cat(&parts, 0);
            let mut off = 0;
            for (&i, &n) in members.iter().zip(&lens) {
                let s = &mut self.slots[i];
                let view = p.narrow(0, off, n).view(s.param.size().as_slice());
                // the variable keeps its identity (and its autograd leaf status); its data now
                // lives in `p`, for every handle on it (the VarStore's too)
                s.param.set_data(&view);
                s.moments = Moments::Flat;
                off += n;
            }
            let (m, v) = (p.zeros_like(), p.zeros_like());
            self.groups.push(FlatGroup { members, lens, p, m, v });
        }
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

    /// Counts one more step and returns its constants.
    fn next_step(&mut self) -> Coefficients<f64> {
        self.step_count += 1;
        let t = self.step_count as f64;
        let AdamConfig { beta1, beta2, eps } = self.cfg;
        let bc1 = 1.0 - beta1.powf(t);
        let bc2_sqrt = (1.0 - beta2.powf(t)).sqrt();
        let step_size = self.lr / bc1;
        Coefficients { beta1, beta2, eps, step_size, bc2_sqrt }
    }

    /// The update itself, with `grads[i]` the gradient of parameter `i` (undefined: skipped).
    fn apply(&mut self, grads: &[Tensor]) {
        let c = self.next_step();
        let _guard = tch::no_grad_guard();
        // the f32 updates run together at the end (on libtorch's OpenMP threads when there are
        // several); `keep` holds the contiguous gradients the jobs point into until then
        let mut jobs: Vec<Job> = vec![];
        let mut keep: Vec<Tensor> = vec![];
        for (s, grad) in self.slots.iter_mut().zip(grads) {
            if grad.defined() {
                s.update(grad, c, &mut jobs, &mut keep);
            }
        }
        for grp in &mut self.groups {
            grp.update(grads, c);
        }
        let threads = if self.parallel { tch::get_num_threads().max(1) as usize } else { 1 };
        // SAFETY: every job points at a distinct parameter (its own storage), its gradient (kept
        // alive in `keep`, read only) and its own moment vectors, each of `len` elements; nothing
        // else touches them during the call (we hold the optimiser mutably, no grad mode).
        unsafe { run_jobs(&jobs, c.to_f32(), threads) };
        drop(keep);
    }
}

impl Slot {
    /// Updates this parameter from its (defined) gradient: f64 and the tensor path at once, f32
    /// as a job pushed to `jobs` (with the contiguous gradient it reads pushed to `keep`);
    /// members of a [`FlatGroup`] are left to their group.
    fn update(&mut self, grad: &Tensor, c: Coefficients<f64>, jobs: &mut Vec<Job>, keep: &mut Vec<Tensor>) {
        let n = self.param.numel();
        // the fused loops read the gradient as a flat slice in the parameter's layout
        let fits = grad.device() == Device::Cpu && grad.numel() == n && grad.size() == self.param.size();
        let contiguous = || if grad.is_contiguous() { grad.shallow_clone() } else { grad.contiguous() };
        match &mut self.moments {
            Moments::F32 { m, v } if fits && grad.kind() == Kind::Float => {
                let g = contiguous();
                // the parameter is a contiguous CPU f32 tensor of n = m.len() elements
                // (checked at construction; a parameter's layout does not change) with its
                // own storage (duplicates were dropped at construction), g a contiguous CPU
                // f32 tensor of n elements (kept alive by the caller)
                jobs.push(Job { p: self.param.data_ptr() as *mut f32, g: g.data_ptr() as *const f32, m: m.as_mut_ptr(), v: v.as_mut_ptr(), len: n });
                keep.push(g);
            }
            Moments::F64 { m, v } if fits && grad.kind() == Kind::Double => {
                let g = contiguous();
                // SAFETY: the parameter is a contiguous CPU f64 tensor of n = m.len()
                // elements with its own storage (see the f32 arm), g a contiguous CPU f64
                // tensor of n elements alive for this block, read only; nothing else touches
                // either while these slices live (we hold the optimiser mutably, no grad mode).
                let (p, g) = unsafe {
                    (
                        std::slice::from_raw_parts_mut(self.param.data_ptr() as *mut f64, n),
                        std::slice::from_raw_parts(g.data_ptr() as *const f64, n),
                    )
                };
                update_f64(p, g, m, v, c);
            }
            Moments::Tensors { m, v } => {
                // another device or dtype: the same update as tensor operations
                tensor_update(&mut self.param, grad, m, v, c);
            }
            Moments::Flat => {} // with its group
            _ => panic!(
                "mi_torch::optim::Adam: the gradient of a parameter of shape {:?} ({:?}, {:?}) has shape {:?} ({:?}, {:?})",
                self.param.size(),
                self.param.kind(),
                self.param.device(),
                grad.size(),
                grad.kind(),
                grad.device()
            ),
        }
    }
}

impl FlatGroup {
    /// Updates the members that got a gradient (`grads` indexed like `Adam::slots`): all in one
    /// update of the flat tensors when all did, else each alone through views.
    fn update(&mut self, grads: &[Tensor], c: Coefficients<f64>) {
        if self.members.iter().all(|&i| grads[i].defined()) {
            let parts: Vec<Tensor> = self.members.iter().map(|&i| grads[i].reshape([-1])).collect();
            tensor_update(&mut self.p, &Tensor::cat(&parts, 0), &mut self.m, &mut self.v, c);
        } else {
            // some got no gradient this step: update the others alone, through views
            let mut off = 0;
            for (&i, &n) in self.members.iter().zip(&self.lens) {
                if grads[i].defined() {
                    let (mut p, mut m, mut v) = (self.p.narrow(0, off, n), self.m.narrow(0, off, n), self.v.narrow(0, off, n));
                    tensor_update(&mut p, &grads[i].reshape([-1]), &mut m, &mut v, c);
                }
                off += n;
            }
        }
    }
}

/// Adam's update as tensor operations (any device or dtype), in place on `p`, `m` and `v`.
fn tensor_update(p: &mut Tensor, g: &Tensor, m: &mut Tensor, v: &mut Tensor, c: Coefficients<f64>) {
    let _ = m.g_mul_scalar_(c.beta1).g_add_(&(g * (1.0 - c.beta1)));
    let _ = v.g_mul_scalar_(c.beta2).g_add_(&(g * g * (1.0 - c.beta2)));
    let denom = v.sqrt() / c.bc2_sqrt + c.eps;
    let _ = p.g_sub_(&(&*m / denom * c.step_size));
}

/// One f32 parameter's update: raw pointers to the parameter, its gradient and its moments.
#[derive(Clone, Copy)]
struct Job {
    p: *mut f32,
    g: *const f32,
    m: *mut f32,
    v: *mut f32,
    len: usize,
}

/// Below this many elements in all, waking a second thread costs more than it saves.
const PARALLEL_MIN: usize = 1 << 16;

/// Updates elements `[from, to)` of the concatenation of `jobs`.
///
/// # Safety
/// Each job's pointers must be valid for `len` elements, and no one else may access the
/// elements in `[from, to)` during the call.
unsafe fn run_range(jobs: &[Job], k: Coefficients<f32>, from: usize, to: usize) {
    let mut start = 0;
    for j in jobs {
        let (lo, hi) = (from.max(start), to.min(start + j.len));
        if lo < hi {
            let (o, n) = (lo - start, hi - lo);
            update_f32(
                std::slice::from_raw_parts_mut(j.p.add(o), n),
                std::slice::from_raw_parts(j.g.add(o), n),
                std::slice::from_raw_parts_mut(j.m.add(o), n),
                std::slice::from_raw_parts_mut(j.v.add(o), n),
                k,
            );
        }
        start += j.len;
    }
}

/// Runs the updates, split into equal ranges of elements over `threads` threads of libtorch's
/// own OpenMP team when there are several and enough work (a thread pool of our own would
/// fight libtorch's OpenMP threads, which spin for a while after each of its parallel regions —
/// measured: slower than one thread). Each element's update does not depend on which thread
/// does it, so the result is the same for any split.
///
/// # Safety
/// As [`run_range`], for all elements of all jobs.
unsafe fn run_jobs(jobs: &[Job], k: Coefficients<f32>, threads: usize) {
    let total: usize = jobs.iter().map(|j| j.len).sum();
    match omp::entry_points() {
        Some(omp) if threads > 1 && total >= PARALLEL_MIN => {
            struct Ctx<'a> {
                jobs: &'a [Job],
                k: Coefficients<f32>,
                total: usize,
                omp: &'a omp::EntryPoints,
            }
            extern "C" fn body(data: *mut std::ffi::c_void) {
                // SAFETY: `data` is the Ctx below, alive until GOMP_parallel returns; the team's
                // threads take disjoint ranges [t·total/n, (t+1)·total/n).
                unsafe {
                    let c = &*(data as *const Ctx<'_>);
                    let (t, n) = ((c.omp.thread_num)() as usize, ((c.omp.num_threads)() as usize).max(1));
                    run_range(c.jobs, c.k, t * c.total / n, (t + 1) * c.total / n);
                }
            }
            let ctx = Ctx { jobs, k, total, omp };
            (omp.parallel)(body, &ctx as *const Ctx<'_> as *mut std::ffi::c_void, threads as std::ffi::c_uint, 0);
        }
        _ => run_range(jobs, k, 0, total),
    }
}

/// libtorch's OpenMP runtime (its bundled libgomp), looked up in the running process.
mod omp {
    use std::ffi::{c_int, c_uint, c_void};
    use std::sync::OnceLock;

    pub struct EntryPoints {
        /// `GOMP_parallel(fn, data, num_threads, flags)`: runs `fn(data)` on a team of threads
        /// (what `#pragma omp parallel` compiles to) and returns when all are done.
        pub parallel: unsafe extern "C" fn(extern "C" fn(*mut c_void), *mut c_void, c_uint, c_uint),
        pub thread_num: unsafe extern "C" fn() -> c_int,
        pub num_threads: unsafe extern "C" fn() -> c_int,
    }

    /// The entry points, or `None` when no OpenMP runtime is loaded (then one thread is used).
    pub fn entry_points() -> Option<&'static EntryPoints> {
        static CELL: OnceLock<Option<EntryPoints>> = OnceLock::new();
        CELL.get_or_init(|| {
            let find = crate::find_symbol;
            let (p, t, n) = (find(c"GOMP_parallel")?, find(c"omp_get_thread_num")?, find(c"omp_get_num_threads")?);
            // SAFETY: these are libgomp's exported functions with exactly these C signatures.
            unsafe {
                Some(EntryPoints {
                    parallel: std::mem::transmute::<*mut c_void, unsafe extern "C" fn(extern "C" fn(*mut c_void), *mut c_void, c_uint, c_uint)>(p),
                    thread_num: std::mem::transmute::<*mut c_void, unsafe extern "C" fn() -> c_int>(t),
                    num_threads: std::mem::transmute::<*mut c_void, unsafe extern "C" fn() -> c_int>(n),
                })
            }
        })
        .as_ref()
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

impl Coefficients<f64> {
    /// The same constants rounded to f32, for the f32 loop.
    fn to_f32(self) -> Coefficients<f32> {
        Coefficients {
            beta1: self.beta1 as f32,
            beta2: self.beta2 as f32,
            eps: self.eps as f32,
            step_size: self.step_size as f32,
            bc2_sqrt: self.bc2_sqrt as f32,
        }
    }
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
mod tests;
