//! Probes that measure how useful a representation is, on ndarray (no libtorch).
//!
//! What belongs here (see `ARCHITECTURE.md`): multinomial logistic regression with an L2 penalty
//! solved by SAGA with scikit-learn's step size and stopping rule, min-max and standard scalers, a
//! cosine k-nearest-neighbour probe, accuracy, per-class accuracy and the confusion matrix.
