//! The distances a k-d tree computes, and their bounds over a node's box, for each [`Norm`]: the
//! max-norm, and the per-block Euclidean norm (‖·‖₂ within each block of columns, max over blocks).
//!
//! The tree is generic over [`Metric`] and monomorphised per metric and per dimension, so the
//! max-norm loops are the same code as before the Euclidean norm existed.
//!
//! Exactness of the Euclidean metric (the tree must agree bit for bit with [`super::eucdist`], the
//! definition the reference and the brute force use):
//! * distance: the tree takes one square root of the largest block sum, √(max_b S_b), where the
//!   definition takes max_b √(S_b). A correctly rounded square root is monotone, so both are the
//!   same float; each S_b is summed in coordinate order from 0 like `eucdist`, and |t|·|t| = t·t
//!   exactly. Blocks of one coordinate contribute |t| itself, as `eucdist` does.
//! * bounds: for any point p of a node (lo ≤ p ≤ hi coordinate-wise) and query q, the per-coordinate
//!   gap and far values satisfy gap_c ≤ |p_c − q_c| ≤ far_c after rounding (subtraction is monotone,
//!   see `kdtree.rs`); squaring non-negative floats, adding them in a fixed order, max and √ are all
//!   monotone too, so the box's lower and upper values bound the distance the leaf loop would
//!   compute for every p in it, and pruning or counting on them agrees with testing each point.
//! * limits: leaf loops compare squared sums with a threshold instead of taking a square root per
//!   point (most points fail the comparison, and the root's latency held it up: about 5% of a
//!   5 + 5 KSG call). Because √
//!   is monotone, {s : √s ≤ r} is a prefix of the non-negative floats; [`sq_limit`] finds its last
//!   element exactly, so s ≤ sq_limit(r) decides √s ≤ r without rounding error (likewise for <).
use super::{maxdist, Norm};

/// A tree's distance and its box bounds. `D` is the tree's dimension when it is 1 … 10, and 0 for
/// a run-time dimension (the slices' own length).
pub(crate) trait Metric: Copy + Sync {
    /// A radius r prepared for [`Metric::within`] and [`Metric::dist_within`].
    type Limit: Copy;
    /// The limit "distance < r" (`strict`) or "distance ≤ r".
    fn limit(self, r: f64, strict: bool) -> Self::Limit;
    /// `Some(dist(a, b))` if the distance dist(a, b) is ≤ r, for a limit made with `strict` false;
    /// decided exactly as comparing the distance with r would.
    fn dist_within<const D: usize>(self, a: &[f64], b: &[f64], lim: Self::Limit) -> Option<f64>;
    /// Whether dist(a, b) is within the limit, decided exactly as comparing the distance would.
    fn within<const D: usize>(self, a: &[f64], b: &[f64], lim: Self::Limit) -> bool;
    /// A lower bound of the distance from `q` to any point of the box [lo, hi].
    fn lower<const D: usize>(self, lo: &[f64], hi: &[f64], q: &[f64]) -> f64;
    /// (lower, upper) bounds of the distance from `q` to any point of the box [lo, hi].
    fn bounds<const D: usize>(self, lo: &[f64], hi: &[f64], q: &[f64]) -> (f64, f64);
}

