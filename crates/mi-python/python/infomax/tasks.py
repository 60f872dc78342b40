"""Ground-truth tasks: seeded samplers of (X, Y) whose mutual information is known exactly.

`list()` gives the 40 tasks of the estimator benchmark (modelled on the "Beyond Normal" suite of
Czyż et al. 2023): Gaussians with dense and sparse interactions, Student-t, additive uniform
noise, under MI-preserving maps (normal CDF, half-cube, asinh, bimodal and wiggly margins, a
spiral, a Swiss-roll embedding); `list("reproduce")` the 15 tasks of `reproduce estimators`.
Each task's truth is its base distribution's closed form. Benchmark your own estimator in three
lines:

>>> import infomax.tasks as tasks
>>> x, y = tasks.sample("gauss-1x1-rho0.75+cube", n=5000, seed=0)
>>> round(tasks.true_mi("gauss-1x1-rho0.75+cube"), 4)
0.4133
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

from . import _native


@dataclass(frozen=True)
class Task:
    """One task of the suite: its id, the dimensions of X and Y, and I(X; Y) in nats."""

    id: str
    dim_x: int
    dim_y: int
    true_mi: float

    def sample(self, n: int, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
        return sample(self.id, n, seed)


SUITES = ("bench", "reproduce", "all")


def list(suite: str = "bench") -> List[Task]:  # noqa: A001 - the natural name in this namespace
    """Every task of a list, in its fixed order: "bench" (the 40-task benchmark, the default),
    "reproduce" (the 15 tasks of `reproduce estimators`) or "all"."""
    if suite not in SUITES:
        raise ValueError(f"suite {suite!r}: expected one of {', '.join(repr(s) for s in SUITES)}")
    return [Task(id=i, dim_x=dx, dim_y=dy, true_mi=mi) for (i, dx, dy, mi) in _native.task_list(suite)]


def ids(suite: str = "bench") -> List[str]:
    """The ids of every task of a list."""
    return [t.id for t in list(suite)]


def _find(name: str) -> Task:
    for t in list("all"):
        if t.id == name:
            return t
    raise ValueError(f"task {name!r} is not a known task; expected one of {', '.join(ids('all'))}")


def true_mi(name: str) -> float:
    """The exact I(X; Y) of a task, in nats."""
    return _find(name).true_mi


def sample(name: str, n: int, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """n samples (X of shape n x dim_x, Y of shape n x dim_y), a deterministic function of seed."""
    _find(name)
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n = {n!r}: expected a number of samples >= 1")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed = {seed!r}: expected an integer >= 0")
    return _native.task_sample(name, int(n), int(seed))
