//! Exact k-th-nearest-neighbour distances in two dimensions under the max-norm on a uniform grid:
//! the joint search of KSG 1 with one-column X and Y, where a cell lookup is cheaper than a k-d
//! tree's descent and backtracking. Points are bucketed into square cells of side h; a query
//! scans rings of cells around its own (ring r: the cells at Chebyshev cell distance r) and stops
//! once every unscanned point is provably farther than its k-th neighbour. [`Grid2::build`]
//! declines (None) when the data would crowd cells — the caller falls back to the k-d tree — so no
//! input makes a query worse than a bounded scan.
//!
//! KSG 1 needs only the distance to the k-th neighbour, not who it is, and that distance does not
//! depend on how ties are ranked. So a query keeps the k + 1 smallest distances to all stored
//! points, its own 0 among them, and needs neither indices nor a test for "is this point me".

/// The m smallest distances offered so far, ascending, padded with ∞ until m have been offered
/// (so a query never asks whether the list is full).
pub(crate) trait Smallest {
    fn clear(&mut self);
    fn offer(&mut self, dist: f64);
    /// The m-th smallest (∞ until m have been offered).
    fn last(&self) -> f64;
}

/// m = M smallest, held in registers. An offer moves every entry by min and max, with no branch:
/// about half the points a query meets enter the list, so a branch on "does it enter" would be a
/// coin toss for the predictor.
pub(crate) struct Few<const M: usize>([f64; M]);

impl<const M: usize> Few<M> {
    pub fn new() -> Self {
        Few([f64::INFINITY; M])
    }
}

