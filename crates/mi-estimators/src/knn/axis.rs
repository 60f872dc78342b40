//! Exact radius counts on a single coordinate, for queries that are the stored points themselves:
//! a sorted copy, each point's rank in it, and two exponential (galloping) searches that start at
//! the query's own rank. The neighbourhoods KSG asks about hold a handful to a few hundred points,
//! so the searches touch O(log count) nearby values instead of O(log N) values spread over the
//! whole array, which is where a plain binary search spent its time (cache misses and
//! mispredicted branches).
//!
//! Exactness: the predicates are the ones [`super::maxdist`] evaluates (|q − v| is fl(v − q) for
//! v ≥ q and fl(q − v) for v < q); both are monotone along the sorted values, so any search for
//! their partition point, galloping or not, finds the same point.

/// The values of one coordinate, sorted, with the rank of every original point, and a table of
/// equal-width buckets over the range: `first[b]` is the first rank whose value reaches bucket
/// b's left edge. The table turns a threshold into a nearby rank in O(1); the exact search then
/// starts there (a hint only: any hint gives the same, exact, answer).
pub(crate) struct SortedAxis {
    v: Vec<f64>,
    rank: Vec<u32>,
    first: Vec<u32>,
    lo: f64,
    per_width: f64,
}

impl SortedAxis {
    pub fn new(values: Vec<f64>) -> Self {
        // (key, index) pairs sorted directly: the keys order as `f64::total_cmp` does, and comparing
        // integers held in the array beats chasing indices into `values`
        let keyed = sort_by_key_then_index(values.iter().enumerate().map(|(i, &x)| (total_order_key(x), i as u32)).collect());
        let v: Vec<f64> = keyed.iter().map(|&(_, i)| values[i as usize]).collect();
        let mut rank = vec![0u32; values.len()];
        for (pos, &(_, i)) in keyed.iter().enumerate() {
            rank[i as usize] = pos as u32;
        }
        let (first, lo, per_width) = bucket_table(&v);
        SortedAxis { v, rank, first, lo, per_width }
    }

    /// A rank near the partition point of "value < t" (exact up to one bucket).
    fn near(&self, t: f64) -> usize {
        let b = (t - self.lo) * self.per_width;
        if b.is_nan() || b < 0.0 {
            return 0;
        }
        self.first.get(b as usize).map_or(self.v.len(), |&p| p as usize)
    }

    /// Number of stored values v (point `i`'s own included) with |v − v_i| < r (`strict`) or ≤ r.
    pub fn count_around(&self, i: usize, r: f64, strict: bool) -> usize {
        let hint = self.rank[i] as usize;
        let q = self.v[hint];
        let inside = |dist: f64| if strict { dist < r } else { dist <= r };
        let upper = partition_point_near(&self.v, self.near(q + r).max(hint), |v| v < q || inside(v - q));
        let lower = partition_point_near(&self.v, self.near(q - r).min(hint), |v| v < q && !inside(q - v));
        upper - lower
    }
}

/// One bucket per value over [min, max] (none for an empty or single-valued or non-finite range):
/// `first[b]` = the first rank with value ≥ min + b·width.
fn bucket_table(v: &[f64]) -> (Vec<u32>, f64, f64) {
    let (Some(&lo), Some(&hi)) = (v.first(), v.last()) else { return (vec![], 0.0, 0.0) };
    let buckets = v.len();
    let per_width = buckets as f64 / (hi - lo);
    if !(per_width.is_finite() && per_width > 0.0) {
        return (vec![], lo, 0.0);
    }
    let mut first = Vec::with_capacity(buckets + 1);
    let mut pos = 0;
    for b in 0..=buckets {
        let edge = lo + b as f64 / per_width;
        while pos < v.len() && v[pos] < edge {
            pos += 1;
        }
        first.push(pos as u32);
    }
    (first, lo, per_width)
}

