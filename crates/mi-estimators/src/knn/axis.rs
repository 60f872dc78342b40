//! Exact radius counts on a single coordinate: a sorted copy (a bucket sort, whose buckets
//! double as a lookup table) and, for each end of the interval, a search that starts at the
//! table's hint: a count over a window of 8 values around it, and a galloping search from the
//! window's edge in the rare case the end lies outside. The searches touch a few nearby values
//! instead of O(log N) values spread over the whole array, which is where a plain binary search
//! spent its time (cache misses and mispredicted branches).
//!
//! Exactness: the predicates are the ones [`super::maxdist`] evaluates (|q − v| is fl(v − q) for
//! v ≥ q and fl(q − v) for v < q); both are monotone along the sorted values, so any search for
//! their partition point, by window, gallop or bisection, finds the same point.

/// The values of one coordinate, sorted, and a table of equal-width buckets over the range:
/// `first[b]` is the first rank whose value lies in bucket b or later. The table turns a
/// threshold into a nearby rank in O(1); the exact search then starts there (a hint only: any
/// hint gives the same, exact, answer).
pub(crate) struct SortedAxis {
    v: Vec<f64>,
    first: Vec<u32>,
    lo: f64,
    per_width: f64,
}

impl SortedAxis {
    pub fn new(values: Vec<f64>) -> Self {
        let (keyed, first, lo, per_width) = sort_into_buckets(&values);
        let v: Vec<f64> = keyed.iter().map(|&(_, i)| values[i as usize]).collect();
        SortedAxis { v, first, lo, per_width }
    }

    /// A rank near the partition point of "value < t" (exact up to one bucket).
    fn near(&self, t: f64) -> usize {
        let b = (t - self.lo) * self.per_width;
        if b.is_nan() || b < 0.0 {
            return 0;
        }
        self.first.get(b as usize).map_or(self.v.len(), |&p| p as usize)
    }

    /// Number of stored values v with |v − q| < r (`strict`) or ≤ r; a stored q counts itself.
    /// The two searches start from the table alone: no load waits on another before the table's.
    pub fn count_within(&self, q: f64, r: f64, strict: bool) -> usize {
        let inside = |dist: f64| if strict { dist < r } else { dist <= r };
        let upper = partition_point_near(&self.v, self.near(q + r), |v| v < q || inside(v - q));
        let lower = partition_point_near(&self.v, self.near(q - r), |v| v < q && !inside(q - v));
        upper - lower
    }
}

/// `values` as (key, index) pairs in the order of `sort_unstable` on the pairs (the keys order as
/// `f64::total_cmp` does), with the bucket table: one bucket per value over [min, max], bucket(x)
/// = ⌊(x − min)·per_width⌋. A bucket (counting) sort: the bucket of a value never decreases as the
/// value grows (each rounding step is monotone), so sorting each bucket's few pairs finishes the
/// order, and the counts are the table. Values that are not all finite, or whose range is empty
/// or overflows, get a plain sort and no table.
fn sort_into_buckets(values: &[f64]) -> (Vec<(i64, u32)>, Vec<u32>, f64, f64) {
    let n = values.len();
    let (mut lo, mut hi, mut finite) = (f64::INFINITY, f64::NEG_INFINITY, true);
    for &x in values {
        (lo, hi, finite) = (lo.min(x), hi.max(x), finite && x.is_finite());
    }
    let per_width = n as f64 / (hi - lo);
    if !(finite && per_width.is_finite() && per_width > 0.0) {
        let mut keyed: Vec<(i64, u32)> = values.iter().enumerate().map(|(i, &x)| (total_order_key(x), i as u32)).collect();
        keyed.sort_unstable();
        return (keyed, vec![], lo, 0.0);
    }
    let buckets: Vec<u32> = values.iter().map(|&x| (((x - lo) * per_width) as usize).min(n - 1) as u32).collect();
    let (first, order) = super::counting::by_bucket(&buckets, n);
    let mut keyed: Vec<(i64, u32)> = order.iter().map(|&i| (total_order_key(values[i as usize]), i)).collect();
    // crowded buckets (skewed data) by a comparison sort, then one insertion pass over the whole
    // array for the rest: an element only moves past larger ones, which are in its own bucket,
    // and a pass over the array mispredicts far less often than a loop per bucket would
    for b in 0..n {
        let (start, end) = (first[b] as usize, first[b + 1] as usize);
        if end - start > 16 {
            keyed[start..end].sort_unstable();
        }
    }
    for j in 1..n {
        let pair = keyed[j];
        if pair < keyed[j - 1] {
            let mut m = j;
            while m > 0 && pair < keyed[m - 1] {
                keyed[m] = keyed[m - 1];
                m -= 1;
            }
            keyed[m] = pair;
        }
    }
    (keyed, first, lo, per_width)
}

