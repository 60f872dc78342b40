//! k-nearest-neighbour estimators: KSG algorithms 1 and 2 (Kraskov, Stögbauer, Grassberger 2004)
//! for I(X; Y), the Frenzel–Pompe conditional MI and the Kozachenko–Leonenko entropy, under the
//! max-norm (the default) or the per-marginal Euclidean norm ([`Norm`]).
//!
//! Distances. Each variable (X, Y, and Z for the conditional estimator) is a *block* of columns.
//! Within a block the distance is ‖·‖∞ ([`Norm::Max`]) or ‖·‖₂ ([`Norm::Euclidean`]); in a product
//! space such as (X, Y) it is the max of the block distances, d_XY = max(d_X, d_Y). The KSG and
//! Frenzel–Pompe formulas below only need that last property, so they hold for both norms; the
//! Euclidean variant (the one most R and Julia packages offer) measures each neighbourhood with
//! balls rather than cubes in each marginal, which is less biased when a marginal has several
//! dimensions. With 1-D blocks the two norms are the same, and give bit-identical results.
//!
//! * KSG 1: ε_i is the distance to the k-th neighbour of point i in the joint space
//!   (max(d_X, d_Y)); n_x(i), n_y(i) count the *other* points strictly closer than ε_i in each
//!   marginal space; Î = ψ(k) + ψ(N) − mean_i [ψ(n_x(i) + 1) + ψ(n_y(i) + 1)].
//! * KSG 2: ε_x(i), ε_y(i) are the marginal extents of the k nearest joint neighbours; n_x(i),
//!   n_y(i) count the other points at distance ≤ ε_x(i) (resp. ε_y(i)); Î = ψ(k) − 1/k + ψ(N) −
//!   mean_i [ψ(n_x(i)) + ψ(n_y(i))].
//! * Conditional MI I(X; Y | Z) (Frenzel & Pompe 2007, KSG 1 conditioned): ε_i is the distance to
//!   the k-th neighbour in the joint (x, y, z) space; n_xz(i), n_yz(i), n_z(i) count the other
//!   points strictly closer than ε_i in those subspaces; Î = ψ(k) − mean_i [ψ(n_xz(i) + 1) +
//!   ψ(n_yz(i) + 1) − ψ(n_z(i) + 1)]. See [`ksg_cmi_nats`].
//! * Kozachenko–Leonenko: Ĥ = ψ(N) − ψ(k) + log V_d + (d/N) Σ_i log r_i, r_i the distance to the
//!   k-th neighbour (all d columns one block) and V_d the volume of the unit ball of the norm:
//!   2^d for the max-norm, π^{d/2} / Γ(d/2 + 1) for the Euclidean norm.
//!
//! Ties: neighbours are ranked by (distance, index), so the k-neighbour set is well defined.
//!
//! Columns are standardised (zero mean, unit population variance) by default, since k-NN
//! estimators are scale-sensitive; an optional seeded jitter breaks ties. The neighbour search is
//! a k-d tree in low dimension and a parallel (rayon) brute force in high dimension, chosen by
//! [`NeighborSearch::Auto`] (KSG 1 with one column each for X and Y searches the joint plane on
//! a uniform grid instead, `grid.rs`, unless the data would crowd its cells; 1-D marginal counts
//! use a sorted axis with a bucket table, `axis.rs`); all give results identical to the slow [`reference`](mod@reference)
//! implementation, for either norm. KSG estimates can be negative (bias at small N or near-zero
//! MI): they are reported as they are.
//!
//! ```
//! use mi_estimators::knn::{ksg1_mi_nats, KnnOptions, Norm};
//! use mi_estimators::tasks::Task;
//! let task = Task::equicorrelated(3, 0.5).unwrap();
//! let (x, y) = task.sample(2_000, 7);
//! let max = ksg1_mi_nats(&x.view(), &y.view(), &KnnOptions::with_k(3)).unwrap();
//! let euclid = KnnOptions { norm: Norm::Euclidean, ..KnnOptions::with_k(3) };
//! let l2 = ksg1_mi_nats(&x.view(), &y.view(), &euclid).unwrap();
//! let truth = task.true_mi_nats();
//! assert!((max - truth).abs() < 0.15 && (l2 - truth).abs() < 0.15, "{max} {l2} {truth}");
//! ```
use crate::error::{EstimatorError, Result};
use crate::special::digamma;
use ndarray::ArrayView2;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

