"""`mutual_info` and `entropy`: the estimators of the Rust crate `mi-estimators` on NumPy arrays."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from . import _native
from ._arrays import as_float_matrix, as_labels, check_n_jobs, same_rows

CONTINUOUS = ("ksg", "ksg1", "ksg2", "gaussian")
KNN = ("ksg", "ksg1", "ksg2")
NORMS = ("max", "euclidean")
DISCRETE = ("plugin", "miller_madow")
ESTIMATORS = CONTINUOUS + DISCRETE + ("auto",)
SIDES = ("x", "y", "both")
AUTO_PERMUTATIONS = 10


@dataclass(frozen=True)
class MIResult:
    """An estimate of I(X; Y) with what produced it.

    `value` is in nats (`value_bits` in bits). With `permutations` > 0, `p_value` is the
    permutation p-value of "I = 0", `null_mean` the mean estimate on shuffled data (the
    estimator's bias at these margins and N) and `null_corrected` the estimate minus it. With
    `ci`, `interval` is (lower, upper) in nats at level `ci_level` and `standard_error` its
    standard error (random splits into disjoint halves; it covers sampling noise, not bias).
    """

    value: float
    estimator: str
    n_samples: int
    settings: dict = field(default_factory=dict)
    p_value: Optional[float] = None
    null_mean: Optional[float] = None
    null_corrected: Optional[float] = None
    permutations: int = 0
    interval: Optional[tuple] = None
    ci_level: Optional[float] = None
    standard_error: Optional[float] = None

    @property
    def value_nats(self) -> float:
        return self.value

    @property
    def value_bits(self) -> float:
        return self.value / math.log(2.0)

    def __float__(self) -> float:
        return float(self.value)

    def __repr__(self) -> str:
        parts = [f"{self.value:.4f} nats ({self.value_bits:.4f} bits)", f"estimator={self.estimator!r}", f"n={self.n_samples}"]
        parts += [f"{k}={v!r}" for k, v in self.settings.items()]
        if self.interval is not None:
            parts.append(f"{self.ci_level:.0%} interval [{self.interval[0]:.4f}, {self.interval[1]:.4f}] nats")
        if self.p_value is not None:
            parts.append(f"p={self.p_value:.4g} over {self.permutations} permutations, null-corrected {self.null_corrected:.4f} nats")
        return "MIResult(" + ", ".join(parts) + ")"


def mutual_info(x, y, *, z=None, estimator: str = "ksg", k: int = 3, norm: str = "max", copula: bool = False, discrete: Optional[str] = None, permutations: int = 0, ci: Optional[float] = None, seed: int = 0, n_jobs: Optional[int] = None) -> MIResult:
    """Estimate the mutual information I(X; Y) in nats, or I(X; Y | Z) given ``z``.

    x, y: 1-D (one variable) or 2-D (rows = samples) arrays with the same number of rows; float32,
    float64, integer or boolean, C or Fortran order.

    estimator:
      - ``"ksg"`` / ``"ksg1"``: Kraskov–Stögbauer–Grassberger algorithm 1 (max-norm, columns
        standardised first), ``"ksg2"``: algorithm 2; ``k`` neighbours (1 <= k < n).
      - ``"gaussian"``: the MI of a Gaussian with the sample covariance (exact for Gaussian data,
        biased otherwise; with ``copula=True`` the Gaussian-copula estimate).
      - ``"plugin"``, ``"miller_madow"``: discrete data (integer labels, 1-D x and y).
      - ``"auto"``: when you do not know which suits the data — the larger of the null-corrected
        copula-KSG and copula-Gaussian estimates (``permutations`` shuffles each, default 10); a
        rule fixed before it was benchmarked (docs/estimator-bench.md: on the 40-task suite,
        mean |log(estimate/truth)| 0.15, 33 of 40 within a factor 1.5). ``settings["chosen"]``
        names the component that gave the value, ``settings["components"]`` holds both.

    discrete: with ``estimator="ksg"``: ``"x"`` (x holds integer category codes, y is continuous:
    Ross's k-NN estimator, as scikit-learn's ``mutual_info_classif``), ``"y"`` (the other way
    round) or ``"both"`` (either variable may mix point masses and continuous values: Gao et al.'s
    mixed KSG). A multi-column categorical variable has the distinct rows as categories.

    norm: the distance of the k-NN estimators (ksg, ksg1, ksg2, and with ``z``) within each of x, y
    (and z): ``"max"`` (the original KSG, the default) or ``"euclidean"`` ("per-marginal
    Euclidean": neighbourhoods are balls in each variable's space; the joint distance is the max
    of the per-variable ones either way). The two coincide for 1-D variables; with several columns
    per variable the Euclidean one is usually less biased. Recorded in ``settings["norm"]``.

    z: 1-D or 2-D array with the same rows: estimate the conditional MI I(X; Y | Z) instead, by the
    Frenzel–Pompe k-NN estimator (``estimator="ksg"`` only; no permutation test, since shuffling y
    would also break its dependence on z).

    copula: replace every column by the normal scores of its ranks first (MI is unchanged by
    monotone maps of each variable; k-NN and Gaussian estimators do better on normal margins).

    permutations: if > 0, also run the estimator on that many row shuffles of y (seeded by
    ``seed``) for a permutation p-value of "I = 0" and a null-corrected estimate.

    ci: a level such as 0.95 for a confidence interval (continuous estimators; with ``z``, the
    halves split x, y and z together): from 25
    random splits of the rows into disjoint halves (seeded by ``seed``), whose estimates give the
    standard error (no bootstrap: duplicated rows are zero-distance neighbours for k-NN
    estimators). It covers the estimator's sampling noise, not its bias; on the suite's Gaussian
    tasks it covers the truth at about its level for the Gaussian estimator and somewhat less
    for KSG (results/intervals).

    n_jobs: threads for the k-NN search (None or -1: every core).

    >>> import numpy as np, infomax
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=5000); y = 0.8 * x + 0.6 * rng.normal(size=5000)
    >>> r = infomax.mutual_info(x, y)
    >>> abs(r.value - 0.5108) < 0.05   # exact: -log(1 - 0.8**2) / 2
    True
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator {estimator!r}: expected one of {', '.join(ESTIMATORS)}")
    _check_norm(norm, estimator in KNN)
    if not isinstance(permutations, (int, np.integer)) or permutations < 0:
        raise ValueError(f"permutations = {permutations!r}: expected an integer >= 0")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed = {seed!r}: expected an integer >= 0")
    check_n_jobs(n_jobs)
    if estimator == "auto" or discrete is not None:
        return _auto_or_mixed(x, y, z, estimator, k, norm, copula, discrete, permutations, ci, seed, n_jobs)
    if estimator in DISCRETE:
        if ci is not None:
            raise ValueError("ci= is for the continuous estimators (ksg, ksg1, ksg2, gaussian; with z=, ksg), not the discrete ones: use permutations= for a test")
        if copula:
            raise ValueError("copula=True applies to continuous estimators only; the discrete estimators are rank-free already")
        xl, yl = as_labels(x, "x"), as_labels(y, "y")
        same_rows(xl, yl, "x and y")
        value, test = _native.discrete_mi(xl, yl, estimator == "miller_madow", int(permutations), int(seed))
        return _result(value, test, estimator, len(xl), {}, permutations)
    if ci is not None:
        if not isinstance(ci, (float, int, np.floating)) or not 0 < ci < 1:
            raise ValueError(f"ci = {ci!r}: expected a level strictly between 0 and 1, e.g. 0.95")
    if z is not None and (estimator not in ("ksg", "ksg1") or permutations):
        raise ValueError(
            f"z= (conditional MI) is estimated by estimator='ksg' (Frenzel–Pompe) without permutations; got estimator={estimator!r}, permutations={permutations}"
        )
    xm, ym = as_float_matrix(x, "x"), as_float_matrix(y, "y")
    same_rows(xm, ym, "x and y")
    n = xm.shape[0]
    settings = {}
    if estimator != "gaussian":
        if not isinstance(k, (int, np.integer)) or k < 1 or k >= n:
            raise ValueError(f"k = {k!r} with {n} samples: expected an integer with 1 <= k < n")
        settings["k"] = int(k)
        settings["norm"] = norm
    elif n < 3:
        raise ValueError(f"{n} samples: the Gaussian estimate needs at least 3")
    if copula:
        xm, ym = _native.copula_normal_scores(xm), _native.copula_normal_scores(ym)
        settings["copula"] = True
    if z is not None:
        zm = as_float_matrix(z, "z")
        same_rows(xm, zm, "x and z")
        if copula:
            zm = _native.copula_normal_scores(zm)
        settings["conditional_on_z_columns"] = int(zm.shape[1])
        if ci is None:
            return _result(_native.conditional_mi(xm, ym, zm, int(k), norm, n_jobs), None, estimator, n, settings, 0)
        _check_ci_k(k, n)
        est, lower, upper, se, _, _ = _native.conditional_mi_interval(xm, ym, zm, int(k), norm, float(ci), int(seed), n_jobs)
        return MIResult(value=est, estimator=estimator, n_samples=n, settings=settings, interval=(lower, upper), ci_level=float(ci), standard_error=se)
    if ci is not None and estimator != "gaussian":
        _check_ci_k(k, n)
    if ci is None or permutations:
        value, test = _native.continuous_mi(xm, ym, estimator, int(k), norm, int(permutations), int(seed), n_jobs)
    if ci is None:
        return _result(value, test, estimator, n, settings, permutations)
    # the interval's own estimate is the estimate on all rows: no second run without permutations
    est, lower, upper, se, _, _ = _native.continuous_mi_interval(xm, ym, estimator, int(k), norm, float(ci), int(seed), n_jobs)
    r = _result(value, test, estimator, n, settings, permutations) if permutations else _result(est, None, estimator, n, settings, 0)
    return MIResult(**{**r.__dict__, "interval": (lower, upper), "ci_level": float(ci), "standard_error": se})


