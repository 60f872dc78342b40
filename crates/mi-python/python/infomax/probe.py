"""The SAGA linear probe as a scikit-learn estimator.

`LogisticRegression` fits the same model as scikit-learn's
``LogisticRegression(solver="saga", penalty="l2")``: C times the summed cross-entropy plus half the
squared norm of the weights, multinomial for three or more classes, binomial for two, with an
unpenalised intercept; the SAGA solver, the stopping rule (max |dW| / max |W| < tol after an epoch)
and, for seeds below 2**32, the sample order of ``random_state`` are scikit-learn's. The paper's
probe is ``LogisticRegression(C=10, tol=0.1)`` on features scaled by `MinMaxScaler`.

When scikit-learn is installed the classes derive from its ``BaseEstimator`` (so they work in
``Pipeline``, ``GridSearchCV``, ``cross_val_score`` and pass ``check_estimator``); without it
they keep the same methods and parameters.
"""
from __future__ import annotations

import numpy as np

from . import _native
from ._arrays import as_float_matrix, check_n_jobs

try:  # scikit-learn is optional: its base classes make the probe a first-class estimator there
    from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, column_or_1d

    try:
        from sklearn.utils.validation import validate_data
    except ImportError:  # scikit-learn < 1.6: the same check as a method

        def validate_data(est, X, y="no_validation", **kw):
            return est._validate_data(X, y, **kw)

    _SKLEARN = True
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    _SKLEARN = False

    class BaseEstimator:  # type: ignore[no-redef]
        """get_params / set_params by the constructor's argument names (scikit-learn's rule)."""

        def get_params(self, deep=True):
            import inspect

            names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
            return {n: getattr(self, n) for n in names}

        def set_params(self, **params):
            valid = self.get_params()
            for k, v in params.items():
                if k not in valid:
                    raise ValueError(f"invalid parameter {k!r} for {type(self).__name__}; expected one of {sorted(valid)}")
                setattr(self, k, v)
            return self

    class ClassifierMixin:  # type: ignore[no-redef]
        def score(self, X, y, sample_weight=None):
            if sample_weight is not None:
                raise ValueError("sample_weight is not supported")
            return float(np.mean(self.predict(X) == np.asarray(y)))

    class TransformerMixin:  # type: ignore[no-redef]
        def fit_transform(self, X, y=None, **fit_params):
            return self.fit(X, y, **fit_params).transform(X)


def _check_fitted(est, attr):
    if _SKLEARN:
        check_is_fitted(est, attr)
    elif not hasattr(est, attr):
        raise ValueError(f"this {type(est).__name__} is not fitted yet; call fit first")


