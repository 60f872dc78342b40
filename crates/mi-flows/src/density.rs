//! 2-D target densities with exact log-densities and seeded samplers: a ring, two moons and a
//! mixture of Gaussians.
use crate::{FlowError, Result};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use std::f64::consts::PI;
use tch::{Device, Kind, Tensor};

/// A density on ℝ² that can be sampled and evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum Target2d {
    /// Radius `r + width·ε` (ε ~ N(0,1)) at a uniform angle. Exact density
    /// `[N(ρ; r, w) + N(−ρ; r, w)] / (2πρ)` with `ρ = |x|` (a negative radius flips the angle).
    Ring { radius: f64, width: f64 },
    /// scikit-learn's two moons (arc parameter uniform on [0, π]), centred and scaled by `scale`,
    /// plus N(0, noise²) noise. Density: the arc average of Gaussians, by a 1024-node midpoint
    /// rule (accurate while `noise` is much larger than the node spacing).
    TwoMoons { scale: f64, noise: f64 },
    /// Equal-weight isotropic Gaussians.
    GaussianMixture { means: Vec<[f64; 2]>, std: f64 },
}

/// Moon nodes for the midpoint rule of [`Target2d::TwoMoons`].
const MOON_NODES: usize = 1024;

impl Target2d {
    /// A ring of radius 2 and width 0.25.
    pub fn ring() -> Self {
        Target2d::Ring { radius: 2.0, width: 0.25 }
    }
    /// Two moons scaled by 2 with noise 0.15 (about [−3, 3] × [−1.5, 1.5]).
    pub fn two_moons() -> Self {
        Target2d::TwoMoons { scale: 2.0, noise: 0.15 }
    }
    /// Eight Gaussians (sd 0.3) evenly spaced on a circle of radius 2.5.
    pub fn eight_gaussians() -> Self {
        let means = (0..8)
            .map(|i| {
                let t = 2.0 * PI * i as f64 / 8.0;
                [2.5 * t.cos(), 2.5 * t.sin()]
            })
            .collect();
        Target2d::GaussianMixture { means, std: 0.3 }
    }

    /// A short name (`ring`, `moons`, `mixture`).
    pub fn name(&self) -> &'static str {
        match self {
            Target2d::Ring { .. } => "ring",
            Target2d::TwoMoons { .. } => "moons",
            Target2d::GaussianMixture { .. } => "mixture",
        }
    }

    /// The target by its short name.
    pub fn by_name(name: &str) -> Result<Self> {
        match name {
            "ring" => Ok(Self::ring()),
            "moons" | "two-moons" => Ok(Self::two_moons()),
            "mixture" | "gmm" | "8gaussians" => Ok(Self::eight_gaussians()),
            other => Err(FlowError::Config(format!("unknown 2-D target '{other}': expected ring, moons or mixture"))),
        }
    }

    /// An error unless the parameters describe a proper density (positive widths, at least one
    /// mixture component).
    pub fn check(&self) -> Result<()> {
        let ok = match self {
            Target2d::Ring { radius, width } => radius.is_finite() && *width > 0.0 && width.is_finite(),
            Target2d::TwoMoons { scale, noise } => scale.is_finite() && *noise > 0.0 && noise.is_finite(),
            Target2d::GaussianMixture { means, std } => {
                !means.is_empty() && *std > 0.0 && std.is_finite() && means.iter().flatten().all(|m| m.is_finite())
            }
        };
        if ok {
            Ok(())
        } else {
            Err(FlowError::Config(format!("not a proper 2-D density: {self:?}")))
        }
    }

    fn moon_point(scale: f64, t: f64, upper: bool) -> [f64; 2] {
        // scikit-learn: outer (cos t, sin t), inner (1 − cos t, 1 − sin t − 0.5); centre (0.5, 0.25)
        let (x, y) = if upper { (t.cos(), t.sin()) } else { (1.0 - t.cos(), 0.5 - t.sin()) };
        [scale * (x - 0.5), scale * (y - 0.25)]
    }

    /// Draws `n` points from a generator seeded by `rng` (n × 2, row-major).
    pub fn sample_with(&self, n: usize, rng: &mut impl Rng) -> Vec<f64> {
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let e1: f64 = rng.sample(StandardNormal);
            let e2: f64 = rng.sample(StandardNormal);
            let p = match self {
                Target2d::Ring { radius, width } => {
                    let t = rng.gen::<f64>() * 2.0 * PI;
                    let r = radius + width * e1;
                    [r * t.cos(), r * t.sin()]
                }
                Target2d::TwoMoons { scale, noise } => {
                    let t = rng.gen::<f64>() * PI;
                    let m = Self::moon_point(*scale, t, rng.gen::<bool>());
                    [m[0] + noise * e1, m[1] + noise * e2]
                }
                Target2d::GaussianMixture { means, std } => {
                    let m = means.get(rng.gen_range(0..means.len().max(1))).copied().unwrap_or([0.0, 0.0]);
                    [m[0] + std * e1, m[1] + std * e2]
                }
            };
            out.extend_from_slice(&p);
        }
        out
    }

    /// Draws `n` points as an `n × 2` tensor of `kind` on `device`, from a ChaCha8 stream seeded
    /// with `seed`.
    pub fn sample(&self, n: usize, seed: u64, kind: Kind, device: Device) -> Result<Tensor> {
        self.check()?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        self.tensor(self.sample_with(n, &mut rng), kind, device)
    }

    /// Turns row-major pairs into an `n × 2` tensor.
    pub fn tensor(&self, xy: Vec<f64>, kind: Kind, device: Device) -> Result<Tensor> {
        Ok(Tensor::f_from_slice(&xy)?.f_reshape([-1, 2])?.f_to_kind(kind)?.f_to_device(device)?)
    }

    /// The exact log-density at each row of `x` (`[B, 2]` → `[B]`), in `x`'s kind.
    pub fn log_density(&self, x: &Tensor) -> Tensor {
        match self {
            Target2d::Ring { radius, width } => {
                let rho = x.square().sum_dim_intlist(1, false, x.kind()).sqrt().clamp_min(1e-12);
                let c = -0.5 * (2.0 * PI * width * width).ln();
                let a = -(&rho - *radius).square() / (2.0 * width * width) + c;
                let b = -(&rho + *radius).square() / (2.0 * width * width) + c;
                Tensor::stack(&[a, b], 1).logsumexp([1], false) - (rho * (2.0 * PI)).log()
            }
            Target2d::TwoMoons { scale, noise } => {
                let mut centres = Vec::with_capacity(4 * MOON_NODES);
                for upper in [true, false] {
                    for i in 0..MOON_NODES {
                        let t = PI * (i as f64 + 0.5) / MOON_NODES as f64;
                        centres.extend_from_slice(&Self::moon_point(*scale, t, upper));
                    }
                }
                let c = Tensor::from_slice(&centres).reshape([-1, 2]).to_kind(x.kind()).to_device(x.device());
                mixture_log_density(x, &c, *noise)
            }
            Target2d::GaussianMixture { means, std } => {
                let flat: Vec<f64> = means.iter().flat_map(|m| m.iter().copied()).collect();
                let c = Tensor::from_slice(&flat).reshape([-1, 2]).to_kind(x.kind()).to_device(x.device());
                mixture_log_density(x, &c, *std)
            }
        }
    }
}

