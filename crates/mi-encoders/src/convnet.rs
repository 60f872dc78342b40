//! The ConvNet encoder of A4: Conv(C→64, 5×5, stride 2, 'same', ReLU) → Conv(64→128, 5×5,
//! stride 2, 'same', ReLU) → joint layer norm over (C, H, W) as (x − mean)/(std + 1e-6) with a
//! per-channel scale and bias → global average pooling → Dense(128→100). 219,748 parameters on
//! MNIST halves (1 × 14 × 28).
use crate::{Encoder, EncoderError, Result};
use mi_flows::{init::dense, WeightInit};
use tch::{nn, Tensor};

/// The ε added to the standard deviation in the joint layer norm.
pub const LAYER_NORM_EPS: f64 = 1e-6;

/// Sizes of a ConvNet encoder.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvNetConfig {
    /// Input image as (channels, height, width); a flat input row is read in this order.
    pub in_channels: i64,
    pub height: i64,
    pub width: i64,
    /// Output channels of each convolution.
    pub channels: Vec<i64>,
    pub kernel: i64,
    pub stride: i64,
    pub output_dim: i64,
}

impl ConvNetConfig {
    /// The paper's ConvNet on MNIST halves (1 × 14 × 28).
    pub fn paper() -> Self {
        Self { in_channels: 1, height: 14, width: 28, channels: vec![64, 128], kernel: 5, stride: 2, output_dim: 100 }
    }
    /// The same ConvNet on CIFAR-10 halves (3 × 16 × 32).
    pub fn cifar() -> Self {
        Self { in_channels: 3, height: 16, width: 32, ..Self::paper() }
    }
}

#[derive(Debug)]
struct Conv {
    ws: Tensor,
    bs: Tensor,
}

/// The ConvNet encoder.
#[derive(Debug)]
pub struct ConvNet {
    cfg: ConvNetConfig,
    convs: Vec<Conv>,
    norm_scale: Tensor,
    norm_bias: Tensor,
    head: nn::Linear,
}

/// TensorFlow's 'same' padding for one spatial size: (before, after).
pub fn same_padding(size: i64, kernel: i64, stride: i64) -> (i64, i64) {
    let out = (size + stride - 1) / stride;
    let total = ((out - 1) * stride + kernel - size).max(0);
    (total / 2, total - total / 2)
}

impl ConvNet {
    /// Builds it under `path` (`conv_0`, `conv_1`, `norm`, `head`), Glorot-uniform kernels and zero
    /// biases as in Keras; layer-norm scale 1 and bias 0.
    pub fn new(path: &nn::Path, cfg: &ConvNetConfig) -> Result<Self> {
        let sizes = [cfg.in_channels, cfg.height, cfg.width, cfg.kernel, cfg.stride, cfg.output_dim];
        if sizes.iter().any(|&s| s < 1) || cfg.channels.is_empty() || cfg.channels.iter().any(|&c| c < 1) {
            return Err(EncoderError::Config(format!("ConvNet sizes must be positive: {cfg:?}")));
        }
        let mut convs = vec![];
        let mut c_in = cfg.in_channels;
        for (i, &c_out) in cfg.channels.iter().enumerate() {
            let p = path.sub(format!("conv_{i}"));
            let k2 = cfg.kernel * cfg.kernel;
            let b = (6.0 / ((c_in + c_out) * k2) as f64).sqrt();
            let ws = p.var("weight", &[c_out, c_in, cfg.kernel, cfg.kernel], nn::Init::Uniform { lo: -b, up: b });
            let bs = p.zeros("bias", &[c_out]);
            convs.push(Conv { ws, bs });
            c_in = c_out;
        }
        let norm = path.sub("norm");
        let norm_scale = norm.ones("scale", &[c_in]);
        let norm_bias = norm.zeros("bias", &[c_in]);
        let head = dense(&path.sub("head"), c_in, cfg.output_dim, WeightInit::GlorotUniform);
        Ok(Self { cfg: cfg.clone(), convs, norm_scale, norm_bias, head })
    }

    /// The paper's ConvNet on MNIST halves.
    pub fn paper(path: &nn::Path) -> Result<Self> {
        Self::new(path, &ConvNetConfig::paper())
    }

    /// Reads `[B, C·H·W]` rows (or `[B, C, H, W]` images) as images.
    fn as_images(&self, x: &Tensor) -> Tensor {
        if x.dim() == 4 {
            x.shallow_clone()
        } else {
            x.reshape([-1, self.cfg.in_channels, self.cfg.height, self.cfg.width])
        }
    }

