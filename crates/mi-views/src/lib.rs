//! View pairs of a sample, on ndarray (no libtorch, no I/O).
//!
//! ```
//! use mi_views::{batch::BatchStream, halves::{mnist_views, Split}, noise::{add_gaussian_noise, NoiseMode}};
//! use ndarray::Array3;
//! use rand::SeedableRng;
//!
//! // 10 fake 28×28 images (in practice `mi_data::mnist::load(dir)?.train_images`)
//! let images = Array3::<u8>::from_shape_fn((10, 28, 28), |(i, r, c)| (i + r * 28 + c) as u8);
//! let pair = mnist_views(images.view(), Split::TopBottom)?;
//! assert_eq!(pair.x1.dim(), (10, 392)); // rows 0–13, row-major, u8/255
//! assert_eq!(pair.x2.dim(), (10, 392)); // rows 14–27
//!
//! // seeded batches of 4 indices, reshuffled every epoch
//! let mut stream = BatchStream::new(10, 4, 7)?;
//! let idx = stream.next_batch();
//! let (mut x1, mut x2) = (pair.x1.select(ndarray::Axis(0), &idx), pair.x2.select(ndarray::Axis(0), &idx));
//! // the A2 noise: one N(0, 0.05²) draw added to both views
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
//! add_gaussian_noise(&mut x1, &mut x2, 0.05, NoiseMode::Shared, &mut rng)?;
//! assert_eq!(x1.nrows(), 4);
//! # Ok::<(), mi_views::ViewError>(())
//! ```
//!
//! * [`halves`] — the paper's view pairs: MNIST top/bottom halves (392/392 values, row-major; as
//!   images 1×14×28), left/right halves (1×28×14), CIFAR-10 top/bottom halves (3×16×32 each), and
//!   the `u8 / 255` conversion to float at this edge.
//! * [`noise`] — additive Gaussian noise, shared by both views or independent.
//! * [`augment`] — image augmentations for the hypersphere study: random crop after padding, small
//!   rotation and scale, brightness/contrast jitter (no flips unless asked: never for digits).
//! * [`batch`] — seeded shuffling and batching: deterministic for a given seed.

pub mod augment;
pub mod batch;
pub mod halves;
pub mod noise;

/// Errors of this crate: a shape or argument that does not fit.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// An array whose shape is not what the function needs.
    #[error("shape mismatch: expected {expected}, found {found}")]
    Shape { expected: String, found: String },
    /// An argument out of its range.
    #[error("invalid argument {name} = {value}: {expected}")]
    Argument { name: &'static str, value: String, expected: String },
}

impl ViewError {
    pub(crate) fn shape(expected: impl Into<String>, found: impl std::fmt::Debug) -> Self {
        Self::Shape { expected: expected.into(), found: format!("{found:?}") }
    }
    pub(crate) fn arg(name: &'static str, value: impl std::fmt::Display, expected: impl Into<String>) -> Self {
        Self::Argument { name, value: value.to_string(), expected: expected.into() }
    }
}

pub type Result<T, E = ViewError> = std::result::Result<T, E>;
