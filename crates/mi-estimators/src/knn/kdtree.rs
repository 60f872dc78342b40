//! A k-d tree under the max-norm with exact (not approximate) k-nearest-neighbour and
//! radius-count queries, and the KSG / Kozachenko–Leonenko drivers that use it.
//!
//! Exactness: node boxes are the true min/max of their points, and floating-point subtraction is
//! monotone, so for any point p of a node and query q, |lo − q| ≤ |p − q| ≤ max(|lo − q|, |hi − q|)
//! holds coordinate-wise *after rounding*. Pruning and whole-node counting decided on those bounds
//! therefore agree exactly with testing every point through [`maxdist`].
use super::axis::SortedAxis;
use super::{closer, maxdist, KsgAlgorithm, Prepared};
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
    /// points in tree order, row-major
    pts: Vec<f64>,
    /// original index of each point in tree order
    ids: Vec<usize>,
    nodes: Vec<Node>,
    /// per node: lo[0..d] then hi[0..d]
    bounds: Vec<f64>,
}

impl KdTree {
    /// Builds a tree over `n` points whose coordinates are `coord(i)` (each of length `d`).
    pub fn build<'a>(n: usize, d: usize, coord: impl Fn(usize) -> &'a [f64]) -> KdTree {
        let mut ids: Vec<usize> = (0..n).collect();
        let mut tree = KdTree { d, pts: Vec::new(), ids: Vec::new(), nodes: Vec::new(), bounds: Vec::new() };
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

    /// (lower, upper) bounds of the max-norm distance from `q` to any point of node `node`.
    #[inline(always)]
    fn node_bounds<const D: usize>(&self, node: usize, q: &[f64]) -> (f64, f64) {
        let d = dims::<D>(self.d);
        let lo = &self.bounds[2 * d * node..2 * d * node + d];
        let hi = &self.bounds[2 * d * node + d..2 * d * (node + 1)];
        let (mut lower, mut upper) = (0.0f64, 0.0f64);
        for c in 0..d {
            let (a, b) = ((lo[c] - q[c]).abs(), (hi[c] - q[c]).abs());
            let gap = if q[c] < lo[c] {
                a
            } else if q[c] > hi[c] {
                b
            } else {
                0.0
            };
            if gap > lower {
                lower = gap;
            }
            let far = if a > b { a } else { b };
            if far > upper {
                upper = far;
            }
        }
        (lower, upper)
    }

    #[inline(always)]
    fn lower_bound<const D: usize>(&self, node: usize, q: &[f64]) -> f64 {
        let d = dims::<D>(self.d);
        let lo = &self.bounds[2 * d * node..2 * d * node + d];
        let hi = &self.bounds[2 * d * node + d..2 * d * (node + 1)];
        let mut lower = 0.0f64;
        for c in 0..d {
            let gap = if q[c] < lo[c] {
                lo[c] - q[c]
            } else if q[c] > hi[c] {
                q[c] - hi[c]
            } else {
                0.0
            };
            if gap > lower {
                lower = gap;
            }
        }
        lower
    }

    /// The k nearest points to `q` other than `skip`, ranked by (distance, index), into `best`
    /// (sorted, nearest first).
    pub fn knn(&self, q: &[f64], skip: usize, k: usize, best: &mut Vec<(f64, usize)>) {
        best.clear();
        if !self.nodes.is_empty() && k > 0 {
            by_dim!(self.d, D => self.knn_rec::<D>(0, q, skip, k, best));
        }
    }

    fn knn_rec<const D: usize>(&self, node: usize, q: &[f64], skip: usize, k: usize, best: &mut Vec<(f64, usize)>) {
        let nd = self.nodes[node];
        if nd.left == NONE {
            // the k-th distance so far; a candidate farther than it cannot enter (the common case,
            // decided on one comparison)
            let mut worst = if best.len() == k { best[k - 1].0 } else { f64::INFINITY };
            for p in nd.start as usize..nd.end as usize {
                let dist = maxdist_dim::<D>(q, self.point(p));
                if dist > worst {
                    continue;
                }
                let id = self.ids[p];
                if id == skip {
                    continue;
                }
                let cand = (dist, id);
                if best.len() == k {
                    if !closer(cand, best[k - 1]) {
                        continue;
                    }
                    best.pop();
                }
                // insertion from the back: the list holds at most k entries
                best.push(cand);
                let mut j = best.len() - 1;
                while j > 0 && closer(cand, best[j - 1]) {
                    best[j] = best[j - 1];
                    j -= 1;
                }
                best[j] = cand;
                if best.len() == k {
                    worst = best[k - 1].0;
                }
            }
            return;
        }
        let (l, r) = (nd.left as usize, nd.right as usize);
        let (lb_l, lb_r) = (self.lower_bound::<D>(l, q), self.lower_bound::<D>(r, q));
        let order = if lb_l <= lb_r { [(l, lb_l), (r, lb_r)] } else { [(r, lb_r), (l, lb_l)] };
        for (child, lb) in order {
            // a node whose lower bound equals the current k-th distance may still hold a tie with a
            // smaller index, so only strictly larger bounds prune
            if best.len() == k && lb > best[k - 1].0 {
                continue;
            }
            self.knn_rec::<D>(child, q, skip, k, best);
        }
    }

    /// Number of points p (the query point itself included, if stored) with
    /// ‖p − q‖∞ < r (`strict`) or ≤ r.
    pub fn count(&self, q: &[f64], r: f64, strict: bool) -> usize {
        if self.nodes.is_empty() {
            return 0;
        }
        by_dim!(self.d, D => self.count_rec::<D>(0, q, r, strict))
    }

    fn count_rec<const D: usize>(&self, node: usize, q: &[f64], r: f64, strict: bool) -> usize {
        let nd = self.nodes[node];
        let (lower, upper) = self.node_bounds::<D>(node, q);
        let inside = |dist: f64| if strict { dist < r } else { dist <= r };
        if !inside(lower) {
            return 0;
        }
        if inside(upper) {
            return (nd.end - nd.start) as usize;
        }
        if nd.left == NONE {
            return (nd.start as usize..nd.end as usize).filter(|&p| inside(maxdist_dim::<D>(q, self.point(p)))).count();
        }
        self.count_rec::<D>(nd.left as usize, q, r, strict) + self.count_rec::<D>(nd.right as usize, q, r, strict)
    }
}

