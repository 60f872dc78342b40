"""infomax.mutual_info / entropy against closed forms, scikit-learn and SciPy."""
import math

import numpy as np
import pytest

import infomax


def gaussian_pair(rho, n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return x, rho * x + math.sqrt(1 - rho**2) * rng.normal(size=n)


def test_ksg_recovers_a_gaussian_mi_and_agrees_with_scikit_learn():
    from sklearn.feature_selection import mutual_info_regression

    x, y = gaussian_pair(0.8, 10_000, 0)
    truth = -0.5 * math.log(1 - 0.8**2)
    ours = infomax.mutual_info(x, y, k=3)
    assert abs(ours.value - truth) < 0.03
    # scikit-learn's KSG (algorithm 1, k = 3) adds 1e-10-scale noise and scales without centring:
    # the same estimator up to that noise
    theirs = mutual_info_regression(x.reshape(-1, 1), y, n_neighbors=3, random_state=0)[0]
    assert abs(ours.value - theirs) < 5e-3, (ours.value, theirs)


def test_estimators_and_units():
    x, y = gaussian_pair(0.6, 4000, 1)
    for est in ("ksg", "ksg1", "ksg2", "gaussian"):
        r = infomax.mutual_info(x, y, estimator=est)
        assert r.estimator == est and r.n_samples == 4000
        assert abs(r.value - 0.2231) < 0.05, (est, r.value)
        assert r.value_bits == pytest.approx(r.value / math.log(2))
        assert float(r) == r.value
    assert "nats" in repr(r) and "bits" in repr(r)


def test_symmetric_and_invariant_under_monotone_maps_with_copula():
    x, y = gaussian_pair(0.7, 3000, 2)
    a = infomax.mutual_info(x, y).value
    assert infomax.mutual_info(y, x).value == pytest.approx(a, abs=1e-12)
    # the copula transform uses ranks only: any strictly increasing map gives the same value
    c = infomax.mutual_info(x, y, copula=True).value
    assert infomax.mutual_info(np.exp(x), y**3, copula=True).value == pytest.approx(c, abs=1e-12)
    # without it the Gaussian estimate is fooled by the cube, with it it is not
    g_raw = infomax.mutual_info(x, y**3, estimator="gaussian").value
    g_cop = infomax.mutual_info(x, y**3, estimator="gaussian", copula=True).value
    truth = -0.5 * math.log(1 - 0.49)
    assert abs(g_cop - truth) < 0.03 < abs(g_raw - truth)


def test_permutation_test_detects_dependence_and_not_independence():
    x, y = gaussian_pair(0.5, 1000, 3)
    r = infomax.mutual_info(x, y, permutations=49, seed=5)
    assert r.p_value == pytest.approx(1 / 50)
    assert r.null_corrected == pytest.approx(r.value - r.null_mean)
    assert abs(r.null_mean) < 0.05
    rng = np.random.default_rng(9)
    r0 = infomax.mutual_info(rng.normal(size=1000), rng.normal(size=1000), permutations=49, seed=5)
    assert r0.p_value > 0.05
    # seeded: the same seed gives the same null
    assert infomax.mutual_info(x, y, permutations=49, seed=5) == r


def test_dtypes_orders_and_threads_give_the_same_value():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2000, 3))
    y = x[:, :2] + rng.normal(size=(2000, 2))
    ref = infomax.mutual_info(x, y).value
    assert infomax.mutual_info(np.asfortranarray(x), y).value == ref
    assert infomax.mutual_info(x, y, n_jobs=1).value == ref
    assert infomax.mutual_info(x, y, n_jobs=2).value == ref
    f32 = infomax.mutual_info(x.astype(np.float32), y.astype(np.float32)).value
    assert f32 == pytest.approx(ref, abs=1e-3)
    ints = rng.integers(0, 1000, size=(2000, 1))
    assert np.isfinite(infomax.mutual_info(ints, ints + rng.integers(0, 50, size=(2000, 1)), copula=True).value)


