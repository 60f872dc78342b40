//! Fixed permutations of coordinates: a volume-preserving flow layer.
use crate::error::{FlowError, Result};
use crate::Flow;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use tch::{Device, Tensor};

/// `y[:, i] = x[:, perm[i]]`, with log-determinant 0.
#[derive(Debug)]
pub struct Permutation {
    indices: Vec<i64>,
    perm: Tensor,
    inverse: Tensor,
}

/// Draws `count` independent uniformly random permutations of `0..dim` from one seeded stream
/// (ChaCha8), so the same seed always gives the same permutations on every machine.
pub fn random_permutations(dim: usize, count: usize, seed: u64) -> Vec<Vec<i64>> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let mut p: Vec<i64> = (0..dim as i64).collect();
            p.shuffle(&mut rng);
            p
        })
        .collect()
}

impl Permutation {
    /// A permutation from explicit indices; an error unless they are a permutation of `0..n`.
    pub fn from_indices(indices: Vec<i64>, device: Device) -> Result<Self> {
        let n = indices.len();
        let mut inv = vec![-1i64; n];
        for (i, &p) in indices.iter().enumerate() {
            let ok = usize::try_from(p).ok().filter(|&p| p < n && inv[p] < 0);
            let Some(p) = ok else {
                return Err(FlowError::Config(format!("not a permutation of 0..{n}: {indices:?}")));
            };
            inv[p] = i as i64;
        }
        let perm = Tensor::f_from_slice(&indices)?.f_to_device(device)?;
        let inverse = Tensor::f_from_slice(&inv)?.f_to_device(device)?;
        Ok(Self { indices, perm, inverse })
    }

    /// A uniformly random permutation of `0..dim` drawn from `seed`.
    pub fn random(dim: usize, seed: u64, device: Device) -> Result<Self> {
        let p = random_permutations(dim, 1, seed).pop().unwrap_or_default();
        Self::from_indices(p, device)
    }

    /// The reversal `dim−1, …, 0`.
    pub fn reverse(dim: usize, device: Device) -> Result<Self> {
        Self::from_indices((0..dim as i64).rev().collect(), device)
    }

    /// The indices: output coordinate `i` is input coordinate `indices()[i]`.
    pub fn indices(&self) -> &[i64] {
        &self.indices
    }

    fn zeros_like_batch(x: &Tensor) -> Tensor {
        Tensor::zeros([x.size()[0]], (x.kind(), x.device()))
    }
}

impl Flow for Permutation {
    fn dim(&self) -> i64 {
        self.indices.len() as i64
    }
    fn forward(&self, x: &Tensor) -> (Tensor, Tensor) {
        (x.index_select(1, &self.perm), Self::zeros_like_batch(x))
    }
    fn inverse(&self, y: &Tensor) -> (Tensor, Tensor) {
        (y.index_select(1, &self.inverse), Self::zeros_like_batch(y))
    }
    fn parameters(&self) -> Vec<Tensor> {
        vec![]
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_permutation_and_rejects_non_permutations() {
        assert_eq!(random_permutations(50, 3, 9), random_permutations(50, 3, 9));
        assert_ne!(random_permutations(50, 1, 9), random_permutations(50, 1, 10));
        assert!(Permutation::from_indices(vec![0, 0, 1], Device::Cpu).is_err());
        assert!(Permutation::from_indices(vec![0, 3, 1], Device::Cpu).is_err());
        assert!(Permutation::from_indices(vec![2, 0, 1], Device::Cpu).is_ok());
    }

    #[test]
    fn moves_coordinates_and_inverts() {
        let p = Permutation::from_indices(vec![2, 0, 1], Device::Cpu).unwrap();
        let x = Tensor::from_slice(&[10.0f64, 20.0, 30.0]).reshape([1, 3]);
        let (y, ld) = p.forward(&x);
        assert_eq!(Vec::<f64>::try_from(y.reshape([-1])).unwrap(), vec![30.0, 10.0, 20.0]);
        assert_eq!(ld.double_value(&[0]), 0.0);
        let (back, _) = p.inverse(&y);
        assert_eq!(Vec::<f64>::try_from(back.reshape([-1])).unwrap(), vec![10.0, 20.0, 30.0]);
    }
}