def _auto_or_mixed(x, y, z, estimator, k, norm, copula, discrete, permutations, ci, seed, n_jobs) -> MIResult:
    """estimator="auto", or estimator="ksg" with discrete=: neither takes z=, ci= or a norm."""
    what = "estimator='auto'" if estimator == "auto" else f"discrete={discrete!r}"
    if z is not None or ci is not None or norm != "max":
        raise ValueError(f"{what} takes neither z=, ci= nor norm= (auto's rule and the mixed estimators use the max-norm); drop them")
    if estimator == "auto" and (discrete is not None or copula):
        raise ValueError("estimator='auto' works on the copula already and is for continuous data; drop copula= and discrete=")
    if discrete is not None and (estimator not in ("ksg", "ksg1") or copula or discrete not in SIDES):
        raise ValueError(f"discrete={discrete!r}: expected one of {', '.join(repr(s) for s in SIDES)}, with estimator='ksg' and without copula=")
    xm, ym = as_float_matrix(x, "x"), as_float_matrix(y, "y")
    same_rows(xm, ym, "x and y")
    n = xm.shape[0]
    if not isinstance(k, (int, np.integer)) or k < 1 or k >= n:
        raise ValueError(f"k = {k!r} with {n} samples: expected an integer with 1 <= k < n")
    if estimator == "auto":
        shuffles = int(permutations) or AUTO_PERMUTATIONS
        value, chosen, parts = _native.auto_estimate(xm, ym, int(k), shuffles, int(seed), n_jobs)
        components = {name: {"estimate": est, "null_mean": null, "null_corrected": corrected, "p_value": p} for (name, est, null, corrected, p) in parts}
        settings = {"k": int(k), "permutations": shuffles, "chosen": chosen, "components": components}
        return MIResult(value=value, estimator="auto", n_samples=n, settings=settings)
    value, test = _native.mixed_mi(xm, ym, discrete, int(k), int(permutations), int(seed), n_jobs)
    return _result(value, test, estimator, n, {"k": int(k), "discrete": discrete}, permutations)