/// An integer whose order is `f64::total_cmp`'s: the bits, with the magnitude bits of negative
/// numbers flipped so that more negative sorts first.
fn total_order_key(x: f64) -> i64 {
    let b = x.to_bits() as i64;
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

/// The partition point of `pred` (true on a prefix of `v`, false after it) near `hint`: `pred`
/// is counted over a window of values around the hint, with no branch on each value (the
/// outcomes near a boundary are what a branch predictor cannot guess). When the boundary lies
/// inside the window that count is the answer; otherwise, or for short arrays, a galloping search
/// from the window's edge finds it.
#[inline(always)]
fn partition_point_near(v: &[f64], hint: usize, pred: impl Fn(f64) -> bool) -> usize {
    const W: usize = 8;
    let n = v.len();
    if n < W {
        return gallop(v, hint, pred);
    }
    let start = hint.saturating_sub(W / 2).min(n - W);
    let window: &[f64; W] = v[start..start + W].try_into().expect("a window of W values");
    let holds = window.iter().map(|&x| usize::from(pred(x))).sum::<usize>();
    // a monotone predicate: true on the first `holds` values of the window, false on the rest
    match holds {
        0 if start > 0 => gallop(v, start, pred),
        W if start + W < n => gallop(v, start + W - 1, pred),
        _ => start + holds,
    }
}

/// The partition point of `pred` searched outwards from `hint` in steps 1, 2, 4, … and then by
/// bisection inside the last step.
fn gallop(v: &[f64], hint: usize, pred: impl Fn(f64) -> bool) -> usize {
    let n = v.len();
    if hint < n && pred(v[hint]) {
        // the answer is in (hint, n]: pred holds on v[..lo]
        let mut lo = hint + 1;
        let mut step = 1;
        loop {
            let probe = hint + step;
            if probe >= n {
                return lo + bisect(&v[lo..], &pred);
            }
            if !pred(v[probe]) {
                return lo + bisect(&v[lo..probe], &pred);
            }
            lo = probe + 1;
            step *= 2;
        }
    } else {
        // the answer is in [0, hint]: pred fails on v[hi..]
        let mut hi = hint.min(n);
        let mut step = 1;
        loop {
            if step > hi {
                return bisect(&v[..hi], &pred);
            }
            let probe = hi - step;
            if pred(v[probe]) {
                return probe + 1 + bisect(&v[probe + 1..hi], &pred);
            }
            hi = probe;
            step *= 2;
        }
    }
}

/// The partition point of `pred` on `v` by a bisection whose steps are data moves rather than
/// branches (the comparisons here are unpredictable, so a branch would mispredict half the time).
#[inline(always)]
fn bisect(v: &[f64], pred: &impl Fn(f64) -> bool) -> usize {
    let (mut base, mut len) = (0usize, v.len());
    if len == 0 {
        return 0;
    }
    while len > 1 {
        let half = len / 2;
        base = if pred(v[base + half - 1]) { base + half } else { base };
        len -= half;
    }
    base + usize::from(pred(v[base]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_order_is_the_pair_order() {
        use rand::{Rng, SeedableRng};
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        // continuous values, many ties, signed zeros and tiny values, one shared exponent, heavy
        // skew (crowded buckets), infinities and a range that overflows (no table)
        let cases: Vec<Vec<f64>> = vec![
            (0..5000).map(|_| r.gen::<f64>() * 2.0 - 1.0).collect(),
            (0..3000).map(|_| f64::from(r.gen_range(-20..20)) * 0.5).collect(),
            (0..2000).map(|i| [0.0, -0.0, 1e-300, -5e-324, 5e-324, 3.0][i % 6]).collect(),
            (0..1000).map(|_| 1.0 + r.gen::<f64>() * 0.5).collect(),
            (0..1000).map(|_| r.gen::<f64>().powi(40) * 1e6 - 0.5).collect(),
            (0..600).map(|i| [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1e-300, -1e300][i % 6]).collect(),
            (0..500).map(|i| if i % 2 == 0 { 1.5e308 } else { -1.5e308 + f64::from(i) }).collect(),
            vec![2.5; 40],
            vec![1.0],
        ];
        for values in cases {
            let mut want: Vec<(i64, u32)> = values.iter().enumerate().map(|(i, &x)| (total_order_key(x), i as u32)).collect();
            want.sort_unstable();
            let (keyed, first, lo, per_width) = sort_into_buckets(&values);
            assert_eq!(keyed, want, "{} values", values.len());
            // the table: first[b] is the first rank in bucket b or later
            for (b, &f) in first.iter().enumerate() {
                let at = keyed.iter().position(|&(_, i)| (((values[i as usize] - lo) * per_width) as usize).min(values.len() - 1) >= b);
                assert_eq!(f as usize, at.unwrap_or(values.len()), "bucket {b}");
            }
        }
    }

    #[test]
    fn total_order_key_orders_as_total_cmp() {
        let xs = [f64::NEG_INFINITY, -1e300, -1.5, -f64::MIN_POSITIVE, -0.0, 0.0, 5e-324, 1.0, 2.5, f64::INFINITY, f64::NAN];
        for a in xs {
            for b in xs {
                assert_eq!(total_order_key(a).cmp(&total_order_key(b)), a.total_cmp(&b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn searches_near_a_hint_agree_with_binary_search_from_every_hint() {
        // long enough to gallop several steps on both sides; and shorter than the window
        for len in [300, 20, 8, 7, 1, 0] {
            let v: Vec<f64> = (0..len).map(|i| f64::from(i / 3) - 20.0).collect();
            for cut in [-21.0, -20.0, -19.5, -18.0, -3.0, 0.0, 13.0, 40.0, 60.0, 79.0, 80.0] {
                let want = v.partition_point(|&x| x < cut);
                for hint in 0..=v.len() + 2 {
                    assert_eq!(partition_point_near(&v, hint, |x| x < cut), want, "len {len} cut {cut} hint {hint}");
                    assert_eq!(gallop(&v, hint, |x| x < cut), want, "len {len} cut {cut} hint {hint}");
                }
            }
        }
    }

    #[test]
    fn bucket_hints_keep_counts_exact_on_skewed_and_extreme_values() {
        use rand::{Rng, SeedableRng};
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let skewed: Vec<f64> = (0..500).map(|_| r.gen::<f64>().powi(8) * 100.0 - 3.0).collect();
        let mut extreme = skewed.clone();
        extreme.extend([1e300, -1e300, 0.0, -0.0, 5e-324]);
        let constant = vec![2.5; 20];
        for values in [skewed, extreme, constant] {
            let axis = SortedAxis::new(values.clone());
            for i in (0..values.len()).step_by(7) {
                for rad in [0.0, 1e-6, 0.01, 0.3, 5.0, 1e301, f64::INFINITY] {
                    for strict in [true, false] {
                        let want = values.iter().filter(|&&v| if strict { (v - values[i]).abs() < rad } else { (v - values[i]).abs() <= rad }).count();
                        assert_eq!(axis.count_within(values[i], rad, strict), want, "point {i} r {rad} strict {strict}");
                    }
                }
            }
        }
    }

    #[test]
    fn counts_match_a_scan_including_ties() {
        let values: Vec<f64> = [3.0, 1.0, 1.0, 2.0, -0.0, 0.0, 1.0, 5.0, 3.0, 1.5].to_vec();
        let axis = SortedAxis::new(values.clone());
        for i in 0..values.len() {
            for r in [0.0, 0.5, 1.0, 2.0, 10.0] {
                for strict in [true, false] {
                    let want = values.iter().filter(|&&v| if strict { (v - values[i]).abs() < r } else { (v - values[i]).abs() <= r }).count();
                    assert_eq!(axis.count_within(values[i], r, strict), want, "point {i} r {r} strict {strict}");
                }
            }
        }
    }
}
