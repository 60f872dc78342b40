//! Discrete information theory: closed forms on probability arrays, and plug-in / Miller–Madow
//! estimators from integer samples.
//!
//! Probability arrays must be non-negative, finite and sum to 1 within [`PMF_TOLERANCE`]. A joint
//! distribution `p_xy` is a matrix with X along the rows and Y along the columns.
use crate::error::{EstimatorError, Result};
use ndarray::{Array1, ArrayView1, ArrayView2, Axis};
use std::collections::HashMap;

/// How far from 1 the total of a probability array may be.
pub const PMF_TOLERANCE: f64 = 1e-9;

fn check_pmf<'a>(p: impl IntoIterator<Item = &'a f64>) -> Result<()> {
    let mut total = 0.0;
    let mut count = 0usize;
    for &v in p {
        if !v.is_finite() {
            return Err(EstimatorError::NonFinite { what: "probability array" });
        }
        if v < 0.0 {
            return Err(EstimatorError::InvalidPmf(format!("negative entry {v}")));
        }
        total += v;
        count += 1;
    }
    if count == 0 {
        return Err(EstimatorError::InvalidPmf("empty array".into()));
    }
    if (total - 1.0).abs() > PMF_TOLERANCE {
        return Err(EstimatorError::InvalidPmf(format!("entries sum to {total}, not 1")));
    }
    Ok(())
}

/// −Σ p log p over the entries (0 log 0 = 0), without validation.
fn entropy_unchecked<'a>(p: impl IntoIterator<Item = &'a f64>) -> f64 {
    -p.into_iter().filter(|&&v| v > 0.0).map(|&v| v * v.ln()).sum::<f64>()
}

/// Shannon entropy H(p) = −Σ p log p in nats.
pub fn entropy_nats(p: &ArrayView1<f64>) -> Result<f64> {
    check_pmf(p.iter())?;
    Ok(entropy_unchecked(p.iter()))
}

/// Joint entropy H(X, Y) of a joint pmf (X rows, Y columns).
pub fn joint_entropy_nats(p_xy: &ArrayView2<f64>) -> Result<f64> {
    check_pmf(p_xy.iter())?;
    Ok(entropy_unchecked(p_xy.iter()))
}

/// Marginals (p_x over rows, p_y over columns) of a joint pmf.
pub fn marginals(p_xy: &ArrayView2<f64>) -> (Array1<f64>, Array1<f64>) {
    (p_xy.sum_axis(Axis(1)), p_xy.sum_axis(Axis(0)))
}

/// Conditional entropy H(X | Y) = H(X, Y) − H(Y) of a joint pmf (X rows, Y columns).
pub fn conditional_entropy_nats(p_xy: &ArrayView2<f64>) -> Result<f64> {
    check_pmf(p_xy.iter())?;
    let (_, py) = marginals(p_xy);
    Ok((entropy_unchecked(p_xy.iter()) - entropy_unchecked(py.iter())).max(0.0))
}

/// D_KL(p ‖ q) = Σ p log(p/q); +∞ where q = 0 < p. Both must be pmfs of the same length.
pub fn kl_divergence_nats(p: &ArrayView1<f64>, q: &ArrayView1<f64>) -> Result<f64> {
    if p.len() != q.len() {
        return Err(EstimatorError::ShapeMismatch { what: "KL divergence", expected: format!("{}", p.len()), found: format!("{}", q.len()) });
    }
    check_pmf(p.iter())?;
    check_pmf(q.iter())?;
    let mut kl = 0.0;
    for (&a, &b) in p.iter().zip(q.iter()) {
        if a > 0.0 {
            if b == 0.0 {
                return Ok(f64::INFINITY);
            }
            kl += a * (a.ln() - b.ln());
        }
    }
    // rounding can make Σ p log(p/q) a hair negative when p ≈ q; KL ≥ 0 exactly
    Ok(kl.max(0.0))
}

/// I(X; Y) = D_KL(p_xy ‖ p_x p_y) of a joint pmf (X rows, Y columns), in nats; ≥ 0.
pub fn mutual_information_nats(p_xy: &ArrayView2<f64>) -> Result<f64> {
    check_pmf(p_xy.iter())?;
    let (px, py) = marginals(p_xy);
    let mut mi = 0.0;
    for ((i, j), &p) in p_xy.indexed_iter() {
        if p > 0.0 {
            mi += p * (p.ln() - px[i].ln() - py[j].ln());
        }
    }
    Ok(mi.max(0.0))
}

fn counts<T: std::hash::Hash + Eq>(items: impl Iterator<Item = T>) -> HashMap<T, usize> {
    let mut m = HashMap::new();
    for it in items {
        *m.entry(it).or_insert(0usize) += 1;
    }
    m
}

fn plugin_from_counts(counts: &HashMap<impl std::hash::Hash + Eq, usize>, n: usize) -> f64 {
    let nf = n as f64;
    // H = log n − (1/n) Σ c log c
    nf.ln() - counts.values().map(|&c| c as f64 * (c as f64).ln()).sum::<f64>() / nf
}

fn miller_madow_from_counts(counts: &HashMap<impl std::hash::Hash + Eq, usize>, n: usize) -> f64 {
    plugin_from_counts(counts, n) + (counts.len() as f64 - 1.0) / (2.0 * n as f64)
}

