//! Feature scalers, fitted on the training features and applied to any other features
//! (the paper fits min-max scaling on the training set and applies it to the test set).
//!
//! Both follow scikit-learn's arithmetic: [`MinMaxScaler`] computes `x · scale + min` with
//! `scale = 1 / (max − min)` and `min = −data_min · scale` (`MinMaxScaler(feature_range=(0, 1))`),
//! [`StandardScaler`] computes `(x − mean) / std` with the population standard deviation. A
//! constant feature (range or deviation below 10·ε of the *feature type*, as scikit-learn ≥ 1.0
//! uses the input's dtype) gets scale 1. With f32 features that threshold is 1.2e-6: an encoder
//! that adds ~1e-9 to an always-black pixel leaves it constant, where f64's 2.2e-15 would stretch
//! the rounding noise to [0, 1] and hand the probe a feature the pixels do not have.
use crate::error::{ProbeError, Result};
use crate::feature::{check_features, check_n_features, Feature};
use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};

fn handle_zero<T: Feature>(scale: f64) -> f64 {
    if scale < 10.0 * T::EPSILON {
        1.0
    } else {
        scale
    }
}

/// Min-max scaling to [0, 1] per feature (on the fitted data).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MinMaxScaler {
    data_min: Array1<f64>,
    data_max: Array1<f64>,
    scale: Array1<f64>,
    min: Array1<f64>,
}

impl MinMaxScaler {
    /// Fits per-feature minima and maxima on `x` (non-empty, finite).
    pub fn fit<T: Feature>(x: ArrayView2<'_, T>) -> Result<Self> {
        check_features("features to fit the scaler on", &x)?;
        let d = x.ncols();
        let mut data_min = Array1::from_elem(d, f64::INFINITY);
        let mut data_max = Array1::from_elem(d, f64::NEG_INFINITY);
        for r in x.outer_iter() {
            Zip::from(&mut data_min).and(&mut data_max).and(&r).for_each(|lo, hi, v| {
                let v = v.to_f64();
                *lo = lo.min(v);
                *hi = hi.max(v);
            });
        }
        let scale = Zip::from(&data_min).and(&data_max).map_collect(|lo, hi| 1.0 / handle_zero::<T>(hi - lo));
        let min = Zip::from(&data_min).and(&scale).map_collect(|lo, s| 0.0 - lo * s);
        Ok(Self { data_min, data_max, scale, min })
    }

    /// `x · scale + min`; errors on a feature-count mismatch or non-finite values.
    pub fn transform<T: Feature>(&self, x: ArrayView2<'_, T>) -> Result<Array2<T>> {
        check_features("features to scale", &x)?;
        check_n_features("features to scale", self.scale.len(), x.ncols())?;
        let mut out = x.to_owned();
        for mut r in out.outer_iter_mut() {
            Zip::from(&mut r).and(&self.scale).and(&self.min).for_each(|v, s, m| *v = T::from_f64(v.to_f64() * s + m));
        }
        Ok(out)
    }

    pub fn data_min(&self) -> &Array1<f64> {
        &self.data_min
    }
    pub fn data_max(&self) -> &Array1<f64> {
        &self.data_max
    }
}

/// Standardisation to zero mean and unit (population) variance per feature.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StandardScaler {
    mean: Array1<f64>,
    scale: Array1<f64>,
}

impl StandardScaler {
    /// Fits per-feature means and standard deviations on `x` (non-empty, finite).
    pub fn fit<T: Feature>(x: ArrayView2<'_, T>) -> Result<Self> {
        check_features("features to fit the scaler on", &x)?;
        let n = x.nrows() as f64;
        let xf = x.mapv(Feature::to_f64);
        let mean = xf.sum_axis(Axis(0)) / n;
        let mut var = Array1::<f64>::zeros(x.ncols());
        for r in xf.outer_iter() {
            Zip::from(&mut var).and(&r).and(&mean).for_each(|v, x, m| *v += (x - m) * (x - m));
        }
        let scale = var.mapv(|v| handle_zero::<T>((v / n).sqrt()));
        Ok(Self { mean, scale })
    }

    /// `(x − mean) / std`; errors on a feature-count mismatch or non-finite values.
    pub fn transform<T: Feature>(&self, x: ArrayView2<'_, T>) -> Result<Array2<T>> {
        check_features("features to scale", &x)?;
        check_n_features("features to scale", self.scale.len(), x.ncols())?;
        let mut out = x.to_owned();
        for mut r in out.outer_iter_mut() {
            Zip::from(&mut r).and(&self.mean).and(&self.scale).for_each(|v, m, s| *v = T::from_f64((v.to_f64() - m) / s));
        }
        Ok(out)
    }

    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }
    /// The standard deviations used (1 for constant features).
    pub fn scale(&self) -> &Array1<f64> {
        &self.scale
    }
}

/// Which scaling to apply before a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scaling {
    None,
    MinMax,
    Standard,
}

impl std::str::FromStr for Scaling {
    type Err = ProbeError;
    /// `minmax`, `standard` or `none`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "minmax" => Ok(Scaling::MinMax),
            "standard" => Ok(Scaling::Standard),
            "none" => Ok(Scaling::None),
            _ => Err(ProbeError::InvalidConfig { name: "scale", value: s.to_string(), reason: "expected minmax, standard or none" }),
        }
    }
}

impl Scaling {
    /// Fits the scaler on `train` and applies it to `train` and `test`.
    pub fn fit_transform_pair<T: Feature>(self, train: ArrayView2<'_, T>, test: ArrayView2<'_, T>) -> Result<(Array2<T>, Array2<T>)> {
        match self {
            Scaling::None => {
                check_features("training features", &train)?;
                check_features("test features", &test)?;
                check_n_features("test features", train.ncols(), test.ncols())?;
                Ok((train.to_owned(), test.to_owned()))
            }
            Scaling::MinMax => {
                let s = MinMaxScaler::fit(train)?;
                Ok((s.transform(train)?, s.transform(test)?))
            }
            Scaling::Standard => {
                let s = StandardScaler::fit(train)?;
                Ok((s.transform(train)?, s.transform(test)?))
            }
        }
    }
}