pub use cmi::ksg_cmi_nats;

mod brute;
mod axis;
mod cmi;
mod counting;
mod grid;
mod kdtree;
mod metric;
pub mod reference;

/// Which KSG estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum KsgAlgorithm {
    /// Algorithm 1: joint k-th neighbour distance, strict counts in the marginals.
    One,
    /// Algorithm 2: marginal extents of the k neighbours, inclusive counts.
    Two,
}

/// How neighbours are found. All choices give identical results; only speed differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum NeighborSearch {
    /// k-d tree when the (joint) dimension is at most [`KD_TREE_MAX_DIM`], brute force otherwise.
    #[default]
    Auto,
    /// A k-d tree (best in low dimension).
    KdTree,
    /// Parallel brute force, O(N²·d) (best in high dimension).
    BruteForce,
}

/// The norm within each block of columns (X, Y, Z); the distance in a product of blocks is the max
/// of the block distances under either norm. See the [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum Norm {
    /// ‖·‖∞ within each block: the original KSG, neighbourhoods are cubes.
    #[default]
    Max,
    /// ‖·‖₂ within each block ("per-marginal Euclidean"): neighbourhoods are products of balls.
    Euclidean,
}

/// Largest dimension for which [`NeighborSearch::Auto`] uses the k-d tree.
pub const KD_TREE_MAX_DIM: usize = 10;

/// Seeded Gaussian jitter added to every (standardised) coordinate to break ties.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Jitter {
    /// Standard deviation of the noise (after standardisation); 1e-10 is typical.
    pub scale: f64,
    pub seed: u64,
}

/// Options of the k-NN estimators.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KnnOptions {
    /// Number of neighbours (k ≥ 1, k < N).
    pub k: usize,
    /// Standardise each column to zero mean and unit variance first (default: true).
    pub standardize: bool,
    /// Optional seeded jitter (default: none).
    pub jitter: Option<Jitter>,
    pub search: NeighborSearch,
    /// The norm within each variable's block of columns (default: max-norm). A default on its own
    /// so that options serialised before the field existed still read.
    #[serde(default)]
    pub norm: Norm,
}

impl Default for KnnOptions {
    fn default() -> Self {
        KnnOptions { k: 3, standardize: true, jitter: None, search: NeighborSearch::Auto, norm: Norm::Max }
    }
}

impl KnnOptions {
    /// Default options with `k` neighbours.
    pub fn with_k(k: usize) -> Self {
        KnnOptions { k, ..Default::default() }
    }
}

/// Points after validation, standardisation and jitter: row-major `n × (dx + dy)`.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub n: usize,
    pub dx: usize,
    pub dy: usize,
    pub data: Vec<f64>,
    /// the norm within each block, carried with the points so that every path reads the same one
    pub norm: Norm,
}

impl Prepared {
    pub fn dim(&self) -> usize {
        self.dx + self.dy
    }
    pub fn row(&self, i: usize) -> &[f64] {
        let d = self.dim();
        &self.data[i * d..(i + 1) * d]
    }
    pub fn x(&self, i: usize) -> &[f64] {
        &self.row(i)[..self.dx]
    }
    pub fn y(&self, i: usize) -> &[f64] {
        &self.row(i)[self.dx..]
    }
}

/// Max-norm distance ‖a − b‖∞. The single distance function of the module: every search path
/// computes distances through it, which is what makes their results identical.
#[inline]
pub(crate) fn maxdist(a: &[f64], b: &[f64]) -> f64 {
    let mut m = 0.0f64;
    for (p, q) in a.iter().zip(b) {
        let d = (p - q).abs();
        if d > m {
            m = d;
        }
    }
    m
}

/// Euclidean distance ‖a − b‖₂ within one block: √(Σ_c (a_c − b_c)²) summed in coordinate order,
/// and |a_0 − b_0| for a single coordinate. The latter is the same number mathematically; taking it
/// directly keeps 1-D blocks bit-identical to the max-norm (√(fl(t²)) = |t| fails where t² under-
/// or overflows). Every Euclidean path computes distances that equal this function bit for bit
/// (see `metric.rs` for why a tree's single square root of the largest block sum does).
#[inline]
pub(crate) fn eucdist(a: &[f64], b: &[f64]) -> f64 {
    if a.len() == 1 {
        return (a[0] - b[0]).abs();
    }
    let mut s = 0.0f64;
    for (p, q) in a.iter().zip(b) {
        let t = p - q;
        s += t * t;
    }
    s.sqrt()
}

