"""scikit-learn's side of the probe benchmark: LogisticRegression(solver='saga') wall-clock time on the
problems of `crates/mi-probe/examples/probe_timing.rs` (same synthetic matrices, bit for bit), as
JSON lines: best wall-clock `seconds` and best CPU time of the fitting thread `cpu_seconds` (fairer
on a shared machine). Development only (CI has no scikit-learn); `cargo xtask bench` may call it.

    .venv/bin/python scripts/probe/bench_sklearn.py [--repeats 3] [--dims 100 392] [--tols 0.1 0.001]
"""
import argparse
import json
import pathlib
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import MinMaxScaler

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from synthetic import blobs  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dims", type=int, nargs="+", default=[100, 392])
    ap.add_argument("--tols", type=float, nargs="+", default=[0.1, 1e-3])
    a = ap.parse_args()
    for d in a.dims:
        x, y = blobs(70_000, d, 10, 1, -2, 0)
        s = MinMaxScaler().fit(x[:60_000])
        x_tr, x_te = s.transform(x[:60_000]), s.transform(x[60_000:])
        y_tr, y_te = y[:60_000], y[60_000:]
        for tol in a.tols:
            best, best_cpu, m = float("inf"), float("inf"), None
            for _ in range(a.repeats):
                t0, c0 = time.perf_counter(), time.thread_time()
                m = LogisticRegression(solver="saga", C=10.0, tol=tol, max_iter=100, random_state=0).fit(x_tr, y_tr)
                best = min(best, time.perf_counter() - t0)
                best_cpu = min(best_cpu, time.thread_time() - c0)
            print(json.dumps(dict(problem=f"blobs_60000x{d}", tol=tol, storage="f64", seconds=round(best, 4), cpu_seconds=round(best_cpu, 4),
                                  epochs=int(np.max(m.n_iter_)), test_accuracy=float(m.score(x_te, y_te)))), flush=True)


if __name__ == "__main__":
    main()
