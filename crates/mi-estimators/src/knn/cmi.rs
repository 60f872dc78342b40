//! Conditional mutual information I(X; Y | Z) by the Frenzel–Pompe k-NN estimator (KSG algorithm 1
//! with every space conditioned on Z), through the same k-d tree and counts as KSG.
use super::{kdtree, prepare, KnnOptions, Prepared};
use crate::error::{EstimatorError, Result};
use crate::special::digamma;
use ndarray::{concatenate, ArrayView2, Axis};

/// Frenzel–Pompe estimate of I(X; Y | Z) in nats: ψ(k) − mean_i [ψ(n_xz(i) + 1) + ψ(n_yz(i) + 1)
/// − ψ(n_z(i) + 1)], with ε_i the distance to point i's k-th neighbour in the joint (x, y, z)
/// space and the counts the other points strictly closer than ε_i in each subspace. X, Y and Z are
/// one block each under `opts.norm` (a subspace's distance is the max over its blocks). Columns
/// are standardised and jittered as `opts` says, like [`super::ksg_mi_nats`]. Like KSG it can be
/// slightly negative when the true value is near 0.
///
/// Errors: row counts that differ, a block without columns, NaN/∞, k = 0 or k ≥ n.
///
/// ```
/// use mi_estimators::knn::{ksg_cmi_nats, ksg1_mi_nats, KnnOptions};
/// use mi_estimators::tasks::Task;
/// // X → Z → Y: Z is correlated with X, and Y is Z plus independent noise
/// let (x, z) = Task::bivariate_gaussian(0.8).unwrap().sample(3_000, 1);
/// let (noise, _) = Task::bivariate_gaussian(0.5).unwrap().sample(3_000, 2);
/// let y = &z + &noise;
/// let opts = KnnOptions::with_k(3);
/// let cmi = ksg_cmi_nats(&x.view(), &y.view(), &z.view(), &opts).unwrap();
/// let mi = ksg1_mi_nats(&x.view(), &y.view(), &opts).unwrap();
/// assert!(mi > 0.15 && cmi.abs() < 0.03, "I(X; Y) = {mi}, I(X; Y | Z) = {cmi}");
/// ```
pub fn ksg_cmi_nats(x: &ArrayView2<f64>, y: &ArrayView2<f64>, z: &ArrayView2<f64>, opts: &KnnOptions) -> Result<f64> {
    let (p, dx, dz) = prepare_cmi(x, y, z, opts)?;
    Ok(cmi_from_counts(opts.k, &kdtree::cmi_counts(&p, dx, dz, opts.k)))
}

/// The checked, standardised points of a conditional estimate as rows [x | z | y], with dx and dz.
pub(crate) fn prepare_cmi(x: &ArrayView2<f64>, y: &ArrayView2<f64>, z: &ArrayView2<f64>, opts: &KnnOptions) -> Result<(Prepared, usize, usize)> {
    let n = x.nrows();
    for (what, rows) in [("X and Y rows", y.nrows()), ("X and Z rows", z.nrows())] {
        if rows != n {
            return Err(EstimatorError::ShapeMismatch { what, expected: n.to_string(), found: rows.to_string() });
        }
    }
    let (dx, dy, dz) = (x.ncols(), y.ncols(), z.ncols());
    for (what, d) in [("X columns", dx), ("Y columns", dy), ("Z columns", dz)] {
        if d == 0 {
            return Err(EstimatorError::ShapeMismatch { what, expected: "at least 1".into(), found: "0".into() });
        }
    }
    // rows [x | z | y]: (x, z), (z, y) and z are contiguous slices of every row
    let xz = concatenate(Axis(1), &[x.view(), z.view()]).map_err(|e| EstimatorError::ShapeMismatch { what: "X and Z", expected: "stackable blocks".into(), found: e.to_string() })?;
    Ok((prepare(&xz.view(), Some(y), opts)?, dx, dz))
}

