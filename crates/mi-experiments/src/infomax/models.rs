//! The networks of one configuration (two encoders and a critic in one VarStore) and its loss.
use super::{CriticKind, Dataset, EncoderKind, Bound, PairConfig};
use mi_critics::Critic;
use mi_encoders::Encoder;
use mi_train::{ExperimentError, Result};
use tch::{nn, Device, Tensor};

/// What a run needs besides the config: built models.
pub struct Models {
    pub vs: nn::VarStore,
    pub g1: Box<dyn Encoder>,
    pub g2: Box<dyn Encoder>,
    pub critic: Box<dyn Critic>,
}

/// Builds encoders (sized for MNIST halves) and critic of a configuration in a fresh VarStore on
/// `device`.
pub fn build_models(cfg: &PairConfig, device: Device, seed: u64) -> Result<Models> {
    build_models_for(cfg, Dataset::Mnist, device, seed)
}

/// Builds encoders sized for the views of `dataset`, and the critic, in a fresh VarStore on
/// `device`. On CIFAR-10 the MLP and the ConvNet take 3 × 16 × 32 views; the skip-MLP and the
/// RealNVPs exist for MNIST's 392-value views only (an error says so).
pub fn build_models_for(cfg: &PairConfig, dataset: Dataset, device: Device, seed: u64) -> Result<Models> {
    if dataset != Dataset::Mnist && !matches!(cfg.encoder, EncoderKind::Mlp | EncoderKind::Convnet) {
        return Err(ExperimentError::Invalid(format!(
            "{}: the {:?} encoder is defined for MNIST halves (392 values) only; on {} use the MLP or the ConvNet",
            cfg.name,
            cfg.encoder,
            dataset.label()
        )));
    }
    mi_torch::seed_everything(seed);
    let vs = nn::VarStore::new(device);
    let root = vs.root();
    let enc = |p: nn::Path, which: u64| -> Result<Box<dyn Encoder>> {
        Ok(match (cfg.encoder, dataset) {
            (EncoderKind::Mlp, Dataset::Mnist) => Box::new(mi_encoders::Mlp::paper(&p)?),
            (EncoderKind::Mlp, Dataset::Cifar10) => Box::new(mi_encoders::Mlp::new(&p, &mi_encoders::MlpConfig::cifar())?),
            (EncoderKind::Convnet, Dataset::Mnist) => Box::new(mi_encoders::ConvNet::paper(&p)?),
            (EncoderKind::Convnet, Dataset::Cifar10) => Box::new(mi_encoders::ConvNet::new(&p, &mi_encoders::ConvNetConfig::cifar())?),
            (EncoderKind::SkipMlp, _) => Box::new(mi_encoders::SkipMlp::paper(&p)?),
            (EncoderKind::RealnvpAdditive, _) => Box::new(mi_encoders::RealNvpEncoder::additive_paper(&p, seed ^ which)?),
            (EncoderKind::RealnvpAffine, _) => Box::new(mi_encoders::RealNvpEncoder::affine_paper(&p, seed ^ which)?),
        })
    };
    let g1 = enc(root.sub("g1"), 1)?;
    let g2 = enc(root.sub("g2"), 2)?;
    let (du, dv) = (g1.output_dim(), g2.output_dim());
    let critic: Box<dyn Critic> = match cfg.critic {
        CriticKind::Bilinear => Box::new(mi_critics::Bilinear::new(&root.sub("critic"), du, dv)?),
        CriticKind::Separable => Box::new(mi_critics::Separable::new(&root.sub("critic"), du, dv, 100, 100)?),
        CriticKind::Concat => Box::new(mi_critics::ConcatMlp::new(&root.sub("critic"), du, dv, 200)?),
        CriticKind::None => return Err(ExperimentError::Invalid(format!("{}: the InfoMax loop needs a critic", cfg.name))),
    };
    Ok(Models { vs, g1, g2, critic })
}

/// The bound `kind` on a B×B score matrix (positive pairs on the diagonal), in nats.
/// Bounds that need more than the scores (MINE's moving average, TUBA's and I_α's baseline) are
/// refused with a message: this loop trains no baseline network.
pub fn bound(kind: Bound, scores: &Tensor) -> Result<Tensor> {
    Ok(kind.tensor(scores)?)
}

/// The training loss: |I_est − t| with a target `t`, else −I_est.
pub fn loss_of(i_est: &Tensor, t: Option<f64>) -> Tensor {
    match t {
        Some(t) => (i_est - t).abs(),
        None => -i_est,
    }
}
