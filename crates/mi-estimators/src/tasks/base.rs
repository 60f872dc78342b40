//! The base distributions of the tasks: each with a closed-form I(X; Y) and a seeded sampler.
use crate::error::{EstimatorError, Result};
use crate::gaussian::{cholesky_lower, gaussian_mi_nats};
use crate::special::{digamma, ln_gamma};
use ndarray::Array2;
use rand::Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

/// The distribution a task starts from, X and Y each with [`Base::dim`] coordinates.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Base {
    /// Bivariate normal with correlation ρ: I = −½ log(1 − ρ²).
    Gaussian { rho: f64 },
    /// `dim` independent coordinate pairs, each with the correlation ρ = sqrt(1 − exp(−2I/dim))
    /// that makes the total `mi_nats` (Poole et al.'s "staircase" family).
    Staircase { dim: usize, mi_nats: f64 },
    /// 2m normal coordinates with every correlation r, X the first m ("dense" interactions):
    /// I = ½[−log(1 − r) + 2 log(1 + (m − 1)r) − log(1 + (2m − 1)r)].
    Equicorrelated { m: usize, r: f64 },
    /// X, Y each m standard normals; (x₁, y₁) and (x₂, y₂) have correlation ρ ("sparse"
    /// interactions), every pair of coordinates within X, and within Y, has correlation
    /// `within`, the other pairs none. I from the covariance's log-determinants; with
    /// `within` = 0 it is −log(1 − ρ²).
    SparsePairs {
        m: usize,
        rho: f64,
        #[serde(default)]
        within: f64,
    },
    /// Multivariate Student-t with `df` degrees of freedom and identity dispersion on the 2m
    /// coordinates: X and Y are uncorrelated, yet dependent through the shared scale. I is the
    /// t-correction of Arellano-Valle, Contreras-Reyes & Genton (2013), h(m) + h(m) − h(2m) with
    /// h(k) the entropy of a standard k-dimensional t (see [`student_t_entropy_nats`]).
    StudentT { m: usize, df: f64 },
    /// X ~ U(0, 1), Y = X + N with N ~ U(−ε, ε) independent of X: I = ε − log 2ε for ε ≤ ½,
    /// 1/(4ε) above (the entropy of Y's trapezoid density minus log 2ε).
    AdditiveUniform { eps: f64 },
}

