//! Seeded shuffling and batching over a dataset of `n` samples.
//!
//! Epoch `e` under seed `s` is a permutation of `0..n` drawn from ChaCha8 seeded with `s` on stream
//! `e`: the same seed gives the same batches on every machine, and any epoch can be produced
//! without the ones before it.
use crate::{Result, ViewError};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The order of epoch `epoch` under `seed`: a permutation of `0..n`.
pub fn epoch_order(n: usize, seed: u64, epoch: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(epoch);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    order
}

fn check(n: usize, batch_size: usize) -> Result<()> {
    if batch_size == 0 {
        return Err(ViewError::arg("batch_size", 0, "at least 1"));
    }
    if n == 0 {
        return Err(ViewError::arg("n", 0, "at least one sample"));
    }
    Ok(())
}

/// The batches of one epoch: consecutive chunks of [`epoch_order`]. With `drop_last`, a final
/// incomplete batch is left out.
pub fn epoch_batches(n: usize, batch_size: usize, seed: u64, epoch: u64, drop_last: bool) -> Result<Vec<Vec<usize>>> {
    check(n, batch_size)?;
    Ok(epoch_order(n, seed, epoch)
        .chunks(batch_size)
        .filter(|c| !drop_last || c.len() == batch_size)
        .map(<[usize]>::to_vec)
        .collect())
}

/// An endless stream of full batches for training by steps: epochs 0, 1, 2, … in turn, each
/// reshuffled, the incomplete tail of each epoch dropped (so every batch has `batch_size`
/// distinct indices). Needs `batch_size ≤ n`.
#[derive(Debug, Clone)]
pub struct BatchStream {
    n: usize,
    batch_size: usize,
    seed: u64,
    epoch: u64,
    order: Vec<usize>,
    pos: usize,
}

impl BatchStream {
    pub fn new(n: usize, batch_size: usize, seed: u64) -> Result<Self> {
        check(n, batch_size)?;
        if batch_size > n {
            return Err(ViewError::arg("batch_size", batch_size, format!("at most the number of samples, {n}")));
        }
        Ok(Self { n, batch_size, seed, epoch: 0, order: epoch_order(n, seed, 0), pos: 0 })
    }

    /// The next batch of indices.
    pub fn next_batch(&mut self) -> Vec<usize> {
        if self.pos + self.batch_size > self.n {
            self.epoch += 1;
            self.order = epoch_order(self.n, self.seed, self.epoch);
            self.pos = 0;
        }
        let b = self.order[self.pos..self.pos + self.batch_size].to_vec();
        self.pos += self.batch_size;
        b
    }

    /// The epoch the next batch comes from (0-based).
    pub fn epoch(&self) -> u64 {
        if self.pos + self.batch_size > self.n {
            self.epoch + 1
        } else {
            self.epoch
        }
    }
}

impl Iterator for BatchStream {
    type Item = Vec<usize>;
    fn next(&mut self) -> Option<Vec<usize>> {
        Some(self.next_batch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_is_a_permutation_and_deterministic() {
        let b = epoch_batches(103, 10, 42, 0, false).unwrap();
        assert_eq!(b.len(), 11);
        assert_eq!(b.last().unwrap().len(), 3);
        let mut all: Vec<usize> = b.concat();
        assert_ne!(all, (0..103).collect::<Vec<_>>(), "shuffled");
        all.sort();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        assert_eq!(b, epoch_batches(103, 10, 42, 0, false).unwrap());
        assert_ne!(b, epoch_batches(103, 10, 43, 0, false).unwrap());
        assert_ne!(b, epoch_batches(103, 10, 42, 1, false).unwrap());
        let dropped = epoch_batches(103, 10, 42, 0, true).unwrap();
        assert_eq!(dropped.len(), 10);
        assert!(dropped.iter().all(|c| c.len() == 10));
        assert_eq!(dropped[..], b[..10]);
    }

    #[test]
    fn stream_walks_epochs_in_order() {
        let mut s = BatchStream::new(25, 10, 7).unwrap();
        let got: Vec<Vec<usize>> = (&mut s).take(5).collect();
        let e0 = epoch_batches(25, 10, 7, 0, true).unwrap();
        let e1 = epoch_batches(25, 10, 7, 1, true).unwrap();
        let e2 = epoch_batches(25, 10, 7, 2, true).unwrap();
        assert_eq!(got, vec![e0[0].clone(), e0[1].clone(), e1[0].clone(), e1[1].clone(), e2[0].clone()]);
        assert_eq!(s.epoch(), 2);
        let again: Vec<Vec<usize>> = BatchStream::new(25, 10, 7).unwrap().take(5).collect();
        assert_eq!(got, again);
    }

    #[test]
    fn bad_arguments() {
        assert!(epoch_batches(10, 0, 0, 0, false).is_err());
        assert!(epoch_batches(0, 4, 0, 0, false).is_err());
        assert!(BatchStream::new(3, 4, 0).unwrap_err().to_string().contains("batch_size"));
        assert_eq!(BatchStream::new(4, 4, 0).unwrap().take(3).count(), 3);
    }
}
