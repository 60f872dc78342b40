//! The two views of every image (top and bottom halves) as the InfoMax experiments use them.
use mi_train::Result;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use tch::{Device, Tensor};

/// The image datasets whose top/bottom halves the InfoMax experiments split into two views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    /// MNIST: each view 1 × 14 × 28 (392 values).
    Mnist,
    /// CIFAR-10: each view 3 × 16 × 32 (1,536 values, channel-major).
    Cifar10,
}

impl Dataset {
    /// The name for people ("MNIST", "CIFAR-10").
    pub fn label(self) -> &'static str {
        match self {
            Dataset::Mnist => "MNIST",
            Dataset::Cifar10 => "CIFAR-10",
        }
    }

    /// One view as (channels, height, width); a flat row of a view is read in this order.
    pub fn view_shape(self) -> (usize, usize, usize) {
        match self {
            Dataset::Mnist => (1, 14, 28),
            Dataset::Cifar10 => (3, 16, 32),
        }
    }

    /// Values in one (flattened) view.
    pub fn view_dim(self) -> usize {
        let (c, h, w) = self.view_shape();
        c * h * w
    }
}

/// A dataset as the experiments use it: both views (top and bottom halves) of every image as
/// flat float tensors on the device, plus labels on the CPU for the probe.
pub struct PairViews {
    pub train_x1: Tensor,
    pub train_x2: Tensor,
    pub test_x1: Tensor,
    pub test_x2: Tensor,
    pub train_labels: Array1<i64>,
    pub test_labels: Array1<i64>,
    /// The top halves on the CPU, for the pixel baseline.
    pub train_x1_cpu: Array2<f32>,
    pub test_x1_cpu: Array2<f32>,
    pub device: Device,
    /// Which images the views come from (sizes the encoders' inputs).
    pub dataset: Dataset,
}

impl PairViews {
    /// Top/bottom halves (392 + 392, pixels u8/255) of real MNIST.
    pub fn from_mnist(m: &mi_data::mnist::Mnist, device: Device) -> Result<Self> {
        let (train, test) = mi_views::halves::mnist_train_test_views(m, mi_views::halves::Split::TopBottom)?;
        let t = |a: &Array2<f32>| mi_torch::array2_to_tensor(&a.view(), device);
        Ok(Self {
            train_x1: t(&train.x1),
            train_x2: t(&train.x2),
            test_x1: t(&test.x1),
            test_x2: t(&test.x2),
            train_labels: m.train_labels.mapv(i64::from),
            test_labels: m.test_labels.mapv(i64::from),
            train_x1_cpu: train.x1,
            test_x1_cpu: test.x1,
            device,
            dataset: Dataset::Mnist,
        })
    }

    /// Top/bottom halves (rows 0–15 and 16–31, each 3 × 16 × 32 flattened channel-major to
    /// 1,536 values, pixels u8/255) of real CIFAR-10.
    pub fn from_cifar10(c: &mi_data::cifar10::Cifar10, device: Device) -> Result<Self> {
        let flat = |x: ndarray::Array4<f32>| mi_views::halves::flatten4(x.view());
        let (tr1, tr2) = mi_views::halves::cifar_views(c.train_images.view())?;
        let (te1, te2) = mi_views::halves::cifar_views(c.test_images.view())?;
        let (tr1, tr2, te1, te2) = (flat(tr1), flat(tr2), flat(te1), flat(te2));
        let t = |a: &Array2<f32>| mi_torch::array2_to_tensor(&a.view(), device);
        Ok(Self {
            train_x1: t(&tr1),
            train_x2: t(&tr2),
            test_x1: t(&te1),
            test_x2: t(&te2),
            train_labels: c.train_labels.mapv(i64::from),
            test_labels: c.test_labels.mapv(i64::from),
            train_x1_cpu: tr1,
            test_x1_cpu: te1,
            device,
            dataset: Dataset::Cifar10,
        })
    }

    pub fn n_train(&self) -> usize {
        self.train_labels.len()
    }
}

/// Loads the views of `dataset` from `dir` onto `device`, the first `n_train` and `n_test` images
/// (MNIST is fetched and verified first; CIFAR-10 must be there: it has no offline source).
pub fn load_views(dataset: Dataset, dir: &std::path::Path, n_train: usize, n_test: usize, device: Device, say: &dyn Fn(&str)) -> Result<PairViews> {
    match dataset {
        Dataset::Mnist => {
            mi_data::mnist::ensure(dir, &mut |m| say(m))?;
            let mut mnist = mi_data::mnist::load(dir)?;
            if n_train < mnist.train_labels.len() || n_test < mnist.test_labels.len() {
                mnist.train_images = mnist.train_images.slice_move(ndarray::s![..n_train, .., ..]);
                mnist.train_labels = mnist.train_labels.slice_move(ndarray::s![..n_train]);
                mnist.test_images = mnist.test_images.slice_move(ndarray::s![..n_test, .., ..]);
                mnist.test_labels = mnist.test_labels.slice_move(ndarray::s![..n_test]);
            }
            PairViews::from_mnist(&mnist, device)
        }
        Dataset::Cifar10 => {
            let mut c = mi_data::cifar10::load(dir)?;
            // (CIFAR-10 has 50,000 training images; the slice takes at most that)
            let (n_train, n_test) = (n_train.min(c.train_labels.len()), n_test.min(c.test_labels.len()));
            c.train_images = c.train_images.slice_move(ndarray::s![..n_train, .., .., ..]);
            c.train_labels = c.train_labels.slice_move(ndarray::s![..n_train]);
            c.test_images = c.test_images.slice_move(ndarray::s![..n_test, .., .., ..]);
            c.test_labels = c.test_labels.slice_move(ndarray::s![..n_test]);
            PairViews::from_cifar10(&c, device)
        }
    }
}
