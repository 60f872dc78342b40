//! Mutual-information estimators that need no neural network and no libtorch.
//!
//! What belongs here (see `ARCHITECTURE.md`): closed forms (discrete entropy, KL, MI; Gaussian
//! entropy and MI from a covariance; canonical correlations), variational bounds evaluated on a
//! B×B score matrix (InfoNCE, NWJ, DV/MINE, TUBA, JS, SMILE, I_α), k-NN estimators (KSG,
//! Kozachenko–Leonenko), Gaussian/CCA and discrete plug-in estimators, and a ground-truth task
//! suite with exact MI. Behind the optional `tch` feature: the same bounds on tch tensors, one
//! file per bound holding both forms. All quantities are in nats unless a name says otherwise.
