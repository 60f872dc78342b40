//! MNIST as this study uses it: rows for augmentation, fixed evaluation pairs.
use super::*;

/// MNIST as this study uses it.
pub(super) struct Data {
    /// Training images as rows of 784 floats in [0, 1] (CPU, for augmentation).
    pub(super) train: Array2<f32>,
    pub(super) train_labels: Array1<i64>,
    pub(super) probe_train: Tensor,
    pub(super) probe_labels: Array1<i64>,
    pub(super) test: Tensor,
    pub(super) test_labels: Array1<i64>,
    /// One fixed pair of augmentations of every test image (for L_align).
    pub(super) test_v1: Tensor,
    pub(super) test_v2: Tensor,
    pub(super) device: Device,
}

pub(super) const SIDE: usize = 28;

pub(super) fn to_rows(images: &ndarray::Array3<u8>, n: usize) -> Array2<f32> {
    let n = n.min(images.shape()[0]);
    Array2::from_shape_fn((n, SIDE * SIDE), |(i, j)| f32::from(images[[i, j / SIDE, j % SIDE]]) / 255.0)
}

/// Two augmentations of rows of 784 pixels.
pub(super) fn two_views(aug: &Augment, rows: &Array2<f32>, rng: &mut ChaCha8Rng) -> Result<(Array2<f32>, Array2<f32>)> {
    let n = rows.nrows();
    let imgs = rows.view().into_shape_with_order((n, 1, SIDE, SIDE)).map_err(|e| ExperimentError::Invalid(e.to_string()))?;
    let (a, b) = aug.two_views(imgs, rng)?;
    let flat = |x: ndarray::Array4<f32>| x.into_shape_with_order((n, SIDE * SIDE)).map_err(|e| ExperimentError::Invalid(e.to_string()));
    Ok((flat(a)?, flat(b)?))
}

pub(super) fn one_view(aug: &Augment, rows: &Array2<f32>, rng: &mut ChaCha8Rng) -> Result<Array2<f32>> {
    let n = rows.nrows();
    let imgs = rows.view().into_shape_with_order((n, 1, SIDE, SIDE)).map_err(|e| ExperimentError::Invalid(e.to_string()))?;
    aug.apply_batch(imgs, rng)?.into_shape_with_order((n, SIDE * SIDE)).map_err(|e| ExperimentError::Invalid(e.to_string()))
}

impl Data {
    pub(super) fn new(m: &mi_data::mnist::Mnist, s: &HyperSettings, seed: u64, device: Device) -> Result<Self> {
        let train = to_rows(&m.train_images, s.n_train);
        let test_rows = to_rows(&m.test_images, s.n_test);
        let train_labels: Array1<i64> = m.train_labels.iter().take(train.nrows()).map(|&l| i64::from(l)).collect();
        let test_labels: Array1<i64> = m.test_labels.iter().take(test_rows.nrows()).map(|&l| i64::from(l)).collect();
        if train.nrows() < s.n_train || test_rows.nrows() < s.n_test {
            return Err(ExperimentError::Invalid(format!("MNIST has fewer images than the settings ask for ({s:?})")));
        }
        let probe = train.slice(ndarray::s![..s.n_probe_train, ..]);
        let t = |a: &ndarray::ArrayView2<'_, f32>| mi_torch::array2_to_tensor(a, device);
        // the same evaluation pairs for every encoder
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xa119_0000_e7a1);
        let (v1, v2) = two_views(&Augment::digits(), &test_rows, &mut rng)?;
        Ok(Self {
            probe_train: t(&probe),
            probe_labels: train_labels.slice(ndarray::s![..s.n_probe_train]).to_owned(),
            test: t(&test_rows.view()),
            test_labels,
            test_v1: t(&v1.view()),
            test_v2: t(&v2.view()),
            train,
            train_labels,
            device,
        })
    }
}

