"""Linked variables against Brian2 2.9.0 (numpy target): the same code gave
w = 0.39346934 (1 - exp(-0.5)) after 5 ms, a first recorded trace of w of
[0, 0.00995017, 0.01980133, 0.02955447], and 45 spikes of the threshold
'w > 0.3' (every step once the linked value crossed)."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import (DimensionMismatchError, NerveError, Network, NeuronGroup, SpikeMonitor,
                   StateMonitor, linked_var, ms, start_scope)


@pytest.fixture(autouse=True)
def _scope():
    start_scope()


def _pair():
    G1 = NeuronGroup(3, "dv/dt = (1 - v)/(10*ms) : 1", method="exact")
    G2 = NeuronGroup(3, "w : 1 (linked)\ndu/dt = (w - u)/(5*ms) : 1", method="euler",
                     threshold="w > 0.3", reset="u = 0")
    return G1, G2


def test_a_linked_variable_reads_the_other_group_live():
    G1, G2 = _pair()
    G2.w = linked_var(G1, "v")
    M = StateMonitor(G2, ["w", "u"], record=0)
    S = SpikeMonitor(G2)
    Network(G1, G2, M, S).run(5 * ms)
    np.testing.assert_allclose(G2.w_, 1 - np.exp(-0.5), rtol=1e-12)
    np.testing.assert_allclose(M.w[0][:4], [0, 0.00995017, 0.01980133, 0.02955447],
                               rtol=1e-6)
    assert S.num_spikes == 45
    assert M.u[0][-1] == 0


def test_link_by_index_and_to_a_single_neuron():
    G1, _ = _pair()
    G1.v = [0.1, 0.2, 0.3]
    G3 = NeuronGroup(2, "w : 1 (linked)")
    G3.w = linked_var(G1.v, index=[2, 0])
    np.testing.assert_allclose(G3.w_, [0.3, 0.1])
    G1.v = [0.5, 0.6, 0.7]
    np.testing.assert_allclose(G3.w_, [0.7, 0.5])  # read live outside runs too
    one = NeuronGroup(1, "v : 1")
    one.v = 7
    G4 = NeuronGroup(3, "w : 1 (linked)")
    G4.w = linked_var(one, "v")
    np.testing.assert_array_equal(G4.w_, [7, 7, 7])


def test_bad_links_are_refused_as_brian2_refuses_them():
    G1, _ = _pair()
    G3 = NeuronGroup(2, "w : 1 (linked)")
    G3.w = linked_var(G1.v, index=[2, 0])
    with pytest.raises(ValueError, match="linked"):
        G3.w = 1
    with pytest.raises(ValueError, match="different sizes"):
        NeuronGroup(2, "w : 1 (linked)").w = linked_var(G1, "v")
    with pytest.raises(TypeError, match="linked"):
        NeuronGroup(3, "w : 1").w = linked_var(G1, "v")
    with pytest.raises(DimensionMismatchError):
        NeuronGroup(3, "w : volt (linked)").w = linked_var(G1, "v")
    with pytest.raises(IndexError):
        NeuronGroup(2, "w : 1 (linked)").w = linked_var(G1, "v", index=[0, 3])


def test_the_linked_group_must_be_in_the_network():
    G1, G2 = _pair()
    G2.w = linked_var(G1, "v")
    with pytest.raises(NerveError, match="not part of the network"):
        Network(G2).run(1 * ms)
