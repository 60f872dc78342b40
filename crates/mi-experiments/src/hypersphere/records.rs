//! What is recorded per encoder and run, and what is summarised from it.
use super::*;

/// The measurements of one encoder (all on the test set).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Linear probe on the normalised output.
    pub linear_accuracy: f64,
    /// Linear probe on the probe layer (before the head).
    pub probe_layer_accuracy: f64,
    /// Cosine k-NN (k = 5) on the normalised output.
    pub knn_accuracy: f64,
    pub l_align: f64,
    pub l_uniform: f64,
}

impl Metrics {
    pub(super) fn fields(&self) -> [f64; 5] {
        [self.linear_accuracy, self.probe_layer_accuracy, self.knn_accuracy, self.l_align, self.l_uniform]
    }
    pub(super) fn from_fields(f: [f64; 5]) -> Self {
        Self { linear_accuracy: f[0], probe_layer_accuracy: f[1], knn_accuracy: f[2], l_align: f[3], l_uniform: f[4] }
    }
}

/// Angles on S¹ (radians, rounded to 1e-4) and classes of the test points of a 2-D encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CirclePoints {
    pub angles: Vec<f32>,
    pub labels: Vec<u8>,
}

/// One trained (or random) encoder, as recorded in `runs.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EncoderRecord {
    pub config: String,
    pub run: usize,
    pub seed: u64,
    pub spec: EncoderSpec,
    pub steps: usize,
    pub train_seconds: f64,
    pub eval_seconds: f64,
    /// (step, training loss of that step's batch).
    pub loss_history: Vec<(usize, f64)>,
    pub metrics: Metrics,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circle: Option<CirclePoints>,
}

/// Mean and sd over runs of one encoder.
#[derive(Debug, Clone, Serialize)]
pub struct EncoderSummary {
    pub name: String,
    pub spec: EncoderSpec,
    pub runs: usize,
    pub mean: Metrics,
    pub sd: Metrics,
    /// exp(mean L_uniform): 1 when every feature sits on one point.
    pub exp_l_uniform: f64,
    pub train_seconds_mean: f64,
    pub final_loss_mean: Option<f64>,
}

/// The sweep's rank statistics.
#[derive(Debug, Clone, Serialize)]
pub struct SweepSummary {
    pub encoders: Vec<String>,
    pub spearman_linear_vs_align: Option<f64>,
    pub spearman_linear_vs_uniform: Option<f64>,
    pub spearman_knn_vs_align: Option<f64>,
    pub spearman_knn_vs_uniform: Option<f64>,
    pub median_align: Option<f64>,
    pub median_uniform: Option<f64>,
    /// (min, max) of each loss over the sweep: the extent of the scatter plot.
    pub range_align: Option<(f64, f64)>,
    pub range_uniform: Option<(f64, f64)>,
    /// Encoders by decreasing linear accuracy.
    pub ranking: Vec<String>,
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct HyperSummary {
    pub experiment: &'static str,
    pub dataset: &'static str,
    pub profile: Profile,
    pub seed: u64,
    pub device: String,
    pub settings: HyperSettings,
    /// The optimum of L_uniform(eval_t) on S¹ and on S^{d−1} of the higher-dimensional head.
    pub uniform_optimum_circle: f64,
    pub uniform_optimum_sphere: f64,
    pub encoders: Vec<EncoderSummary>,
    pub sweep: SweepSummary,
    pub cifar10: String,
    /// Runs recorded out of those planned.
    pub runs_done: usize,
    pub runs_planned: usize,
}