/// The dimension a hot loop runs over: the compile-time `D` (so the loop is unrolled), or the
/// run-time `d` when `D` is 0 (dimensions above 10, see `kdtree::by_dim`).
#[inline(always)]
pub(crate) fn dims<const D: usize>(d: usize) -> usize {
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

/// The max-norm over all coordinates (blocks do not matter: a max of maxima).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MaxNorm;

impl Metric for MaxNorm {
    /// (r, strict)
    type Limit = (f64, bool);

    #[inline(always)]
    fn limit(self, r: f64, strict: bool) -> (f64, bool) {
        (r, strict)
    }

    #[inline(always)]
    fn dist_within<const D: usize>(self, a: &[f64], b: &[f64], (r, _): (f64, bool)) -> Option<f64> {
        let dist = maxdist_dim::<D>(a, b);
        if dist > r {
            None
        } else {
            Some(dist)
        }
    }

    #[inline(always)]
    fn within<const D: usize>(self, a: &[f64], b: &[f64], (r, strict): (f64, bool)) -> bool {
        let dist = maxdist_dim::<D>(a, b);
        if strict {
            dist < r
        } else {
            dist <= r
        }
    }

    #[inline(always)]
    fn lower<const D: usize>(self, lo: &[f64], hi: &[f64], q: &[f64]) -> f64 {
        let d = dims::<D>(lo.len());
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

    #[inline(always)]
    fn bounds<const D: usize>(self, lo: &[f64], hi: &[f64], q: &[f64]) -> (f64, f64) {
        let d = dims::<D>(lo.len());
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
}

/// Most blocks a tree's rows hold: (x, z, y) in the conditional estimator's joint space.
const MAX_BLOCKS: usize = 3;

/// ‖·‖₂ within consecutive blocks of coordinates, max over the blocks. Blocks of several
/// coordinates and blocks of one are kept apart: the former give sums of squares, the latter |t|.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Euclid {
    /// (start, end) of each block of several coordinates
    multi: [(usize, usize); MAX_BLOCKS],
    n_multi: usize,
    /// the coordinate of each block of one
    singles: [usize; MAX_BLOCKS],
    n_singles: usize,
    /// a single block of several coordinates spans the whole row (the marginal trees)
    whole: bool,
}

impl Euclid {
    fn new(sizes: &[usize]) -> Self {
        assert!(!sizes.is_empty() && sizes.len() <= MAX_BLOCKS && sizes.iter().all(|&s| s > 0), "blocks {sizes:?}");
        let mut e = Euclid { multi: [(0, 0); MAX_BLOCKS], n_multi: 0, singles: [0; MAX_BLOCKS], n_singles: 0, whole: sizes.len() == 1 && sizes[0] > 1 };
        let mut start = 0;
        for &s in sizes {
            if s == 1 {
                e.singles[e.n_singles] = start;
                e.n_singles += 1;
            } else {
                e.multi[e.n_multi] = (start, start + s);
                e.n_multi += 1;
            }
            start += s;
        }
        e
    }

    /// From the non-negative per-coordinate values `v(c)`: the largest sum of squares over the
    /// blocks of several coordinates (each summed in coordinate order from 0), and the largest
    /// v over the blocks of one (0 where there are none).
    #[inline(always)]
    fn sums<const D: usize>(self, v: impl Fn(usize) -> f64) -> (f64, f64) {
        if D > 0 && self.whole {
            // one block over all D coordinates: an unrolled loop
            let mut s = 0.0f64;
            for c in 0..D {
                let t = v(c);
                s += t * t;
            }
            return (s, 0.0);
        }
        let mut sq = 0.0f64;
        for &(start, end) in &self.multi[..self.n_multi] {
            let mut s = 0.0f64;
            for c in start..end {
                let t = v(c);
                s += t * t;
            }
            if s > sq {
                sq = s;
            }
        }
        let mut single = 0.0f64;
        for &c in &self.singles[..self.n_singles] {
            let t = v(c);
            if t > single {
                single = t;
            }
        }
        (sq, single)
    }

    /// The distance between two points (the leaf loops decide through the limits instead).
    #[cfg(test)]
    fn dist<const D: usize>(self, a: &[f64], b: &[f64]) -> f64 {
        self.combine::<D>(|c| (a[c] - b[c]).abs())
    }

    /// max over blocks of the Euclidean norm of the values `v(c)`: one square root of the largest
    /// sum (√ is monotone, so it is the largest of the blocks' roots), and |v| for blocks of one.
    #[inline(always)]
    fn combine<const D: usize>(self, v: impl Fn(usize) -> f64) -> f64 {
        let (sq, single) = self.sums::<D>(v);
        let r = sq.sqrt();
        if single > r {
            single
        } else {
            r
        }
    }
}

/// The largest float s ≥ 0 with √s < r (`strict`) or √s ≤ r, or −1 when there is none (r = 0,
/// strict). Found from r² by steps of one ulp, which end within a step or two: √ halves relative
/// spacing, and where r² under- or overflows the spacing of √ is coarser than r's.
pub(crate) fn sq_limit(r: f64, strict: bool) -> f64 {
    let ok = |s: f64| if strict { s.sqrt() < r } else { s.sqrt() <= r };
    // for s ≥ 0 the bit patterns order as the values, so ±1 on them is one ulp up or down
    let mut s = r * r;
    if ok(s) {
        while s < f64::INFINITY {
            let up = f64::from_bits(s.to_bits() + 1);
            if !ok(up) {
                break;
            }
            s = up;
        }
        s
    } else {
        loop {
            if s == 0.0 {
                return -1.0;
            }
            s = f64::from_bits(s.to_bits() - 1);
            if ok(s) {
                return s;
            }
        }
    }
}

/// A radius for [`Euclid`]: the exact squared threshold of the multi-coordinate blocks, and r.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EuclidLimit {
    sq: f64,
    r: f64,
    strict: bool,
}

/// The gap from `q` to the interval [lo, hi] (0 inside): never more than |p − q| for p in it.
#[inline(always)]
fn gap(lo: f64, hi: f64, q: f64) -> f64 {
    if q < lo {
        lo - q
    } else if q > hi {
        q - hi
    } else {
        0.0
    }
}

impl Metric for Euclid {
    type Limit = EuclidLimit;

    #[inline(always)]
    fn limit(self, r: f64, strict: bool) -> EuclidLimit {
        EuclidLimit { sq: sq_limit(r, strict), r, strict }
    }

    #[inline(always)]
    fn dist_within<const D: usize>(self, a: &[f64], b: &[f64], lim: EuclidLimit) -> Option<f64> {
        debug_assert!(!lim.strict);
        let (sq, single) = self.sums::<D>(|c| (a[c] - b[c]).abs());
        // max(√sq, single) ≤ r iff both are; the root is taken only for points that pass
        if sq > lim.sq || single > lim.r {
            return None;
        }
        let r = sq.sqrt();
        Some(if single > r { single } else { r })
    }

    #[inline(always)]
    fn within<const D: usize>(self, a: &[f64], b: &[f64], lim: EuclidLimit) -> bool {
        let (sq, single) = self.sums::<D>(|c| (a[c] - b[c]).abs());
        sq <= lim.sq && if lim.strict { single < lim.r } else { single <= lim.r }
    }

    #[inline(always)]
    fn lower<const D: usize>(self, lo: &[f64], hi: &[f64], q: &[f64]) -> f64 {
        self.combine::<D>(|c| gap(lo[c], hi[c], q[c]))
    }

    #[inline(always)]
    fn bounds<const D: usize>(self, lo: &[f64], hi: &[f64], q: &[f64]) -> (f64, f64) {
        let far = |c: usize| {
            let (a, b) = ((lo[c] - q[c]).abs(), (hi[c] - q[c]).abs());
            if a > b {
                a
            } else {
                b
            }
        };
        (self.lower::<D>(lo, hi, q), self.combine::<D>(far))
    }
}

/// The metric a tree was built for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TreeMetric {
    Max,
    Euclid(Euclid),
}

