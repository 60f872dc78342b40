"""Synthetic blobs, bit-identical to `mi_probe::synthetic::blobs` in Rust.

Counter-based splitmix64 hashing, dyadic arithmetic only (every value is exact in float64), so
NumPy and Rust produce the same matrix bit for bit.
"""
import numpy as np

M64 = (1 << 64) - 1
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
STREAM = 0xD1B54A32D192ED03
LABELS, MEANS, NOISE = 1, 2, 3


def mix(z):
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def key(seed, stream):
    return int(mix(np.uint64((seed ^ ((stream * STREAM) & M64)) & M64)))


def values(k, idx):
    idx = np.asarray(idx, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return mix(np.uint64(k) + (idx + np.uint64(1)) * GOLDEN)


def uniform21(v):
    return (v >> np.uint64(43)).astype(np.float64) * 2.0**-21


def blobs(n, d, classes, seed, mean_log2=-1, noise_log2=0):
    """(x [n, d] float64, y [n] int64): class means uniform in [-1, 1]^d times 2^mean_log2, plus
    noise = (sum of 4 uniforms - 2) times 2^noise_log2."""
    y = (values(key(seed, LABELS), np.arange(n)) % np.uint64(classes)).astype(np.int64)
    mu = uniform21(values(key(seed, MEANS), np.arange(classes * d))) * 2.0 - 1.0
    mu = mu.reshape(classes, d)
    u = uniform21(values(key(seed, NOISE), np.arange(n * d * 4))).reshape(n, d, 4)
    e = ((u[..., 0] + u[..., 1]) + (u[..., 2] + u[..., 3])) - 2.0
    x = mu[y] * 2.0**mean_log2 + e * 2.0**noise_log2
    return x, y