/// min and max of two distances (never NaN here) as single instructions; `f64::min` would add NaN
/// handling.
#[inline(always)]
fn lesser(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}
#[inline(always)]
fn greater(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

impl<const M: usize> Smallest for Few<M> {
    fn clear(&mut self) {
        self.0 = [f64::INFINITY; M];
    }
    #[inline(always)]
    fn offer(&mut self, dist: f64) {
        // the sorted list with `dist` inserted, its largest entry dropped: entry j becomes
        // max(old j − 1, min(old j, dist))
        for j in (1..M).rev() {
            self.0[j] = greater(self.0[j - 1], lesser(self.0[j], dist));
        }
        self.0[0] = lesser(self.0[0], dist);
    }
    fn last(&self) -> f64 {
        self.0[M - 1]
    }
}

/// Any m: a distance below the last entry is inserted from the back.
pub(crate) struct Many(Vec<f64>);

impl Many {
    pub fn new(m: usize) -> Self {
        assert!(m >= 1, "keep at least one distance");
        Many(vec![f64::INFINITY; m])
    }
}

impl Smallest for Many {
    fn clear(&mut self) {
        self.0.fill(f64::INFINITY);
    }
    #[inline]
    fn offer(&mut self, dist: f64) {
        let mut j = self.0.len() - 1;
        if dist >= self.0[j] {
            return;
        }
        while j > 0 && dist < self.0[j - 1] {
            self.0[j] = self.0[j - 1];
            j -= 1;
        }
        self.0[j] = dist;
    }
    fn last(&self) -> f64 {
        self.0[self.0.len() - 1]
    }
}

/// The grid.
pub(crate) struct Grid2 {
    h: f64,
    x0: f64,
    y0: f64,
    gx: usize,
    gy: usize,
    /// cell c holds points start[c]..start[c + 1] of `pts` / `ids` (cells in row-major order)
    start: Vec<u32>,
    pts: Vec<[f64; 2]>,
    ids: Vec<u32>,
}

/// Most cells a grid may have, and the most points one cell may hold, before [`Grid2::build`]
/// declines.
const MAX_CELLS: usize = 1 << 22;
const MAX_PER_CELL: usize = 48;

impl Grid2 {
    /// A grid over the `n` points `coord(i)` with cells of about `target` points where the data
    /// are densest; None when the points would crowd some cell or need too many cells.
    pub fn build(n: usize, target: f64, coord: impl Fn(usize) -> (f64, f64)) -> Option<Grid2> {
        if n < 2 || n >= u32::MAX as usize {
            return None;
        }
        let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for i in 0..n {
            let (a, b) = coord(i);
            (x0, x1, y0, y1) = (x0.min(a), x1.max(a), y0.min(b), y1.max(b));
        }
        // the densest region of standardised data has a few times the average density of the
        // central box, so size cells for `target` points at 4× the density of n points spread
        // over the box of ±2 standard deviations
        let h = (target * 16.0 / (4.0 * n as f64)).sqrt();
        if !(h > 0.0 && h.is_finite()) {
            return None;
        }
        let gx = ((x1 - x0) / h).floor() as usize + 1;
        let gy = ((y1 - y0) / h).floor() as usize + 1;
        if gx.checked_mul(gy).is_none_or(|c| c > MAX_CELLS) {
            return None;
        }
        let cell_of = |(a, b): (f64, f64)| ((((b - y0) / h) as usize).min(gy - 1) * gx + (((a - x0) / h) as usize).min(gx - 1)) as u32;
        let (start, ids) = super::counting::by_bucket(&(0..n).map(|i| cell_of(coord(i))).collect::<Vec<u32>>(), gx * gy);
        if start.windows(2).any(|w| (w[1] - w[0]) as usize > MAX_PER_CELL) {
            return None;
        }
        let pts = ids.iter().map(|&i| <[f64; 2]>::from(coord(i as usize))).collect();
        Some(Grid2 { h, x0, y0, gx, gy, start, pts, ids })
    }

    /// The stored points' ids in cell order (queries in this order touch nearby memory).
    pub fn order(&self) -> impl Iterator<Item = usize> + '_ {
        self.ids.iter().map(|&i| i as usize)
    }

    /// The m-th smallest distance from `q` to the stored points, where m is what `best` keeps. For
    /// a stored point q that is the distance to its (m − 1)-th nearest other point: q's own zero
    /// is the smallest.
    pub fn mth_distance(&self, q: [f64; 2], best: &mut impl Smallest) -> f64 {
        best.clear();
        let fx = (q[0] - self.x0) / self.h;
        let fy = (q[1] - self.y0) / self.h;
        let (cx, cy) = ((fx as usize).min(self.gx - 1), (fy as usize).min(self.gy - 1));
        // beyond this ring the block of scanned rings covers the whole grid
        let reach = cx.max(self.gx - 1 - cx).max(cy).max(self.gy - 1 - cy);
        // rings 0 and 1 at once (usually all a query needs): three rows of up to three cells,
        // each row one contiguous run of points in cell order
        let (x_lo, x_hi) = (cx.saturating_sub(1), (cx + 1).min(self.gx - 1));
        for j in cy.saturating_sub(1)..=(cy + 1).min(self.gy - 1) {
            let row = j * self.gx;
            self.scan_points(self.start[row + x_lo] as usize..self.start[row + x_hi + 1] as usize, q, best);
        }
        for r in 1..=reach {
            if r > 1 {
                self.scan_ring(q, cx, cy, r, best);
            }
            // every unscanned point lies outside the block of rings 0..=r, at least this far, less
            // the rounding in the cell coordinates (theirs and the query's): a few ulps of
            // (cells + r)·h, so the slack below is generous yet far too small to cost a ring
            let (lx, hx) = (cx as f64 - r as f64, (cx + r + 1) as f64);
            let (ly, hy) = (cy as f64 - r as f64, (cy + r + 1) as f64);
            let margin = (fx - lx).min(hx - fx).min(fy - ly).min(hy - fy) * self.h;
            let slack = 1e-12 * (self.gx.max(self.gy) + r + 2) as f64 * self.h;
            if best.last() < margin - slack {
                break;
            }
        }
        best.last()
    }

    /// Scans ring `r ≥ 1` around cell (cx, cy): its top and bottom rows as contiguous runs of
    /// points (cells of a row are adjacent in cell order), its left and right columns cell by cell.
    fn scan_ring(&self, q: [f64; 2], cx: usize, cy: usize, r: usize, best: &mut impl Smallest) {
        let (x_lo, x_hi) = (cx.saturating_sub(r), (cx + r).min(self.gx - 1));
        let span = |j: usize, lo: usize, hi: usize| self.start[j * self.gx + lo] as usize..self.start[j * self.gx + hi + 1] as usize;
        for j in [cy.checked_sub(r), Some(cy + r).filter(|&j| j < self.gy)].into_iter().flatten() {
            self.scan_points(span(j, x_lo, x_hi), q, best);
        }
        for j in cy.saturating_sub(r - 1)..=(cy + r - 1).min(self.gy - 1) {
            if let Some(i) = cx.checked_sub(r) {
                self.scan_points(span(j, i, i), q, best);
            }
            if cx + r < self.gx {
                self.scan_points(span(j, cx + r, cx + r), q, best);
            }
        }
    }

    /// Offers the distances from `q` to the stored points `range` (positions in cell order).
    #[inline(always)]
    fn scan_points(&self, range: std::ops::Range<usize>, q: [f64; 2], best: &mut impl Smallest) {
        for &[a, b] in &self.pts[range] {
            // the max-norm distance as `maxdist` computes it
            best.offer(greater((a - q[0]).abs(), (b - q[1]).abs()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The distance from point i to its k-th nearest other point, by sorting every distance.
    fn brute(pts: &[(f64, f64)], i: usize, k: usize) -> f64 {
        let mut all: Vec<f64> = (0..pts.len()).filter(|&j| j != i).map(|j| (pts[i].0 - pts[j].0).abs().max((pts[i].1 - pts[j].1).abs())).collect();
        all.sort_by(f64::total_cmp);
        all[k - 1]
    }

    #[test]
    fn queries_equal_brute_force_with_ties_edges_and_every_k() {
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        // continuous Gaussian-ish data, data on a coarse lattice (duplicate points, equal
        // distances) and a line (every point in one row of cells)
        let normal: Vec<(f64, f64)> = (0..800).map(|_| (r.gen::<f64>() * 2.0 - 1.0, r.gen::<f64>() + r.gen::<f64>() - 1.0)).collect();
        let lattice: Vec<(f64, f64)> = (0..600).map(|_| (f64::from(r.gen_range(0..40)) * 0.25, f64::from(r.gen_range(0..40)) * 0.25)).collect();
        let line: Vec<(f64, f64)> = (0..300).map(|i| (i as f64 * 0.01, 0.0)).collect();
        for pts in [normal, lattice, line] {
            let grid = Grid2::build(pts.len(), 4.0, |i| pts[i]).expect("uncrowded data get a grid");
            let (mut two, mut four, mut eight) = (Few::<2>::new(), Few::<4>::new(), Few::<8>::new());
            for k in [1, 3, 7, 12] {
                let mut many = Many::new(k + 1);
                for (i, &(a, b)) in pts.iter().enumerate() {
                    let want = brute(&pts, i, k);
                    assert_eq!(grid.mth_distance([a, b], &mut many), want, "point {i}, k {k}");
                    let few = match k {
                        1 => grid.mth_distance([a, b], &mut two),
                        3 => grid.mth_distance([a, b], &mut four),
                        7 => grid.mth_distance([a, b], &mut eight),
                        _ => want,
                    };
                    assert_eq!(few, want, "point {i}, k {k}");
                }
            }
            let mut order: Vec<usize> = grid.order().collect();
            order.sort_unstable();
            assert_eq!(order, (0..pts.len()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn crowded_or_far_spread_data_get_no_grid() {
        // 100 copies of one point crowd a cell; a heavy tail stretches the box past the cell limit
        let same = vec![(1.0, 1.0); 100];
        assert!(Grid2::build(same.len(), 4.0, |i| same[i]).is_none());
        let mut tail: Vec<(f64, f64)> = (0..1000).map(|i| ((i % 37) as f64 * 0.01, (i % 41) as f64 * 0.01)).collect();
        tail.push((1e9, -1e9));
        assert!(Grid2::build(tail.len(), 4.0, |i| tail[i]).is_none());
        assert!(Grid2::build(1, 4.0, |_| (0.0, 0.0)).is_none());
    }
}
