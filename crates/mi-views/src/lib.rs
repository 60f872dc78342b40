//! View pairs of a sample, on ndarray (no libtorch).
//!
//! What belongs here (see `ARCHITECTURE.md`): the paper's views (MNIST top/bottom and left/right
//! halves, CIFAR-10 top/bottom halves), additive Gaussian noise shared by both views or
//! independent, image augmentations for the hypersphere study, and seeded shuffling and batching.
