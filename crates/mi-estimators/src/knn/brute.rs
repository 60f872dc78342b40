//! Parallel brute force (rayon over query points), O(N²·d): the path for high dimension, where
//! space-partitioning trees degrade. Each query computes all marginal distances once, selects the
//! k-th joint neighbour by (distance, index) in linear time, and counts in the same buffers.
use super::{closer, maxdist, KsgAlgorithm, Prepared};
use rayon::prelude::*;
use std::cmp::Ordering;

fn order(a: &(f64, usize), b: &(f64, usize)) -> Ordering {
    if closer(*a, *b) {
        Ordering::Less
    } else if closer(*b, *a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[derive(Default)]
struct Buffers {
    dx: Vec<f64>,
    dy: Vec<f64>,
    joint: Vec<(f64, usize)>,
}

pub(crate) fn ksg_counts(p: &Prepared, alg: KsgAlgorithm, k: usize) -> Vec<(usize, usize)> {
    let n = p.n;
    (0..n)
        .into_par_iter()
        .map_init(Buffers::default, |buf, i| {
            buf.dx.clear();
            buf.dy.clear();
            buf.joint.clear();
            let (xi, yi) = (p.x(i), p.y(i));
            for j in 0..n {
                let (a, b) = (maxdist(xi, p.x(j)), maxdist(yi, p.y(j)));
                buf.dx.push(a);
                buf.dy.push(b);
                if j != i {
                    buf.joint.push((if a > b { a } else { b }, j));
                }
            }
            buf.joint.select_nth_unstable_by(k - 1, order);
            let others = |d: &[f64], pred: &dyn Fn(f64) -> bool| d.iter().enumerate().filter(|&(j, &v)| j != i && pred(v)).count();
            match alg {
                KsgAlgorithm::One => {
                    let eps = buf.joint[k - 1].0;
                    (others(&buf.dx, &|v| v < eps), others(&buf.dy, &|v| v < eps))
                }
                KsgAlgorithm::Two => {
                    let near = &buf.joint[..k];
                    let ex = near.iter().map(|&(_, j)| buf.dx[j]).fold(0.0f64, |m, v| if v > m { v } else { m });
                    let ey = near.iter().map(|&(_, j)| buf.dy[j]).fold(0.0f64, |m, v| if v > m { v } else { m });
                    (others(&buf.dx, &|v| v <= ex), others(&buf.dy, &|v| v <= ey))
                }
            }
        })
        .collect()
}

pub(crate) fn kth_radii(p: &Prepared, k: usize) -> Vec<f64> {
    let n = p.n;
    (0..n)
        .into_par_iter()
        .map_init(Vec::new, |buf: &mut Vec<(f64, usize)>, i| {
            buf.clear();
            let xi = p.row(i);
            buf.extend((0..n).filter(|&j| j != i).map(|j| (maxdist(xi, p.row(j)), j)));
            buf.select_nth_unstable_by(k - 1, order);
            buf[k - 1].0
        })
        .collect()
}
