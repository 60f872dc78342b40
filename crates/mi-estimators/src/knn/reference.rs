//! Slow, obviously correct implementations (sequential, full sort of all distances, explicit
//! counting loops) that the fast paths are tested against for identical results. Public so that
//! users can check the fast paths on their own data; O(N² log N).
use super::{closer, ksg_from_counts, kl_from_radii, maxdist, prepare, KnnOptions, KsgAlgorithm, Prepared};
use crate::error::Result;
use ndarray::ArrayView2;

fn sorted_neighbours(p: &Prepared, i: usize, dist: impl Fn(usize) -> f64) -> Vec<(f64, usize)> {
    let mut all: Vec<(f64, usize)> = (0..p.n).filter(|&j| j != i).map(|j| (dist(j), j)).collect();
    all.sort_by(|a, b| {
        if closer(*a, *b) {
            std::cmp::Ordering::Less
        } else if closer(*b, *a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    all
}

pub(crate) fn ksg_counts(p: &Prepared, alg: KsgAlgorithm, k: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(p.n);
    for i in 0..p.n {
        let dx = |j: usize| maxdist(p.x(i), p.x(j));
        let dy = |j: usize| maxdist(p.y(i), p.y(j));
        let neighbours = sorted_neighbours(p, i, |j| dx(j).max(dy(j)));
        let knn = &neighbours[..k];
        let (mut nx, mut ny) = (0, 0);
        match alg {
            KsgAlgorithm::One => {
                let eps = knn[k - 1].0;
                for j in (0..p.n).filter(|&j| j != i) {
                    if dx(j) < eps {
                        nx += 1;
                    }
                    if dy(j) < eps {
                        ny += 1;
                    }
                }
            }
            KsgAlgorithm::Two => {
                let ex = knn.iter().map(|&(_, j)| dx(j)).fold(0.0, f64::max);
                let ey = knn.iter().map(|&(_, j)| dy(j)).fold(0.0, f64::max);
                for j in (0..p.n).filter(|&j| j != i) {
                    if dx(j) <= ex {
                        nx += 1;
                    }
                    if dy(j) <= ey {
                        ny += 1;
                    }
                }
            }
        }
        out.push((nx, ny));
    }
    out
}

/// Per-point marginal counts (n_x(i), n_y(i)) of KSG, computed the slow way.
pub fn ksg_counts_reference(x: &ArrayView2<f64>, y: &ArrayView2<f64>, alg: KsgAlgorithm, opts: &KnnOptions) -> Result<Vec<(usize, usize)>> {
    let p = prepare(x, Some(y), opts)?;
    Ok(ksg_counts(&p, alg, opts.k))
}

/// Per-point marginal counts through the fast path selected by `opts.search`.
pub fn ksg_counts_fast(x: &ArrayView2<f64>, y: &ArrayView2<f64>, alg: KsgAlgorithm, opts: &KnnOptions) -> Result<Vec<(usize, usize)>> {
    let p = prepare(x, Some(y), opts)?;
    Ok(super::ksg_counts(&p, alg, opts.k, opts.search))
}

/// KSG computed the slow way (same preprocessing and final formula as [`super::ksg_mi_nats`]).
pub fn ksg_mi_nats_reference(x: &ArrayView2<f64>, y: &ArrayView2<f64>, alg: KsgAlgorithm, opts: &KnnOptions) -> Result<f64> {
    let p = prepare(x, Some(y), opts)?;
    Ok(ksg_from_counts(alg, opts.k, &ksg_counts(&p, alg, opts.k)))
}

/// Kozachenko–Leonenko entropy computed the slow way.
pub fn kl_entropy_nats_reference(x: &ArrayView2<f64>, opts: &KnnOptions) -> Result<f64> {
    let p = prepare(x, None, opts)?;
    let radii: Vec<f64> = (0..p.n).map(|i| sorted_neighbours(&p, i, |j| maxdist(p.row(i), p.row(j)))[opts.k - 1].0).collect();
    kl_from_radii(opts.k, p.dim(), &radii)
}
