"""Shared variables of neuron groups (``I : amp (shared)``): one value for the
whole group, drawn once per execution of the code that assigns it, as in
Brian2 2.9.0 (whose outputs for the same models are quoted where used)."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import (EquationSyntaxError, Network, NeuronGroup, StateMonitor, ms, nA, run, seed,
                   start_scope)
from nerve.exceptions import InvalidIndexError, InvalidValueError


@pytest.fixture(autouse=True)
def _scope():
    start_scope()
    seed(11)


def test_run_regularly_draws_one_value_for_the_group():
    G = NeuronGroup(3, "dv/dt = (I*Mohm - v)/(10*ms) : volt\nI : amp (shared)")
    G.run_regularly("I = rand()*50*nA", dt=10 * ms)
    M = StateMonitor(G, "I", record=True)
    run(50 * ms)
    values = M.I / nA
    # every neuron sees the same value at every step
    assert np.all(values == values[0])
    # one new value at each multiple of 10 ms: five distinct values, each held 100 steps
    per_period = values[0].reshape(5, 100)
    assert np.all(per_period == per_period[:, :1])
    assert len(set(per_period[:, 0])) == 5
    assert np.all((per_period >= 0) & (per_period < 50))
    # the neurons start equal and are driven by the same input: they stay equal
    assert np.all(G.v == G.v[0])


def test_shared_statements_run_before_the_per_neuron_ones():
    # Brian2 2.9.0: 'I = rand()\nv = I + i' gives v = I, I + 1, I + 2 (same I)
    G = NeuronGroup(3, "v : 1\nI : 1 (shared)\ns = 2*I : 1 (shared)")
    G.run_regularly("I = rand()\nv = I + i", dt=1 * ms)
    run(2 * ms)
    i_value = float(G.I)
    np.testing.assert_array_equal(G.v, i_value + np.arange(3))
    np.testing.assert_array_equal(G.s, 2 * i_value)


def test_N_is_the_size_of_the_group():
    # Brian2 2.9.0: G.I = 'N' on a group of 3 gives 3; 'I = I + N' run at 0 and 0.5 ms gives 6
    G = NeuronGroup(3, "v : 1\nI : 1 (shared)")
    G.I = "N"
    assert float(G.I) == 3
    G.I = 0
    G.run_regularly("I = I + N", dt=0.5 * ms)
    run(1 * ms)
    assert float(G.I) == 6
    assert float(G[1:2].I) == 6


def test_string_assignment_draws_once():
    G = NeuronGroup(100, "I : 1 (shared)")
    G.I = "rand()"
    assert np.all(G._columns["I"] == G._columns["I"][0])
    assert 0 <= float(G.I) < 1


def test_refusals():
    G = NeuronGroup(3, "v : 1\nI : 1 (shared)")
    with pytest.raises(EquationSyntaxError, match="per-neuron variable 'i'"):
        G.I = "i"
    with pytest.raises(InvalidValueError, match="one value"):
        G.I = [1, 2, 3]
    with pytest.raises(InvalidIndexError, match="shared"):
        G.I[0]
    G.run_regularly("I = v")
    with pytest.raises(EquationSyntaxError, match="per-neuron variable 'v'") as info:
        run(0.1 * ms)
    assert "^" in str(info.value)


def test_shared_assignment_after_a_per_neuron_one_is_refused():
    G = NeuronGroup(3, "v : 1\nI : 1 (shared)")
    G.run_regularly("v = i\nI = rand()")
    with pytest.raises(EquationSyntaxError, match="first"):
        run(0.1 * ms)


def test_resets_may_not_write_shared_variables():
    # Brian2 2.9.0: "Writing to scalar variable I not allowed in this context."
    G = NeuronGroup(3, "v : 1\nI : 1 (shared)", threshold="True", reset="I = I + 1")
    with pytest.raises(EquationSyntaxError, match="shared variable 'I' is not allowed"):
        Network(G).run(0.1 * ms)