/// The dimension a hot loop runs over: the compile-time `D` (so the loop is unrolled), or the
/// run-time `d` when `D` is 0 (dimensions above 10, see [`by_dim`]).
#[inline(always)]
fn dims<const D: usize>(d: usize) -> usize {
    if D == 0 {
        d
    } else {
        D
    }
}

/// [`maxdist`] over a compile-time number of coordinates: the same subtractions and the same
/// (exact) maximum, so the same value bit for bit.
#[inline(always)]
fn maxdist_dim<const D: usize>(a: &[f64], b: &[f64]) -> f64 {
    if D == 0 {
        return maxdist(a, b);
    }
    let mut m = 0.0f64;
    for c in 0..D {
        let d = (a[c] - b[c]).abs();
        if d > m {
            m = d;
        }
    }
    m
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
    fn build<'a>(n: usize, d: usize, coord: impl Fn(usize) -> &'a [f64]) -> Self {
        if d == 1 {
            Marginal::Axis(SortedAxis::new((0..n).map(|i| coord(i)[0]).collect()))
        } else {
            Marginal::Tree(KdTree::build(n, d, coord))
        }
    }

    /// Points within `r` of point `i` (whose coordinates are `q`), point `i` included.
    fn count(&self, i: usize, q: &[f64], r: f64, strict: bool) -> usize {
        match self {
            Marginal::Axis(a) => a.count_around(i, r, strict),
            Marginal::Tree(t) => t.count(q, r, strict),
        }
    }
}

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

/// KSG per-point marginal counts through a k-d tree on the joint space and a k-d tree (or a
/// sorted axis in 1-D) on each marginal.
pub(crate) fn ksg_counts(p: &Prepared, alg: KsgAlgorithm, k: usize) -> Vec<(usize, usize)> {
    let (n, d, dx, dy) = (p.n, p.dim(), p.dx, p.dy);
    let (joint, (tx, ty)) = rayon::join(
        || KdTree::build(n, d, |i| p.row(i)),
        || rayon::join(|| Marginal::build(n, dx, |i| p.x(i)), || Marginal::build(n, dy, |i| p.y(i))),
    );
    per_point(&joint, |i, best| {
        joint.knn(p.row(i), i, k, best);
        match alg {
            KsgAlgorithm::One => {
                let eps = best[k - 1].0;
                // the point itself is at distance 0: counted iff 0 < ε
                let own = usize::from(eps > 0.0);
                (tx.count(i, p.x(i), eps, true) - own, ty.count(i, p.y(i), eps, true) - own)
            }
            KsgAlgorithm::Two => {
                let ex = best.iter().map(|&(_, j)| maxdist(p.x(i), p.x(j))).fold(0.0f64, |m, v| if v > m { v } else { m });
                let ey = best.iter().map(|&(_, j)| maxdist(p.y(i), p.y(j))).fold(0.0f64, |m, v| if v > m { v } else { m });
                (tx.count(i, p.x(i), ex, false) - 1, ty.count(i, p.y(i), ey, false) - 1)
            }
        }
    })
}

/// Frenzel–Pompe per-point counts (n_xz(i), n_yz(i), n_z(i)) for points laid out as rows
/// [x | z | y] (`dx`, `dz`, `dy` columns), so that (x, z), (z, y) and z are each contiguous: the
/// other points strictly within ε_i, the max-norm distance to point i's k-th neighbour in the
/// joint space.
pub(crate) fn cmi_counts(p: &Prepared, dx: usize, dz: usize, k: usize) -> Vec<(usize, usize, usize)> {
    let (n, d) = (p.n, p.dim());
    let xz = |i: usize| &p.row(i)[..dx + dz];
    let zy = |i: usize| &p.row(i)[dx..];
    let z = |i: usize| &p.row(i)[dx..dx + dz];
    let (joint, (t_xz, (t_zy, t_z))) = rayon::join(
        || KdTree::build(n, d, |i| p.row(i)),
        || rayon::join(|| Marginal::build(n, dx + dz, xz), || rayon::join(|| Marginal::build(n, d - dx, zy), || Marginal::build(n, dz, z))),
    );
    per_point(&joint, |i, best| {
        joint.knn(p.row(i), i, k, best);
        let eps = best[k - 1].0;
        // the point itself is at distance 0: counted iff 0 < ε
        let own = usize::from(eps > 0.0);
        (t_xz.count(i, xz(i), eps, true) - own, t_zy.count(i, zy(i), eps, true) - own, t_z.count(i, z(i), eps, true) - own)
    })
}

/// Distance from each point to its k-th nearest other point.
pub(crate) fn kth_radii(p: &Prepared, k: usize) -> Vec<f64> {
    let tree = KdTree::build(p.n, p.dim(), |i| p.row(i));
    per_point(&tree, |i, best| {
        tree.knn(p.row(i), i, k, best);
        best[k - 1].0
    })
}
