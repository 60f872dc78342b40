"""infomax: mutual-information estimators, a ground-truth task suite and a SAGA linear probe,
written in Rust (the `infomax` workspace) and used here on NumPy arrays without copying them
where their layout allows.

>>> import numpy as np, infomax
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(2000, 2)); y = x + rng.normal(size=(2000, 2))
>>> r = infomax.mutual_info(x, y, permutations=19, seed=1)
>>> r.p_value
0.05

Modules: `infomax.tasks` (the ground-truth suite), `infomax.probe` (LogisticRegression and
MinMaxScaler, scikit-learn compatible).
"""
from . import probe, tasks
from ._estimate import ESTIMATORS, MIResult, entropy, gaussian_entropy, gaussian_mi, mutual_info
from ._native import __version__

__all__ = ["mutual_info", "entropy", "gaussian_mi", "gaussian_entropy", "MIResult", "ESTIMATORS", "tasks", "probe", "__version__"]
