//! The small CNN of the hypersphere study (Wang & Isola on MNIST): two strided convolutions, a
//! dense hidden layer (the *probe layer*, read by linear probes as well as the output) and a
//! linear head whose output is L2-normalised onto the unit sphere S^{d−1}.
//!
//! Conv(C→c₁, 3×3, stride 2, pad 1, ReLU) → Conv(c₁→c₂, 3×3, stride 2, pad 1, ReLU) → flatten →
//! Dense(→hidden, ReLU) [probe layer] → Dense(hidden→d) → x / ‖x‖₂.
//!
//! On MNIST (1 × 28 × 28) with the default sizes (32, 64 channels, 128 hidden) the feature map is
//! 64 × 7 × 7 and the network has 420,352 + 129·d parameters. Kernels and biases use libtorch's
//! default (Kaiming-uniform) initialisation, drawn from libtorch's generator: seed it
//! (`mi_torch::seed_everything`) before building for a repeatable network.
use crate::{Encoder, EncoderError, Result};
use tch::{nn, Kind, Tensor};

/// Norms below this are treated as this when normalising (an all-zero row stays finite).
pub const NORM_EPS: f64 = 1e-12;

/// Sizes of a [`SmallCnn`].
#[derive(Debug, Clone, PartialEq)]
pub struct SmallCnnConfig {
    /// Input image as (channels, height, width); a flat input row is read in this order.
    pub in_channels: i64,
    pub height: i64,
    pub width: i64,
    /// Output channels of each 3×3 stride-2 convolution.
    pub channels: Vec<i64>,
    /// Width of the probe layer.
    pub hidden: i64,
    /// Dimension d of the output (2 for the circle study).
    pub output_dim: i64,
    /// L2-normalise the output (the hypersphere study always does; `false` gives the raw head).
    pub normalize: bool,
}

impl SmallCnnConfig {
    /// MNIST digits (1 × 28 × 28), 32 and 64 channels, 128 hidden units, a `d`-dimensional
    /// normalised output.
    pub fn mnist(output_dim: i64) -> Self {
        Self { in_channels: 1, height: 28, width: 28, channels: vec![32, 64], hidden: 128, output_dim, normalize: true }
    }
    /// CIFAR-10 images (3 × 32 × 32), otherwise as [`SmallCnnConfig::mnist`].
    pub fn cifar(output_dim: i64) -> Self {
        Self { in_channels: 3, height: 32, width: 32, ..Self::mnist(output_dim) }
    }
}

/// Spatial size after a 3×3 convolution with stride 2 and padding 1.
fn halve(size: i64) -> i64 {
    (size - 1) / 2 + 1
}

/// Rows of `x` divided by their L2 norm (norms below [`NORM_EPS`] are clamped).
pub fn l2_normalize(x: &Tensor) -> Tensor {
    x / x.norm_scalaropt_dim(2, [1].as_slice(), true).clamp_min(NORM_EPS)
}

/// The small CNN with an L2-normalised head.
#[derive(Debug)]
pub struct SmallCnn {
    cfg: SmallCnnConfig,
    convs: Vec<nn::Conv2D>,
    hidden: nn::Linear,
    head: nn::Linear,
}

