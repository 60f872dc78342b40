//! Probes that measure how useful a representation is, on ndarray (no libtorch).
//!
//! ```
//! use mi_probe::{LogisticRegression, MinMaxScaler, synthetic};
//!
//! // 600 samples, 8 features, 3 classes (deterministic synthetic blobs)
//! let (x, y) = synthetic::blobs(600, 8, 3, 1, 0, -1);
//! let (x_train, x_test) = (x.slice(ndarray::s![..500, ..]), x.slice(ndarray::s![500.., ..]));
//! let (y_train, y_test) = (y.slice(ndarray::s![..500]), y.slice(ndarray::s![500..]));
//!
//! // the paper's protocol: min-max scaling fitted on train, C = 10, tol = 0.1, SAGA
//! let scaler = MinMaxScaler::fit(x_train)?;
//! let (x_train, x_test) = (scaler.transform(x_train)?, scaler.transform(x_test)?);
//! let probe = LogisticRegression::builder().c(10.0).tol(0.1).max_epochs(100).seed(0).build()?;
//! let model = probe.fit(x_train.view(), y_train)?;
//! let test_accuracy = model.score(x_test.view(), y_test)?;
//! assert!(test_accuracy > 0.8, "{test_accuracy}");
//! assert!(model.epochs() >= 1);
//! # Ok::<(), mi_probe::ProbeError>(())
//! ```
//!
//! * [`LogisticRegression`]: multinomial logistic regression with an L2 penalty, parametrised like
//!   scikit-learn (`C · Σ loss + ½‖W‖²`, intercept unpenalised), solved by SAGA with
//!   scikit-learn's step size, updates, stopping rule and — for seeds below 2³² — sample order
//!   (see [`saga`] for what is reorganised for speed). Two classes give scikit-learn's
//!   binomial model.
//! * [`MinMaxScaler`], [`StandardScaler`], [`Scaling`]: fitted on train, applied to test.
//! * [`CosineKnn`]: the cosine k-nearest-neighbour probe (documented tie-breaking).
//! * [`metrics`]: accuracy, per-class accuracy, the confusion matrix.
//! * [`synthetic`]: deterministic test data, bit-identical to `scripts/probe/synthetic.py`.
//!
//! Features may be `f32` or `f64`; all arithmetic is `f64`. Bad input (row-count mismatch, NaN or
//! ±∞, fewer than two classes, negative labels, a feature-count mismatch) is a [`ProbeError`].
//! Everything is deterministic: the same seed gives the same result, whatever the thread count.
pub mod error;
pub mod feature;
pub mod knn;
pub mod logistic;
pub mod metrics;
pub mod rng;
pub mod saga;
pub mod scale;
pub mod synthetic;

pub use error::{ProbeError, Result};
pub use feature::Feature;
pub use knn::CosineKnn;
pub use logistic::{LogisticModel, LogisticRegression, LogisticRegressionBuilder};
pub use saga::UpdateScheme;
pub use metrics::{accuracy, per_class_accuracy, ClassAccuracy, ConfusionMatrix};
pub use scale::{MinMaxScaler, Scaling, StandardScaler};