def test_discrete_estimators_match_scikit_learn_and_scipy():
    from scipy.stats import entropy as scipy_entropy
    from sklearn.metrics import mutual_info_score

    rng = np.random.default_rng(6)
    a = rng.integers(0, 5, size=3000)
    b = (a + rng.integers(0, 3, size=3000)) % 5
    assert infomax.mutual_info(a, b, estimator="plugin").value == pytest.approx(mutual_info_score(a, b), abs=1e-12)
    counts = np.bincount(a)
    assert infomax.entropy(a, estimator="plugin") == pytest.approx(scipy_entropy(counts), abs=1e-12)
    # Miller–Madow adds (bins − 1) / (2n)
    assert infomax.entropy(a, estimator="miller_madow") == pytest.approx(scipy_entropy(counts) + 4 / 6000, abs=1e-12)
    r = infomax.mutual_info(a, b, estimator="miller_madow", permutations=19)
    assert r.p_value == pytest.approx(1 / 20)
    # labels too large for a float keep their identity in the permutation test
    big = a.astype(np.int64) + 2**60  # one float for all five labels
    rb = infomax.mutual_info(big, b, estimator="miller_madow", permutations=19)
    assert rb.value == pytest.approx(r.value, abs=1e-12) and rb.p_value == r.p_value
    assert rb.null_mean == pytest.approx(r.null_mean, abs=1e-12)
    with pytest.raises(ValueError, match="integer labels"):
        infomax.mutual_info([0.5, 1.0], [1, 2], estimator="plugin")


def test_entropy_and_closed_forms():
    rng = np.random.default_rng(7)
    cov = np.array([[2.0, 0.3], [0.3, 1.0]])
    x = rng.multivariate_normal([0, 0], cov, size=20_000)
    exact = infomax.gaussian_entropy(cov)
    assert exact == pytest.approx(0.5 * np.log(np.linalg.det(2 * np.pi * np.e * cov)), abs=1e-12)
    assert abs(infomax.entropy(x) - exact) < 0.05
    assert infomax.gaussian_mi([[1.0, 0.8], [0.8, 1.0]], 1) == pytest.approx(-0.5 * math.log(0.36), abs=1e-12)


@pytest.mark.parametrize(
    "x, y, message",
    [
        ([[1.0, 2.0], [3.0]], [1.0, 2.0], "not a rectangular array"),
        ([1.0, np.nan, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], "NaN or infinite"),
        ([1.0, 2.0, 3.0, 4.0], [1.0, np.inf, 3.0, 4.0], "NaN or infinite"),
        (np.zeros((4, 2)), np.zeros(3), "different numbers of rows"),
        (np.zeros((4, 2, 2)), np.zeros(4), "3 dimensions"),
        (np.zeros((0, 2)), np.zeros((0, 1)), "empty"),
        (["a", "b"], [1.0, 2.0], "dtype"),
    ],
)
def test_bad_input_is_a_value_error_that_says_what_was_expected(x, y, message):
    with pytest.raises(ValueError, match=message):
        infomax.mutual_info(x, y)


def test_bad_parameters_are_value_errors():
    x, y = gaussian_pair(0.5, 10, 0)
    with pytest.raises(ValueError, match="1 <= k < n"):
        infomax.mutual_info(x, y, k=10)
    with pytest.raises(ValueError, match="1 <= k < n"):
        infomax.mutual_info(x, y, k=0)
    with pytest.raises(ValueError, match="expected one of"):
        infomax.mutual_info(x, y, estimator="mine")
    with pytest.raises(ValueError, match="n_jobs"):
        infomax.mutual_info(x, y, n_jobs=0)
    with pytest.raises(ValueError, match="permutations"):
        infomax.mutual_info(x, y, permutations=-1)
    # duplicates make a zero k-NN distance in the entropy estimator: an error, not -inf
    with pytest.raises(ValueError, match="duplicate"):
        infomax.entropy(np.zeros(10))