impl SmallCnn {
    /// Builds it under `path` (`conv_0`, `conv_1`, …, `hidden`, `head`).
    pub fn new(path: &nn::Path, cfg: &SmallCnnConfig) -> Result<Self> {
        let sizes = [cfg.in_channels, cfg.height, cfg.width, cfg.hidden, cfg.output_dim];
        if sizes.iter().any(|&s| s < 1) || cfg.channels.is_empty() || cfg.channels.iter().any(|&c| c < 1) {
            return Err(EncoderError::Config(format!("SmallCnn sizes must be positive: {cfg:?}")));
        }
        let conv_cfg = nn::ConvConfig { stride: 2, padding: 1, ..Default::default() };
        let mut convs = vec![];
        let (mut c_in, mut h, mut w) = (cfg.in_channels, cfg.height, cfg.width);
        for (i, &c_out) in cfg.channels.iter().enumerate() {
            convs.push(nn::conv2d(path.sub(format!("conv_{i}")), c_in, c_out, 3, conv_cfg));
            c_in = c_out;
            h = halve(h);
            w = halve(w);
        }
        let hidden = nn::linear(path.sub("hidden"), c_in * h * w, cfg.hidden, Default::default());
        let head = nn::linear(path.sub("head"), cfg.hidden, cfg.output_dim, Default::default());
        Ok(Self { cfg: cfg.clone(), convs, hidden, head })
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &SmallCnnConfig {
        &self.cfg
    }

    /// Reads `[B, C·H·W]` rows (or `[B, C, H, W]` images) as images.
    fn as_images(&self, x: &Tensor) -> Tensor {
        if x.dim() == 4 {
            x.shallow_clone()
        } else {
            x.reshape([-1, self.cfg.in_channels, self.cfg.height, self.cfg.width])
        }
    }

    /// The probe layer: features `[B, hidden]` after the hidden dense layer and its ReLU.
    pub fn probe_features(&self, x: &Tensor) -> Tensor {
        let mut h = self.as_images(x);
        for c in &self.convs {
            h = h.apply(c).relu();
        }
        h.flatten(1, -1).apply(&self.hidden).relu()
    }

    /// The head's output `[B, d]` from probe-layer features, normalised when the config says so.
    pub fn head(&self, probe: &Tensor) -> Tensor {
        let z = probe.apply(&self.head);
        if self.cfg.normalize {
            l2_normalize(&z)
        } else {
            z
        }
    }

    /// Probe-layer features and (normalised) outputs in one pass.
    pub fn forward_both(&self, x: &Tensor) -> (Tensor, Tensor) {
        let p = self.probe_features(x);
        let z = self.head(&p);
        (p, z)
    }
}

impl Encoder for SmallCnn {
    fn encode(&self, x: &Tensor) -> Tensor {
        self.head(&self.probe_features(x))
    }
    fn input_dim(&self) -> i64 {
        self.cfg.in_channels * self.cfg.height * self.cfg.width
    }
    fn output_dim(&self) -> i64 {
        self.cfg.output_dim
    }
    fn parameters(&self) -> Vec<Tensor> {
        let mut p: Vec<Tensor> = vec![];
        for c in &self.convs {
            p.push(c.ws.shallow_clone());
            p.extend(c.bs.iter().map(Tensor::shallow_clone));
        }
        for l in [&self.hidden, &self.head] {
            p.push(l.ws.shallow_clone());
            p.extend(l.bs.iter().map(Tensor::shallow_clone));
        }
        p
    }
    fn check_input(&self, x: &Tensor) -> Result<()> {
        let s = x.size();
        let image = [self.cfg.in_channels, self.cfg.height, self.cfg.width];
        let ok = (s.len() == 2 && s[1] == self.input_dim()) || (s.len() == 4 && s[1..] == image);
        if ok && matches!(x.kind(), Kind::Float | Kind::Double) {
            Ok(())
        } else {
            Err(EncoderError::Shape {
                expected: format!("float [batch, {}] or [batch, {}, {}, {}]", self.input_dim(), image[0], image[1], image[2]),
                got: s,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    /// libtorch's generator is global and the tests run on parallel threads: every test that
    /// seeds or draws holds this lock, so a seeded build is not interleaved with another draw.
    static RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn lock() -> std::sync::MutexGuard<'static, ()> {
        RNG.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn build(seed: u64, d: i64) -> (nn::VarStore, SmallCnn) {
        mi_torch::seed_everything(seed);
        let vs = nn::VarStore::new(Device::Cpu);
        let net = SmallCnn::new(&vs.root().sub("enc"), &SmallCnnConfig::mnist(d)).unwrap();
        (vs, net)
    }

    fn input(seed: u64, n: i64) -> Tensor {
        mi_torch::seed_everything(seed);
        Tensor::rand([n, 784], (Kind::Float, Device::Cpu))
    }

    fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
        (a - b).abs().max().double_value(&[])
    }

    #[test]
    fn shapes_unit_norm_and_parameter_count() {
        let _g = lock();
        for d in [2, 128] {
            let (_vs, net) = build(0, d);
            let x = input(1, 5);
            let (p, z) = net.forward_both(&x);
            assert_eq!(p.size(), vec![5, 128]);
            assert_eq!(z.size(), vec![5, d]);
            let norms = z.norm_scalaropt_dim(2, [1].as_slice(), false);
            assert!(max_abs_diff(&norms, &norms.ones_like()) < 1e-5, "rows on the unit sphere");
            assert!(p.min().double_value(&[]) >= 0.0, "the probe layer is after a ReLU");
            // 1·32·9 + 32 + 32·64·9 + 64 + 3136·128 + 128 + 128·d + d
            assert_eq!(net.num_parameters(), 320 + 18_496 + 401_536 + 129 * d);
            // image-shaped input gives the same features as flat rows
            let z4 = net.encode(&x.reshape([5, 1, 28, 28]));
            assert!(max_abs_diff(&z, &z4) < 1e-7);
            assert!(max_abs_diff(&z, &net.encode(&x)) < 1e-7);
        }
    }

    #[test]
    fn unnormalised_head_is_the_raw_linear_output() {
        let _g = lock();
        mi_torch::seed_everything(3);
        let vs = nn::VarStore::new(Device::Cpu);
        let cfg = SmallCnnConfig { normalize: false, ..SmallCnnConfig::mnist(4) };
        let net = SmallCnn::new(&vs.root(), &cfg).unwrap();
        let z = net.encode(&input(2, 3));
        let norms = z.norm_scalaropt_dim(2, [1].as_slice(), false);
        assert!(max_abs_diff(&norms, &norms.ones_like()) > 1e-3, "not normalised");
        assert!(max_abs_diff(&l2_normalize(&z), &{
            let vs2 = nn::VarStore::new(Device::Cpu);
            mi_torch::seed_everything(3);
            let n2 = SmallCnn::new(&vs2.root(), &SmallCnnConfig::mnist(4)).unwrap();
            n2.encode(&input(2, 3))
        }) < 1e-6);
    }

    #[test]
    fn seeded_builds_repeat_and_differ_across_seeds() {
        let _g = lock();
        let x = input(9, 4);
        let (_a, na) = build(7, 8);
        let (_b, nb) = build(7, 8);
        let (_c, nc) = build(8, 8);
        assert_eq!(max_abs_diff(&na.encode(&x), &nb.encode(&x)), 0.0);
        assert!(max_abs_diff(&na.encode(&x), &nc.encode(&x)) > 1e-3);
    }

    #[test]
    fn gradients_reach_every_parameter() {
        let _g = lock();
        let (_vs, net) = build(1, 2);
        let z = net.encode(&input(4, 6));
        (z.get(0).get(0) - z.get(1).get(1)).backward();
        for p in net.parameters() {
            assert!(p.grad().defined() && p.grad().abs().sum(Kind::Float).double_value(&[]) > 0.0, "{:?}", p.size());
        }
    }

    #[test]
    fn normalising_a_zero_row_stays_finite() {
        let _g = lock();
        let z = Tensor::zeros([2, 3], (Kind::Float, Device::Cpu));
        assert_eq!(l2_normalize(&z).abs().sum(Kind::Float).double_value(&[]), 0.0);
    }

    #[test]
    fn bad_sizes_and_shapes_are_errors() {
        let _g = lock();
        let vs = nn::VarStore::new(Device::Cpu);
        let bad = SmallCnnConfig { output_dim: 0, ..SmallCnnConfig::mnist(2) };
        assert!(SmallCnn::new(&vs.root(), &bad).unwrap_err().to_string().contains("positive"));
        let net = SmallCnn::new(&vs.root().sub("ok"), &SmallCnnConfig::mnist(2)).unwrap();
        let wrong = Tensor::zeros([2, 392], (Kind::Float, Device::Cpu));
        assert!(net.f_encode(&wrong).unwrap_err().to_string().contains("784"));
        assert!(net.f_encode(&Tensor::zeros([2, 1, 28, 28], (Kind::Float, Device::Cpu))).is_ok());
        let cifar = SmallCnn::new(&vs.root().sub("c"), &SmallCnnConfig::cifar(16)).unwrap();
        assert_eq!(cifar.input_dim(), 3072);
        assert_eq!(cifar.encode(&Tensor::zeros([2, 3072], (Kind::Float, Device::Cpu))).size(), vec![2, 16]);
    }
}
