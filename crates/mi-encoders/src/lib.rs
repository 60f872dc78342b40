//! The paper's encoders on tch.
//!
//! ```no_run
//! use mi_encoders::{jacobian, ConvNet, Encoder, Mlp, RealNvpEncoder, SkipMlp};
//! use tch::{nn, Device, Kind, Tensor};
//!
//! mi_torch::seed_everything(0);
//! let vs = nn::VarStore::new(Device::Cpu);
//! let mlp = Mlp::paper(&vs.root().sub("g1"))?;          // 392 → 300 → 300 → 100
//! let conv = ConvNet::paper(&vs.root().sub("g2"))?;     // 1×14×28 → 100
//! assert_eq!(mlp.num_parameters(), 238_300);
//! let top_halves = Tensor::rand([128, 392], (Kind::Float, Device::Cpu));
//! let features = conv.f_encode(&top_halves)?;           // [128, 100]
//!
//! // A2: conditioning of the skip-MLP's Jacobians
//! let skip = SkipMlp::paper(&vs.root().sub("skip"))?;
//! let j = jacobian::jacobians(&skip, &top_halves, jacobian::DEFAULT_MAX_ROWS)?; // [128, 392, 392]
//! let log_cond = jacobian::log_condition_numbers(&j)?;  // ≈ 0 at initialisation
//!
//! // A1a: a bijective encoder (30 additive couplings, seeded permutations)
//! let nvp = RealNvpEncoder::additive_paper(&vs.root().sub("nvp"), 7)?;
//! # Ok::<(), mi_encoders::EncoderError>(())
//! ```
//!
//! What is here: the MLP ([`Mlp`]), the ConvNet with the paper's joint layer norm ([`ConvNet`]),
//! the skip-connection MLP initialised near identity ([`SkipMlp`]), RealNVP encoders (additive
//! and affine, [`RealNvpEncoder`], built on `mi_flows::RealNvp`), per-sample Jacobians and their
//! condition numbers ([`jacobian`]), and the [`Encoder`] trait that makes them interchangeable.
//! Paper settings are named constructors (`paper`, `cifar`); sizes are configurable through the
//! `*Config` structs. Input sizes follow the view: MNIST halves are 392 = 1 × 14 × 28, CIFAR-10
//! halves 1536 = 3 × 16 × 32.
pub mod convnet;
pub mod error;
pub mod jacobian;
pub mod mlp;
pub mod realnvp;
pub mod skip;
pub mod small_cnn;

pub use convnet::{ConvNet, ConvNetConfig};
pub use error::{EncoderError, Result};
pub use mi_flows;
pub use mi_torch;
pub use mlp::{Mlp, MlpConfig};
pub use realnvp::RealNvpEncoder;
pub use skip::{SkipMlp, SkipMlpConfig};
pub use small_cnn::{SmallCnn, SmallCnnConfig};

use tch::Tensor;

/// An encoder maps a batch of views to features. Parameters live in the `VarStore` whose path the
/// encoder was built from; [`Encoder::parameters`] lists them (for counting, or for an optimiser
/// over a subset).
pub trait Encoder {
    /// Features `[B, output_dim]` of a batch `[B, input_dim]` (flattened row-major views; image
    /// encoders also take `[B, C, H, W]`). Shapes are not checked: see [`Encoder::f_encode`].
    fn encode(&self, x: &Tensor) -> Tensor;
    /// Length of a flattened input view.
    fn input_dim(&self) -> i64;
    /// Length of a feature vector.
    fn output_dim(&self) -> i64;
    /// Shallow clones of the trainable parameters.
    fn parameters(&self) -> Vec<Tensor>;
    /// Number of scalar parameters.
    fn num_parameters(&self) -> i64 {
        mi_flows::count_parameters(&self.parameters())
    }
    /// An error unless `x` is `[B, input_dim]`.
    fn check_input(&self, x: &Tensor) -> Result<()> {
        let s = x.size();
        if s.len() == 2 && s[1] == self.input_dim() {
            Ok(())
        } else {
            Err(EncoderError::Shape { expected: format!("[batch, {}]", self.input_dim()), got: s })
        }
    }
    /// [`Encoder::encode`] after [`Encoder::check_input`]: use at boundaries where the input
    /// comes from a user.
    fn f_encode(&self, x: &Tensor) -> Result<Tensor> {
        self.check_input(x)?;
        Ok(self.encode(x))
    }
}

impl<E: Encoder + ?Sized> Encoder for Box<E> {
    fn encode(&self, x: &Tensor) -> Tensor {
        (**self).encode(x)
    }
    fn input_dim(&self) -> i64 {
        (**self).input_dim()
    }
    fn output_dim(&self) -> i64 {
        (**self).output_dim()
    }
    fn parameters(&self) -> Vec<Tensor> {
        (**self).parameters()
    }
    fn check_input(&self, x: &Tensor) -> Result<()> {
        (**self).check_input(x)
    }
}
