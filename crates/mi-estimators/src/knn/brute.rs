//! Parallel brute force (rayon over query points), O(N²·d): the path for high dimension, where
//! space-partitioning trees degrade. Coordinates are stored column by column so that the distance
//! loops vectorise; each query computes all marginal max-norm distances once, keeps the k nearest
//! joint neighbours by (distance, index) in one pass, and counts in the same buffers.
//!
//! Max-norm distances are computed coordinate by coordinate as |q_c − p_c| and maximised; max is
//! exact, so they equal [`super::maxdist`] bit for bit. Euclidean ones add (q_c − p_c)² column by
//! column from 0, in coordinate order, and take the square root (|q_c − p_c| for a block of one
//! column): the operations of [`super::eucdist`] in its order, so its value bit for bit.
use super::{closer, KsgAlgorithm, Norm, Prepared};
use rayon::prelude::*;

/// Columns of the prepared data (column-major copy).
fn columns(p: &Prepared) -> Vec<Vec<f64>> {
    let d = p.dim();
    (0..d).map(|c| (0..p.n).map(|i| p.data[i * d + c]).collect()).collect()
}

/// out[j] = max over the given columns of |q_c − col_c[j]|.
fn max_dists(cols: &[Vec<f64>], q: &[f64], out: &mut Vec<f64>, n: usize) {
    out.clear();
    out.resize(n, 0.0);
    for (col, &qc) in cols.iter().zip(q) {
        for (o, &v) in out.iter_mut().zip(col.iter()) {
            let a = (qc - v).abs();
            *o = if a > *o { a } else { *o };
        }
    }
}

/// out[j] = ‖q − p_j‖₂ over the given columns.
fn euclid_dists(cols: &[Vec<f64>], q: &[f64], out: &mut Vec<f64>, n: usize) {
    if cols.len() == 1 {
        // one column: |t|, as `eucdist` takes it
        return max_dists(cols, q, out, n);
    }
    out.clear();
    out.resize(n, 0.0);
    for (col, &qc) in cols.iter().zip(q) {
        for (o, &v) in out.iter_mut().zip(col.iter()) {
            let t = qc - v;
            *o += t * t;
        }
    }
    for o in out.iter_mut() {
        *o = o.sqrt();
    }
}

/// out[j] = the distance under `norm` from `q` to point j, the given columns one block.
fn block_dists(norm: Norm, cols: &[Vec<f64>], q: &[f64], out: &mut Vec<f64>, n: usize) {
    match norm {
        Norm::Max => max_dists(cols, q, out, n),
        Norm::Euclidean => euclid_dists(cols, q, out, n),
    }
}

/// The k nearest (distance, index) pairs other than `skip`, sorted nearest first.
fn k_nearest(dist: &[f64], skip: usize, k: usize, best: &mut Vec<(f64, usize)>) {
    best.clear();
    for (j, &v) in dist.iter().enumerate() {
        if j == skip {
            continue;
        }
        if best.len() < k || closer((v, j), best[best.len() - 1]) {
            let pos = best.iter().position(|&b| closer((v, j), b)).unwrap_or(best.len());
            best.insert(pos, (v, j));
            best.truncate(k);
        }
    }
}

#[derive(Default)]
struct Buffers {
    dx: Vec<f64>,
    dy: Vec<f64>,
    joint: Vec<f64>,
    best: Vec<(f64, usize)>,
}

fn count_below(d: &[f64], r: f64) -> usize {
    d.iter().map(|&v| usize::from(v < r)).sum()
}

fn count_at_most(d: &[f64], r: f64) -> usize {
    d.iter().map(|&v| usize::from(v <= r)).sum()
}

pub(crate) fn ksg_counts(p: &Prepared, alg: KsgAlgorithm, k: usize) -> Vec<(usize, usize)> {
    let n = p.n;
    let cols = columns(p);
    let (cx, cy) = cols.split_at(p.dx);
    (0..n)
        .into_par_iter()
        .map_init(Buffers::default, |buf, i| {
            block_dists(p.norm, cx, p.x(i), &mut buf.dx, n);
            block_dists(p.norm, cy, p.y(i), &mut buf.dy, n);
            buf.joint.clear();
            buf.joint.extend(buf.dx.iter().zip(&buf.dy).map(|(&a, &b)| if a > b { a } else { b }));
            k_nearest(&buf.joint, i, k, &mut buf.best);
            // the point itself has distance 0 in every space: remove it from the counts
            match alg {
                KsgAlgorithm::One => {
                    let eps = buf.best[k - 1].0;
                    let own = usize::from(0.0 < eps);
                    (count_below(&buf.dx, eps) - own, count_below(&buf.dy, eps) - own)
                }
                KsgAlgorithm::Two => {
                    let ex = buf.best.iter().map(|&(_, j)| buf.dx[j]).fold(0.0f64, |m, v| if v > m { v } else { m });
                    let ey = buf.best.iter().map(|&(_, j)| buf.dy[j]).fold(0.0f64, |m, v| if v > m { v } else { m });
                    (count_at_most(&buf.dx, ex) - 1, count_at_most(&buf.dy, ey) - 1)
                }
            }
        })
        .collect()
}

pub(crate) fn kth_radii(p: &Prepared, k: usize) -> Vec<f64> {
    let n = p.n;
    let cols = columns(p);
    (0..n)
        .into_par_iter()
        .map_init(Buffers::default, |buf, i| {
            block_dists(p.norm, &cols, p.row(i), &mut buf.joint, n);
            k_nearest(&buf.joint, i, k, &mut buf.best);
            buf.best[k - 1].0
        })
        .collect()
}
