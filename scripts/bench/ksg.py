"""Python side of the KSG benchmark (`cargo xtask bench`): writes the benchmark data as .npy, then
times scikit-learn's `mutual_info_regression` (1+1 dimensions) and a scipy-cKDTree KSG (algorithm 1,
max-norm, strict inequality; the usual Python implementation) on it. Prints JSON lines.

    .venv/bin/python scripts/bench/ksg.py OUT_DIR [--repeats 3]
"""
import argparse
import json
import pathlib
import time

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_regression

N, K = 10_000, 3


def cases(rng):
    # 1+1: bivariate Gaussian, rho = 0.75 (true MI 0.413339 nats)
    c = np.array([[1.0, 0.75], [0.75, 1.0]])
    z = rng.multivariate_normal(np.zeros(2), c, size=N)
    yield "ksg_1+1", z[:, :1], z[:, 1:], -0.5 * np.log(1 - 0.75**2)
    # 5+5: equicorrelated block, r = 0.5 (true MI log 6 - 0.5 log 11 = 0.5928 nats)
    c = np.full((10, 10), 0.5) + 0.5 * np.eye(10)
    z = rng.multivariate_normal(np.zeros(10), c, size=N)
    yield "ksg_5+5", z[:, :5], z[:, 5:], np.log(6) - 0.5 * np.log(11)


def standardize(a):
    return (a - a.mean(axis=0)) / a.std(axis=0)


def ksg_scipy(x, y, k=K):
    x, y = standardize(x), standardize(y)
    xy = np.hstack([x, y])
    # distance to the k-th neighbour in the joint space (max-norm), excluding the point itself
    eps = cKDTree(xy).query(xy, k=k + 1, p=np.inf)[0][:, -1]
    # points strictly closer than eps in each marginal, excluding the point itself
    r = np.nextafter(eps, 0)
    nx = cKDTree(x).query_ball_point(x, r, p=np.inf, return_length=True) - 1
    ny = cKDTree(y).query_ball_point(y, r, p=np.inf, return_length=True) - 1
    return digamma(k) + digamma(len(x)) - np.mean(digamma(nx + 1) + digamma(ny + 1))


def best(f, repeats):
    times, value = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - t)
    return min(times), float(value)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=pathlib.Path)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name, x, y, true in cases(rng):
        np.save(a.out / f"{name}_x.npy", x)
        np.save(a.out / f"{name}_y.npy", y)
        secs, v = best(lambda: ksg_scipy(x, y), a.repeats)
        print(json.dumps({"case": name, "tool": "scipy-ckdtree-ksg", "seconds": secs, "mi_nats": v, "true_mi_nats": true}))
        if x.shape[1] == 1:
            secs, v = best(lambda: mutual_info_regression(x, y.ravel(), n_neighbors=K, random_state=0)[0], a.repeats)
            print(json.dumps({"case": name, "tool": "sklearn-mutual_info_regression", "seconds": secs, "mi_nats": v, "true_mi_nats": true}))


if __name__ == "__main__":
    main()
