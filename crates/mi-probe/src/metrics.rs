//! Accuracy, per-class accuracy and the confusion matrix.
use crate::error::{ProbeError, Result};
use ndarray::{Array2, ArrayView1};

fn check_pair(y_true: &ArrayView1<'_, i64>, y_pred: &ArrayView1<'_, i64>) -> Result<()> {
    if y_true.len() != y_pred.len() {
        return Err(ProbeError::LengthMismatch { true_len: y_true.len(), pred_len: y_pred.len() });
    }
    if y_true.is_empty() {
        return Err(ProbeError::Empty { what: "labels", rows: 0, cols: 1 });
    }
    Ok(())
}

/// Fraction of positions where `y_pred` equals `y_true`.
pub fn accuracy(y_true: ArrayView1<'_, i64>, y_pred: ArrayView1<'_, i64>) -> Result<f64> {
    check_pair(&y_true, &y_pred)?;
    let hits = y_true.iter().zip(y_pred.iter()).filter(|(a, b)| a == b).count();
    Ok(hits as f64 / y_true.len() as f64)
}

/// The accuracy on the samples of one true class (its recall).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClassAccuracy {
    pub label: i64,
    /// Number of samples whose true label is `label`.
    pub support: usize,
    pub accuracy: f64,
}

/// Accuracy per true class, in increasing label order (classes absent from `y_true` are left out).
pub fn per_class_accuracy(y_true: ArrayView1<'_, i64>, y_pred: ArrayView1<'_, i64>) -> Result<Vec<ClassAccuracy>> {
    let cm = ConfusionMatrix::new(y_true, y_pred)?;
    Ok(cm
        .labels
        .iter()
        .enumerate()
        .filter_map(|(i, &label)| {
            let support: u64 = cm.counts.row(i).sum();
            (support > 0).then(|| ClassAccuracy { label, support: support as usize, accuracy: cm.counts[[i, i]] as f64 / support as f64 })
        })
        .collect())
}

/// Counts of (true, predicted) label pairs. Rows are true labels, columns predicted labels, both
/// indexed by `labels` (the sorted union of the labels in `y_true` and `y_pred`, as scikit-learn's
/// `confusion_matrix` does by default).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConfusionMatrix {
    pub labels: Vec<i64>,
    pub counts: Array2<u64>,
}

impl ConfusionMatrix {
    pub fn new(y_true: ArrayView1<'_, i64>, y_pred: ArrayView1<'_, i64>) -> Result<Self> {
        check_pair(&y_true, &y_pred)?;
        let mut labels: Vec<i64> = y_true.iter().chain(y_pred.iter()).copied().collect();
        labels.sort_unstable();
        labels.dedup();
        let mut counts = Array2::zeros((labels.len(), labels.len()));
        for (t, p) in y_true.iter().zip(y_pred.iter()) {
            // both are in `labels` by construction
            if let (Ok(i), Ok(j)) = (labels.binary_search(t), labels.binary_search(p)) {
                counts[[i, j]] += 1;
            }
        }
        Ok(Self { labels, counts })
    }

    /// Correct predictions over all predictions.
    pub fn accuracy(&self) -> f64 {
        let total: u64 = self.counts.sum();
        let diag: u64 = self.counts.diag().sum();
        if total == 0 {
            0.0
        } else {
            diag as f64 / total as f64
        }
    }
}
