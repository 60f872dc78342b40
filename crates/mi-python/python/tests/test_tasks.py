"""infomax.tasks: the ground-truth suite from Python."""
import numpy as np
import pytest

import infomax
from infomax import tasks


def test_the_suite_lists_tasks_with_their_truth_and_samples_deterministically():
    all_tasks = tasks.list()
    assert len(all_tasks) == 15 and len(set(tasks.ids())) == 15
    t = all_tasks[0]
    assert t.id == "gauss-1x1-rho0.75" and (t.dim_x, t.dim_y) == (1, 1)
    assert tasks.true_mi(t.id) == pytest.approx(-0.5 * np.log(1 - 0.75**2), abs=1e-12)
    x, y = tasks.sample("equicorr-5x5-r0.5", n=100, seed=3)
    assert x.shape == (100, 5) and y.shape == (100, 5)
    x2, y2 = tasks.sample("equicorr-5x5-r0.5", n=100, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(x, tasks.sample("equicorr-5x5-r0.5", n=100, seed=4)[0])


def test_benchmarking_an_estimator_in_three_lines():
    name = "gauss-1x1-rho0.75+cube"
    x, y = tasks.sample(name, n=5000, seed=0)
    est = infomax.mutual_info(x, y, copula=True).value
    assert abs(est - tasks.true_mi(name)) < 0.05


def test_unknown_tasks_and_bad_sizes_are_value_errors():
    with pytest.raises(ValueError, match="not in the suite"):
        tasks.sample("nope", 10)
    with pytest.raises(ValueError, match="n = 0"):
        tasks.sample("gauss-1x1-rho0.75", 0)
