"""The paper's probe reference point on MNIST, with scikit-learn: top-half pixels (rows 0–13, 392
features, scaled to [0, 1]) plus N(0, 0.05²) noise, min-max scaled on train, LogisticRegression
(solver='saga', C=10, max_iter=100, random_state=0) at tol 0.1 and 1e-3.

Writes the exact noisy features it used as .npy files (for `infomax probe` to run on the same
input) and prints one JSON line per tolerance.

    cargo xtask data mnist        # datasets/mnist/*-ubyte
    .venv/bin/python scripts/probe/mnist_sklearn.py [--out /tmp/mnist_probe] [--seed 0]
    infomax probe --train-x /tmp/mnist_probe/train_x.npy --train-y /tmp/mnist_probe/train_y.npy \
        --test-x /tmp/mnist_probe/test_x.npy --test-y /tmp/mnist_probe/test_y.npy --json
"""
import argparse
import json
import pathlib
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import MinMaxScaler

ROOT = pathlib.Path(__file__).resolve().parents[2]


def idx(path):
    raw = path.read_bytes()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/mnist_probe")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tols", type=float, nargs="+", default=[0.1, 1e-3])
    a = ap.parse_args()
    d = ROOT / "datasets/mnist"
    rng = np.random.RandomState(a.seed)
    xs, ys = [], []
    for split in ("train", "t10k"):
        img = idx(d / f"{split}-images-idx3-ubyte").astype(np.float64) / 255.0
        top = img[:, :14, :].reshape(len(img), 392)
        xs.append(top + rng.normal(0.0, 0.05, size=top.shape))
        ys.append(idx(d / f"{split}-labels-idx1-ubyte").astype(np.int64))
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, arr in zip(("train_x", "test_x", "train_y", "test_y"), xs + ys):
        np.save(out / f"{name}.npy", arr)
    s = MinMaxScaler().fit(xs[0])
    x_tr, x_te = s.transform(xs[0]), s.transform(xs[1])
    for tol in a.tols:
        t0, c0 = time.perf_counter(), time.thread_time()
        m = LogisticRegression(solver="saga", C=10.0, tol=tol, max_iter=100, random_state=0).fit(x_tr, ys[0])
        sec, cpu = time.perf_counter() - t0, time.thread_time() - c0
        print(json.dumps(dict(problem="mnist_top_half_noise0.05", tol=tol, seconds=round(sec, 3), cpu_seconds=round(cpu, 3), epochs=int(np.max(m.n_iter_)),
                              train_accuracy=float(m.score(x_tr, ys[0])), test_accuracy=float(m.score(x_te, ys[1])))), flush=True)


if __name__ == "__main__":
    main()
