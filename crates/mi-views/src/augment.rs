//! Image augmentations for the hypersphere study (Wang & Isola): two random augmentations of the
//! same image form a positive pair.
//!
//! On float images `c × h × w` with values in [0, 1], in this order: random crop after zero padding
//! (a random shift of at most `pad` pixels), a small rotation and scale about the centre (bilinear,
//! zero outside), an optional horizontal flip (off by default; never for digits), and
//! brightness/contrast jitter (result clamped to [0, 1]). Every draw comes from the caller's RNG.
use crate::{Result, ViewError};
use ndarray::{Array3, Array4, ArrayView3, ArrayView4, Axis};
use rand::Rng;

/// Augmentation strengths. [`Augment::none`] is the identity.
#[derive(Debug, Clone, PartialEq)]
pub struct Augment {
    /// Zero padding on each side before cropping back to the original size (a shift of up to
    /// `pad` pixels in each direction).
    pub pad: usize,
    /// Rotation angle drawn uniformly from `[-max_rotation_deg, max_rotation_deg]`.
    pub max_rotation_deg: f32,
    /// Scale factor drawn uniformly from `[1 - max_scale, 1 + max_scale]`.
    pub max_scale: f32,
    /// Brightness offset drawn uniformly from `[-brightness, brightness]`.
    pub brightness: f32,
    /// Contrast factor drawn uniformly from `[1 - contrast, 1 + contrast]` (about the image mean).
    pub contrast: f32,
    /// Probability of a horizontal flip. Keep 0 for digits.
    pub hflip_prob: f64,
}

impl Augment {
    /// No augmentation at all.
    pub fn none() -> Self {
        Self { pad: 0, max_rotation_deg: 0.0, max_scale: 0.0, brightness: 0.0, contrast: 0.0, hflip_prob: 0.0 }
    }

    /// Mild augmentations for MNIST digits: shift ≤ 2 px, rotation ≤ 10°, scale ±10%,
    /// brightness ±0.1, contrast ±20%, no flips.
    pub fn digits() -> Self {
        Self { pad: 2, max_rotation_deg: 10.0, max_scale: 0.1, brightness: 0.1, contrast: 0.2, hflip_prob: 0.0 }
    }

    /// For natural images (CIFAR-10): shift ≤ 4 px, rotation ≤ 10°, scale ±10%, brightness ±0.2,
    /// contrast ±20%, horizontal flips half the time.
    pub fn natural() -> Self {
        Self { pad: 4, max_rotation_deg: 10.0, max_scale: 0.1, brightness: 0.2, contrast: 0.2, hflip_prob: 0.5 }
    }

    fn validate(&self) -> Result<()> {
        let finite_nonneg = |name: &'static str, v: f32| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(ViewError::arg(name, v, "a finite value ≥ 0"))
            }
        };
        finite_nonneg("max_rotation_deg", self.max_rotation_deg)?;
        finite_nonneg("max_scale", self.max_scale)?;
        finite_nonneg("brightness", self.brightness)?;
        finite_nonneg("contrast", self.contrast)?;
        if self.max_scale >= 1.0 {
            return Err(ViewError::arg("max_scale", self.max_scale, "less than 1 (the scale must stay positive)"));
        }
        if !(0.0..=1.0).contains(&self.hflip_prob) {
            return Err(ViewError::arg("hflip_prob", self.hflip_prob, "a probability in [0, 1]"));
        }
        Ok(())
    }

    /// One random augmentation of one image (`c × h × w`).
    pub fn apply(&self, img: ArrayView3<'_, f32>, rng: &mut impl Rng) -> Result<Array3<f32>> {
        self.validate()?;
        Ok(self.apply_unchecked(img, rng))
    }

    fn apply_unchecked(&self, img: ArrayView3<'_, f32>, rng: &mut impl Rng) -> Array3<f32> {
        let mut out = if self.pad > 0 {
            let p = self.pad as isize;
            let dy = rng.gen_range(-p..=p);
            let dx = rng.gen_range(-p..=p);
            shift(img, dy, dx)
        } else {
            img.to_owned()
        };
        if self.max_rotation_deg > 0.0 || self.max_scale > 0.0 {
            let angle = uniform(rng, self.max_rotation_deg).to_radians();
            let scale = 1.0 + uniform(rng, self.max_scale);
            out = rotate_scale(out.view(), angle, scale);
        }
        if self.hflip_prob > 0.0 && rng.gen_bool(self.hflip_prob) {
            out.invert_axis(Axis(2));
        }
        if self.brightness > 0.0 || self.contrast > 0.0 {
            let b = uniform(rng, self.brightness);
            let c = 1.0 + uniform(rng, self.contrast);
            jitter(&mut out, b, c);
        }
        out
    }

    /// An independent augmentation of every image of a batch (`n × c × h × w`).
    pub fn apply_batch(&self, imgs: ArrayView4<'_, f32>, rng: &mut impl Rng) -> Result<Array4<f32>> {
        self.validate()?;
        let mut out = Array4::zeros(imgs.raw_dim());
        for (i, img) in imgs.outer_iter().enumerate() {
            out.index_axis_mut(Axis(0), i).assign(&self.apply_unchecked(img, rng));
        }
        Ok(out)
    }

    /// Two independent augmentations of the same batch: a positive pair per image.
    pub fn two_views(&self, imgs: ArrayView4<'_, f32>, rng: &mut impl Rng) -> Result<(Array4<f32>, Array4<f32>)> {
        Ok((self.apply_batch(imgs, rng)?, self.apply_batch(imgs, rng)?))
    }
}

