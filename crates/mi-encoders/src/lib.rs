//! The paper's encoders on tch.
//!
//! What belongs here (see `ARCHITECTURE.md`): the MLP 392→300→300→100, the ConvNet with the
//! paper's joint layer norm, the skip-connection MLP initialised near identity, RealNVP encoders
//! (additive and affine couplings), per-sample Jacobians and their condition numbers, and the
//! small `Encoder` trait that makes them interchangeable. Paper settings are named constructors.
pub use mi_torch;
