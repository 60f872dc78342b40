//! Critics on tch: maps from two feature batches to a B×B score matrix.
//!
//! What belongs here (see `ARCHITECTURE.md`): bilinear `uᵀWv`, separable `φ1(u)ᵀφ2(v)` and
//! concat-MLP `f([u; v])` critics (the latter evaluated on all B² pairs), and the `Critic` trait.
pub use mi_torch;