/// Distance within one block under `norm`.
#[inline]
pub(crate) fn block_dist(norm: Norm, a: &[f64], b: &[f64]) -> f64 {
    match norm {
        Norm::Max => maxdist(a, b),
        Norm::Euclidean => eucdist(a, b),
    }
}

/// log of the volume of the unit ball in `d` dimensions under `norm`.
pub(crate) fn ln_unit_ball(norm: Norm, d: usize) -> f64 {
    match norm {
        Norm::Max => d as f64 * 2f64.ln(),
        Norm::Euclidean => 0.5 * d as f64 * std::f64::consts::PI.ln() - crate::special::ln_gamma(d as f64 / 2.0 + 1.0),
    }
}

/// (distance, index) ordering used to rank neighbours.
#[inline]
pub(crate) fn closer(a: (f64, usize), b: (f64, usize)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// Inserts `cand` into `best` (sorted by [`closer`], at most k entries), dropping the last entry
/// when full. The caller has checked that `cand` belongs: `best` has room or `cand` is closer
/// than its last entry.
#[inline]
pub(crate) fn insert_best(best: &mut Vec<(f64, usize)>, cand: (f64, usize), k: usize) {
    if best.len() == k {
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
}

pub(crate) fn prepare(x: &ArrayView2<f64>, y: Option<&ArrayView2<f64>>, opts: &KnnOptions) -> Result<Prepared> {
    let (n, dx) = x.dim();
    let dy = y.map_or(0, |y| y.ncols());
    if let Some(y) = y {
        if y.nrows() != n {
            return Err(EstimatorError::ShapeMismatch { what: "X and Y rows", expected: n.to_string(), found: y.nrows().to_string() });
        }
        if dy == 0 {
            return Err(EstimatorError::ShapeMismatch { what: "Y columns", expected: "at least 1".into(), found: "0".into() });
        }
    }
    if dx == 0 {
        return Err(EstimatorError::ShapeMismatch { what: "X columns", expected: "at least 1".into(), found: "0".into() });
    }
    if opts.k == 0 {
        return Err(EstimatorError::param("k", 0, "must be at least 1"));
    }
    if opts.k >= n {
        return Err(EstimatorError::TooFewSamples { n, reason: format!("k = {} neighbours need more than k samples (k < n)", opts.k) });
    }
    let d = dx + dy;
    let mut data = Vec::with_capacity(n * d);
    for i in 0..n {
        data.extend(x.row(i).iter().copied());
        if let Some(y) = y {
            data.extend(y.row(i).iter().copied());
        }
    }
    if data.iter().any(|v| !v.is_finite()) {
        return Err(EstimatorError::NonFinite { what: "samples" });
    }
    if opts.standardize {
        for c in 0..d {
            let mean = (0..n).map(|i| data[i * d + c]).sum::<f64>() / n as f64;
            let var = (0..n).map(|i| (data[i * d + c] - mean).powi(2)).sum::<f64>() / n as f64;
            let sd = var.sqrt();
            let scale = if sd > 0.0 && sd.is_finite() { 1.0 / sd } else { 1.0 };
            for i in 0..n {
                data[i * d + c] = (data[i * d + c] - mean) * scale;
            }
        }
    }
    if let Some(j) = opts.jitter {
        if !(j.scale.is_finite() && j.scale >= 0.0) {
            return Err(EstimatorError::param("jitter scale", j.scale, "must be finite and ≥ 0"));
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(j.seed);
        for v in data.iter_mut() {
            let e: f64 = StandardNormal.sample(&mut rng);
            *v += j.scale * e;
        }
    }
    Ok(Prepared { n, dx, dy, data, norm: opts.norm })
}

fn use_tree(search: NeighborSearch, dim: usize) -> bool {
    match search {
        NeighborSearch::Auto => dim <= KD_TREE_MAX_DIM,
        NeighborSearch::KdTree => true,
        NeighborSearch::BruteForce => false,
    }
}

/// The KSG estimate from per-point marginal counts (shared by every search path).
pub(crate) fn ksg_from_counts(alg: KsgAlgorithm, k: usize, counts: &[(usize, usize)]) -> f64 {
    let n = counts.len();
    let kf = k as f64;
    // ψ at every integer up to the largest count + 1, evaluated once each (counts are at most n,
    // and repeat): the same values, so the same sum, as calling `digamma` per point
    let largest = counts.iter().map(|&(a, b)| a.max(b)).max().unwrap_or(0);
    let psi: Vec<f64> = (0..=largest + 1).map(|m| digamma(m as f64)).collect();
    let mean: f64 = match alg {
        KsgAlgorithm::One => counts.iter().map(|&(a, b)| psi[a + 1] + psi[b + 1]).sum::<f64>(),
        KsgAlgorithm::Two => counts.iter().map(|&(a, b)| psi[a] + psi[b]).sum::<f64>(),
    } / n as f64;
    let bias = if alg == KsgAlgorithm::Two { 1.0 / kf } else { 0.0 };
    digamma(kf) - bias + digamma(n as f64) - mean
}

/// The Kozachenko–Leonenko estimate from k-th neighbour distances (shared by every search path).
pub(crate) fn kl_from_radii(k: usize, d: usize, norm: Norm, radii: &[f64]) -> Result<f64> {
    let n = radii.len();
    if let Some(i) = radii.iter().position(|&r| r <= 0.0) {
        return Err(EstimatorError::ZeroDistance { index: i });
    }
    let mean_log: f64 = radii.iter().map(|r| r.ln()).sum::<f64>() / n as f64;
    let log_volume = match norm {
        Norm::Euclidean if d > 1 => ln_unit_ball(norm, d) + d as f64 * mean_log,
        // the max-norm keeps its original grouping, d (log 2 + mean log r), bit for bit; one
        // Euclidean column is the max-norm (2 = π^½ / Γ(3/2) only up to rounding in the formula)
        _ => d as f64 * (2f64.ln() + mean_log),
    };
    Ok(digamma(n as f64) - digamma(k as f64) + log_volume)
}

/// Per-point marginal counts (n_x(i), n_y(i)) of KSG, by the chosen search.
pub(crate) fn ksg_counts(p: &Prepared, alg: KsgAlgorithm, k: usize, search: NeighborSearch) -> Vec<(usize, usize)> {
    if use_tree(search, p.dim()) {
        kdtree::ksg_counts(p, alg, k)
    } else {
        brute::ksg_counts(p, alg, k)
    }
}

/// KSG estimate of I(X; Y) in nats. `x` is n × dx, `y` is n × dy (same n).
///
/// Errors: row counts that differ, empty columns, NaN/∞, k = 0 or k ≥ n.
pub fn ksg_mi_nats(x: &ArrayView2<f64>, y: &ArrayView2<f64>, alg: KsgAlgorithm, opts: &KnnOptions) -> Result<f64> {
    let p = prepare(x, Some(y), opts)?;
    let counts = ksg_counts(&p, alg, opts.k, opts.search);
    Ok(ksg_from_counts(alg, opts.k, &counts))
}

/// KSG algorithm 1 (see [`ksg_mi_nats`]).
pub fn ksg1_mi_nats(x: &ArrayView2<f64>, y: &ArrayView2<f64>, opts: &KnnOptions) -> Result<f64> {
    ksg_mi_nats(x, y, KsgAlgorithm::One, opts)
}

/// KSG algorithm 2 (see [`ksg_mi_nats`]).
pub fn ksg2_mi_nats(x: &ArrayView2<f64>, y: &ArrayView2<f64>, opts: &KnnOptions) -> Result<f64> {
    ksg_mi_nats(x, y, KsgAlgorithm::Two, opts)
}

/// Kozachenko–Leonenko differential entropy of the rows of `x` (n × d), in nats, under `opts.norm`
/// over all d columns (one block).
///
/// With standardisation on (the default) this is the entropy of the standardised variable;
/// set `standardize: false` for the entropy in the data's own units. Duplicate points give a
/// zero distance and an error (add jitter).
pub fn kl_entropy_nats(x: &ArrayView2<f64>, opts: &KnnOptions) -> Result<f64> {
    let p = prepare(x, None, opts)?;
    let radii = if use_tree(opts.search, p.dim()) { kdtree::kth_radii(&p, opts.k) } else { brute::kth_radii(&p, opts.k) };
    kl_from_radii(opts.k, p.dim(), opts.norm, &radii)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn bad_inputs_are_errors() {
        let x = Array2::<f64>::zeros((5, 1));
        let y = Array2::<f64>::zeros((4, 1));
        let o = KnnOptions::default();
        assert!(matches!(ksg1_mi_nats(&x.view(), &y.view(), &o), Err(EstimatorError::ShapeMismatch { .. })));
        assert!(matches!(ksg1_mi_nats(&x.view(), &x.view(), &KnnOptions::with_k(5)), Err(EstimatorError::TooFewSamples { .. })));
        assert!(ksg1_mi_nats(&x.view(), &x.view(), &KnnOptions::with_k(0)).is_err());
        let mut z = Array2::<f64>::zeros((5, 1));
        z[[2, 0]] = f64::NAN;
        assert!(matches!(ksg2_mi_nats(&z.view(), &x.view(), &o), Err(EstimatorError::NonFinite { .. })));
        assert!(ksg1_mi_nats(&Array2::<f64>::zeros((5, 0)).view(), &x.view(), &o).is_err());
        // all-identical points: KL entropy is −∞, reported as an error; KSG stays finite
        assert!(matches!(kl_entropy_nats(&x.view(), &o), Err(EstimatorError::ZeroDistance { .. })));
        assert!(ksg1_mi_nats(&x.view(), &x.view(), &o).unwrap().is_finite());
        let bad = KnnOptions { jitter: Some(Jitter { scale: -1.0, seed: 0 }), ..o };
        assert!(ksg1_mi_nats(&x.view(), &x.view(), &bad).is_err());
    }

    #[test]
    fn the_digamma_table_gives_the_bits_of_one_call_per_point() {
        use rand::Rng;
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let counts: Vec<(usize, usize)> = (0..3000).map(|_| (r.gen_range(1..400), r.gen_range(1..5000))).collect();
        for (alg, shift) in [(KsgAlgorithm::One, 1.0), (KsgAlgorithm::Two, 0.0)] {
            let sum: f64 = counts.iter().map(|&(a, b)| digamma(a as f64 + shift) + digamma(b as f64 + shift)).sum();
            let bias = if alg == KsgAlgorithm::Two { 1.0 / 5.0 } else { 0.0 };
            let want = digamma(5.0) - bias + digamma(counts.len() as f64) - sum / counts.len() as f64;
            assert_eq!(ksg_from_counts(alg, 5, &counts).to_bits(), want.to_bits(), "{alg:?}");
        }
    }

    #[test]
    fn unit_ball_volumes() {
        let pi = std::f64::consts::PI;
        // disc π, ball 4π/3, 4-ball π²/2; the max-norm's cube 2^d
        for (d, want) in [(1, 2.0), (2, pi), (3, 4.0 * pi / 3.0), (4, pi * pi / 2.0)] {
            assert!((ln_unit_ball(Norm::Euclidean, d) - f64::ln(want)).abs() < 1e-14, "d {d}");
        }
        assert_eq!(ln_unit_ball(Norm::Max, 3), 3.0 * 2f64.ln());
        // in high dimension the ball is a vanishing part of its cube (log 2^100 = 69.3):
        // log V_100 = 50 log π − log 50! = −91.2412726593030
        assert!((ln_unit_ball(Norm::Euclidean, 100) + 91.241_272_659_303).abs() < 1e-10, "{}", ln_unit_ball(Norm::Euclidean, 100));
    }

    #[test]
    fn options_without_a_norm_still_deserialise() {
        // options serialised before `norm` existed read as the max-norm
        let old = r#"{"k":5,"standardize":false,"jitter":null,"search":"Auto"}"#;
        let o: KnnOptions = serde_json::from_str(old).unwrap();
        assert_eq!(o, KnnOptions { standardize: false, ..KnnOptions::with_k(5) });
        assert_eq!(o.norm, Norm::Max);
        assert_eq!(KnnOptions::with_k(3).norm, Norm::default());
        let e = KnnOptions { norm: Norm::Euclidean, ..KnnOptions::default() };
        let back: KnnOptions = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }
}