/// Uniform in `[-m, m]` (0 when `m` is 0, without consuming randomness).
fn uniform(rng: &mut impl Rng, m: f32) -> f32 {
    if m > 0.0 {
        rng.gen_range(-m..=m)
    } else {
        0.0
    }
}

/// The image moved by `(dy, dx)` pixels, zeros where nothing moves in: the same as zero-padding by
/// `pad` and cropping at offset `(pad - dy, pad - dx)`.
pub fn shift(img: ArrayView3<'_, f32>, dy: isize, dx: isize) -> Array3<f32> {
    let (c, h, w) = img.dim();
    Array3::from_shape_fn((c, h, w), |(k, y, x)| {
        let sy = y as isize - dy;
        let sx = x as isize - dx;
        if sy >= 0 && sx >= 0 && (sy as usize) < h && (sx as usize) < w {
            img[[k, sy as usize, sx as usize]]
        } else {
            0.0
        }
    })
}

/// Rotation by `angle` radians and scaling by `scale`
/// about the image centre; bilinear interpolation, zero outside the image.
pub fn rotate_scale(img: ArrayView3<'_, f32>, angle: f32, scale: f32) -> Array3<f32> {
    let (c, h, w) = img.dim();
    let (cy, cx) = ((h as f32 - 1.0) / 2.0, (w as f32 - 1.0) / 2.0);
    let (sin, cos) = angle.sin_cos();
    let at = |k: usize, y: isize, x: isize| -> f32 {
        if y >= 0 && x >= 0 && (y as usize) < h && (x as usize) < w {
            img[[k, y as usize, x as usize]]
        } else {
            0.0
        }
    };
    Array3::from_shape_fn((c, h, w), |(k, y, x)| {
        // inverse map: where in the source does output pixel (y, x) come from
        let (py, px) = (y as f32 - cy, x as f32 - cx);
        let sx = (cos * px - sin * py) / scale + cx;
        let sy = (sin * px + cos * py) / scale + cy;
        let (y0, x0) = (sy.floor(), sx.floor());
        let (fy, fx) = (sy - y0, sx - x0);
        let (y0, x0) = (y0 as isize, x0 as isize);
        (1.0 - fy) * ((1.0 - fx) * at(k, y0, x0) + fx * at(k, y0, x0 + 1)) + fy * ((1.0 - fx) * at(k, y0 + 1, x0) + fx * at(k, y0 + 1, x0 + 1))
    })
}

