"""What Brian2's example scripts need of Synapses and of user code: the
per-synapse counts N_incoming/N_outgoing in code run during the simulation,
temporaries in statements, subscripts of Synapses, and more.

Numbers and outcomes marked "Brian2 2.9.0" were printed by the same code run
under /work/brian2-venv/bin/python with prefs.codegen.target = 'numpy'
(dt = 0.1 ms).
"""

from __future__ import annotations

import numpy as np
import pytest

from nerve import NeuronGroup, Synapses, ms, run, start_scope
from nerve.exceptions import ModelDefinitionError, NerveError


@pytest.fixture(autouse=True)
def _scope():
    start_scope()


# -- N_incoming / N_outgoing during the run -----------------------------------------

def _fan_in():
    """Three sources spiking every step, two targets; synapses 0->0, 1->0,
    2->0, 2->1 (N_incoming 3, 3, 3, 1; N_outgoing 1, 1, 2, 2)."""
    G = NeuronGroup(3, "v : 1", threshold="True", reset="")
    H = NeuronGroup(2, "x : 1\ny : 1")
    G.v = [1, 3, 5]
    return G, H


def test_counts_in_a_summed_variable_on_pre_and_clock_driven_equations():
    """Brian2 2.9.0 after 0.1 ms: x = [3, 5], y = [49, 21], c = [0.1, 0.1, 0.2, 0.2]."""
    G, H = _fan_in()
    S = Synapses(G, H, """dc/dt = N_outgoing/ms : 1 (clock-driven)
                          x_post = v_pre/N_incoming : 1 (summed)""",
                 on_pre="y_post += N_outgoing*10 + N_incoming", method="euler")
    S.connect(i=[0, 1, 2, 2], j=[0, 0, 0, 1])
    run(0.1 * ms)
    assert H.x[:].tolist() == [3.0, 5.0]
    assert H.y[:].tolist() == [49.0, 21.0]
    np.testing.assert_allclose(S.c[:], [0.1, 0.1, 0.2, 0.2], rtol=1e-12)


def test_counts_follow_connect_between_runs():
    """The counts are those of the synapses at the run, after a second connect()."""
    G, H = _fan_in()
    S = Synapses(G, H, "x_post = 1.0*N_incoming : 1 (summed)")
    S.connect(i=[0, 1], j=[0, 0])
    run(0.1 * ms)
    assert H.x[:].tolist() == [4.0, 0.0]   # two synapses, each adding 2
    S.connect(i=[2, 2], j=[0, 1])
    run(0.1 * ms)
    assert H.x[:].tolist() == [9.0, 1.0]   # three onto 0, each adding 3; one onto 1


def test_counts_in_synaptic_code_with_a_clock_driven_update_in_place():
    """Clock-driven equations reading only synaptic names and a count run in
    place over the synapses' columns: dc/dt = N_incoming/ms for 0.3 ms."""
    G, H = _fan_in()
    S = Synapses(G, H, "dc/dt = N_incoming/ms : 1 (clock-driven)", method="euler")
    S.connect(i=[0, 1, 2, 2], j=[0, 0, 0, 1])
    run(0.3 * ms)
    np.testing.assert_allclose(S.c[:], [0.9, 0.9, 0.9, 0.3], rtol=1e-12)


def test_counts_are_read_only_in_synaptic_code():
    G, H = _fan_in()
    S = Synapses(G, H, "w : 1", on_pre="N_incoming = 2")
    S.connect()
    with pytest.raises(NerveError, match="N_incoming"):
        run(0.1 * ms)
