//! The paper's linear evaluation of a representation: features of every image, min-max scaling,
//! a SAGA logistic-regression probe.
use super::{LoopSettings, PairViews};
use mi_encoders::Encoder;
use mi_probe::{LogisticRegression, MinMaxScaler};
use mi_train::Result;
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use tch::{Device, Tensor};

/// Result of one probe fit.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ProbeScores {
    pub test_accuracy: f64,
    pub train_accuracy: f64,
    pub probe_epochs: usize,
    pub probe_seconds: f64,
}

/// The paper's linear evaluation: min-max scaling fitted on train, SAGA logistic regression.
pub fn probe_scores(
    train: &Array2<f32>,
    train_y: &Array1<i64>,
    test: &Array2<f32>,
    test_y: &Array1<i64>,
    s: &LoopSettings,
    seed: u64,
) -> Result<ProbeScores> {
    let start = Instant::now();
    let scaler = MinMaxScaler::fit(train.view())?;
    let (tr, te) = (scaler.transform(train.view())?, scaler.transform(test.view())?);
    let probe = LogisticRegression::builder()
        .c(s.probe_c)
        .tol(s.probe_tol)
        .max_epochs(s.probe_max_epochs)
        .seed(seed)
        .build()?;
    let model = probe.fit(tr.view(), train_y.view())?;
    Ok(ProbeScores {
        test_accuracy: model.score(te.view(), test_y.view())?,
        train_accuracy: model.score(tr.view(), train_y.view())?,
        probe_epochs: model.epochs(),
        probe_seconds: start.elapsed().as_secs_f64(),
    })
}

/// Adds N(0, sd²) noise drawn from a seeded generator (CPU, for the probe's inputs).
pub fn add_noise(x: &Array2<f32>, sd: f64, seed: u64) -> Result<Array2<f32>> {
    let mut noisy = x.clone();
    mi_views::noise::add_noise(&mut noisy, sd as f32, &mut ChaCha8Rng::seed_from_u64(seed))?;
    Ok(noisy)
}

/// The pixel baseline: the probe on the raw top halves (noisy when the experiment adds noise).
pub fn pixel_baseline(data: &PairViews, s: &LoopSettings, seed: u64) -> Result<ProbeScores> {
    match s.noise_sd {
        Some(sd) => probe_scores(
            &add_noise(&data.train_x1_cpu, sd, seed ^ 0x5eed_0001)?,
            &data.train_labels,
            &add_noise(&data.test_x1_cpu, sd, seed ^ 0x5eed_0002)?,
            &data.test_labels,
            s,
            seed,
        ),
        None => probe_scores(&data.train_x1_cpu, &data.train_labels, &data.test_x1_cpu, &data.test_labels, s, seed),
    }
}
/// Rows per forward pass when computing probe features. On the CPU, chunks of 256 keep an
/// encoder's activations in cache: 70,000 top halves through the A4 ConvNet took 8.2 s in chunks
/// of 4,096 and 4.0 s in chunks of 256 on 2 cores (libtorch 2.11; the MLP 0.37 s and 0.27 s, the
/// additive RealNVP 19.5 s and 17.0 s). A GPU gets large chunks (fewer kernel launches).
pub fn feature_chunk(device: Device) -> i64 {
    if device.is_cuda() {
        4096
    } else {
        256
    }
}

/// Features g1(x) of a whole split, in chunks, without gradients, as a CPU array.
pub fn features(g: &dyn Encoder, x: &Tensor, chunk: i64) -> Result<Array2<f32>> {
    let _guard = tch::no_grad_guard();
    let n = x.size()[0];
    let mut parts = vec![];
    let mut start = 0;
    while start < n {
        let len = chunk.min(n - start);
        parts.push(g.encode(&x.narrow(0, start, len)));
        start += len;
    }
    Ok(mi_torch::tensor_to_array2(&Tensor::cat(&parts, 0))?)
}
