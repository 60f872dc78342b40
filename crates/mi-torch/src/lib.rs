//! The one bridge between ndarray and libtorch.
//!
//! Everything in infomax that touches both an [`ndarray`] array and a [`tch::Tensor`] goes through
//! this crate: conversions both ways ([`array2_to_tensor`], [`tensor_to_array2`]), device choice
//! ([`DeviceChoice`], [`resolve_device`]) and seeding ([`seed_everything`]). Keeping it in one place
//! means there is exactly one answer to "which dtype, which memory layout, which device".
//!
//! ```no_run
//! use mi_torch::{array2_to_tensor, tensor_to_array2, resolve_device, DeviceChoice};
//! let x = ndarray::Array2::<f32>::from_shape_fn((4, 3), |(i, j)| (i * 3 + j) as f32);
//! let device = resolve_device(DeviceChoice::Cpu).unwrap();
//! let t = array2_to_tensor(&x.view(), device);
//! let back = tensor_to_array2::<f32>(&(t * 2.0)).unwrap();
//! assert_eq!(back[[3, 2]], 22.0);
//! ```
//!
//! It also holds what every training crate shares: [`optim::Adam`], PyTorch's Adam computed in
//! one fused pass per parameter on the CPU.
pub mod optim;

use ndarray::{Array2, ArrayView2};
use std::fmt;
use std::str::FromStr;
pub use tch;
use tch::{Device, Kind, Tensor};

/// Errors of the bridge: a device that is not there, a tensor of the wrong shape or kind.
#[derive(Debug, thiserror::Error)]
pub enum TorchError {
    #[error("CUDA was requested but libtorch reports no usable GPU (libtorch at {libtorch_lib}); \
             use --device cpu, or point LIBTORCH at a CUDA build of libtorch 2.11 on a machine with a GPU")]
    CudaUnavailable { libtorch_lib: String },
    #[error("unknown device '{0}': expected 'cpu', 'cuda', 'cuda:N' or 'auto'")]
    UnknownDevice(String),
    #[error("expected a 2-D tensor, got shape {0:?}")]
    NotMatrix(Vec<i64>),
    #[error("libtorch error: {0}")]
    Tch(#[from] tch::TchError),
}

/// Where a computation should run, as a user says it on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceChoice {
    /// CUDA device 0 when libtorch sees a GPU, otherwise the CPU.
    #[default]
    Auto,
    Cpu,
    /// CUDA device with this ordinal; an error if there is none.
    Cuda(usize),
}

impl FromStr for DeviceChoice {
    type Err = TorchError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda(0)),
            other => other
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(Self::Cuda)
                .ok_or_else(|| TorchError::UnknownDevice(s.to_string())),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Auto => write!(f, "auto"),
            Self::Cpu => write!(f, "cpu"),
            Self::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

/// The folder of the libtorch this crate was linked against (recorded at build time).
pub fn libtorch_lib_dir() -> &'static str {
    option_env!("INFOMAX_LIBTORCH_LIB").unwrap_or("<unknown>")
}

/// The address the dynamic linker binds `name` to in this process (`dlsym(RTLD_DEFAULT, name)`),
/// `None` when no loaded library defines it.
pub(crate) fn find_symbol(name: &std::ffi::CStr) -> Option<*mut std::ffi::c_void> {
    use std::ffi::{c_char, c_void};
    extern "C" {
        fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    }
    // SAFETY: dlsym with RTLD_DEFAULT (a null handle) and a NUL-terminated name only reads.
    let p = unsafe { dlsym(std::ptr::null_mut(), name.as_ptr()) };
    (!p.is_null()).then_some(p)
}

/// The file of the library that this process binds the BLAS routine `symbol` (e.g. `sgemm_`) to.
///
/// libtorch's CPU matrix products call the Fortran BLAS interface, and the dynamic linker binds
/// each such symbol to the first loaded library defining it. A binary that also links the system
/// OpenBLAS (for ndarray-linalg) must load libtorch_cpu first, or libtorch runs on OpenBLAS, whose
/// thread pool fights libtorch's OpenMP threads (2.5–3× slower training on 2 cores). mi-estimators'
/// build script sees to the order; `infomax bench train` reports this, and a test checks it.
pub fn blas_library(symbol: &str) -> Option<String> {
    use std::ffi::{c_char, c_int, c_void, CStr, CString};
    #[repr(C)]
    struct DlInfo {
        dli_fname: *const c_char,
        dli_fbase: *mut c_void,
        dli_sname: *const c_char,
        dli_saddr: *mut c_void,
    }
    extern "C" {
        fn dladdr(addr: *const c_void, info: *mut DlInfo) -> c_int;
    }
    let addr = find_symbol(&CString::new(symbol).ok()?)?;
    // SAFETY: dladdr fills the plain struct we pass; dli_fname, when set, points at a
    // NUL-terminated path owned by the dynamic linker for the life of the loaded library, which
    // we copy at once.
    unsafe {
        let mut info = DlInfo { dli_fname: std::ptr::null(), dli_fbase: std::ptr::null_mut(), dli_sname: std::ptr::null(), dli_saddr: std::ptr::null_mut() };
        if dladdr(addr, &mut info) == 0 || info.dli_fname.is_null() {
            return None;
        }
        Some(CStr::from_ptr(info.dli_fname).to_string_lossy().into_owned())
    }
}

