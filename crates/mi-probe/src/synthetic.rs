//! Synthetic classification data for tests and benchmarks, bit-identical to
//! `scripts/probe/synthetic.py` (so scikit-learn can be run on exactly the same matrix).
//!
//! Counter-based splitmix64 hashing and dyadic arithmetic only: every value is exact in `f64`.
use ndarray::{Array1, Array2};

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const STREAM: u64 = 0xD1B5_4A32_D192_ED03;
const LABELS: u64 = 1;
const MEANS: u64 = 2;
const NOISE: u64 = 3;

#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline]
fn key(seed: u64, stream: u64) -> u64 {
    mix(seed ^ stream.wrapping_mul(STREAM))
}

#[inline]
fn value(key: u64, idx: u64) -> u64 {
    mix(key.wrapping_add(idx.wrapping_add(1).wrapping_mul(GOLDEN)))
}

#[inline]
fn uniform21(v: u64) -> f64 {
    (v >> 43) as f64 * (1.0 / (1u64 << 21) as f64)
}

/// Gaussian-like blobs: `n` rows, `d` features, labels uniform in `0..classes`; class means
/// uniform in [-1, 1]^d times 2^`mean_log2`, plus noise (a sum of four uniforms minus 2, variance
/// 1/3) times 2^`noise_log2`. The same arguments give the same matrix as the Python twin.
pub fn blobs(n: usize, d: usize, classes: usize, seed: u64, mean_log2: i32, noise_log2: i32) -> (Array2<f64>, Array1<i64>) {
    let classes = classes.max(1);
    let kl = key(seed, LABELS);
    let y: Array1<i64> = (0..n as u64).map(|i| (value(kl, i) % classes as u64) as i64).collect();
    let km = key(seed, MEANS);
    let mu: Vec<f64> = (0..(classes * d) as u64).map(|i| uniform21(value(km, i)) * 2.0 - 1.0).collect();
    let kn = key(seed, NOISE);
    let ms = 2f64.powi(mean_log2);
    let ns = 2f64.powi(noise_log2);
    let mut x = Array2::zeros((n, d));
    for (i, mut row) in x.outer_iter_mut().enumerate() {
        let c = y[i] as usize;
        for (j, v) in row.iter_mut().enumerate() {
            let base = 4 * (i * d + j) as u64;
            let u = [0, 1, 2, 3].map(|q| uniform21(value(kn, base + q)));
            let e = ((u[0] + u[1]) + (u[2] + u[3])) - 2.0;
            *v = mu[c * d + j] * ms + e * ns;
        }
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_python_twin() {
        // printed by scripts/probe/synthetic.py: blobs(4000, 50, 10, 7, mean_log2=-1)[0][:2, :4]
        let (x, _) = super::blobs(4000, 50, 10, 7, -1, 0);
        let want = [
            [0.015906810760498047, 0.4101238250732422, 0.2266521453857422, -0.6349759101867676],
            [-1.2113995552062988, -0.5432534217834473, 0.7323002815246582, 0.6753320693969727],
        ];
        for i in 0..2 {
            for j in 0..4 {
                assert_eq!(x[[i, j]], want[i][j], "{i},{j}");
            }
        }
    }
}