fn check_labels(x: &[i64], y: &[i64]) -> Result<()> {
    if x.len() != y.len() {
        return Err(EstimatorError::ShapeMismatch { what: "label arrays", expected: format!("{} rows", x.len()), found: format!("{} rows", y.len()) });
    }
    if x.is_empty() {
        return Err(EstimatorError::TooFewSamples { n: 0, reason: "need at least one sample".into() });
    }
    Ok(())
}

/// Plug-in (maximum-likelihood) entropy of integer samples, in nats. Biased low.
pub fn plugin_entropy_nats(x: &[i64]) -> Result<f64> {
    if x.is_empty() {
        return Err(EstimatorError::TooFewSamples { n: 0, reason: "need at least one sample".into() });
    }
    Ok(plugin_from_counts(&counts(x.iter()), x.len()))
}

/// Miller–Madow entropy: plug-in plus (m − 1)/(2n), m the number of occupied bins.
pub fn miller_madow_entropy_nats(x: &[i64]) -> Result<f64> {
    if x.is_empty() {
        return Err(EstimatorError::TooFewSamples { n: 0, reason: "need at least one sample".into() });
    }
    Ok(miller_madow_from_counts(&counts(x.iter()), x.len()))
}

/// Plug-in MI Ĥ(X) + Ĥ(Y) − Ĥ(X, Y) of paired integer samples, in nats (≥ 0 up to rounding).
pub fn plugin_mi_nats(x: &[i64], y: &[i64]) -> Result<f64> {
    check_labels(x, y)?;
    let n = x.len();
    let hx = plugin_from_counts(&counts(x.iter()), n);
    let hy = plugin_from_counts(&counts(y.iter()), n);
    let hxy = plugin_from_counts(&counts(x.iter().zip(y.iter())), n);
    Ok(hx + hy - hxy)
}

/// Miller–Madow-corrected MI: the three entropies each bias-corrected. May be negative.
pub fn miller_madow_mi_nats(x: &[i64], y: &[i64]) -> Result<f64> {
    check_labels(x, y)?;
    let n = x.len();
    let hx = miller_madow_from_counts(&counts(x.iter()), n);
    let hy = miller_madow_from_counts(&counts(y.iter()), n);
    let hxy = miller_madow_from_counts(&counts(x.iter().zip(y.iter())), n);
    Ok(hx + hy - hxy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn closed_forms_known_values() {
        let p = array![0.5, 0.25, 0.25];
        assert!((entropy_nats(&p.view()).unwrap() - 1.5 * 2f64.ln()).abs() < 1e-15);
        // X = Y uniform on 2 values: I = H = log 2, H(X|Y) = 0
        let pxy = array![[0.5, 0.0], [0.0, 0.5]];
        assert!((mutual_information_nats(&pxy.view()).unwrap() - 2f64.ln()).abs() < 1e-15);
        assert!(conditional_entropy_nats(&pxy.view()).unwrap().abs() < 1e-15);
        // independent: I = 0, H(X|Y) = H(X)
        let ind = array![[0.3 * 0.6, 0.3 * 0.4], [0.7 * 0.6, 0.7 * 0.4]];
        assert!(mutual_information_nats(&ind.view()).unwrap().abs() < 1e-15);
        let hx = entropy_nats(&array![0.3, 0.7].view()).unwrap();
        assert!((conditional_entropy_nats(&ind.view()).unwrap() - hx).abs() < 1e-14);
        let q = array![0.5, 0.5, 0.0];
        assert_eq!(kl_divergence_nats(&p.view(), &q.view()).unwrap(), f64::INFINITY);
        assert!(kl_divergence_nats(&q.view(), &p.view()).unwrap() > 0.0);
    }

    #[test]
    fn bad_pmfs_are_errors() {
        assert!(matches!(entropy_nats(&array![0.5, 0.6].view()), Err(EstimatorError::InvalidPmf(_))));
        assert!(matches!(entropy_nats(&array![1.5, -0.5].view()), Err(EstimatorError::InvalidPmf(_))));
        assert!(matches!(entropy_nats(&array![f64::NAN, 1.0].view()), Err(EstimatorError::NonFinite { .. })));
        assert!(entropy_nats(&Array1::<f64>::zeros(0).view()).is_err());
        assert!(kl_divergence_nats(&array![1.0].view(), &array![0.5, 0.5].view()).is_err());
        assert!(plugin_mi_nats(&[1, 2], &[1]).is_err());
        assert!(plugin_entropy_nats(&[]).is_err());
    }

    #[test]
    fn plugin_and_miller_madow() {
        let x = [0, 0, 1, 1];
        assert!((plugin_entropy_nats(&x).unwrap() - 2f64.ln()).abs() < 1e-15);
        assert!((miller_madow_entropy_nats(&x).unwrap() - (2f64.ln() + 1.0 / 8.0)).abs() < 1e-15);
        assert!((plugin_mi_nats(&x, &x).unwrap() - 2f64.ln()).abs() < 1e-15);
        // MM-MI = plug-in MI + (mx + my − mxy − 1)/(2n)
        let y = [0, 1, 0, 1];
        let pi = plugin_mi_nats(&x, &y).unwrap();
        assert!(pi.abs() < 1e-15);
        assert!((miller_madow_mi_nats(&x, &y).unwrap() - (pi + (2.0 + 2.0 - 4.0 - 1.0) / 8.0)).abs() < 1e-15);
    }
}
