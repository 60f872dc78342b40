//! The paper's view pairs and the `u8 → f32` conversion.
//!
//! MNIST (paper, common setup): x1 = the first 392 values of the row-major 784 = rows 0–13 (top
//! half), x2 = rows 14–27 (bottom half); a ConvNet sees a view as a 1×14×28 image. Left/right
//! halves are columns 0–13 and 14–27 (each 28×14, row-major). CIFAR-10: rows 0–15 and 16–31 of each
//! channel, 3×16×32 per view (flattened channel-major: 1,536 values).
use crate::{Result, ViewError};
use ndarray::{s, Array, Array2, Array3, Array4, ArrayView, ArrayView3, ArrayView4, Dimension, Ix4};

/// Bytes to floats in [0, 1]: `v / 255`, any shape.
pub fn to_f32<D: Dimension>(a: ArrayView<'_, u8, D>) -> Array<f32, D> {
    a.mapv(|v| v as f32 / 255.0)
}

/// Bytes to `f64` in [0, 1]: `v / 255`, any shape (for the probe, which works in `f64`).
pub fn to_f64<D: Dimension>(a: ArrayView<'_, u8, D>) -> Array<f64, D> {
    a.mapv(|v| v as f64 / 255.0)
}

/// How an image is cut into two views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// Rows `0..h/2` and `h/2..h` (the paper's split).
    TopBottom,
    /// Columns `0..w/2` and `w/2..w`.
    LeftRight,
}

impl Split {
    /// The (height, width) of each half of an `h × w` image.
    pub fn half_shape(self, h: usize, w: usize) -> (usize, usize) {
        match self {
            Split::TopBottom => (h / 2, w),
            Split::LeftRight => (h, w / 2),
        }
    }
}

/// Two views of the same samples, one row per sample, flattened row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewPair {
    pub x1: Array2<f32>,
    pub x2: Array2<f32>,
}

fn check_even(split: Split, h: usize, w: usize) -> Result<()> {
    let (n, what) = match split {
        Split::TopBottom => (h, "an even image height"),
        Split::LeftRight => (w, "an even image width"),
    };
    if n == 0 || n % 2 != 0 {
        return Err(ViewError::shape(what, (h, w)));
    }
    Ok(())
}

/// Cuts `n × h × w` images into two `n × h' × w'` halves (still bytes).
pub fn split_images(images: ArrayView3<'_, u8>, split: Split) -> Result<(Array3<u8>, Array3<u8>)> {
    let (_, h, w) = images.dim();
    check_even(split, h, w)?;
    Ok(match split {
        Split::TopBottom => (images.slice(s![.., ..h / 2, ..]).to_owned(), images.slice(s![.., h / 2.., ..]).to_owned()),
        Split::LeftRight => (images.slice(s![.., .., ..w / 2]).to_owned(), images.slice(s![.., .., w / 2..]).to_owned()),
    })
}

/// Flattens `n × h × w` images row-major to `n × (h·w)` floats (`u8 / 255`).
pub fn flatten_f32(images: ArrayView3<'_, u8>) -> Array2<f32> {
    let (n, h, w) = images.dim();
    let v: Vec<f32> = images.iter().map(|&b| b as f32 / 255.0).collect();
    // the iterator walks in logical (row-major) order, whatever the memory layout
    Array2::from_shape_vec((n, h * w), v).expect("n·h·w values for an n × (h·w) matrix")
}

/// The paper's MNIST views: `n × 28 × 28` bytes to two `n × 392` float matrices (`u8 / 255`).
/// Works for any even-sized grey-scale images (`n × h × w`).
pub fn mnist_views(images: ArrayView3<'_, u8>, split: Split) -> Result<ViewPair> {
    let (a, b) = split_images(images, split)?;
    Ok(ViewPair { x1: flatten_f32(a.view()), x2: flatten_f32(b.view()) })
}

/// The paper's views of the whole of MNIST: (train, test), each with `x1`, `x2` of 392 columns.
pub fn mnist_train_test_views(m: &mi_data::mnist::Mnist, split: Split) -> Result<(ViewPair, ViewPair)> {
    Ok((mnist_views(m.train_images.view(), split)?, mnist_views(m.test_images.view(), split)?))
}

/// Images back to flat rows: `n × c × h × w` to `n × (c·h·w)` (copies when not contiguous).
pub fn flatten4(x: ArrayView4<'_, f32>) -> Array2<f32> {
    let (n, c, h, w) = x.dim();
    let v: Vec<f32> = x.iter().copied().collect();
    Array2::from_shape_vec((n, c * h * w), v).expect("n·c·h·w values for an n × (c·h·w) matrix")
}