/// log of the equal-weight mixture of N(c_m, s²I) at each row of `x`, in chunks of rows so that
/// the `rows × centres` distance matrix stays small (about 32 MiB in f64).
fn mixture_log_density(x: &Tensor, centres: &Tensor, s: f64) -> Tensor {
    let m = centres.size()[0].max(1);
    let rows = (1i64 << 22) / m;
    let n = x.size()[0];
    let parts: Vec<Tensor> = (0..n)
        .step_by(rows.max(1) as usize)
        .map(|start| {
            let xs = x.narrow(0, start, rows.max(1).min(n - start));
            let d2 = (xs.unsqueeze(1) - centres.unsqueeze(0)).square().sum_dim_intlist(2, false, x.kind());
            (-d2 / (2.0 * s * s)).logsumexp([1], false)
        })
        .collect();
    if parts.is_empty() {
        return Tensor::zeros([0], (x.kind(), x.device()));
    }
    Tensor::cat(&parts, 0) - (2.0 * PI * s * s).ln() - (m as f64).ln()
}

/// log N(z; 0, I) of each row of `z` (`[B, D]` → `[B]`).
pub fn standard_normal_log_density(z: &Tensor) -> Tensor {
    let d = z.size().get(1).copied().unwrap_or(1) as f64;
    z.square().sum_dim_intlist(1, false, z.kind()) * -0.5 - 0.5 * d * (2.0 * PI).ln()
}

/// A regular `n × n` grid of points over `[lo, hi]²` (row-major, y varying slowest, first row at
/// `y = hi` so that rows read top to bottom as in an image), and the area of one cell.
pub fn grid(lo: f64, hi: f64, n: usize, kind: Kind, device: Device) -> Result<(Tensor, f64)> {
    if n < 2 || hi <= lo {
        return Err(FlowError::Config(format!("grid needs n ≥ 2 and hi > lo, got n {n}, [{lo}, {hi}]")));
    }
    let step = (hi - lo) / (n - 1) as f64;
    let mut xy = Vec::with_capacity(2 * n * n);
    for r in 0..n {
        let y = hi - r as f64 * step;
        for c in 0..n {
            xy.push(lo + c as f64 * step);
            xy.push(y);
        }
    }
    let t = Tensor::f_from_slice(&xy)?.f_reshape([-1, 2])?.f_to_kind(kind)?.f_to_device(device)?;
    Ok((t, step * step))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn integral(t: &Target2d) -> f64 {
        let (g, da) = grid(-6.0, 6.0, 301, Kind::Double, Device::Cpu).unwrap();
        t.log_density(&g).exp().sum(Kind::Double).double_value(&[]) * da
    }

    #[test]
    fn target_densities_integrate_to_one() {
        for t in [Target2d::ring(), Target2d::two_moons(), Target2d::eight_gaussians()] {
            let i = integral(&t);
            assert!((i - 1.0).abs() < 2e-3, "{}: {i}", t.name());
        }
    }

    #[test]
    fn improper_targets_are_refused() {
        assert!(Target2d::GaussianMixture { means: vec![], std: 1.0 }.sample(3, 0, Kind::Double, Device::Cpu).is_err());
        assert!(Target2d::Ring { radius: 1.0, width: 0.0 }.check().is_err());
        assert!(Target2d::by_name("spiral").is_err());
    }

    #[test]
    fn samples_are_seeded_and_follow_the_density() {
        for t in [Target2d::ring(), Target2d::two_moons(), Target2d::eight_gaussians()] {
            let a = t.sample(4000, 5, Kind::Double, Device::Cpu).unwrap();
            let b = t.sample(4000, 5, Kind::Double, Device::Cpu).unwrap();
            assert!(a.equal(&b));
            // samples sit where the density is high: mean log-density well above that of a
            // standard normal cloud of the same size
            let on = t.log_density(&a).mean(Kind::Double).double_value(&[]);
            let off = t.log_density(&(Tensor::randn([4000, 2], (Kind::Double, Device::Cpu)) * 3.0));
            let off = off.mean(Kind::Double).double_value(&[]);
            assert!(on > off + 1.0, "{}: on {on} off {off}", t.name());
        }
    }
}
