//! The cosine k-nearest-neighbour probe (k = 5 in the hypersphere study).
//!
//! Rows are normalised to unit length (an all-zero row stays zero, so its similarity to everything
//! is 0, as with scikit-learn's `normalize`); the similarity is the dot product of unit rows.
//!
//! **Ties.** Neighbours with equal similarity are ordered by training index (lower first). The
//! prediction is the label with the most votes among the k nearest; when several labels share the
//! most votes, the one whose best-ranked neighbour is nearest wins (equivalently, the first of the
//! tied labels in the neighbour list).
use crate::error::{ProbeError, Result};
use crate::feature::{check_features, check_labels, check_n_features, Feature};
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

/// Test rows per parallel block (fixed: results do not depend on the number of threads).
const BLOCK_ROWS: usize = 64;

/// A fitted cosine k-NN classifier.
#[derive(Debug, Clone)]
pub struct CosineKnn {
    k: usize,
    train: Array2<f64>,
    labels: Array1<i64>,
}

fn normalise<T: Feature>(x: ArrayView2<'_, T>) -> Array2<f64> {
    let mut out = x.mapv(Feature::to_f64);
    for mut r in out.outer_iter_mut() {
        let norm = r.dot(&r).sqrt();
        if norm > 0.0 {
            r /= norm;
        }
    }
    out
}

impl CosineKnn {
    /// Stores the normalised training rows. `k` ≥ 1 and at most the number of rows.
    pub fn fit<T: Feature>(k: usize, x: ArrayView2<'_, T>, y: ArrayView1<'_, i64>) -> Result<Self> {
        if k == 0 {
            return Err(ProbeError::InvalidConfig { name: "k", value: "0".into(), reason: "must be at least 1" });
        }
        check_features("training features", &x)?;
        check_labels("training labels", x.nrows(), &y)?;
        if k > x.nrows() {
            return Err(ProbeError::TooFewNeighbours { k, n_train: x.nrows() });
        }
        Ok(Self { k, train: normalise(x), labels: y.to_owned() })
    }

    pub fn k(&self) -> usize {
        self.k
    }

    /// Indices of the k nearest training rows of every row of `x`, nearest first (`n × k`).
    pub fn neighbours<T: Feature>(&self, x: ArrayView2<'_, T>) -> Result<Array2<usize>> {
        check_features("features", &x)?;
        check_n_features("features", self.train.ncols(), x.ncols())?;
        let q = normalise(x);
        let n = q.nrows();
        let k = self.k;
        let starts: Vec<usize> = (0..n).step_by(BLOCK_ROWS).collect();
        let blocks: Vec<Vec<usize>> = starts
            .par_iter()
            .map(|&s0| {
                let block = q.slice(s![s0..(s0 + BLOCK_ROWS).min(n), ..]);
                let sims = block.dot(&self.train.t());
                let mut out = Vec::with_capacity(block.nrows() * k);
                let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
                for row in sims.outer_iter() {
                    best.clear();
                    for (j, &sim) in row.iter().enumerate() {
                        if best.len() == k && sim <= best[k - 1].0 {
                            continue; // not better than the worst kept (ties keep the lower index)
                        }
                        // insertion point: after every kept entry with similarity ≥ sim
                        let pos = best.iter().position(|&(b, _)| sim > b).unwrap_or(best.len());
                        best.insert(pos, (sim, j));
                        best.truncate(k);
                    }
                    out.extend(best.iter().map(|&(_, j)| j));
                }
                out
            })
            .collect();
        let flat: Vec<usize> = blocks.into_iter().flatten().collect();
        Array2::from_shape_vec((n, k), flat).map_err(|_| ProbeError::TooLarge { what: "neighbours", value: n * k, max: isize::MAX as usize })
    }

    /// Majority vote of the k nearest neighbours (ties: see the module documentation).
    pub fn predict<T: Feature>(&self, x: ArrayView2<'_, T>) -> Result<Array1<i64>> {
        let nb = self.neighbours(x)?;
        Ok(nb.outer_iter().map(|r| vote(r.iter().map(|&j| self.labels[j]))).collect())
    }

    /// Accuracy of [`predict`](Self::predict) against `y`.
    pub fn score<T: Feature>(&self, x: ArrayView2<'_, T>, y: ArrayView1<'_, i64>) -> Result<f64> {
        check_labels("labels", x.nrows(), &y)?;
        let pred = self.predict(x)?;
        crate::metrics::accuracy(y, pred.view())
    }
}

/// Majority vote over labels listed nearest first; ties go to the label listed first.
fn vote(labels: impl Iterator<Item = i64>) -> i64 {
    let mut counts: Vec<(i64, usize)> = Vec::new(); // in order of first appearance
    for l in labels {
        match counts.iter_mut().find(|(c, _)| *c == l) {
            Some((_, n)) => *n += 1,
            None => counts.push((l, 1)),
        }
    }
    let mut best = (i64::MIN, 0usize);
    for &(l, n) in &counts {
        if n > best.1 {
            best = (l, n);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vote_breaks_ties_by_nearest() {
        assert_eq!(vote([3, 1, 1, 3, 2].into_iter()), 3);
        assert_eq!(vote([2, 1, 1, 3, 2].into_iter()), 2);
        assert_eq!(vote([4, 1, 1, 3, 5].into_iter()), 1);
        assert_eq!(vote([4, 1, 2, 3, 5].into_iter()), 4);
    }
}
