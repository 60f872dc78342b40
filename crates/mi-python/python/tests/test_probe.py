"""infomax.probe against scikit-learn: same model, same API, its estimator checks."""
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is installed into .venv by `cargo xtask test`")
from sklearn.linear_model import LogisticRegression as SkLogisticRegression  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler as SkMinMaxScaler  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

from infomax.probe import LogisticRegression, MinMaxScaler  # noqa: E402


def blobs(n=600, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=2.0, size=(k, d))
    y = rng.integers(0, k, size=n)
    return centers[y] + rng.normal(size=(n, d)), y


def test_the_fit_matches_scikit_learns_saga():
    X, y = blobs()
    X = SkMinMaxScaler().fit_transform(X)
    ours = LogisticRegression(C=10.0, tol=1e-8, max_iter=2000, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SkLogisticRegression(C=10.0, tol=1e-8, max_iter=2000, solver="saga", random_state=0).fit(X, y)
    # both converge to the unique minimiser of the same strictly convex objective
    assert np.abs(ours.coef_ - theirs.coef_).max() < 1e-4
    assert np.abs(ours.intercept_ - theirs.intercept_).max() < 1e-4
    assert np.array_equal(ours.predict(X), theirs.predict(X))
    assert np.abs(ours.predict_proba(X) - theirs.predict_proba(X)).max() < 1e-5
    assert ours.coef_.shape == theirs.coef_.shape and list(ours.classes_) == list(theirs.classes_)


def test_data_with_many_zeros_gives_scikit_learns_iterates():
    # about a fifth of the entries nonzero (like MNIST pixels or ReLU features): the fit runs the
    # just-in-time update scheme, which must still follow scikit-learn's dense SAGA step by step
    X, y = blobs(n=3000, d=40, k=10, seed=3)
    X = SkMinMaxScaler().fit_transform(np.maximum(X - 1.5, 0.0))
    assert 0.1 < (X != 0).mean() < 0.3
    for tol in (0.1, 1e-3):
        ours = LogisticRegression(C=10.0, tol=tol, max_iter=100, random_state=0).fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = SkLogisticRegression(C=10.0, tol=tol, max_iter=100, solver="saga", random_state=0).fit(X, y)
        assert ours.n_iter_[0] == theirs.n_iter_[0]
        gap = np.abs(ours.coef_ - theirs.coef_).max() / np.abs(theirs.coef_).max()
        assert gap < 1e-9, gap
        assert np.abs(ours.intercept_ - theirs.intercept_).max() < 1e-9


def test_binary_and_string_labels_and_float32():
    X, y = blobs(k=2, seed=1)
    labels = np.array(["cat", "dog"])[y]
    clf = LogisticRegression(C=1.0, max_iter=500).fit(X.astype(np.float32), labels)
    assert clf.coef_.shape == (1, 5) and list(clf.classes_) == ["cat", "dog"]
    assert clf.decision_function(X).shape == (600,)
    assert clf.score(X, labels) > 0.9
    assert set(clf.predict(X)) <= {"cat", "dog"}


def test_it_works_in_a_pipeline_and_cross_validation():
    X, y = blobs(seed=2)
    pipe = make_pipeline(MinMaxScaler(), LogisticRegression(C=10.0, tol=0.1))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8
    assert pipe.get_params()["logisticregression__C"] == 10.0


def test_min_max_scaler_matches_scikit_learn():
    X, _ = blobs(seed=3)
    X[:, 2] = 7.0  # a constant column stays unscaled in both
    ours, theirs = MinMaxScaler().fit(X), SkMinMaxScaler().fit(X)
    assert np.allclose(ours.transform(X), theirs.transform(X), atol=1e-12)
    assert np.allclose(ours.inverse_transform(ours.transform(X)), X)


def test_bad_input_is_a_value_error():
    X, y = blobs()
    clf = LogisticRegression()
    with pytest.raises(ValueError, match="NaN|infinity"):
        clf.fit(np.where(X > 2, np.nan, X), y)
    with pytest.raises(ValueError):
        clf.fit(X, y[:-1])
    with pytest.raises(ValueError, match="C ="):
        LogisticRegression(C=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="class"):
        clf.fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="features"):
        clf.fit(X, y).predict(X[:, :3])


@pytest.mark.parametrize("estimator", [LogisticRegression(max_iter=1000), MinMaxScaler()], ids=["LogisticRegression", "MinMaxScaler"])
def test_check_estimator(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(estimator)
