//! Reading datasets and data files; the only library crate that does file I/O.
//!
//! ```no_run
//! use mi_data::{data_root, mnist};
//!
//! // `datasets/mnist/` (or `$INFOMAX_DATA_DIR/mnist/`); fetched and verified on first use.
//! let dir = data_root(None).join("mnist"); // = mnist::default_dir(None)
//! mnist::ensure(&dir, &mut |msg| eprintln!("{msg}"))?; // a no-op when present and verified
//! let data = mnist::load(&dir)?; // checks sizes and magic numbers (cheap)
//! assert_eq!(data.train_images.shape(), &[60_000, 28, 28]);
//! assert_eq!(data.test_labels.len(), 10_000);
//! # Ok::<(), mi_data::DataError>(())
//! ```
//!
//! * [`idx`] — the IDX format (MNIST); [`cifar10`] — the CIFAR-10 binary format.
//! * [`mnist`], [`cifar10`] — loading ([`mnist::load`], cheap size/magic checks every time),
//!   verification ([`mnist::verify`], checksums) and fetching ([`mnist::ensure`]) into
//!   `datasets/<name>/`, the folder chosen by [`data_root`] (`--data-dir`, else
//!   `$INFOMAX_DATA_DIR`, else the repository's `datasets/`).
//! * [`pickle`] — a strict reader of the one pickle layout MNIST's offline source uses; it never
//!   executes anything.
//! * [`array_file`] — `.npy`/`.csv` arrays for the command-line tool; [`atomic`] — atomic writes.
//!
//! Images come out as `u8` with their shape; conversion to float happens at the edge that needs it
//! (`mi-views`). Errors ([`DataError`]) name the file, what was expected, what was found and how to
//! recover. Progress goes to a caller-supplied callback; this crate does not print.

pub mod array_file;
pub mod atomic;
pub mod checksum;
pub mod cifar10;
mod error;
pub mod fetch;
pub mod idx;
pub mod mnist;
pub mod pickle;

pub use error::{DataError, Result};
pub use fetch::{data_root, Progress, DATA_DIR_ENV};