/// What [`retain_freed_memory`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocatorTuning {
    /// Allocations at least this large are mapped from the kernel one by one.
    pub mmap_threshold_bytes: usize,
    /// Free memory at the top of the heap is given back to the kernel beyond this size.
    pub trim_threshold_bytes: usize,
}

/// Keeps the memory libtorch frees in this process's heap, for its next tensors, instead of
/// handing it back to the kernel after each operation. Call it once at the start of a program
/// that trains with libtorch on the CPU; later calls return the same answer. `None` where the C
/// library is not glibc (nothing is changed there) or glibc refused a setting.
///
/// libtorch allocates every CPU tensor with the C library's `malloc`. A training step of the A4
/// ConvNet makes tensors of 0.2–3 MB; glibc maps allocations that large straight from the kernel
/// (or trims them off the top of the heap when freed), so each step pays for fresh zeroed pages:
/// ≈5,000 page faults a step (`perf stat -e page-faults` on `examples/a4_step_rate`, 50 against
/// 150 steps). With mappings only from 32 MiB (glibc's largest allowed threshold) and trimming
/// only beyond 1 GiB of free heap, the fault count no longer grows with the steps, and training
/// runs 1.2–1.3× faster (ConvNet and MLP pairs, 2 cores). The cost is
/// that up to 1 GiB of freed memory stays with the process. PyTorch scripts get the same effect
/// from `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824`;
/// `cargo xtask bench` times the PyTorch twin both ways.
pub fn retain_freed_memory() -> Option<AllocatorTuning> {
    static DONE: std::sync::OnceLock<Option<AllocatorTuning>> = std::sync::OnceLock::new();
    *DONE.get_or_init(|| {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            use std::ffi::c_int;
            extern "C" {
                fn mallopt(param: c_int, value: c_int) -> c_int;
            }
            // <malloc.h>: M_TRIM_THRESHOLD −1, M_MMAP_THRESHOLD −3
            const M_TRIM_THRESHOLD: c_int = -1;
            const M_MMAP_THRESHOLD: c_int = -3;
            let tuning = AllocatorTuning { mmap_threshold_bytes: 32 << 20, trim_threshold_bytes: 1 << 30 };
            // SAFETY: mallopt only changes glibc's allocation parameters (it takes the arena
            // locks itself) and returns 1 on success, 0 when it refuses a value.
            let ok = unsafe {
                mallopt(M_MMAP_THRESHOLD, tuning.mmap_threshold_bytes as c_int) == 1
                    && mallopt(M_TRIM_THRESHOLD, tuning.trim_threshold_bytes as c_int) == 1
            };
            ok.then_some(tuning)
        }
        #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
        {
            None
        }
    })
}

/// True when libtorch has CUDA support and sees at least one GPU.
pub fn cuda_available() -> bool {
    tch::Cuda::is_available()
}

/// Number of CUDA devices libtorch sees (0 on a CPU-only machine).
pub fn cuda_device_count() -> usize {
    usize::try_from(tch::Cuda::device_count()).unwrap_or(0)
}

/// Turns a user's choice into a device, refusing CUDA when it is not there.
pub fn resolve_device(choice: DeviceChoice) -> Result<Device, TorchError> {
    match choice {
        DeviceChoice::Cpu => Ok(Device::Cpu),
        DeviceChoice::Auto => Ok(if cuda_available() { Device::Cuda(0) } else { Device::Cpu }),
        DeviceChoice::Cuda(n) => {
            if cuda_available() && n < cuda_device_count() {
                Ok(Device::Cuda(n))
            } else {
                Err(TorchError::CudaUnavailable { libtorch_lib: libtorch_lib_dir().to_string() })
            }
        }
    }
}

/// Seeds libtorch's CPU and CUDA generators. Combined with seeded data order this makes a CPU run
/// repeatable; CUDA kernels may still be non-deterministic.
pub fn seed_everything(seed: u64) {
    // libtorch takes an i64; fold the high bit rather than fail.
    tch::manual_seed((seed & (i64::MAX as u64)) as i64);
    if cuda_available() {
        tch::Cuda::manual_seed_all(seed);
    }
}

