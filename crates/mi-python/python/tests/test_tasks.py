"""infomax.tasks: the ground-truth suite from Python."""
import numpy as np
import pytest

import infomax
from infomax import tasks


def test_the_suite_lists_tasks_with_their_truth_and_samples_deterministically():
    bench = tasks.list()
    assert len(bench) == 40 and len(set(tasks.ids())) == 40
    assert len(tasks.list("reproduce")) == 15 and len(set(tasks.ids("all"))) == len(tasks.ids("all"))
    assert {t.id for t in bench} >= {"student-2x2-df1", "additive-uniform-1x1-eps0.75", "gauss-1x1-rho0.75+phi+x:swissroll"}
    assert [t for t in bench if "swissroll" in t.id][0].dim_x == 2
    with pytest.raises(ValueError, match="suite 'nope'"):
        tasks.list("nope")
    t = bench[0]
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
    with pytest.raises(ValueError, match="not a known task"):
        tasks.sample("nope", 10)
    with pytest.raises(ValueError, match="n = 0"):
        tasks.sample("gauss-1x1-rho0.75", 0)


def test_every_benchmark_task_samples_finite_values_of_its_dimensions():
    for t in tasks.list():
        x, y = t.sample(50, seed=1)
        assert x.shape == (50, t.dim_x) and y.shape == (50, t.dim_y), t.id
        assert np.isfinite(x).all() and np.isfinite(y).all() and t.true_mi > 0, t.id
