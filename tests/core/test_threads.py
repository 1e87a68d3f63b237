"""The thread setting: ``set_num_threads``, ``NERVE_NUM_THREADS``."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import (Network, NeuronGroup, SpikeMonitor, get_num_threads, ms, run, seed,
                   set_num_threads, start_scope)


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    monkeypatch.delenv("NERVE_NUM_THREADS", raising=False)
    set_num_threads(None)
    yield
    set_num_threads(None)


def test_default_is_one_per_core_and_the_environment_can_set_it(monkeypatch):
    assert get_num_threads() == 0
    monkeypatch.setenv("NERVE_NUM_THREADS", "3")
    assert get_num_threads() == 3
    set_num_threads(2)
    assert get_num_threads() == 2  # the call wins over the environment


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (1.5, TypeError), ("2", TypeError),
                                        (True, TypeError)])
def test_bad_thread_counts_are_refused(bad, error):
    with pytest.raises(error):
        set_num_threads(bad)


def test_a_bad_environment_value_is_reported(monkeypatch):
    monkeypatch.setenv("NERVE_NUM_THREADS", "many")
    with pytest.raises(ValueError, match="NERVE_NUM_THREADS"):
        get_num_threads()


def _noisy_population():
    start_scope()
    seed(11)
    G = NeuronGroup(20000, "dv/dt = (1.2 - v)/(10*ms) + 0.3*xi*(10*ms)**-0.5 : 1",
                    threshold="v > 1", reset="v = 0", refractory=2 * ms, method="euler")
    G.v = "rand()"
    M = SpikeMonitor(G)
    run(5 * ms)
    return np.asarray(G.v[:]).copy(), M.i[:].copy(), M.t_.copy()


def test_results_do_not_depend_on_the_thread_count():
    results = []
    for n in (1, 2, 3):
        set_num_threads(n)
        results.append(_noisy_population())
    assert len(results[0][1]) > 100
    # within a time step, spikes are in index order (gathered from the
    # threads' parts in order)
    _, i, t = results[0]
    same_step = np.diff(t) == 0
    assert np.all(np.diff(i)[same_step] > 0)
    assert len(np.unique(t)) > 10
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)



def _many_small_groups(threads, alone=None):
    """80 noisy groups (mostly 100 neurons, one of 1100: two chunks) with a
    random reset, run together in one network, or group ``alone`` by
    itself; their streams are taken in creation order either way (the
    ``rand()`` initialisation), so each group draws the same numbers."""
    start_scope()
    seed(5)
    set_num_threads(threads)
    groups, monitors = [], []
    for k in range(80):
        G = NeuronGroup(1100 if k == 37 else 100 - k % 3,
                        "dv/dt = (1.1 + 0.01*i - v)/(10*ms) + 0.4*xi*(10*ms)**-0.5 : 1",
                        threshold="v > 1", reset="v = 0.2*rand()", refractory=1 * ms,
                        method="euler")
        G.v = "rand()"
        groups.append(G)
        monitors.append(SpikeMonitor(G))
    chosen = range(80) if alone is None else [alone]
    net = Network([groups[k] for k in chosen] + [monitors[k] for k in chosen])
    net.run(4 * ms)
    return {k: (np.asarray(groups[k].v[:]).copy(), monitors[k].i[:].copy(),
                monitors[k].t_.copy()) for k in chosen}


def test_many_small_groups_do_not_depend_on_the_thread_count_or_each_other():
    # Many small groups in one network run as batches shared by the threads
    # (each group whole on one thread): the same numbers as with one thread,
    # and as each group run alone.
    one = _many_small_groups(1)
    assert sum(len(i) for _, i, _ in one.values()) > 1000
    assert len(one[37][1]) > len(one[36][1])
    for threads in (2, 3):
        other = _many_small_groups(threads)
        for k in one:
            for a, b in zip(one[k], other[k]):
                np.testing.assert_array_equal(a, b)
    for k in (0, 37, 79):
        alone = _many_small_groups(2, alone=k)
        for a, b in zip(one[k], alone[k]):
            np.testing.assert_array_equal(a, b)