/// A scalar type that crosses the bridge.
pub trait Scalar: tch::kind::Element + Copy + 'static {}
impl Scalar for f32 {}
impl Scalar for f64 {}
impl Scalar for i64 {}
impl Scalar for u8 {}

/// Copies a 2-D array into a new tensor of the same element kind on `device`.
/// Works for any memory layout (non-contiguous views are copied in logical row-major order).
pub fn array2_to_tensor<T: Scalar>(a: &ArrayView2<'_, T>, device: Device) -> Tensor {
    let (rows, cols) = a.dim();
    let t = match a.as_slice() {
        Some(s) => Tensor::from_slice(s),
        None => Tensor::from_slice(&a.iter().copied().collect::<Vec<T>>()),
    };
    t.reshape([rows as i64, cols as i64]).to_device(device)
}

/// Copies a 2-D tensor (any device, converted to `T`'s kind) into a new array.
pub fn tensor_to_array2<T: Scalar>(t: &Tensor) -> Result<Array2<T>, TorchError> {
    let size = t.size();
    let [rows, cols] = size[..] else {
        return Err(TorchError::NotMatrix(size));
    };
    let flat = t.f_to_device(Device::Cpu)?.f_to_kind(T::KIND)?.f_contiguous()?.f_view([-1])?;
    let v = Vec::<T>::try_from(&flat)?;
    // The shape is exactly rows*cols by construction.
    Array2::from_shape_vec((rows as usize, cols as usize), v)
        .map_err(|_| TorchError::NotMatrix(vec![rows, cols]))
}

/// A tensor's element kind as a float kind for training (`f32`), for use by the model crates.
pub const TRAIN_KIND: Kind = Kind::Float;

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{s, Array2};

    #[test]
    fn round_trip_f32_and_f64() {
        let a = Array2::<f64>::from_shape_fn((5, 7), |(i, j)| i as f64 * 0.5 - j as f64);
        let t = array2_to_tensor(&a.view(), Device::Cpu);
        assert_eq!(t.size(), vec![5, 7]);
        assert_eq!(t.kind(), Kind::Double);
        let back: Array2<f64> = tensor_to_array2(&t).unwrap();
        assert_eq!(a, back);
        let as_f32: Array2<f32> = tensor_to_array2(&t).unwrap();
        assert_eq!(as_f32[[4, 6]], (4.0 * 0.5 - 6.0) as f32);
    }

    #[test]
    fn non_contiguous_view_keeps_logical_order() {
        let a = Array2::<f32>::from_shape_fn((6, 4), |(i, j)| (10 * i + j) as f32);
        let v = a.slice(s![..;2, 1..]);
        let t = array2_to_tensor(&v, Device::Cpu);
        let back: Array2<f32> = tensor_to_array2(&t).unwrap();
        assert_eq!(back, v.to_owned());
        let transposed = a.t();
        let back_t: Array2<f32> = tensor_to_array2(&array2_to_tensor(&transposed, Device::Cpu)).unwrap();
        assert_eq!(back_t, transposed.to_owned());
    }

    #[test]
    fn refuses_non_matrix() {
        let t = Tensor::zeros([2, 3, 4], (Kind::Float, Device::Cpu));
        assert!(matches!(tensor_to_array2::<f32>(&t), Err(TorchError::NotMatrix(_))));
    }

    #[test]
    fn device_parsing() {
        assert_eq!("cpu".parse::<DeviceChoice>().unwrap(), DeviceChoice::Cpu);
        assert_eq!("CUDA".parse::<DeviceChoice>().unwrap(), DeviceChoice::Cuda(0));
        assert_eq!("cuda:2".parse::<DeviceChoice>().unwrap(), DeviceChoice::Cuda(2));
        assert!("tpu".parse::<DeviceChoice>().is_err());
        assert_eq!(resolve_device(DeviceChoice::Cpu).unwrap(), Device::Cpu);
    }

    #[test]
    fn cuda_request_without_gpu_is_a_clear_error() {
        if cuda_available() {
            return; // covered by the `cuda` feature test on a GPU machine
        }
        let err = resolve_device(DeviceChoice::Cuda(0)).unwrap_err().to_string();
        assert!(err.contains("--device cpu"), "{err}");
    }

    #[test]
    fn seeding_repeats_random_draws() {
        seed_everything(7);
        let a = Tensor::randn([3, 3], (Kind::Float, Device::Cpu));
        seed_everything(7);
        let b = Tensor::randn([3, 3], (Kind::Float, Device::Cpu));
        assert_eq!(tensor_to_array2::<f32>(&a).unwrap(), tensor_to_array2::<f32>(&b).unwrap());
    }
}