/// An integer whose order is `f64::total_cmp`'s: the bits, with the magnitude bits of negative
/// numbers flipped so that more negative sorts first.
fn total_order_key(x: f64) -> i64 {
    let b = x.to_bits() as i64;
    b ^ ((((b >> 63) as u64) >> 1) as i64)
}

/// `keyed` (indices in increasing order) sorted by key, ties by index: the order of
/// `sort_unstable` on the pairs. Large inputs go through a least-significant-digit radix sort on
/// the keys, 8 bits a pass, skipping the bytes every key shares; it is stable, so tied keys keep
/// their increasing indices.
fn sort_by_key_then_index(mut keyed: Vec<(i64, u32)>) -> Vec<(i64, u32)> {
    const RADIX_MIN: usize = 512;
    if keyed.len() < RADIX_MIN {
        keyed.sort_unstable();
        return keyed;
    }
    // unsigned keys in the same order: flip the sign bit
    let ukey = |k: i64| (k as u64) ^ (1 << 63);
    let mut counts = [[0usize; 256]; 8];
    for &(k, _) in &keyed {
        let u = ukey(k);
        for (byte, c) in counts.iter_mut().enumerate() {
            c[((u >> (8 * byte)) & 0xff) as usize] += 1;
        }
    }
    let n = keyed.len();
    let mut other = vec![(0i64, 0u32); n];
    for (byte, c) in counts.iter().enumerate() {
        if c.contains(&n) {
            continue; // every key has this byte: the pass would not move anything
        }
        let mut next = [0usize; 256];
        let mut sum = 0;
        for (slot, &m) in next.iter_mut().zip(c) {
            *slot = sum;
            sum += m;
        }
        for &pair in &keyed {
            let b = ((ukey(pair.0) >> (8 * byte)) & 0xff) as usize;
            other[next[b]] = pair;
            next[b] += 1;
        }
        std::mem::swap(&mut keyed, &mut other);
    }
    keyed
}

/// The partition point of `pred` (true on a prefix of `v`, false after it), searched outwards
/// from `hint` in steps 1, 2, 4, … and then by bisection inside the last step.
fn partition_point_near(v: &[f64], hint: usize, pred: impl Fn(f64) -> bool) -> usize {
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
    fn radix_order_is_the_pair_order() {
        use rand::{Rng, SeedableRng};
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        // continuous values, many ties, signed zeros and infinities, one shared exponent
        let cases: Vec<Vec<f64>> = vec![
            (0..5000).map(|_| r.gen::<f64>() * 2.0 - 1.0).collect(),
            (0..3000).map(|_| f64::from(r.gen_range(-20..20)) * 0.5).collect(),
            (0..2000).map(|i| [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1e-300, -1e300][i % 6]).collect(),
            (0..1000).map(|_| 1.0 + r.gen::<f64>() * 0.5).collect(),
            (0..100).map(|_| r.gen::<f64>()).collect(),
        ];
        for values in cases {
            let keyed: Vec<(i64, u32)> = values.iter().enumerate().map(|(i, &x)| (total_order_key(x), i as u32)).collect();
            let mut want = keyed.clone();
            want.sort_unstable();
            assert_eq!(sort_by_key_then_index(keyed), want, "{} values", values.len());
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
    fn galloping_search_agrees_with_binary_search_from_every_hint() {
        // long enough to gallop several steps on both sides
        let v: Vec<f64> = (0..300).map(|i| f64::from(i / 3) - 20.0).collect();
        for cut in [-21.0, -20.0, -19.5, -3.0, 0.0, 13.0, 40.0, 60.0, 79.0, 80.0] {
            let want = v.partition_point(|&x| x < cut);
            for hint in 0..=v.len() {
                assert_eq!(partition_point_near(&v, hint, |x| x < cut), want, "cut {cut} hint {hint}");
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
                        assert_eq!(axis.count_around(i, rad, strict), want, "point {i} r {rad} strict {strict}");
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
                    assert_eq!(axis.count_around(i, r, strict), want, "point {i} r {r} strict {strict}");
                }
            }
        }
    }
}