def _features(est, X, *, reset):
    """Features as a 2-D float32/float64 array, checked (and, with scikit-learn, its feature names)."""
    if _SKLEARN:
        X = validate_data(est, X, reset=reset, dtype=[np.float64, np.float32])
    X = as_float_matrix(X, "X", allow_float32=True, finite_checked=_SKLEARN)
    if X.ndim != 2:
        raise ValueError(f"X has shape {X.shape}; expected a 2-D array (rows = samples)")
    if reset:
        est.n_features_in_ = X.shape[1]
    elif X.shape[1] != est.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but {type(est).__name__} is expecting {est.n_features_in_} features as input")
    return X


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """L2-penalised logistic regression fitted by SAGA in Rust (`mi-probe`).

    Parameters are named as in scikit-learn: ``C`` (inverse regularisation, > 0), ``tol``
    (stopping tolerance, > 0), ``max_iter`` (maximum epochs, >= 1), ``fit_intercept``,
    ``random_state`` (an int >= 0 or None for 0: the sample order), and ``n_jobs`` (threads for
    scoring; None: every core).

    The solver is scikit-learn's SAGA: same step size, updates, stopping rule and sample order.
    On features with many zeros (pixels, ReLU outputs) it runs scikit-learn's just-in-time update
    scheme on the nonzero entries, which follows the same iterates up to rounding and is several
    times faster there.

    >>> import numpy as np
    >>> from infomax.probe import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4)); y = (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> clf = LogisticRegression(C=10.0, tol=1e-4, max_iter=1000).fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    """

    def __init__(self, C=1.0, tol=1e-4, max_iter=100, fit_intercept=True, random_state=None, n_jobs=None):
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _seed(self):
        rs = self.random_state
        if rs is None:
            return 0
        if isinstance(rs, (int, np.integer)) and rs >= 0:
            return int(rs)
        raise ValueError(f"random_state = {rs!r}: expected None or an integer >= 0 (a RandomState instance is not supported)")

    def fit(self, X, y):
        check_n_jobs(self.n_jobs)
        if not (isinstance(self.C, (int, float, np.floating, np.integer)) and np.isfinite(self.C) and self.C > 0):
            raise ValueError(f"C = {self.C!r}: expected a finite number > 0")
        if not (isinstance(self.tol, (int, float, np.floating, np.integer)) and np.isfinite(self.tol) and self.tol > 0):
            raise ValueError(f"tol = {self.tol!r}: expected a finite number > 0")
        if not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise ValueError(f"max_iter = {self.max_iter!r}: expected an integer >= 1")
        if _SKLEARN:
            X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
            y = column_or_1d(y, warn=True)
        # with scikit-learn, validate_data above has refused NaN and infinities
        X = _features(self, X, reset=True) if not _SKLEARN else as_float_matrix(X, "X", allow_float32=True, finite_checked=True)
        self.n_features_in_ = X.shape[1]
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(f"y has shape {y.shape}; expected a 1-D array of class labels")
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} labels; expected one label per row")
        if _SKLEARN:
            check_classification_targets(y)
        classes, encoded = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y holds {len(classes)} class; a classifier needs at least 2")
        fit = _native.saga_fit_f32 if X.dtype == np.float32 else _native.saga_fit_f64
        coef, intercept, _, n_iter, converged = fit(X, encoded.astype(np.int64), float(self.C), float(self.tol), int(self.max_iter), bool(self.fit_intercept), self._seed(), self.n_jobs)
        self.classes_ = classes
        self.coef_ = coef
        self.intercept_ = intercept
        self.n_iter_ = np.array([n_iter], dtype=np.int32)
        self.converged_ = bool(converged)
        if not converged:
            import warnings

            warnings.warn(f"the SAGA probe did not converge in max_iter = {self.max_iter} epochs; raise max_iter or tol, or scale the features", _convergence_warning())
        return self

    def decision_function(self, X):
        _check_fitted(self, "coef_")
        X = _features(self, X, reset=False)
        scores = X.astype(np.float64, copy=False) @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_proba(self, X):
        d = self.decision_function(X)
        if d.ndim == 1:
            p1 = 1.0 / (1.0 + np.exp(-d))
            return np.column_stack([1.0 - p1, p1])
        d = d - d.max(axis=1, keepdims=True)
        e = np.exp(d)
        return e / e.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        d = self.decision_function(X)
        idx = (d > 0).astype(int) if d.ndim == 1 else d.argmax(axis=1)
        return self.classes_[idx]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


def _convergence_warning():
    if _SKLEARN:
        from sklearn.exceptions import ConvergenceWarning

        return ConvergenceWarning
    return RuntimeWarning


class MinMaxScaler(TransformerMixin, BaseEstimator):
    """Per-feature scaling to [0, 1] on the fitted data, as scikit-learn's ``MinMaxScaler()``.

    A constant feature (range below 10 machine epsilons of the input's dtype, scikit-learn's rule
    since 1.0) is left unscaled rather than stretched.
    """

    def __init__(self):
        pass

    def fit(self, X, y=None):
        X = _features(self, X, reset=True)
        self.data_min_ = X.min(axis=0).astype(np.float64)
        self.data_max_ = X.max(axis=0).astype(np.float64)
        self.data_range_ = self.data_max_ - self.data_min_
        eps = np.finfo(X.dtype).eps
        rng = np.where(self.data_range_ < 10 * eps, 1.0, self.data_range_)
        self.scale_ = 1.0 / rng
        self.min_ = -self.data_min_ * self.scale_
        return self

    def transform(self, X):
        _check_fitted(self, "scale_")
        X = _features(self, X, reset=False)
        return (X * self.scale_ + self.min_).astype(X.dtype, copy=False)

    def inverse_transform(self, X):
        _check_fitted(self, "scale_")
        X = _features(self, X, reset=False)
        return ((X - self.min_) / self.scale_).astype(X.dtype, copy=False)