    /// The convolutions with their ReLUs: the map the layer norm standardises.
    pub fn conv_map(&self, x: &Tensor) -> Tensor {
        let mut h = self.as_images(x);
        let (k, s) = (self.cfg.kernel, self.cfg.stride);
        for c in &self.convs {
            let size = h.size();
            let (top, bottom) = same_padding(size[2], k, s);
            let (left, right) = same_padding(size[3], k, s);
            // TF 'same' pads at most one more after than before. Padding only that surplus
            // explicitly and the symmetric part inside the convolution gives the same result and
            // keeps libtorch on its fast padded-convolution path (≈1.5× faster on CPU than a
            // fully explicit pad followed by an unpadded convolution).
            h = if top == bottom && left == right {
                h.conv2d(&c.ws, Some(&c.bs), [s, s], [top, left], [1, 1], 1)
            } else if bottom >= top && right >= left {
                h.constant_pad_nd([0, right - left, 0, bottom - top]).conv2d(&c.ws, Some(&c.bs), [s, s], [top, left], [1, 1], 1)
            } else {
                h.constant_pad_nd([left, right, top, bottom]).conv2d(&c.ws, Some(&c.bs), [s, s], [0, 0], [1, 1], 1)
            }
            .relu();
        }
        h
    }

    /// The feature map before pooling: convolutions, ReLUs and the joint layer norm.
    pub fn feature_map(&self, x: &Tensor) -> Tensor {
        let h = self.conv_map(x);
        let mean = h.mean_dim([1, 2, 3].as_slice(), true, h.kind());
        let centred = &h - mean;
        let std = centred.square().mean_dim([1, 2, 3].as_slice(), true, h.kind()).sqrt();
        let c = self.norm_scale.size()[0];
        centred / (std + LAYER_NORM_EPS) * self.norm_scale.view([1, c, 1, 1]) + self.norm_bias.view([1, c, 1, 1])
    }
}

impl Encoder for ConvNet {
    fn encode(&self, x: &Tensor) -> Tensor {
        // Global average pooling of the layer-normed map, without building that map: the norm is
        // affine per sample and channel, so pooling commutes with it,
        //   mean_hw((h − μ)/(σ + ε)·s_c + b_c) = (mean_hw h − μ)/(σ + ε)·s_c + b_c,
        // and μ (the mean over C, H, W) is the mean of the per-channel spatial means. Only the
        // spatial means and σ touch the full map (four passes instead of eight, and fewer in the
        // backward); `feature_map` keeps the explicit form, and a test holds the two together.
        let h = self.conv_map(x);
        let kind = h.kind();
        let channel_means = h.mean_dim([2, 3].as_slice(), false, kind);
        let mean = channel_means.mean_dim([1].as_slice(), true, kind);
        // σ as in `feature_map` (libtorch's own std reduction, Welford in f64, is several times
        // slower here than these three passes)
        let std = (&h - mean.view([-1, 1, 1, 1])).square().mean_dim([1, 2, 3].as_slice(), false, kind).sqrt().unsqueeze(1);
        let pooled = (channel_means - mean) / (std + LAYER_NORM_EPS) * self.norm_scale.unsqueeze(0) + self.norm_bias.unsqueeze(0);
        pooled.linear(&self.head.ws, self.head.bs.as_ref())
    }
    fn input_dim(&self) -> i64 {
        self.cfg.in_channels * self.cfg.height * self.cfg.width
    }
    fn output_dim(&self) -> i64 {
        self.cfg.output_dim
    }
    fn parameters(&self) -> Vec<Tensor> {
        let mut p: Vec<Tensor> =
            self.convs.iter().flat_map(|c| [c.ws.shallow_clone(), c.bs.shallow_clone()]).collect();
        p.push(self.norm_scale.shallow_clone());
        p.push(self.norm_bias.shallow_clone());
        p.push(self.head.ws.shallow_clone());
        p.extend(self.head.bs.iter().map(Tensor::shallow_clone));
        p
    }
    fn check_input(&self, x: &Tensor) -> Result<()> {
        let s = x.size();
        let image = [self.cfg.in_channels, self.cfg.height, self.cfg.width];
        let ok = (s.len() == 2 && s[1] == self.input_dim()) || (s.len() == 4 && s[1..] == image);
        if ok {
            Ok(())
        } else {
            Err(EncoderError::Shape {
                expected: format!("[batch, {}] or [batch, {}, {}, {}]", self.input_dim(), image[0], image[1], image[2]),
                got: s,
            })
        }
    }
}
