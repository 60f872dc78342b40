//! A k-d tree under the max-norm or the per-block Euclidean norm (see `metric.rs`) with exact (not
//! approximate) k-nearest-neighbour and radius-count queries, and the KSG / Kozachenko–Leonenko
//! drivers that use it.
//!
//! Exactness: node boxes are the true min/max of their points, and floating-point subtraction is
//! monotone, so for any point p of a node and query q, |lo − q| ≤ |p − q| ≤ max(|lo − q|, |hi − q|)
//! holds coordinate-wise *after rounding*. Pruning and whole-node counting decided on those bounds
//! therefore agree exactly with testing every point through [`super::maxdist`] (max-norm), and,
//! through the monotone steps `metric.rs` lists, through [`super::eucdist`] (Euclidean).
use super::axis::SortedAxis;
use super::metric::{dims, Euclid, MaxNorm, Metric, TreeMetric};
use super::{block_dist, closer, insert_best, KsgAlgorithm, Prepared};
use rayon::prelude::*;

/// Most points a leaf holds. Larger leaves trade distance evaluations for tree descents; in more
/// dimensions a descent prunes less, so leaves grow with the dimension (measured on KSG at
/// N = 10,000: 32 is best in 2-D, 64 in 10-D).
fn leaf_size(d: usize) -> usize {
    if d <= 3 {
        32
    } else {
        64
    }
}
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Node {
    start: u32,
    end: u32,
    left: u32,
    right: u32,
}

pub(crate) struct KdTree {
    d: usize,
    metric: TreeMetric,
    /// points in tree order, row-major
    pts: Vec<f64>,
    /// original index of each point in tree order
    ids: Vec<usize>,
    nodes: Vec<Node>,
    /// per node: lo[0..d] then hi[0..d]
    bounds: Vec<f64>,
}

