"""A fixed refractory period: ``not_refractory`` derived during a run.

When no monitor records ``not_refractory``, the update keeps the flag in a
temporary and the threshold recomputes it from ``lastspike`` (the engine then
does not write the column every step); the column is brought up to date after
the run. Everything a user sees must be what the stored flag gives: these
tests run each model twice, once with a StateMonitor on ``not_refractory``
(which keeps the column written every step) and once without.
"""

from __future__ import annotations

import numpy as np
import pytest

from nerve import Network, NeuronGroup, SpikeMonitor, StateMonitor, ms, start_scope

LIF = """
dv/dt = (v0 - v)/(10*ms) : 1 (unless refractory)
v0 : 1
"""


def _simulate(model, method, observe, durations, refractory=5 * ms, threshold="v > 1"):
    start_scope()
    G = NeuronGroup(300, model, threshold=threshold, reset="v = 0", refractory=refractory,
                    method=method)
    G.v0 = "i*3.0/(N - 1)"
    M = SpikeMonitor(G)
    objects = [G, M]
    if observe:
        objects.append(StateMonitor(G, "not_refractory", record=[0, 150, 299]))
    net = Network(*objects)
    finals = []
    for duration in durations:
        net.run(duration, namespace={})
        finals.append((G.not_refractory[:].copy(), np.asarray(G.v[:]).copy(),
                       np.asarray(G.lastspike[:]).copy()))
    return finals, np.asarray(M.i[:]).copy(), np.asarray(M.t[:]).copy()


@pytest.mark.parametrize("model, method", [(LIF, "exact"), (LIF, "euler")])
@pytest.mark.parametrize("refractory", [5 * ms, 2.05 * ms, 0.1 * ms, 0.04 * ms, 0 * ms])
def test_derived_flag_gives_what_the_stored_flag_gives(model, method, refractory):
    durations = [7.3 * ms, 0.1 * ms, 12.4 * ms]
    stored = _simulate(model, method, True, durations, refractory)
    derived = _simulate(model, method, False, durations, refractory)
    for (nr_a, v_a, ls_a), (nr_b, v_b, ls_b) in zip(stored[0], derived[0]):
        np.testing.assert_array_equal(nr_a, nr_b)
        np.testing.assert_array_equal(v_a, v_b)
        np.testing.assert_array_equal(ls_a, ls_b)
        assert nr_a.dtype == bool
    np.testing.assert_array_equal(stored[1], derived[1])
    np.testing.assert_array_equal(stored[2], derived[2])
    assert len(stored[1]) > 100  # the neurons spike, so the flag matters


def test_a_threshold_that_names_the_flag_reads_this_steps_flag():
    # without "(unless refractory)" v keeps rising while refractory, so the
    # threshold's own "not_refractory" decides when the neuron fires again
    model = "dv/dt = (v0 - v)/(10*ms) : 1\nv0 : 1"
    durations = [9.7 * ms, 6.1 * ms]
    stored = _simulate(model, "exact", True, durations, threshold="v > 1 and not_refractory")
    derived = _simulate(model, "exact", False, durations, threshold="v > 1 and not_refractory")
    np.testing.assert_array_equal(stored[1], derived[1])
    np.testing.assert_array_equal(stored[2], derived[2])
    for a, b in zip(stored[0], derived[0]):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    assert len(stored[1]) > 100


def test_derived_flag_after_a_run_is_the_last_steps_flag():
    finals, i, t = _simulate(LIF, "exact", False, [20 * ms])
    nr, _, lastspike = finals[0]
    last_t = 20e-3 - 1e-4
    # refractory for 50 steps: the neurons that spiked in the last 50 steps
    # (including the last one, whose reset cleared the flag)
    expected = (last_t - lastspike) >= 49.999e-4
    np.testing.assert_array_equal(nr, expected)
    assert 0 < (~nr).sum() < len(nr)


def test_code_shows_the_derived_flag():
    start_scope()
    G = NeuronGroup(2, LIF, threshold="v > 1", reset="v = 0", refractory=5 * ms)
    text = G.code(namespace={})
    assert "_not_refractory = t - lastspike >= " in text
    assert "v = where(_not_refractory, " in text
    # the update no longer stores the flag; the reset still clears it
    update = text.split("# update program")[1].split("# threshold program")[0]
    assert "col3 = store" not in update


def test_a_string_refractory_condition_keeps_the_stored_flag():
    start_scope()
    G = NeuronGroup(2, LIF, threshold="v > 1", reset="v = 0", refractory="v > 0.5")
    text = G.code(namespace={})
    assert "_not_refractory" not in text
    assert "not_refractory = not_refractory or " in text