impl Base {
    /// Checks the parameters (and that a covariance is positive definite).
    pub fn check(&self) -> Result<()> {
        let unit = |name: &'static str, v: f64| {
            if v.is_finite() && v.abs() < 1.0 {
                Ok(())
            } else {
                Err(EstimatorError::param(name, v, "must be in (−1, 1)"))
            }
        };
        let at_least = |name: &'static str, v: usize, min: usize| {
            if v >= min {
                Ok(())
            } else {
                Err(EstimatorError::param(name, v, format!("must be ≥ {min}")))
            }
        };
        match *self {
            Base::Gaussian { rho } => unit("rho", rho),
            Base::Staircase { dim, mi_nats } => {
                at_least("dim", dim, 1)?;
                if mi_nats.is_finite() && mi_nats >= 0.0 {
                    Ok(())
                } else {
                    Err(EstimatorError::param("mi_nats", mi_nats, "must be finite and ≥ 0"))
                }
            }
            Base::Equicorrelated { m, r } => {
                at_least("m", m, 1)?;
                if r.is_finite() && (0.0..1.0).contains(&r) {
                    Ok(())
                } else {
                    Err(EstimatorError::param("r", r, "must be in [0, 1)"))
                }
            }
            Base::SparsePairs { m, rho, within } => {
                at_least("m (two correlated pairs)", m, 2)?;
                unit("rho", rho)?;
                unit("within", within)?;
                cholesky_lower(&self.sparse_covariance().view()).map(|_| ())
            }
            Base::StudentT { m, df } => {
                at_least("m", m, 1)?;
                if df.is_finite() && df > 0.0 {
                    Ok(())
                } else {
                    Err(EstimatorError::param("df", df, "must be finite and > 0"))
                }
            }
            Base::AdditiveUniform { eps } => {
                if eps.is_finite() && eps > 0.0 {
                    Ok(())
                } else {
                    Err(EstimatorError::param("eps", eps, "must be finite and > 0"))
                }
            }
        }
    }

    /// Stable identifier of the base, e.g. `gauss-1x1-rho0.75` or `student-2x2-df1`.
    pub fn id(&self) -> String {
        match *self {
            Base::Gaussian { rho } => format!("gauss-1x1-rho{rho}"),
            Base::Staircase { dim, mi_nats } => format!("staircase-{dim}x{dim}-mi{mi_nats}"),
            Base::Equicorrelated { m, r } => format!("equicorr-{m}x{m}-r{r}"),
            Base::SparsePairs { m, rho, within: 0.0 } => format!("sparse-{m}x{m}-rho{rho}"),
            Base::SparsePairs { m, rho, within } => format!("sparse-{m}x{m}-rho{rho}-within{within}"),
            Base::StudentT { m, df } => format!("student-{m}x{m}-df{df}"),
            Base::AdditiveUniform { eps } => format!("additive-uniform-1x1-eps{eps}"),
        }
    }

    /// Coordinates of X (and of Y: every base is symmetric in its dimensions).
    pub fn dim(&self) -> usize {
        match *self {
            Base::Gaussian { .. } | Base::AdditiveUniform { .. } => 1,
            Base::Staircase { dim, .. } => dim,
            Base::Equicorrelated { m, .. } | Base::SparsePairs { m, .. } | Base::StudentT { m, .. } => m,
        }
    }

    /// The exact I(X; Y) in nats.
    pub fn true_mi_nats(&self) -> f64 {
        match *self {
            Base::Gaussian { rho } => -0.5 * (-(rho * rho)).ln_1p(),
            Base::Staircase { mi_nats, .. } => mi_nats,
            Base::Equicorrelated { m, r } => {
                let m = m as f64;
                0.5 * (-(-r).ln_1p() + 2.0 * ((m - 1.0) * r).ln_1p() - ((2.0 * m - 1.0) * r).ln_1p())
            }
            Base::SparsePairs { rho, within: 0.0, .. } => -(-(rho * rho)).ln_1p(),
            // the covariance was checked positive definite when the task was built
            Base::SparsePairs { m, .. } => gaussian_mi_nats(&self.sparse_covariance().view(), m).unwrap_or(f64::NAN),
            Base::StudentT { m, df } => 2.0 * student_t_entropy_nats(m, df) - student_t_entropy_nats(2 * m, df),
            Base::AdditiveUniform { eps } if eps <= 0.5 => eps - (2.0 * eps).ln(),
            Base::AdditiveUniform { eps } => 0.25 / eps,
        }
    }

    /// The 2m × 2m covariance of [`Base::SparsePairs`] (empty for other bases).
    fn sparse_covariance(&self) -> Array2<f64> {
        let Base::SparsePairs { m, rho, within } = *self else { return Array2::zeros((0, 0)) };
        Array2::from_shape_fn((2 * m, 2 * m), |(a, b)| match (a == b, a < m, b < m) {
            (true, ..) => 1.0,
            (false, true, true) | (false, false, false) => within,
            _ if a % m == b % m && a % m < 2 => rho,
            _ => 0.0,
        })
    }

    /// n rows of (X, Y), drawing from `rng` row by row (the order of draws is part of what a
    /// seed means: results committed with a seed stay reproducible).
    pub(crate) fn sample(&self, n: usize, rng: &mut impl Rng) -> (Array2<f64>, Array2<f64>) {
        let d = self.dim();
        let (mut x, mut y) = (Array2::zeros((n, d)), Array2::zeros((n, d)));
        let chol = match self {
            Base::SparsePairs { within, .. } if *within != 0.0 => cholesky_lower(&self.sparse_covariance().view()).ok(),
            _ => None,
        };
        let chi2 = match *self {
            Base::StudentT { df, .. } => ChiSquared::new(df).ok(),
            _ => None,
        };
        for i in 0..n {
            let mut row = |c: usize, vx: f64, vy: f64| {
                x[[i, c]] = vx;
                y[[i, c]] = vy;
            };
            match *self {
                Base::Gaussian { rho } => {
                    let (a, b) = pair(rho, rng);
                    row(0, a, b);
                }
                Base::Staircase { dim, mi_nats } => {
                    let rho = (-(-2.0 * mi_nats / dim as f64).exp_m1()).sqrt();
                    for c in 0..dim {
                        let (a, b) = pair(rho, rng);
                        row(c, a, b);
                    }
                }
                Base::Equicorrelated { m, r } => {
                    let w = normal(rng);
                    let (a, b) = (r.sqrt(), (1.0 - r).sqrt());
                    let xs: Vec<f64> = (0..m).map(|_| a * w + b * normal(rng)).collect();
                    for (c, xc) in xs.into_iter().enumerate() {
                        row(c, xc, a * w + b * normal(rng));
                    }
                }
                Base::SparsePairs { m, rho, .. } => match &chol {
                    None => {
                        for c in 0..m {
                            let (a, b) = pair(if c < 2 { rho } else { 0.0 }, rng);
                            row(c, a, b);
                        }
                    }
                    Some(l) => {
                        let e: Vec<f64> = (0..2 * m).map(|_| normal(rng)).collect();
                        let v = |a: usize| (0..=a).map(|b| l[[a, b]] * e[b]).sum::<f64>();
                        for c in 0..m {
                            row(c, v(c), v(m + c));
                        }
                    }
                },
                Base::StudentT { m, df } => {
                    let e: Vec<f64> = (0..2 * m).map(|_| normal(rng)).collect();
                    let w: f64 = chi2.as_ref().map_or(df, |c| c.sample(rng));
                    let scale = (df / w).sqrt();
                    for c in 0..m {
                        row(c, scale * e[c], scale * e[m + c]);
                    }
                }
                Base::AdditiveUniform { eps } => {
                    let a: f64 = rng.gen();
                    let noise: f64 = rng.gen_range(-eps..eps);
                    row(0, a, a + noise);
                }
            }
        }
        (x, y)
    }
}

/// Differential entropy (nats) of the standard k-dimensional Student-t with ν degrees of freedom
/// (identity dispersion): −ln Γ((ν+k)/2) + ln Γ(ν/2) + (k/2) ln(νπ) + ((ν+k)/2)[ψ((ν+k)/2) − ψ(ν/2)].
pub fn student_t_entropy_nats(k: usize, nu: f64) -> f64 {
    let half = 0.5 * (nu + k as f64);
    -ln_gamma(half) + ln_gamma(0.5 * nu) + 0.5 * k as f64 * (nu * std::f64::consts::PI).ln() + half * (digamma(half) - digamma(0.5 * nu))
}

fn normal(rng: &mut impl Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// (x, y) = (e₁, ρ e₁ + sqrt(1 − ρ²) e₂).
fn pair(rho: f64, rng: &mut impl Rng) -> (f64, f64) {
    let (a, b) = (normal(rng), normal(rng));
    (a, rho * a + (1.0 - rho * rho).sqrt() * b)
}