def test_conditional_mi_given_z():
    rng = np.random.default_rng(7)
    n = 4000
    x = rng.normal(size=n)
    z = x + 0.7 * rng.normal(size=n)
    # a chain X -> Z -> Y: dependent, but independent given Z
    y = z + 0.7 * rng.normal(size=n)
    chain = infomax.mutual_info(x, y, z=z, k=4)
    assert abs(chain.value) < 0.03 and infomax.mutual_info(x, y, k=4).value > 0.2
    assert chain.settings["conditional_on_z_columns"] == 1
    # a common cause X of Z and W: I(X; W | Z) = I(X; W, Z) - I(X; Z) from the covariance of (X, Z, W)
    w = x + 0.7 * rng.normal(size=n)
    cov = [[1.0, 1.0, 1.0], [1.0, 1.49, 1.0], [1.0, 1.0, 1.49]]
    truth = infomax.gaussian_mi(cov, 1) - infomax.gaussian_mi([[1.0, 1.0], [1.0, 1.49]], 1)
    est = infomax.mutual_info(x, w, z=z, k=4).value
    assert abs(est - truth) < 0.05, (est, truth)
    # symmetric in x and y; 2-D z accepted; the copula transform applies to z as well
    assert infomax.mutual_info(w, x, z=z, k=4).value == pytest.approx(est, abs=1e-12)
    assert abs(infomax.mutual_info(x, y, z=np.c_[z, rng.normal(size=n)], k=4).value) < 0.05
    assert abs(infomax.mutual_info(x, y, z=np.exp(z), k=4, copula=True).value) < 0.03


def test_conditional_mi_bad_input():
    x, y = gaussian_pair(0.5, 100, 0)
    with pytest.raises(ValueError, match="x and z"):
        infomax.mutual_info(x, y, z=x[:50])
    with pytest.raises(ValueError, match="estimator='ksg'"):
        infomax.mutual_info(x, y, z=x, estimator="gaussian")
    with pytest.raises(ValueError, match="without permutations"):
        infomax.mutual_info(x, y, z=x, permutations=10)
    with pytest.raises(ValueError, match="NaN"):
        infomax.mutual_info(x, y, z=np.where(np.arange(100) == 3, np.nan, x))


def test_confidence_interval():
    x, y = gaussian_pair(0.8, 4000, 3)
    truth = -0.5 * math.log(1 - 0.8**2)
    for est in ("ksg", "gaussian"):
        r = infomax.mutual_info(x, y, estimator=est, ci=0.95, seed=1)
        lo, hi = r.interval
        assert lo < r.value < hi and lo < truth < hi, (est, r)
        assert r.standard_error == pytest.approx((hi - lo) / (2 * 1.959964), rel=1e-6)
        assert r.value == infomax.mutual_info(x, y, estimator=est).value
        assert "95% interval" in repr(r)
    assert infomax.mutual_info(x, y, ci=0.95, seed=1).interval == infomax.mutual_info(x, y, ci=0.95, seed=1).interval
    for bad in (0, 1, 1.5, "0.9"):
        with pytest.raises(ValueError, match="ci"):
            infomax.mutual_info(x, y, ci=bad)
    # with z: the halves split x, y and z together; x -> z -> y, so the interval covers 0
    rng = np.random.default_rng(8)
    z = 0.8 * x + 0.6 * rng.normal(size=len(x))
    w = z + 0.5 * rng.normal(size=len(x))
    r = infomax.mutual_info(x, w, z=z, ci=0.95, seed=1)
    lo, hi = r.interval
    assert lo <= r.value <= hi and lo < 0 < hi, r
    assert r.value == infomax.mutual_info(x, w, z=z).value
    with pytest.raises(ValueError, match="ci="):
        infomax.mutual_info(x.astype(int), y.astype(int), estimator="plugin", ci=0.9)
    with pytest.raises(ValueError, match="halves"):
        infomax.mutual_info(x[:10], y[:10], k=5, ci=0.9)


