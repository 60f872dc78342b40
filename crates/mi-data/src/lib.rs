//! Reading datasets and data files; the only library crate that does file I/O.
//!
//! What belongs here (see `ARCHITECTURE.md`): the IDX reader (MNIST), the CIFAR-10 binary reader,
//! `.npy`/`.csv` array readers for the command-line tool, checksum-verified fetching into
//! `datasets/<name>/` with atomic writes, and the cache layout. Images come out as `u8` with their
//! shape; conversion to float happens at the edge that needs it.

pub mod array_file;
pub mod atomic;
mod error;

pub use error::{DataError, Result};
