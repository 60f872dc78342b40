"""Records scikit-learn's SAGA logistic regression on a synthetic dataset into the golden fixture
read by `crates/mi-probe/tests/sklearn_golden.rs` (CI has no scikit-learn: only the fixture).

    .venv/bin/python scripts/probe/make_golden.py   # writes crates/mi-probe/tests/fixtures/sklearn_saga.json

The data are not stored: `synthetic.blobs` is bit-identical to `mi_probe::synthetic::blobs`.
"""
import json
import pathlib
import sys

import numpy as np
import scipy
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model._base import make_dataset
from sklearn.preprocessing import MinMaxScaler

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from synthetic import blobs  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "crates/mi-probe/tests/fixtures/sklearn_saga.json"

GEN = dict(n=5000, d=50, classes=10, seed=7, mean_log2=-2, noise_log2=0)
N_TRAIN = 3000
C = 10.0
RANDOM_STATE = 0


def objective(coef, intercept, x, y, c, binary):
    """C * sum(cross-entropy) + 0.5 * ||W||^2, intercept unpenalised (float64)."""
    z = x @ coef.T + intercept
    if binary:
        zz = z[:, 0]
        loss = np.logaddexp(0.0, zz) - y * zz
    else:
        m = z.max(axis=1, keepdims=True)
        lse = (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]
        loss = lse - z[np.arange(len(y)), y]
    return float(c * loss.sum() + 0.5 * (coef**2).sum())


def run(x_tr, y_tr, x_te, y_te, solver, tol, max_iter, binary):
    m = LogisticRegression(solver=solver, C=C, tol=tol, max_iter=max_iter, random_state=RANDOM_STATE)
    m.fit(x_tr, y_tr)
    return dict(
        solver=solver,
        tol=tol,
        max_iter=max_iter,
        epochs=int(np.max(m.n_iter_)),
        train_accuracy=float(m.score(x_tr, y_tr)),
        test_accuracy=float(m.score(x_te, y_te)),
        coef=m.coef_.tolist(),
        intercept=m.intercept_.tolist(),
        objective=objective(m.coef_, m.intercept_, x_tr, y_tr, C, binary),
    )


def main():
    x, y = blobs(GEN["n"], GEN["d"], GEN["classes"], GEN["seed"], GEN["mean_log2"], GEN["noise_log2"])
    scaler = MinMaxScaler().fit(x[:N_TRAIN])
    x_tr, x_te = scaler.transform(x[:N_TRAIN]), scaler.transform(x[N_TRAIN:])
    y_tr, y_te = y[:N_TRAIN], y[N_TRAIN:]

    multinomial = [run(x_tr, y_tr, x_te, y_te, "saga", tol, 100, False) for tol in (0.1, 1e-3)]
    reference = run(x_tr, y_tr, x_te, y_te, "lbfgs", 1e-10, 10000, False)
    yb_tr, yb_te = (y_tr >= 5).astype(np.int64), (y_te >= 5).astype(np.int64)
    binary = [run(x_tr, yb_tr, x_te, yb_te, "saga", 1e-3, 100, True)]

    ds, _ = make_dataset(x_tr, y_tr.astype(np.float64), np.ones(N_TRAIN), RANDOM_STATE)
    first_indices = [int(ds._random_py()[3]) for _ in range(20)]
    seeds = {str(rs): int(np.random.RandomState(rs).randint(1, np.iinfo(np.int32).max)) for rs in (0, 1, 42, 12345, 2**32 - 1)}

    out = dict(
        note="written by scripts/probe/make_golden.py; data from scripts/probe/synthetic.py (= mi_probe::synthetic::blobs)",
        sklearn_version=sklearn.__version__,
        numpy_version=np.__version__,
        scipy_version=scipy.__version__,
        generator=GEN,
        n_train=N_TRAIN,
        c=C,
        random_state=RANDOM_STATE,
        scaled_train_sum=float(x_tr.sum()),
        scaled_test_sum=float(x_te.sum()),
        scaled_train_row0=x_tr[0].tolist(),
        dataset_seeds=seeds,
        first_sample_indices=first_indices,
        multinomial=multinomial,
        lbfgs_reference=reference,
        binary=binary,
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    for r in multinomial + [reference] + binary:
        print(r["solver"], r["tol"], "epochs", r["epochs"], "train", r["train_accuracy"], "test", r["test_accuracy"], "objective", r["objective"])
    print("wrote", OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
