"""Input checking shared by the estimators and the probe: NumPy arrays in, clear ValueErrors out."""
from __future__ import annotations

import numpy as np


def as_float_matrix(a, name: str, *, allow_float32: bool = False, finite_checked: bool = False) -> np.ndarray:
    """`a` as a 2-D float array (a 1-D array becomes one column).

    float64 input (C or Fortran order) is passed through without a copy; float32 too where the
    caller can use it (`allow_float32`); integers and booleans are converted to float64.
    `finite_checked`: the caller has already refused NaN and infinities (scikit-learn's
    `validate_data` does), so the pass over every value is not repeated.
    """
    try:
        arr = np.asarray(a)
    except ValueError as e:  # a ragged nested list
        raise ValueError(f"{name} is not a rectangular array ({e}); expected a 1-D or 2-D array of numbers") from None
    if arr.dtype == object:
        raise ValueError(f"{name} is not a rectangular array of numbers (dtype object); expected a 1-D or 2-D numeric array")
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    elif arr.ndim != 2:
        raise ValueError(f"{name} has {arr.ndim} dimensions (shape {arr.shape}); expected a 1-D array (one variable) or a 2-D array (rows = samples)")
    if arr.dtype.kind in "iub":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind == "f":
        if not (allow_float32 and arr.dtype == np.float32) and arr.dtype != np.float64:
            arr = arr.astype(np.float64)
    else:
        raise ValueError(f"{name} has dtype {arr.dtype}; expected floats, integers or booleans")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); expected at least one row and one column")
    if not finite_checked and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} contains NaN or infinite values (first at row {bad[0]}, column {bad[1]}); expected finite numbers")
    return arr


def as_labels(a, name: str) -> np.ndarray:
    """`a` as a 1-D int64 array of labels (integers, or floats that are whole numbers)."""
    try:
        arr = np.asarray(a)
    except ValueError as e:
        raise ValueError(f"{name} is not a rectangular array ({e}); expected a 1-D array of integer labels") from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} has shape {arr.shape}; expected a 1-D array of integer labels")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; expected at least one label")
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or not (arr == np.round(arr)).all():
            raise ValueError(f"{name} holds non-integer values; expected integer labels (discrete data)")
        return arr.astype(np.int64)
    raise ValueError(f"{name} has dtype {arr.dtype}; expected integer labels")


def same_rows(x: np.ndarray, y: np.ndarray, names: str) -> None:
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{names} have different numbers of rows ({x.shape[0]} and {y.shape[0]}); expected one row per sample in both")


def check_n_jobs(n_jobs) -> None:
    if n_jobs is not None and (not isinstance(n_jobs, (int, np.integer)) or (n_jobs < 1 and n_jobs != -1)):
        raise ValueError(f"n_jobs = {n_jobs!r}: expected None, -1 (every core) or a number of threads >= 1")