/// The Frenzel–Pompe estimate from per-point counts (n_xz, n_yz, n_z) (shared with the reference).
pub(crate) fn cmi_from_counts(k: usize, counts: &[(usize, usize, usize)]) -> f64 {
    let mean = counts.iter().map(|&(a, b, c)| digamma(a as f64 + 1.0) + digamma(b as f64 + 1.0) - digamma(c as f64 + 1.0)).sum::<f64>() / counts.len() as f64;
    digamma(k as f64) - mean
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gaussian::gaussian_mi_nats;
    use ndarray::{s, Array2};
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};

    fn normal(n: usize, d: usize, seed: u64) -> Array2<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        Array2::from_shape_fn((n, d), |_| StandardNormal.sample(&mut rng))
    }

    /// The slow definition: every distance computed, for a check of the tree's counts.
    fn brute(x: &Array2<f64>, y: &Array2<f64>, z: &Array2<f64>, k: usize) -> f64 {
        let n = x.nrows();
        let dist = |a: &Array2<f64>, i: usize, j: usize| (0..a.ncols()).map(|c| (a[[i, c]] - a[[j, c]]).abs()).fold(0.0f64, f64::max);
        let mut acc = 0.0;
        for i in 0..n {
            let mut d: Vec<(f64, usize)> = (0..n).filter(|&j| j != i).map(|j| (dist(x, i, j).max(dist(y, i, j)).max(dist(z, i, j)), j)).collect();
            d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let eps = d[k - 1].0;
            let count = |f: &dyn Fn(usize) -> f64| (0..n).filter(|&j| j != i && f(j) < eps).count();
            let nxz = count(&|j| dist(x, i, j).max(dist(z, i, j)));
            let nyz = count(&|j| dist(y, i, j).max(dist(z, i, j)));
            let nz = count(&|j| dist(z, i, j));
            acc += digamma(nxz as f64 + 1.0) + digamma(nyz as f64 + 1.0) - digamma(nz as f64 + 1.0);
        }
        digamma(k as f64) - acc / n as f64
    }

    #[test]
    fn tree_counts_equal_the_definition() {
        let opts = KnnOptions { standardize: false, ..KnnOptions::with_k(3) };
        for (dx, dy, dz, seed) in [(1, 1, 1, 1), (2, 1, 3, 2), (1, 2, 1, 3)] {
            let w = normal(300, dx + dy + dz, seed);
            // coarse values: ties in every subspace
            let w = w.mapv(|v| (v * 4.0).round() / 4.0);
            let (x, y, z) = (w.slice(s![.., ..dx]).to_owned(), w.slice(s![.., dx..dx + dy]).to_owned(), w.slice(s![.., dx + dy..]).to_owned());
            let got = ksg_cmi_nats(&x.view(), &y.view(), &z.view(), &opts).unwrap();
            assert!((got - brute(&x, &y, &z, 3)).abs() < 1e-12, "{dx} {dy} {dz}: {got}");
        }
    }

    #[test]
    fn gaussian_chain_and_conditional_independence() {
        // X → Z → Y with Gaussian links: I(X; Y | Z) = 0 (conditional independence), and for
        // Z = X + e, Y = X + f the truth is I(X; Y, Z) − I(X; Z), from the covariance
        let n = 4_000;
        let x = normal(n, 1, 10);
        let z = &x + &(normal(n, 1, 11) * 0.7);
        let y = &z + &(normal(n, 1, 12) * 0.7);
        let opts = KnnOptions::with_k(4);
        let chain = ksg_cmi_nats(&x.view(), &y.view(), &z.view(), &opts).unwrap();
        assert!(chain.abs() < 0.03, "I(X; Y | Z) on a Markov chain: {chain}");
        // DPI on the chain: I(X; Y) ≤ I(X; Z), and conditioning on the middle removes it all
        let xy = crate::knn::ksg1_mi_nats(&x.view(), &y.view(), &opts).unwrap();
        let xz = crate::knn::ksg1_mi_nats(&x.view(), &z.view(), &opts).unwrap();
        assert!(xy < xz && chain < xy - 0.2, "{xy} {xz} {chain}");

        // common cause X: Z = X + e, Y = X + f; I(Z; Y | X) = 0 but I(X; Y | Z) > 0
        let yy = &x + &(normal(n, 1, 13) * 0.7);
        let cov = ndarray::array![[1.0, 1.0, 1.0], [1.0, 1.49, 1.0], [1.0, 1.0, 1.49]]; // (X, Z, Y)
        let i_x_zy = gaussian_mi_nats(&cov.view(), 1).unwrap();
        let i_x_z = gaussian_mi_nats(&cov.slice(s![..2, ..2]), 1).unwrap();
        // I(X; Y | Z) = I(X; Y, Z) − I(X; Z)
        let truth = i_x_zy - i_x_z;
        let est = ksg_cmi_nats(&x.view(), &yy.view(), &z.view(), &opts).unwrap();
        assert!((est - truth).abs() < 0.05, "estimate {est} truth {truth}");
        let none = ksg_cmi_nats(&z.view(), &yy.view(), &x.view(), &opts).unwrap();
        assert!(none.abs() < 0.03, "I(Z; Y | X) = 0: {none}");
        // symmetric in X and Y
        let swapped = ksg_cmi_nats(&yy.view(), &x.view(), &z.view(), &opts).unwrap();
        assert!((swapped - est).abs() < 1e-12, "{swapped} {est}");
    }

    #[test]
    fn copula_estimate_is_invariant_under_monotone_maps() {
        // a strictly increasing map of a column keeps every rank, and with the copula transform
        // the estimate is the same exactly
        let n = 1_500;
        let x = normal(n, 1, 20);
        let z = &x + &(normal(n, 1, 21) * 0.5);
        let y = &x + &(normal(n, 1, 22) * 0.5);
        let opts = KnnOptions::with_k(3);
        let scores = |a: &Array2<f64>| crate::copula::normal_scores(&a.view()).unwrap();
        let a = ksg_cmi_nats(&scores(&x).view(), &scores(&y).view(), &scores(&z).view(), &opts).unwrap();
        let cubed = x.mapv(|v| v * v * v + v);
        let b = ksg_cmi_nats(&scores(&cubed).view(), &scores(&y.mapv(f64::exp)).view(), &scores(&z).view(), &opts).unwrap();
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }

    #[test]
    fn bad_shapes_are_errors() {
        let a = normal(50, 1, 1);
        let short = normal(40, 1, 2);
        let none = Array2::<f64>::zeros((50, 0));
        let o = KnnOptions::with_k(3);
        assert!(ksg_cmi_nats(&a.view(), &a.view(), &short.view(), &o).is_err());
        assert!(ksg_cmi_nats(&a.view(), &short.view(), &a.view(), &o).is_err());
        assert!(ksg_cmi_nats(&a.view(), &a.view(), &none.view(), &o).is_err());
        assert!(ksg_cmi_nats(&a.view(), &a.view(), &a.view(), &KnnOptions::with_k(50)).is_err());
        let mut nan = a.clone();
        nan[[3, 0]] = f64::NAN;
        assert!(ksg_cmi_nats(&a.view(), &a.view(), &nan.view(), &o).is_err());
    }
}