impl TreeMetric {
    /// The metric of rows made of consecutive blocks of `sizes` columns, under `norm`.
    pub fn new(norm: Norm, sizes: &[usize]) -> Self {
        match norm {
            Norm::Euclidean if sizes.iter().any(|&s| s > 1) => TreeMetric::Euclid(Euclid::new(sizes)),
            // blocks of one column: the Euclidean norm of each is |t| (see `eucdist`), so the max
            // over blocks is the max-norm, and the max-norm code computes it
            _ => TreeMetric::Max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{block_dist, Norm};
    use super::*;

    /// The tree's per-block distance and bounds against `eucdist` block by block, on values whose
    /// squares round (so the exact-equality claims are tested where rounding happens).
    #[test]
    fn euclid_matches_the_definition_and_bounds_hold() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64 * 6.0 - 3.0
        };
        for sizes in [vec![3], vec![2, 3], vec![1, 4], vec![2, 1, 3], vec![1, 1, 2]] {
            let d: usize = sizes.iter().sum();
            let m = Euclid::new(&sizes);
            for _ in 0..200 {
                let (a, b): (Vec<f64>, Vec<f64>) = (0..d).map(|_| (next(), next())).unzip();
                let mut want = 0.0f64;
                let mut start = 0;
                for &s in &sizes {
                    want = want.max(block_dist(Norm::Euclidean, &a[start..start + s], &b[start..start + s]));
                    start += s;
                }
                assert_eq!(m.dist::<0>(&a, &b).to_bits(), want.to_bits(), "{sizes:?}");
                // a box around b, queried from a
                let lo: Vec<f64> = b.iter().map(|v| v - next().abs()).collect();
                let hi: Vec<f64> = b.iter().map(|v| v + next().abs()).collect();
                let (lower, upper) = m.bounds::<0>(&lo, &hi, &a);
                assert!(lower <= want && want <= upper && m.lower::<0>(&lo, &hi, &a) == lower, "{sizes:?}");
            }
        }
    }

