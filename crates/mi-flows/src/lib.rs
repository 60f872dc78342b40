//! Normalizing flows on tch.
//!
//! What belongs here (see `ARCHITECTURE.md`): additive and affine coupling layers, permutations,
//! a RealNVP stack with forward, inverse and log-determinant, a deep sigmoidal flow, a 2-D neural
//! autoregressive flow (inverse by bisection), and training a 2-D flow to a 2-D target density.
pub use mi_torch;