impl KdTree {
    /// Builds a tree over `n` points whose coordinates are `coord(i)` (each of length `d`), for
    /// queries under `metric`.
    pub fn build<'a>(n: usize, d: usize, metric: TreeMetric, coord: impl Fn(usize) -> &'a [f64]) -> KdTree {
        let mut ids: Vec<usize> = (0..n).collect();
        let mut tree = KdTree { d, metric, pts: Vec::new(), ids: Vec::new(), nodes: Vec::new(), bounds: Vec::new() };
        if n > 0 {
            tree.build_node(&mut ids, 0, n, &coord);
        }
        tree.pts = ids.iter().flat_map(|&i| coord(i).iter().copied()).collect();
        tree.ids = ids;
        tree
    }

    fn build_node<'a>(&mut self, ids: &mut [usize], start: usize, end: usize, coord: &impl Fn(usize) -> &'a [f64]) -> u32 {
        let d = self.d;
        let mut lo = vec![f64::INFINITY; d];
        let mut hi = vec![f64::NEG_INFINITY; d];
        for &i in &ids[start..end] {
            for (c, &v) in coord(i).iter().enumerate() {
                lo[c] = lo[c].min(v);
                hi[c] = hi[c].max(v);
            }
        }
        let idx = self.nodes.len() as u32;
        self.nodes.push(Node { start: start as u32, end: end as u32, left: NONE, right: NONE });
        self.bounds.extend_from_slice(&lo);
        self.bounds.extend_from_slice(&hi);
        if end - start > leaf_size(d) {
            let dim = (0..d).max_by(|&a, &b| (hi[a] - lo[a]).total_cmp(&(hi[b] - lo[b]))).unwrap_or(0);
            let mid = (start + end) / 2;
            ids[start..end].select_nth_unstable_by(mid - start, |&a, &b| coord(a)[dim].total_cmp(&coord(b)[dim]));
            let left = self.build_node(ids, start, mid, coord);
            let right = self.build_node(ids, mid, end, coord);
            self.nodes[idx as usize].left = left;
            self.nodes[idx as usize].right = right;
        }
        idx
    }

    #[inline]
    fn point(&self, p: usize) -> &[f64] {
        &self.pts[p * self.d..(p + 1) * self.d]
    }

    /// Original index of the point at tree position `p`, and its coordinates.
    #[inline]
    pub fn id(&self, p: usize) -> usize {
        self.ids[p]
    }

    /// The box of node `node`: (lo, hi), each of length d.
    #[inline(always)]
    fn node_box<const D: usize>(&self, node: usize) -> (&[f64], &[f64]) {
        let d = dims::<D>(self.d);
        (&self.bounds[2 * d * node..2 * d * node + d], &self.bounds[2 * d * node + d..2 * d * (node + 1)])
    }

    /// The k nearest points to `q` other than `skip`, ranked by (distance, index), into `best`
    /// (sorted, nearest first).
    pub fn knn(&self, q: &[f64], skip: usize, k: usize, best: &mut Vec<(f64, usize)>) {
        best.clear();
        if !self.nodes.is_empty() && k > 0 {
            match self.metric {
                TreeMetric::Max => by_dim!(self.d, D => self.knn_rec::<D, MaxNorm>(MaxNorm, 0, q, skip, k, best)),
                TreeMetric::Euclid(m) => by_dim!(self.d, D => self.knn_rec::<D, Euclid>(m, 0, q, skip, k, best)),
            }
        }
    }

    fn knn_rec<const D: usize, M: Metric>(&self, m: M, node: usize, q: &[f64], skip: usize, k: usize, best: &mut Vec<(f64, usize)>) {
        let nd = self.nodes[node];
        if nd.left == NONE {
            // the k-th distance so far; a candidate farther than it cannot enter (the common case,
            // decided on one comparison; under the Euclidean norm, of squared sums, without a root)
            let mut worst = if best.len() == k { best[k - 1].0 } else { f64::INFINITY };
            let mut lim = m.limit(worst, false);
            for p in nd.start as usize..nd.end as usize {
                let Some(dist) = m.dist_within::<D>(q, self.point(p), lim) else {
                    continue;
                };
                let id = self.ids[p];
                if id == skip {
                    continue;
                }
                let cand = (dist, id);
                if best.len() == k && !closer(cand, best[k - 1]) {
                    continue;
                }
                insert_best(best, cand, k);
                if best.len() == k {
                    worst = best[k - 1].0;
                    lim = m.limit(worst, false);
                }
            }
            return;
        }
        let (l, r) = (nd.left as usize, nd.right as usize);
        let ((lo_l, hi_l), (lo_r, hi_r)) = (self.node_box::<D>(l), self.node_box::<D>(r));
        let (lb_l, lb_r) = (m.lower::<D>(lo_l, hi_l, q), m.lower::<D>(lo_r, hi_r, q));
        let order = if lb_l <= lb_r { [(l, lb_l), (r, lb_r)] } else { [(r, lb_r), (l, lb_l)] };
        for (child, lb) in order {
            // a node whose lower bound equals the current k-th distance may still hold a tie with a
            // smaller index, so only strictly larger bounds prune
            if best.len() == k && lb > best[k - 1].0 {
                continue;
            }
            self.knn_rec::<D, M>(m, child, q, skip, k, best);
        }
    }

    /// Number of points p (the query point itself included, if stored) with distance
    /// d(p, q) < r (`strict`) or ≤ r.
    pub fn count(&self, q: &[f64], r: f64, strict: bool) -> usize {
        if self.nodes.is_empty() {
            return 0;
        }
        match self.metric {
            TreeMetric::Max => by_dim!(self.d, D => self.count_rec::<D, MaxNorm>(MaxNorm, 0, q, r, strict)),
            TreeMetric::Euclid(m) => by_dim!(self.d, D => self.count_rec::<D, Euclid>(m, 0, q, r, strict)),
        }
    }

    fn count_rec<const D: usize, M: Metric>(&self, m: M, node: usize, q: &[f64], r: f64, strict: bool) -> usize {
        let nd = self.nodes[node];
        let (lo, hi) = self.node_box::<D>(node);
        let (lower, upper) = m.bounds::<D>(lo, hi, q);
        let inside = |dist: f64| if strict { dist < r } else { dist <= r };
        if !inside(lower) {
            return 0;
        }
        if inside(upper) {
            return (nd.end - nd.start) as usize;
        }
        if nd.left == NONE {
            let lim = m.limit(r, strict);
            return (nd.start as usize..nd.end as usize).filter(|&p| m.within::<D>(q, self.point(p), lim)).count();
        }
        self.count_rec::<D, M>(m, nd.left as usize, q, r, strict) + self.count_rec::<D, M>(m, nd.right as usize, q, r, strict)
    }
}

