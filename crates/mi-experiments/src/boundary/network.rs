//! The four-module network of the boundary experiment: per view, the paper's MLP encoder with one
//! more hidden block, Dense(392→300, ReLU) = A → Dense(300→300, ReLU) = B → Dense(300→300, ReLU) = C
//! → Dense(300→100) = D, Glorot-uniform kernels and zero biases like the paper's MLP.
//!
//! Why an MLP and not the ConvNet: every module's output is probed at every evaluation (four
//! probes instead of one), and the quick profile has to fit 30 minutes on two cores; the MLP trains
//! ≈15 times faster there. Why these widths: A, B and C have the same width, so no probe depth is
//! favoured by having more features than another; D is the paper's 100-d output layer.
//!
//! The critic of boundary P_k is the rest of each view's tower followed by the dot product,
//! f(u, v) = rest₁(u) · rest₂(v), so for every k the score is the same function of the inputs,
//! ABCD₁(x₁) · ABCD₂(x₂): which modules are called "encoder" does not enter the computation.
//! The control is the paper's default boundary: all four modules are the encoder and the critic is
//! a bilinear form u⊤Wv on top.
use mi_critics::Critic;
use mi_flows::{DenseNet, WeightInit};
use mi_train::Result;
use tch::{nn, Device, Tensor};

/// Length of a view (a 14 × 28 MNIST half).
pub const VIEW_DIM: i64 = 392;
/// Widths of the outputs of A, B, C (hidden) and D.
pub const HIDDEN: [i64; 3] = [300, 300, 300];
pub const OUTPUT_DIM: i64 = 100;
/// The probe depths, named by the modules they have passed through.
pub const DEPTHS: [&str; 4] = ["A", "AB", "ABC", "ABCD"];

/// Both views' towers and, for the control, the bilinear form.
pub struct Network {
    pub vs: nn::VarStore,
    pub view1: DenseNet,
    pub view2: DenseNet,
    /// `None`: the dot product (the critic of P1–P3 ends in it).
    pub bilinear: Option<Box<dyn Critic>>,
}

impl Network {
    /// A fresh network on `device`, initialised from `seed`.
    pub fn new(bilinear: bool, device: Device, seed: u64) -> Result<Self> {
        mi_torch::seed_everything(seed);
        let vs = nn::VarStore::new(device);
        let root = vs.root();
        let tower = |p: nn::Path| DenseNet::new(&p, VIEW_DIM, &HIDDEN, OUTPUT_DIM, WeightInit::GlorotUniform, WeightInit::GlorotUniform);
        let view1 = tower(root.sub("view1"));
        let view2 = tower(root.sub("view2"));
        let bilinear: Option<Box<dyn Critic>> =
            if bilinear { Some(Box::new(mi_critics::Bilinear::new(&root.sub("critic"), OUTPUT_DIM, OUTPUT_DIM)?)) } else { None };
        Ok(Self { vs, view1, view2, bilinear })
    }

    /// The B × B score matrix of a batch of pairs (positives on the diagonal).
    pub fn scores(&self, x1: &Tensor, x2: &Tensor) -> Tensor {
        let (u, v) = (self.view1.forward(x1), self.view2.forward(x2));
        match &self.bilinear {
            Some(critic) => critic.scores(&u, &v),
            None => u.matmul(&v.tr()),
        }
    }
}

/// The outputs of A, AB, ABC and ABCD of `tower` on `x`: the activations after each module (ReLU
/// after A, B and C; D is linear).
pub fn outputs_by_depth(tower: &DenseNet, x: &Tensor) -> Vec<Tensor> {
    let layers = tower.layers();
    let mut out = Vec::with_capacity(layers.len());
    let mut h = x.shallow_clone();
    for (i, l) in layers.iter().enumerate() {
        h = h.linear(&l.ws, l.bs.as_ref());
        if i + 1 < layers.len() {
            h = h.relu();
        }
        out.push(h.shallow_clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_depth_is_the_whole_tower_and_the_dot_product_scores_it() {
        let _g = crate::test_rng_lock();
        let net = Network::new(false, Device::Cpu, 5).unwrap();
        let x = Tensor::randn([6, VIEW_DIM], (tch::Kind::Float, Device::Cpu));
        let outs = outputs_by_depth(&net.view1, &x);
        assert_eq!(outs.iter().map(|t| t.size()[1]).collect::<Vec<_>>(), [300, 300, 300, 100]);
        let whole = net.view1.forward(&x);
        assert!(f64::try_from((&outs[3] - &whole).abs().max()).unwrap() < 1e-6);
        // ReLU modules give non-negative features, the linear output layer does not
        assert!(f64::try_from(outs[2].min()).unwrap() >= 0.0);
        assert!(f64::try_from(outs[3].min()).unwrap() < 0.0);
        let s = net.scores(&x, &x);
        assert_eq!(s.size(), [6, 6]);
        let expected = whole.matmul(&net.view2.forward(&x).tr());
        assert!(f64::try_from((&s - &expected).abs().max()).unwrap() < 1e-5);
        assert_eq!(net.vs.trainable_variables().len(), 16);
        assert_eq!(Network::new(true, Device::Cpu, 5).unwrap().vs.trainable_variables().len(), 17);
    }
}