    #[test]
    fn squared_limits_are_exact() {
        let up = |s: f64| f64::from_bits(s.to_bits() + 1);
        let down = |s: f64| f64::from_bits(s.to_bits() - 1);
        let mut rs = vec![0.0, 5e-324, 1e-170, 1e-160, 1.5e-154, 0.1, 1.0, 2.0, 3.0, 1e154, 1.4e154, 1e300, f64::MAX, f64::INFINITY];
        rs.extend((1..2000).map(|i| (i as f64 * 0.7345).sqrt() * 1.0001f64.powi(i)));
        // roots of floats: the limit's boundary is right at r² there
        rs.extend((1..500).map(|i| f64::sqrt(i as f64 / 7.0)));
        for r in rs {
            for strict in [false, true] {
                let ok = |s: f64| if strict { s.sqrt() < r } else { s.sqrt() <= r };
                let t = sq_limit(r, strict);
                if t < 0.0 {
                    assert!(strict && r == 0.0 && !ok(0.0), "r {r}");
                    continue;
                }
                assert!(ok(t) && (t == f64::INFINITY || !ok(up(t))), "r {r} strict {strict}: limit {t}");
                assert!(t == 0.0 || ok(down(t)), "r {r}");
            }
        }
    }

    #[test]
    fn within_decides_as_the_distance_does() {
        // the Euclidean blocks decide the distance of the first pair, the one-coordinate block
        // (x₀) that of the second
        let m = Euclid::new(&[1, 3, 2]);
        let a = [0.5, 0.1, -2.3, 1.7, 0.3, 0.9];
        for b in [[0.2, 1.9, 0.2, -0.4, 0.35, 1.2], [7.5, 0.2, -2.0, 1.6, 0.4, 1.0]] {
            let d = m.dist::<0>(&a, &b);
            let single = (a[0] - b[0]).abs();
            let step = |s: f64, k: i64| f64::from_bits((s.to_bits() as i64 + k) as u64);
            for r in [0.0, d, step(d, 1), step(d, -1), step(d, 2), step(d, -2), single, d * 2.0, f64::INFINITY] {
                for strict in [false, true] {
                    let want = if strict { d < r } else { d <= r };
                    assert_eq!(m.within::<0>(&a, &b, m.limit(r, strict)), want, "r {r} strict {strict}");
                }
                assert_eq!(m.dist_within::<0>(&a, &b, m.limit(r, false)), if d <= r { Some(d) } else { None }, "r {r}");
            }
        }
    }

    #[test]
    fn one_block_unrolled_equals_run_time_loop() {
        let m = Euclid::new(&[4]);
        let (a, b) = ([0.1, -2.3, 1.7, 0.3], [1.9, 0.2, -0.4, 0.35]);
        assert_eq!(m.dist::<4>(&a, &b).to_bits(), m.dist::<0>(&a, &b).to_bits());
        assert_eq!(m.dist::<0>(&a, &b).to_bits(), block_dist(Norm::Euclidean, &a, &b).to_bits());
        assert!(matches!(TreeMetric::new(Norm::Euclidean, &[1, 1]), TreeMetric::Max));
        assert!(matches!(TreeMetric::new(Norm::Euclidean, &[1, 2]), TreeMetric::Euclid(_)));
        assert!(matches!(TreeMetric::new(Norm::Max, &[3, 2]), TreeMetric::Max));
    }
}