/// Runs `$body` with the const generic `$D` set to the run-time dimension `$d` (1 … 10), or to 0
/// (a run-time loop) above that.
macro_rules! by_dim {
    ($d:expr, $D:ident => $body:expr) => {
        match $d {
            1 => { const $D: usize = 1; $body }
            2 => { const $D: usize = 2; $body }
            3 => { const $D: usize = 3; $body }
            4 => { const $D: usize = 4; $body }
            5 => { const $D: usize = 5; $body }
            6 => { const $D: usize = 6; $body }
            7 => { const $D: usize = 7; $body }
            8 => { const $D: usize = 8; $body }
            9 => { const $D: usize = 9; $body }
            10 => { const $D: usize = 10; $body }
            _ => { const $D: usize = 0; $body }
        }
    };
}
use by_dim;

/// Radius counts in one marginal space: a sorted axis in 1-D, a k-d tree otherwise. Queries are
/// stored points, named by their original index.
enum Marginal {
    Axis(SortedAxis),
    Tree(KdTree),
}

impl Marginal {
    /// A marginal made of consecutive blocks of `sizes` columns, under `norm`.
    fn build<'a>(n: usize, sizes: &[usize], norm: super::Norm, coord: impl Fn(usize) -> &'a [f64]) -> Self {
        let d = sizes.iter().sum();
        if d == 1 {
            // one coordinate: |t| under either norm
            Marginal::Axis(SortedAxis::new((0..n).map(|i| coord(i)[0]).collect()))
        } else {
            Marginal::Tree(KdTree::build(n, d, TreeMetric::new(norm, sizes), coord))
        }
    }

    /// Points within `r` of the stored point `q`, `q` itself included.
    fn count(&self, q: &[f64], r: f64, strict: bool) -> usize {
        match self {
            Marginal::Axis(a) => a.count_within(q[0], r, strict),
            Marginal::Tree(t) => t.count(q, r, strict),
        }
    }
}

/// Points per grid cell where the data are densest (see `grid::Grid2::build`).
const GRID_TARGET: f64 = 4.0;

/// Per-point results of a query over every stored point, computed in the joint tree's order
/// (consecutive queries are neighbours in space, so they walk the same nodes while those are in
/// cache) and returned in original index order.
fn per_point<T: Send + Copy + Default>(tree: &KdTree, f: impl Fn(usize, &mut Vec<(f64, usize)>) -> T + Sync + Send) -> Vec<T> {
    let n = tree.ids.len();
    let in_tree_order: Vec<T> = (0..n).into_par_iter().map_init(Vec::new, |best, pos| f(tree.id(pos), best)).collect();
    let mut out = vec![T::default(); n];
    for (pos, v) in in_tree_order.into_iter().enumerate() {
        out[tree.id(pos)] = v;
    }
    out
}

/// KSG 1's per-point marginal counts with one column each: the joint search on `grid` (queries
/// in cell order, so consecutive ones touch the same cells), the counts on the sorted axes.
fn grid_counts<B: super::grid::Smallest>(p: &Prepared, (grid, tx, ty): (&super::grid::Grid2, &Marginal, &Marginal), new: impl Fn() -> B + Sync + Send) -> Vec<(usize, usize)> {
    let ids: Vec<usize> = grid.order().collect();
    let in_order: Vec<(usize, usize)> = ids
        .par_iter()
        .map_init(&new, |best, &i| {
            // the (k + 1)-th smallest distance to all points, i's own 0 among them
            let eps = grid.mth_distance([p.x(i)[0], p.y(i)[0]], best);
            // the point itself is at distance 0: counted iff 0 < ε
            let own = usize::from(eps > 0.0);
            (tx.count(p.x(i), eps, true) - own, ty.count(p.y(i), eps, true) - own)
        })
        .collect();
    let mut out = vec![(0, 0); p.n];
    for (&i, v) in ids.iter().zip(in_order) {
        out[i] = v;
    }
    out
}