def _check_ci_k(k, n) -> None:
    if 2 * int(k) >= n:
        raise ValueError(f"k = {k} with {n} samples: ci= estimates on halves of {n // 2} rows, which need k < {n // 2}")


def _check_norm(norm, knn: bool) -> None:
    """A norm is one of NORMS, and other than the default only for a k-NN estimator."""
    if not isinstance(norm, str) or norm not in NORMS:
        raise ValueError(f"norm {norm!r}: expected one of {', '.join(repr(v) for v in NORMS)}")
    if norm != "max" and not knn:
        raise ValueError(f"norm={norm!r} applies to the k-NN estimators only ({', '.join(KNN)}, and 'kl' for entropy)")


def _result(value, test, estimator, n, settings, permutations) -> MIResult:
    if test is None:
        return MIResult(value=value, estimator=estimator, n_samples=n, settings=settings)
    p, null_mean, corrected = test
    return MIResult(value=value, estimator=estimator, n_samples=n, settings=settings, p_value=p, null_mean=null_mean, null_corrected=corrected, permutations=int(permutations))


def entropy(x, *, estimator: str = "kl", k: int = 3, norm: str = "max", n_jobs: Optional[int] = None) -> float:
    """Entropy in nats.

    estimator ``"kl"``: Kozachenko–Leonenko differential entropy (in the data's own units; duplicate
    rows are an error) with neighbour distances under ``norm``, ``"max"`` (the default) or
    ``"euclidean"``; ``"plugin"`` / ``"miller_madow"``: integer labels.

    >>> import numpy as np, infomax
    >>> x = np.random.default_rng(1).normal(size=20000)
    >>> abs(infomax.entropy(x) - 1.4189) < 0.03   # 0.5 * log(2 pi e)
    True
    """
    check_n_jobs(n_jobs)
    _check_norm(norm, estimator == "kl")
    if estimator in DISCRETE:
        return _native.discrete_entropy(as_labels(x, "x"), estimator == "miller_madow")
    if estimator != "kl":
        raise ValueError(f"estimator {estimator!r}: expected 'kl', 'plugin' or 'miller_madow'")
    xm = as_float_matrix(x, "x")
    if not isinstance(k, (int, np.integer)) or k < 1 or k >= xm.shape[0]:
        raise ValueError(f"k = {k!r} with {xm.shape[0]} samples: expected an integer with 1 <= k < n")
    return _native.kl_entropy(xm, int(k), norm, n_jobs)


def gaussian_mi(cov, dx: int) -> float:
    """The exact I(X; Y) in nats of a Gaussian with covariance `cov`, X its first `dx` coordinates.

    >>> import infomax
    >>> round(infomax.gaussian_mi([[1.0, 0.8], [0.8, 1.0]], 1), 6)
    0.510826
    """
    c = as_float_matrix(cov, "cov")
    return _native.gaussian_mi_from_cov(c, int(dx))


def gaussian_entropy(cov) -> float:
    """The exact differential entropy in nats of a Gaussian with covariance `cov`."""
    return _native.gaussian_entropy_from_cov(as_float_matrix(cov, "cov"))