def equicorrelated(m, r, n, seed):
    """X, Y of m columns each, every pair of the 2m coordinates correlated r; and the exact MI."""
    cov = (1 - r) * np.eye(2 * m) + r * np.ones((2 * m, 2 * m))
    xy = np.random.default_rng(seed).multivariate_normal(np.zeros(2 * m), cov, size=n)
    return xy[:, :m], xy[:, m:], infomax.gaussian_mi(cov, m)


def test_euclidean_norm_on_a_5x5_gaussian():
    x, y, truth = equicorrelated(5, 0.5, 5000, 12)
    for est in ("ksg", "ksg2"):
        mx = infomax.mutual_info(x, y, estimator=est)
        l2 = infomax.mutual_info(x, y, estimator=est, norm="euclidean")
        assert mx.settings["norm"] == "max" and l2.settings["norm"] == "euclidean" and "norm='euclidean'" in repr(l2)
        # both near the truth (KSG is biased low here by about 0.02 nats), and not the same estimator
        assert abs(mx.value - truth) < 0.06 and abs(l2.value - truth) < 0.06, (est, mx.value, l2.value, truth)
        assert abs(l2.value - mx.value) > 1e-6
        # symmetric in x and y
        assert infomax.mutual_info(y, x, estimator=est, norm="euclidean").value == pytest.approx(l2.value, abs=1e-12)
    # the permutation test and the interval estimate with the same norm (on 2,000 rows, for time)
    xs, ys = x[:2000], y[:2000]
    plain = infomax.mutual_info(xs, ys, norm="euclidean").value
    r = infomax.mutual_info(xs, ys, norm="euclidean", permutations=9, ci=0.9, seed=2)
    assert r.value == plain and r.p_value == pytest.approx(1 / 10) and r.interval[0] < plain < r.interval[1]
    assert infomax.mutual_info(xs, ys, norm="euclidean", ci=0.9, seed=2).value == plain
    assert infomax.mutual_info(xs, ys, ci=0.9, seed=2).value == infomax.mutual_info(xs, ys).value != plain


def test_norms_coincide_for_one_dimensional_variables():
    # the Euclidean norm of one coordinate is its absolute value: the same estimates, bit for bit
    x, y = gaussian_pair(0.6, 3000, 13)
    z = np.random.default_rng(14).normal(size=3000) + x
    for est in ("ksg", "ksg1", "ksg2"):
        assert infomax.mutual_info(x, y, estimator=est, norm="euclidean").value == infomax.mutual_info(x, y, estimator=est).value
    assert infomax.mutual_info(x, y, z=z, norm="euclidean").value == infomax.mutual_info(x, y, z=z).value
    assert infomax.entropy(x, norm="euclidean") == infomax.entropy(x)


def test_euclidean_norm_for_conditional_mi_and_entropy():
    rng = np.random.default_rng(15)
    n = 4000
    x = rng.normal(size=(n, 2))
    z = x + 0.7 * rng.normal(size=(n, 2))
    y = z + 0.7 * rng.normal(size=(n, 2))
    # a chain X -> Z -> Y in two dimensions: independent given Z under either norm
    for norm in ("max", "euclidean"):
        r = infomax.mutual_info(x, y, z=z, k=4, norm=norm)
        assert abs(r.value) < 0.05 and r.settings["norm"] == norm, (norm, r)
    assert infomax.mutual_info(x, y, z=z, k=4, norm="euclidean").value != infomax.mutual_info(x, y, z=z, k=4).value
    # Kozachenko–Leonenko with the Euclidean ball's volume (pi in 2-D) instead of the square's 4
    cov = np.array([[2.0, 0.3], [0.3, 1.0]])
    w = rng.multivariate_normal([0, 0], cov, size=20_000)
    assert abs(infomax.entropy(w, norm="euclidean") - infomax.gaussian_entropy(cov)) < 0.05


