//! Slow, obviously correct implementations (sequential, full sort of all distances, explicit
//! counting loops) that the fast paths are tested against for identical results. Public so that
//! users can check the fast paths on their own data; O(N² log N).
//!
//! Every distance is the options' norm within a block (X, Y, Z; all columns for the entropy),
//! through the module's one function per norm, and the max of the block distances across blocks:
//! the definition.
use super::cmi::{cmi_from_counts, prepare_cmi};
use super::{block_dist, closer, ksg_from_counts, kl_from_radii, prepare, KnnOptions, KsgAlgorithm, Prepared};
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
        let dx = |j: usize| block_dist(p.norm, p.x(i), p.x(j));
        let dy = |j: usize| block_dist(p.norm, p.y(i), p.y(j));
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
    let radii: Vec<f64> = (0..p.n).map(|i| sorted_neighbours(&p, i, |j| block_dist(p.norm, p.row(i), p.row(j)))[opts.k - 1].0).collect();
    kl_from_radii(opts.k, p.dim(), opts.norm, &radii)
}

/// Frenzel–Pompe per-point counts (n_xz(i), n_yz(i), n_z(i)) for rows [x | z | y].
fn cmi_counts(p: &Prepared, dx: usize, dz: usize, k: usize) -> Vec<(usize, usize, usize)> {
    let (x, z, y) = (|i: usize| &p.row(i)[..dx], |i: usize| &p.row(i)[dx..dx + dz], |i: usize| &p.row(i)[dx + dz..]);
    let mut out = Vec::with_capacity(p.n);
    for i in 0..p.n {
        let dxj = |j: usize| block_dist(p.norm, x(i), x(j));
        let dzj = |j: usize| block_dist(p.norm, z(i), z(j));
        let dyj = |j: usize| block_dist(p.norm, y(i), y(j));
        let eps = sorted_neighbours(p, i, |j| dxj(j).max(dzj(j)).max(dyj(j)))[k - 1].0;
        let (mut nxz, mut nyz, mut nz) = (0, 0, 0);
        for j in (0..p.n).filter(|&j| j != i) {
            if dxj(j).max(dzj(j)) < eps {
                nxz += 1;
            }
            if dyj(j).max(dzj(j)) < eps {
                nyz += 1;
            }
            if dzj(j) < eps {
                nz += 1;
            }
        }
        out.push((nxz, nyz, nz));
    }
    out
}

/// Frenzel–Pompe I(X; Y | Z) computed the slow way (same preprocessing and final formula as
/// [`super::ksg_cmi_nats`]).
pub fn ksg_cmi_nats_reference(x: &ArrayView2<f64>, y: &ArrayView2<f64>, z: &ArrayView2<f64>, opts: &KnnOptions) -> Result<f64> {
    let (p, dx, dz) = prepare_cmi(x, y, z, opts)?;
    Ok(cmi_from_counts(opts.k, &cmi_counts(&p, dx, dz, opts.k)))
}
