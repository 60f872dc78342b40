"""The `infomax` Python package against scikit-learn, called from one Python process on the same
arrays: the rows `cargo xtask bench` adds for #25. Prints one JSON line per measurement.

* KSG, k = 3, N = 10,000, 1 + 1 dimensions (a Gaussian pair, rho = 0.6):
  `infomax.mutual_info` vs `sklearn.feature_selection.mutual_info_regression`; the median of
  `--repeats` interleaved calls each.
* The SAGA probe on the 60,000 x 392 MNIST top halves (pixels / 255, min-max scaled on train),
  C = 10, tol = 0.1, max_iter = 100: `infomax.probe.LogisticRegression` vs scikit-learn's
  `LogisticRegression(solver="saga")`, for seeds 0..`--seeds`-1 each, interleaved; time per fit and
  test accuracy (the seed only changes the sample order, so the spread over seeds is the probe's
  own noise).

    .venv/bin/python scripts/bench/python_api.py [--repeats 5] [--seeds 3]
"""
import argparse
import json
import pathlib
import statistics
import sys
import time
import warnings

import numpy as np
from sklearn.feature_selection import mutual_info_regression
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import MinMaxScaler as SkMinMaxScaler

import infomax
from infomax.probe import LogisticRegression, MinMaxScaler

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts/probe"))
from mnist_sklearn import idx  # noqa: E402  (the IDX reader of the probe's reference script)


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def ksg(repeats):
    rng = np.random.default_rng(0)
    x = rng.normal(size=10_000)
    y = 0.6 * x + 0.8 * rng.normal(size=10_000)
    xc = x.reshape(-1, 1)
    ours, theirs = [], []
    for r in range(repeats):
        ours.append(timed(lambda: infomax.mutual_info(x, y, k=3).value))
        theirs.append(timed(lambda: mutual_info_regression(xc, y, n_neighbors=3, random_state=r)[0]))
    print(json.dumps(dict(
        case="python ksg 1+1 N=10000 k=3",
        ours_seconds=statistics.median(t for t, _ in ours), theirs_seconds=statistics.median(t for t, _ in theirs),
        ours_mi_nats=ours[0][1], theirs_mi_nats=theirs[0][1], repeats=repeats,
    )), flush=True)


def probe(seeds):
    d = ROOT / "datasets/mnist"
    xs, ys = [], []
    for split in ("train", "t10k"):
        img = idx(d / f"{split}-images-idx3-ubyte").astype(np.float64) / 255.0
        xs.append(np.ascontiguousarray(img[:, :14, :].reshape(len(img), 392)))
        ys.append(idx(d / f"{split}-labels-idx1-ubyte").astype(np.int64))
    ours_scaler = MinMaxScaler().fit(xs[0])
    sk_scaler = SkMinMaxScaler().fit(xs[0])
    o_tr, o_te = ours_scaler.transform(xs[0]), ours_scaler.transform(xs[1])
    s_tr, s_te = sk_scaler.transform(xs[0]), sk_scaler.transform(xs[1])
    rows = {"ours": [], "theirs": []}
    for seed in range(seeds):
        t, m = timed(lambda: LogisticRegression(C=10.0, tol=0.1, max_iter=100, random_state=seed).fit(o_tr, ys[0]))
        rows["ours"].append((t, m.score(o_te, ys[1]), int(m.n_iter_[0])))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t, m = timed(lambda: SkLogisticRegression(solver="saga", C=10.0, tol=0.1, max_iter=100, random_state=seed).fit(s_tr, ys[0]))
        rows["theirs"].append((t, m.score(s_te, ys[1]), int(np.max(m.n_iter_))))
    acc = {k: [a for _, a, _ in v] for k, v in rows.items()}
    print(json.dumps(dict(
        case="python probe MNIST top halves 60000x392 C=10 tol=0.1",
        ours_seconds=statistics.median(t for t, _, _ in rows["ours"]), theirs_seconds=statistics.median(t for t, _, _ in rows["theirs"]),
        ours_test_accuracy=statistics.mean(acc["ours"]), theirs_test_accuracy=statistics.mean(acc["theirs"]),
        ours_accuracy_by_seed=acc["ours"], theirs_accuracy_by_seed=acc["theirs"],
        ours_epochs=[e for _, _, e in rows["ours"]], theirs_epochs=[e for _, _, e in rows["theirs"]], seeds=seeds,
    )), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=3)
    a = ap.parse_args()
    ksg(a.repeats)
    probe(a.seeds)


if __name__ == "__main__":
    main()