/// Brightness/contrast: `clamp((x - mean) · contrast + mean + brightness, 0, 1)`, mean over the
/// whole image.
pub fn jitter(img: &mut Array3<f32>, brightness: f32, contrast: f32) {
    let mean = img.mean().unwrap_or(0.0);
    img.mapv_inplace(|v| ((v - mean) * contrast + mean + brightness).clamp(0.0, 1.0));
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn img() -> Array3<f32> {
        Array::from_shape_fn((1, 9, 9), |(_, y, x)| ((y * 9 + x) as f32) / 81.0)
    }

    #[test]
    fn none_is_the_identity() {
        let x = img();
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert_eq!(Augment::none().apply(x.view(), &mut rng).unwrap(), x);
    }

    #[test]
    fn shift_moves_pixels_and_fills_zeros() {
        let x = img();
        let s = shift(x.view(), 2, -1);
        assert_eq!(s[[0, 2, 0]], x[[0, 0, 1]]);
        assert_eq!(s[[0, 8, 7]], x[[0, 6, 8]]);
        assert_eq!(s[[0, 0, 4]], 0.0);
        assert_eq!(s[[0, 5, 8]], 0.0);
    }

    #[test]
    fn rotation_by_90_degrees_and_identity() {
        let x = img();
        let same = rotate_scale(x.view(), 0.0, 1.0);
        assert!(same.iter().zip(x.iter()).all(|(a, b)| (a - b).abs() < 1e-6));
        let r = rotate_scale(x.view(), std::f32::consts::FRAC_PI_2, 1.0);
        // output (y, x) samples source (x', y') with x' = cx - (y - cy), y' = cy + (x - cx)
        for y in 0..9 {
            for xx in 0..9 {
                let want = x[[0, xx, 8 - y]];
                assert!((r[[0, y, xx]] - want).abs() < 1e-4, "({y},{xx}) {} vs {want}", r[[0, y, xx]]);
            }
        }
        // scaling up by 2 keeps the centre and spreads the neighbourhood
        let z = rotate_scale(x.view(), 0.0, 2.0);
        assert!((z[[0, 4, 4]] - x[[0, 4, 4]]).abs() < 1e-6);
        assert!((z[[0, 4, 6]] - x[[0, 4, 5]]).abs() < 1e-6);
    }

    #[test]
    fn jitter_stays_in_range_and_changes_contrast() {
        let mut x = img();
        jitter(&mut x, 0.5, 3.0);
        assert!(x.iter().all(|v| (0.0..=1.0).contains(v)));
        let mut y = img();
        let m = y.mean().unwrap();
        jitter(&mut y, 0.0, 0.5);
        assert!((y[[0, 0, 0]] - m * 0.5).abs() < 1e-6);
    }

    #[test]
    fn digits_augmentation_is_seeded_and_never_flips() {
        // an asymmetric digit-like image: a bar on the left
        let mut x = Array3::<f32>::zeros((1, 28, 28));
        x.slice_mut(ndarray::s![0, 4..24, 4..8]).fill(1.0);
        let aug = Augment::digits();
        let batch = x.clone().insert_axis(Axis(0));
        let run = |seed| aug.two_views(batch.view(), &mut ChaCha8Rng::seed_from_u64(seed)).unwrap();
        let (a, b) = run(1);
        assert_eq!((a.clone(), b.clone()), run(1));
        assert_ne!(a, b, "two independent views");
        // geometry only (jitter lifts the background too): the bar must never move to the right
        let geometric = Augment { brightness: 0.0, contrast: 0.0, ..Augment::digits() };
        for seed in 0..20 {
            let out = geometric.apply(x.view(), &mut ChaCha8Rng::seed_from_u64(seed)).unwrap();
            let left: f32 = out.slice(ndarray::s![0, .., ..14]).sum();
            let right: f32 = out.slice(ndarray::s![0, .., 14..]).sum();
            assert!(left > 40.0 && right < 1e-3, "the bar stays on the left: {left} vs {right}");
            let full = aug.apply(x.view(), &mut ChaCha8Rng::seed_from_u64(seed)).unwrap();
            assert!(full.iter().all(|v| (0.0..=1.0).contains(v)));
        }
    }

    #[test]
    fn natural_flips_sometimes() {
        let mut x = Array3::<f32>::zeros((3, 8, 8));
        x.slice_mut(ndarray::s![.., .., ..2]).fill(1.0);
        let aug = Augment { hflip_prob: 1.0, ..Augment::none() };
        let out = aug.apply(x.view(), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
        assert_eq!(out[[2, 3, 7]], 1.0);
        assert_eq!(out[[2, 3, 0]], 0.0);
    }

    #[test]
    fn invalid_strengths_are_errors() {
        let x = img();
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert!(Augment { max_scale: 1.5, ..Augment::none() }.apply(x.view(), &mut rng).is_err());
        assert!(Augment { hflip_prob: 2.0, ..Augment::none() }.apply(x.view(), &mut rng).is_err());
        assert!(Augment { brightness: f32::NAN, ..Augment::none() }.apply(x.view(), &mut rng).is_err());
    }
}