/// CIFAR-10 top/bottom halves: `n × 3 × 32 × 32` bytes to two `n × 3 × 16 × 32` float image
/// batches (`u8 / 255`). Flatten with [`flatten4`] for an MLP (1,536 values, channel-major).
pub fn cifar_views(images: ArrayView4<'_, u8>) -> Result<(Array4<f32>, Array4<f32>)> {
    let (_, c, h, _) = images.dim();
    if c == 0 || h == 0 || h % 2 != 0 {
        return Err(ViewError::shape("n × c × h × w images with an even height", images.dim()));
    }
    let top = images.slice(s![.., .., ..h / 2, ..]);
    let bottom = images.slice(s![.., .., h / 2.., ..]);
    Ok((to_f32::<Ix4>(top), to_f32::<Ix4>(bottom)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;

    /// Pixel value encodes its position: distinct for every (row, column) of a 28×28 image within
    /// one image, shifted by the image index.
    fn images(n: usize) -> Array3<u8> {
        Array::from_shape_fn((n, 28, 28), |(i, r, c)| ((r * 28 + c + i * 3) % 251) as u8)
    }

    #[test]
    fn top_bottom_is_rows_0_13_and_14_27_row_major() {
        let x = images(3);
        let v = mnist_views(x.view(), Split::TopBottom).unwrap();
        assert_eq!(v.x1.dim(), (3, 392));
        assert_eq!(v.x2.dim(), (3, 392));
        for i in 0..3 {
            for k in 0..392 {
                assert_eq!(v.x1[[i, k]], x[[i, k / 28, k % 28]] as f32 / 255.0);
                assert_eq!(v.x2[[i, k]], x[[i, 14 + k / 28, k % 28]] as f32 / 255.0);
            }
        }
        // the same as the first and last 392 values of the flattened image
        let flat = flatten_f32(x.view());
        assert_eq!(v.x1, flat.slice(s![.., ..392]));
        assert_eq!(v.x2, flat.slice(s![.., 392..]));
    }

    #[test]
    fn left_right_is_columns() {
        let x = images(2);
        let v = mnist_views(x.view(), Split::LeftRight).unwrap();
        assert_eq!(Split::LeftRight.half_shape(28, 28), (28, 14));
        for i in 0..2 {
            for k in 0..392 {
                assert_eq!(v.x1[[i, k]], x[[i, k / 14, k % 14]] as f32 / 255.0);
                assert_eq!(v.x2[[i, k]], x[[i, k / 14, 14 + k % 14]] as f32 / 255.0);
            }
        }
    }

    #[test]
    fn views_of_a_whole_dataset() {
        let m = mi_data::mnist::Mnist {
            train_images: images(4),
            train_labels: ndarray::Array1::zeros(4),
            test_images: images(2),
            test_labels: ndarray::Array1::zeros(2),
        };
        let (train, test) = mnist_train_test_views(&m, Split::TopBottom).unwrap();
        assert_eq!(train.x1.dim(), (4, 392));
        assert_eq!(test.x2.dim(), (2, 392));
        assert_eq!(test, mnist_views(images(2).view(), Split::TopBottom).unwrap());
    }

    #[test]
    fn conversion_is_u8_over_255() {
        let a = Array::from_vec(vec![0u8, 1, 128, 255]);
        assert_eq!(to_f32(a.view()).to_vec(), vec![0.0, 1.0 / 255.0, 128.0 / 255.0, 1.0]);
        assert_eq!(to_f64(a.view())[3], 1.0);
    }

    #[test]
    fn cifar_halves_are_3x16x32() {
        let x = Array::from_shape_fn((2, 3, 32, 32), |(i, c, r, w)| ((i * 7 + c * 50 + r * 3 + w) % 256) as u8);
        let (top, bottom) = cifar_views(x.view()).unwrap();
        assert_eq!(top.dim(), (2, 3, 16, 32));
        assert_eq!(bottom.dim(), (2, 3, 16, 32));
        assert_eq!(top[[1, 2, 15, 31]], x[[1, 2, 15, 31]] as f32 / 255.0);
        assert_eq!(bottom[[1, 2, 0, 4]], x[[1, 2, 16, 4]] as f32 / 255.0);
        assert_eq!(flatten4(top.view()).dim(), (2, 1536));
        // flattening is channel-major: the second channel starts at 16·32
        assert_eq!(flatten4(top.view())[[0, 512]], x[[0, 1, 0, 0]] as f32 / 255.0);
    }

    #[test]
    fn bad_shapes_are_errors() {
        let odd = Array3::<u8>::zeros((1, 27, 28));
        assert!(mnist_views(odd.view(), Split::TopBottom).is_err());
        assert!(mnist_views(odd.view(), Split::LeftRight).is_ok());
        assert!(cifar_views(Array4::<u8>::zeros((1, 3, 31, 32)).view()).is_err());
    }
}
