//! Weight initialisations used by the paper (Glorot-uniform, normal, truncated normal, zeros) and a
//! plain ReLU network of dense layers built from them.
use tch::{nn, Kind, Tensor};

/// How the kernel of a dense layer is initialised. Biases always start at zero (as in the paper's
/// TensorFlow code, where `bias_initializer` is zeros).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightInit {
    /// Glorot/Xavier uniform: U(−b, b) with b = √(6 / (fan_in + fan_out)) (Keras' default).
    GlorotUniform,
    /// N(0, std²).
    Normal { std: f64 },
    /// N(0, std²) with draws beyond two standard deviations redrawn (TensorFlow's
    /// `truncated_normal`).
    TruncatedNormal { std: f64 },
    /// All zeros.
    Zeros,
}

/// Draws a tensor of the given shape from N(0, std²) truncated at ±2 std (redrawing outliers).
/// Uses libtorch's global generator: seed it with `mi_torch::seed_everything`.
pub fn truncated_normal(dims: &[i64], std: f64, kind: Kind, device: tch::Device) -> Tensor {
    tch::no_grad(|| {
        let mut t = Tensor::randn(dims, (kind, device));
        // Each round redraws the ~4.6% of values outside ±2; 64 rounds leave none in practice.
        for _ in 0..64 {
            let outside = t.abs().gt(2.0);
            if outside.any().int64_value(&[]) == 0 {
                break;
            }
            let fresh = Tensor::randn(dims, (kind, device));
            t = fresh.where_self(&outside, &t);
        }
        t * std
    })
}

/// The initial kernel of a dense layer with weight shape `[out_dim, in_dim]` (tch's layout).
pub fn kernel(init: WeightInit, out_dim: i64, in_dim: i64, kind: Kind, device: tch::Device) -> Tensor {
    let dims = [out_dim, in_dim];
    tch::no_grad(|| match init {
        WeightInit::GlorotUniform => {
            let b = (6.0 / (in_dim + out_dim) as f64).sqrt();
            Tensor::empty(dims, (kind, device)).uniform_(-b, b)
        }
        WeightInit::Normal { std } => Tensor::randn(dims, (kind, device)) * std,
        WeightInit::TruncatedNormal { std } => truncated_normal(&dims, std, kind, device),
        WeightInit::Zeros => Tensor::zeros(dims, (kind, device)),
    })
}

/// A dense layer `y = x Wᵀ + b` with the given kernel initialisation and a zero bias.
pub fn dense(path: &nn::Path, in_dim: i64, out_dim: i64, init: WeightInit) -> nn::Linear {
    let w = kernel(init, out_dim, in_dim, path.kind(), path.device());
    let ws = path.var_copy("weight", &w);
    let bs = path.zeros("bias", &[out_dim]);
    nn::Linear { ws, bs: Some(bs) }
}

/// A ReLU network of dense layers: `in → hidden… → out`, ReLU after every layer but the last.
#[derive(Debug)]
pub struct DenseNet {
    layers: Vec<nn::Linear>,
}

impl DenseNet {
    /// Builds the network under `path` (layers named `0`, `1`, …). `init` is used for every
    /// kernel except the last, which uses `last_init`.
    pub fn new(
        path: &nn::Path,
        in_dim: i64,
        hidden: &[i64],
        out_dim: i64,
        init: WeightInit,
        last_init: WeightInit,
    ) -> Self {
        let mut dims = vec![in_dim];
        dims.extend_from_slice(hidden);
        dims.push(out_dim);
        let n = dims.len() - 1;
        let layers = (0..n)
            .map(|i| dense(&path.sub(i.to_string()), dims[i], dims[i + 1], if i + 1 == n { last_init } else { init }))
            .collect();
        Self { layers }
    }

    /// Applies the network.
    pub fn forward(&self, x: &Tensor) -> Tensor {
        let n = self.layers.len();
        let mut h = x.shallow_clone();
        for (i, l) in self.layers.iter().enumerate() {
            h = h.linear(&l.ws, l.bs.as_ref());
            if i + 1 < n {
                h = h.relu();
            }
        }
        h
    }

    /// The layers, first to last.
    pub fn layers(&self) -> &[nn::Linear] {
        &self.layers
    }

    /// Shallow clones of all parameters (kernels and biases).
    pub fn parameters(&self) -> Vec<Tensor> {
        self.layers
            .iter()
            .flat_map(|l| std::iter::once(l.ws.shallow_clone()).chain(l.bs.iter().map(Tensor::shallow_clone)))
            .collect()
    }
}

/// Total number of scalar parameters in a list of tensors.
pub fn count_parameters(params: &[Tensor]) -> i64 {
    params.iter().map(|p| p.numel() as i64).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    #[test]
    fn truncated_normal_stays_within_two_std() {
        mi_torch::seed_everything(3);
        let t = truncated_normal(&[200, 500], 0.5, Kind::Float, Device::Cpu);
        let max = t.abs().max().double_value(&[]);
        assert!(max <= 1.0 + 1e-6, "max {max}");
        // the truncated N(0,1) at ±2 has sd ≈ 0.8796
        let sd = t.std(true).double_value(&[]) / 0.5;
        assert!((sd - 0.8796).abs() < 0.01, "sd {sd}");
    }

    #[test]
    fn glorot_bound_and_zero_bias() {
        let vs = nn::VarStore::new(Device::Cpu);
        let l = dense(&vs.root(), 300, 100, WeightInit::GlorotUniform);
        let b = (6.0f64 / 400.0).sqrt();
        let max = l.ws.abs().max().double_value(&[]);
        assert!(max <= b && max > 0.9 * b, "max {max} bound {b}");
        assert_eq!(l.bs.as_ref().map(|b| b.abs().sum(Kind::Float).double_value(&[])), Some(0.0));
        assert_eq!(l.ws.size(), vec![100, 300]);
    }
}