def test_bad_norm_is_a_value_error_naming_the_allowed_values():
    x, y = gaussian_pair(0.5, 100, 0)
    for bad in ("l2", "Euclidean", None, 2):
        with pytest.raises(ValueError, match="expected one of 'max', 'euclidean'"):
            infomax.mutual_info(x, y, norm=bad)
        with pytest.raises(ValueError, match="expected one of 'max', 'euclidean'"):
            infomax.entropy(x, norm=bad)
    # the norm is a k-NN setting: other estimators refuse anything but the default
    with pytest.raises(ValueError, match="k-NN estimators"):
        infomax.mutual_info(x, y, estimator="gaussian", norm="euclidean")
    with pytest.raises(ValueError, match="k-NN estimators"):
        infomax.mutual_info([0, 1, 1, 0], [1, 1, 0, 0], estimator="plugin", norm="euclidean")
    with pytest.raises(ValueError, match="k-NN estimators"):
        infomax.entropy([0, 1, 1], estimator="plugin", norm="euclidean")
    assert "norm" not in infomax.mutual_info(x, y, estimator="gaussian").settings
    # the extension checks the name too
    from infomax import _native

    with pytest.raises(ValueError, match='expected "max" or "euclidean"'):
        _native.continuous_mi(x.reshape(-1, 1), y.reshape(-1, 1), "ksg", 3, "l1", 0, 0, None)


def test_auto_reports_its_components_and_finds_t_dependence():
    from infomax import tasks
    name = "student-2x2-df1"
    x, y = tasks.sample(name, n=3000, seed=2)
    r = infomax.mutual_info(x, y, estimator="auto")
    assert r.estimator == "auto" and r.settings["chosen"] in ("copula-ksg", "copula-gaussian")
    comps = r.settings["components"]
    assert set(comps) == {"copula-ksg", "copula-gaussian"} and r.settings["permutations"] == 10
    assert r.value == max(c["null_corrected"] for c in comps.values())
    assert abs(r.value - tasks.true_mi(name)) < 0.1
    # the copula-Gaussian part sees no correlation here
    assert abs(comps["copula-gaussian"]["null_corrected"]) < 0.02
    for bad in (dict(ci=0.9), dict(z=x), dict(copula=True), dict(norm="euclidean"), dict(discrete="x")):
        with pytest.raises(ValueError):
            infomax.mutual_info(x, y, estimator="auto", **bad)


def test_discrete_x_matches_scikit_learns_mutual_info_classif():
    from sklearn.feature_selection import mutual_info_classif
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, size=4000)
    y = labels * 0.7 + rng.normal(size=4000)
    ours = infomax.mutual_info(labels, y, discrete="x").value
    theirs = mutual_info_classif(y.reshape(-1, 1), labels, n_neighbors=3, random_state=0)[0]
    # the same estimator; scikit-learn adds 1e-10-scale noise to y and scales without centring
    assert ours == pytest.approx(theirs, abs=2e-3)
    assert infomax.mutual_info(y, labels, discrete="y").value == pytest.approx(ours, abs=1e-12)
    r = infomax.mutual_info(labels, y, discrete="x", permutations=19)
    assert r.p_value == pytest.approx(0.05) and r.settings["discrete"] == "x"


def test_discrete_both_handles_point_masses():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 3, size=2000).astype(float)
    assert infomax.mutual_info(x, x, discrete="both").value == pytest.approx(math.log(3), abs=0.02)
    with pytest.raises(ValueError, match="integer codes"):
        infomax.mutual_info(x + 0.5, x, discrete="x")
    with pytest.raises(ValueError, match="expected one of"):
        infomax.mutual_info(x, x, discrete="z")
    with pytest.raises(ValueError):
        infomax.mutual_info(x, x, discrete="x", estimator="gaussian")