/// KSG per-point marginal counts through a k-d tree on the joint space and a k-d tree (or a
/// sorted axis in 1-D) on each marginal.
pub(crate) fn ksg_counts(p: &Prepared, alg: KsgAlgorithm, k: usize) -> Vec<(usize, usize)> {
    let (n, d, dx, dy, norm) = (p.n, p.dim(), p.dx, p.dy, p.norm);
    if (dx, dy) == (1, 1) && alg == KsgAlgorithm::One {
        // one column each: the joint search on a grid when the data let one be built (the
        // norms coincide for one-column blocks)
        let ((grid, tx), ty) = rayon::join(
            || rayon::join(|| super::grid::Grid2::build(n, GRID_TARGET, |i| (p.x(i)[0], p.y(i)[0])), || Marginal::build(n, &[1], norm, |i| p.x(i))),
            || Marginal::build(n, &[1], norm, |i| p.y(i)),
        );
        if let Some(grid) = grid {
            use super::grid::{Few, Many};
            let g = (&grid, &tx, &ty);
            // a query keeps k + 1 distances (i's own 0 and its k neighbours): a fixed array in
            // registers for the usual small k, a vector beyond
            return match k {
                1 => grid_counts(p, g, Few::<2>::new),
                2 => grid_counts(p, g, Few::<3>::new),
                3 => grid_counts(p, g, Few::<4>::new),
                4 => grid_counts(p, g, Few::<5>::new),
                5 => grid_counts(p, g, Few::<6>::new),
                6 => grid_counts(p, g, Few::<7>::new),
                7 => grid_counts(p, g, Few::<8>::new),
                _ => grid_counts(p, g, || Many::new(k + 1)),
            };
        }
    }
    let (joint, (tx, ty)) = rayon::join(
        || KdTree::build(n, d, TreeMetric::new(norm, &[dx, dy]), |i| p.row(i)),
        || rayon::join(|| Marginal::build(n, &[dx], norm, |i| p.x(i)), || Marginal::build(n, &[dy], norm, |i| p.y(i))),
    );
    per_point(&joint, |i, best| {
        joint.knn(p.row(i), i, k, best);
        match alg {
            KsgAlgorithm::One => {
                let eps = best[k - 1].0;
                // the point itself is at distance 0: counted iff 0 < ε
                let own = usize::from(eps > 0.0);
                (tx.count(p.x(i), eps, true) - own, ty.count(p.y(i), eps, true) - own)
            }
            KsgAlgorithm::Two => {
                let ex = best.iter().map(|&(_, j)| block_dist(norm, p.x(i), p.x(j))).fold(0.0f64, |m, v| if v > m { v } else { m });
                let ey = best.iter().map(|&(_, j)| block_dist(norm, p.y(i), p.y(j))).fold(0.0f64, |m, v| if v > m { v } else { m });
                (tx.count(p.x(i), ex, false) - 1, ty.count(p.y(i), ey, false) - 1)
            }
        }
    })
}

/// Frenzel–Pompe per-point counts (n_xz(i), n_yz(i), n_z(i)) for points laid out as rows
/// [x | z | y] (`dx`, `dz`, `dy` columns), so that (x, z), (z, y) and z are each contiguous: the
/// other points strictly within ε_i, the distance to point i's k-th neighbour in the joint space
/// (each of x, z, y one block under `p.norm`).
pub(crate) fn cmi_counts(p: &Prepared, dx: usize, dz: usize, k: usize) -> Vec<(usize, usize, usize)> {
    let (n, d, norm) = (p.n, p.dim(), p.norm);
    let dy = d - dx - dz;
    let xz = |i: usize| &p.row(i)[..dx + dz];
    let zy = |i: usize| &p.row(i)[dx..];
    let z = |i: usize| &p.row(i)[dx..dx + dz];
    let (joint, (t_xz, (t_zy, t_z))) = rayon::join(
        || KdTree::build(n, d, TreeMetric::new(norm, &[dx, dz, dy]), |i| p.row(i)),
        || rayon::join(|| Marginal::build(n, &[dx, dz], norm, xz), || rayon::join(|| Marginal::build(n, &[dz, dy], norm, zy), || Marginal::build(n, &[dz], norm, z))),
    );
    per_point(&joint, |i, best| {
        joint.knn(p.row(i), i, k, best);
        let eps = best[k - 1].0;
        // the point itself is at distance 0: counted iff 0 < ε
        let own = usize::from(eps > 0.0);
        (t_xz.count(xz(i), eps, true) - own, t_zy.count(zy(i), eps, true) - own, t_z.count(z(i), eps, true) - own)
    })
}

/// Distance from each point to its k-th nearest other point.
pub(crate) fn kth_radii(p: &Prepared, k: usize) -> Vec<f64> {
    let tree = KdTree::build(p.n, p.dim(), TreeMetric::new(p.norm, &[p.dim()]), |i| p.row(i));
    per_point(&tree, |i, best| {
        tree.knn(p.row(i), i, k, best);
        best[k - 1].0
    })
}
