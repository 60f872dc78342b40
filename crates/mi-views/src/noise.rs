//! Additive Gaussian noise on views.
//!
//! The paper's A2 adds one draw of N(0, 0.05²) noise per training batch, *the same tensor to both
//! views* ([`NoiseMode::Shared`]); [`NoiseMode::Independent`] draws separately for each view. The
//! probe's inputs get fresh noise of the same scale ([`add_noise`]).
use crate::{Result, ViewError};
use ndarray::{Array, Dimension};
use rand::Rng;
use rand_distr::{Distribution, Normal};

/// Whether both views get the same noise draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoiseMode {
    /// One draw added to both views (the views must have the same shape).
    Shared,
    /// A separate draw for each view.
    Independent,
}

fn normal(sigma: f32) -> Result<Normal<f32>> {
    if !(sigma.is_finite() && sigma >= 0.0) {
        return Err(ViewError::arg("sigma", sigma, "a finite standard deviation ≥ 0"));
    }
    Normal::new(0.0, sigma).map_err(|e| ViewError::arg("sigma", sigma, e.to_string()))
}

/// Adds N(0, sigma²) noise to every element, in place (elements drawn in logical order).
pub fn add_noise<D: Dimension>(x: &mut Array<f32, D>, sigma: f32, rng: &mut impl Rng) -> Result<()> {
    let d = normal(sigma)?;
    x.iter_mut().for_each(|v| *v += d.sample(rng));
    Ok(())
}

/// Adds N(0, sigma²) noise to both views, shared or independent, in place.
pub fn add_gaussian_noise<D: Dimension>(
    x1: &mut Array<f32, D>,
    x2: &mut Array<f32, D>,
    sigma: f32,
    mode: NoiseMode,
    rng: &mut impl Rng,
) -> Result<()> {
    let d = normal(sigma)?;
    match mode {
        NoiseMode::Independent => {
            x1.iter_mut().for_each(|v| *v += d.sample(rng));
            x2.iter_mut().for_each(|v| *v += d.sample(rng));
        }
        NoiseMode::Shared => {
            if x1.shape() != x2.shape() {
                return Err(ViewError::shape(format!("two views of the same shape for shared noise ({:?})", x1.shape()), x2.shape()));
            }
            for (a, b) in x1.iter_mut().zip(x2.iter_mut()) {
                let e = d.sample(rng);
                *a += e;
                *b += e;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn pair() -> (Array2<f32>, Array2<f32>) {
        (Array2::from_shape_fn((50, 40), |(i, j)| (i + j) as f32 / 100.0), Array2::from_shape_fn((50, 40), |(i, j)| (i * j) as f32 / 1000.0))
    }

    #[test]
    fn shared_noise_is_the_same_draw_on_both_views() {
        let (a0, b0) = pair();
        let (mut a, mut b) = pair();
        add_gaussian_noise(&mut a, &mut b, 0.05, NoiseMode::Shared, &mut ChaCha8Rng::seed_from_u64(3)).unwrap();
        let da = &a - &a0;
        let db = &b - &b0;
        assert!(da.iter().zip(db.iter()).all(|(x, y)| (x - y).abs() < 1e-6));
        // and it is noise of the right scale: sample sd of 2,000 draws within 10% of 0.05
        let n = da.len() as f32;
        let mean = da.sum() / n;
        let sd = (da.mapv(|v| (v - mean) * (v - mean)).sum() / (n - 1.0)).sqrt();
        assert!((sd - 0.05).abs() < 0.005, "sd {sd}");
        assert!(mean.abs() < 0.005, "mean {mean}");
    }

    #[test]
    fn independent_noise_differs_between_views() {
        let (a0, b0) = pair();
        let (mut a, mut b) = pair();
        add_gaussian_noise(&mut a, &mut b, 0.05, NoiseMode::Independent, &mut ChaCha8Rng::seed_from_u64(3)).unwrap();
        let da = &a - &a0;
        let db = &b - &b0;
        let same = da.iter().zip(db.iter()).filter(|(x, y)| (*x - *y).abs() < 1e-6).count();
        assert_eq!(same, 0);
        // correlation of the two draws is near zero
        let corr = (&da * &db).sum() / (da.mapv(|v| v * v).sum() * db.mapv(|v| v * v).sum()).sqrt();
        assert!(corr.abs() < 0.1, "corr {corr}");
    }

    #[test]
    fn seeded_and_validated() {
        let run = |seed| {
            let (mut a, mut b) = pair();
            add_gaussian_noise(&mut a, &mut b, 0.1, NoiseMode::Independent, &mut ChaCha8Rng::seed_from_u64(seed)).unwrap();
            (a, b)
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
        let (mut a, mut b) = pair();
        assert!(add_gaussian_noise(&mut a, &mut b, -1.0, NoiseMode::Shared, &mut ChaCha8Rng::seed_from_u64(0)).is_err());
        assert!(add_noise(&mut a, f32::NAN, &mut ChaCha8Rng::seed_from_u64(0)).is_err());
        let mut c = Array2::<f32>::zeros((3, 3));
        assert!(add_gaussian_noise(&mut a, &mut c, 0.1, NoiseMode::Shared, &mut ChaCha8Rng::seed_from_u64(0)).is_err());
        let before = a.clone();
        add_noise(&mut a, 0.0, &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
        assert_eq!(a, before);
    }
}
