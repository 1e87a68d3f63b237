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


# -- temporaries in statements ------------------------------------------------------

def _spiking(reset, extra=""):
    """One neuron crossing v > 1 at 1.1 ms (euler, dt = 0.1 ms), then reset."""
    return NeuronGroup(1, "dv/dt = 1/(1*ms) : 1\nu : 1" + extra, threshold="v>1",
                       reset=reset, method="euler")


def test_a_temporary_in_a_reset():
    """Brian2 2.9.0: u = 2.1999999999999997 after 2.05 ms (v = 1.1 at the spike)."""
    G = _spiking("tmp = v*2\nu = tmp\nv = 0")
    run(2.05 * ms)
    assert G.u[:].tolist() == [2.1999999999999997]


def test_a_temporary_takes_the_units_of_its_value():
    """Brian2 2.9.0: 'u = tmp' with tmp in volt and u dimensionless is a
    DimensionMismatchError; 'u = tmp/mV' gives u = 2.0000000000000004."""
    from nerve import DimensionMismatchError

    eqs = "dv/dt = 1*mV/ms : volt\nu : 1"
    G = NeuronGroup(1, eqs, threshold="v>1*mV", reset="tmp = v*2\nu = tmp\nv = 0*mV",
                    method="euler")
    with pytest.raises(DimensionMismatchError, match="u = tmp"):
        run(2.05 * ms)
    start_scope()
    G = NeuronGroup(1, eqs, threshold="v>1*mV", reset="tmp = v*2\nu = tmp/mV\nv = 0*mV",
                    method="euler")
    run(2.05 * ms)
    assert G.u[:].tolist() == [2.0000000000000004]


def test_a_temporary_keeps_its_units_when_assigned_again():
    """Brian2 2.9.0: 'tmp = 3; tmp = tmp*mV' is a DimensionMismatchError."""
    from nerve import DimensionMismatchError

    G = _spiking("tmp = 3\ntmp = tmp*mV\nu = tmp/mV\nv = 0")
    with pytest.raises(DimensionMismatchError, match="tmp = tmp"):
        run(2.05 * ms)


@pytest.mark.parametrize("reset", ["u = tmp\ntmp = 3\nv = 0", "tmp += 1\nu = tmp\nv = 0"])
def test_a_temporary_cannot_be_read_before_it_is_assigned(reset):
    """Brian2 2.9.0: an unknown identifier (KeyError) in both cases."""
    from nerve.exceptions import UnknownNameError

    G = _spiking(reset)
    with pytest.raises(UnknownNameError, match="'tmp'"):
        run(2.05 * ms)


def test_a_temporary_hides_external_names():
    """Brian2 2.9.0: u = 3.0 in each case (tau, exp and mV are temporaries)."""
    tau = 5 * ms  # noqa: F841 (an external name the temporary hides)
    for reset in ("tau = 3\nu = tau\nv = 0", "exp = 3\nu = exp\nv = 0",
                  "mV = 3\nu = mV\nv = 0"):
        start_scope()
        G = _spiking(reset)
        run(2.05 * ms)
        assert G.u[:].tolist() == [3.0], reset


def test_model_names_are_not_temporaries():
    """Brian2 2.9.0 refuses both: 't = 3' (t is the time) and 's = 3' (a subexpression)."""
    G = _spiking("t = 3\nu = t\nv = 0")
    with pytest.raises(NerveError, match="'t'"):
        run(2.05 * ms)
    start_scope()
    G = _spiking("s = 3\nv = 0", "\ns = 2*v : 1")
    with pytest.raises(NerveError, match="'s' is a subexpression"):
        run(2.05 * ms)


def test_a_boolean_temporary():
    """Brian2 2.9.0: u = 3.0 (b is true at the spike, v = 1.1)."""
    G = _spiking("b = v > 1.05\nu = int(b)*2 + 1\nv = 0")
    run(2.05 * ms)
    assert G.u[:].tolist() == [3.0]


def test_temporaries_in_on_pre_and_on_post():
    """Brian2 2.9.0: S.w = [7, 1], H.v = [7] (on_pre); [9, 0] with an
    unsuffixed postsynaptic name; w = [2] (on_post, one postsynaptic spike)."""
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", threshold="v>1", reset="v=0", method="exact")
    H = NeuronGroup(1, "v : 1\nu : 1")
    G.v = [2, 0]
    H.u = 3
    S = Synapses(G, H, "w : 1", on_pre="tmp = u_post*2 + w\nw = tmp\nv_post += tmp")
    S.connect()
    S.w = 1
    run(1 * ms)
    assert S.w[:].tolist() == [7.0, 1.0]
    assert H.v[:].tolist() == [7.0]

    start_scope()
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", threshold="v>1", reset="v=0", method="exact")
    H = NeuronGroup(1, "u : 1")
    G.v = [2, 0]
    H.u = 3
    S = Synapses(G, H, "w : 1", on_pre="tmp = u**2\nw = tmp")
    S.connect()
    run(1 * ms)
    assert S.w[:].tolist() == [9.0, 0.0]

    start_scope()
    G = NeuronGroup(1, "v : 1")
    H = NeuronGroup(1, "dv/dt = 1/ms : 1", threshold="v>1", reset="v=0", method="euler")
    S = Synapses(G, H, "w : 1", on_post="tmp = w + 1\nw = tmp*2")
    S.connect()
    run(2.05 * ms)
    assert S.w[:].tolist() == [2.0]


def test_temporaries_in_run_regularly_and_run_on_event():
    """Brian2 2.9.0: u = [2, 4] after two runs of 'tmp = i + 1; u = u + tmp'.
    run_on_event('spike', 'tmp = 5; u += tmp') after one spike: u = 5 (in
    Brian2 with reset='' instead of a second piece of code for 'spike')."""
    G = NeuronGroup(2, "u : 1")
    G.run_regularly("tmp = i + 1\nu = u + tmp", dt=1 * ms)
    run(2 * ms)
    assert G.u[:].tolist() == [2.0, 4.0]
    start_scope()
    G = NeuronGroup(1, "dv/dt = 1/(1*ms) : 1\nu : 1", threshold="v>1", reset="v = 0",
                    method="euler")
    G.run_on_event("spike", "tmp = 5\nu += tmp")
    run(2.05 * ms)
    assert G.u[:].tolist() == [5.0]


# -- the number of neurons -----------------------------------------------------------

@pytest.mark.parametrize("N", [8000 / 4, np.float64(4.0), np.float32(3.0), np.array(3.0),
                               np.int64(3)])
def test_a_whole_number_float_is_a_number_of_neurons(N):
    """Brian2 2.9.0 makes groups of 2000, 4, 3, 3, 3 neurons (an int N)."""
    G = NeuronGroup(N, "v : 1")
    assert G.N == int(N) and type(G.N) is int and len(G.v[:]) == int(N)


@pytest.mark.parametrize("N", [2.5, 0.0, -2.0, float("nan"), float("inf"), True, "3", 0])
def test_other_numbers_of_neurons_are_refused(N):
    """Brian2 2.9.0 refuses 0, -2 (ValueError), nan and inf; it truncates 2.5
    to 2 and accepts True and '3' (1 and 3 neurons): nerve refuses those too."""
    with pytest.raises(ModelDefinitionError, match="positive integer"):
        NeuronGroup(N, "v : 1")


def test_a_number_of_neurons_with_units_is_refused():
    """Brian2 2.9.0 makes 3*mV into 0 neurons (then a ValueError)."""
    from nerve import mV

    with pytest.raises(ModelDefinitionError, match="positive integer"):
        NeuronGroup(3 * mV, "v : 1")


# -- S.indices -------------------------------------------------------------------

def test_indices_select_synapses_as_brian2():
    """Brian2 2.9.0, 3 x 2 all-to-all: S.indices[:, 0:1] = [0, 2, 4],
    [1, :] = [2, 3], ['i > j'] = [2, 4, 5] (floats in Brian2), [[0, 2]] = [0, 2],
    [1:3] = [1, 2]; S.w[S.indices[:, 0:1]] = 2 writes synapses 0, 2, 4."""
    G = NeuronGroup(3, "v : 1")
    H = NeuronGroup(2, "g : 1")
    S = Synapses(G, H, "w : 1")
    S.connect()
    assert S.indices[:, 0:1].tolist() == [0, 2, 4]
    assert S.indices[1, :].tolist() == [2, 3]
    assert S.indices["i > j"].tolist() == [2, 4, 5]
    assert S.indices[[0, 2]].tolist() == [0, 2]
    assert S.indices[1:3].tolist() == [1, 2]
    S.w[S.indices[:, 0:1]] = 2
    assert S.w[:].tolist() == [2.0, 0.0, 2.0, 0.0, 2.0, 0.0]


def test_indices_read_names_where_they_are_used():
    G = NeuronGroup(4, "v : 1")
    S = Synapses(G, G)
    S.connect(j="i")

    def chosen():
        limit = 2
        return S.indices["i >= limit"].tolist(), S["i < limit"].tolist()

    assert chosen() == ([2, 3], [0, 1])


# -- connect(j='EXPR if COND') ---------------------------------------------------------

@pytest.mark.parametrize("text, pre, post", [
    ("i if i < 5", [0, 1, 2, 3, 4], [0, 1, 2, 3, 4]),
    ("i+1 if i < 3", [0, 1, 2], [1, 2, 3]),
    ("i-5 if i >= 5 and i < 10", [5, 6, 7, 8, 9], [0, 1, 2, 3, 4]),
])
def test_a_target_expression_with_a_condition(text, pre, post):
    """Brian2 2.9.0 (10 sources, 5 targets): the pairs given."""
    G = NeuronGroup(10, "v : 1")
    H = NeuronGroup(5, "v : 1")
    S = Synapses(G, H)
    S.connect(j=text)
    assert S.i[:].tolist() == pre and S.j[:].tolist() == post


def test_a_conditional_target_outside_the_group():
    """Brian2 2.9.0: 'i if i >= 5' onto 5 targets is an IndexError, and no
    synapse with skip_if_invalid=True."""
    G = NeuronGroup(10, "v : 1")
    H = NeuronGroup(5, "v : 1")
    S = Synapses(G, H)
    with pytest.raises(IndexError, match="target 5 for source 5"):
        S.connect(j="i if i >= 5")
    S.connect(j="i if i >= 5", skip_if_invalid=True)
    assert len(S) == 0
    with pytest.raises(NerveError, match="not both"):
        S.connect(j="i if i < 3", condition="i > 0")


# -- StateMonitor of Synapses: names that are not synaptic columns ---------------------

@pytest.mark.parametrize("var, expected", [
    ("g", [[0.0, 0.2, 0.4], [0.0, 0.2, 0.4]]),
    ("g_post", [[0.0, 0.2, 0.4], [0.0, 0.2, 0.4]]),
    ("v_pre", [[0.0, 0.1, 0.2], [1.0, 1.1, 1.2000000000000002]]),
    ("s", [[0.0, 2.0, 4.0], [0.0, 2.0, 4.0]]),
    ("s_post", [[0.0, 2.0, 4.0], [0.0, 2.0, 4.0]]),
    ("i", [[0, 0, 0], [1, 1, 1]]),
    ("N_incoming", [[2, 2, 2], [2, 2, 2]]),
    # (Brian2 2.9.0 cannot record this subexpression reading v_pre: a TypeError)
    ("q", [[1.0, 1.1, 1.2], [4.0, 4.1, 4.2]]),
])
def test_a_monitor_of_synapses_records_neuron_variables(var, expected):
    """Brian2 2.9.0 (record=[0, 2], 0.3 ms): the traces given; 'g' is the
    postsynaptic variable named without its suffix, 's' a postsynaptic
    subexpression."""
    from nerve import StateMonitor

    G = NeuronGroup(2, "dv/dt = 1/ms : 1", method="euler")
    H = NeuronGroup(2, "dg/dt = 2/ms : 1\ns = 10*g : 1", method="euler")
    G.v = [0, 1]
    S = Synapses(G, H, "w : 1\nq = w + v_pre : 1")
    S.connect(i=[0, 1, 1], j=[1, 0, 1])
    S.w = [1, 2, 3]
    M = StateMonitor(S, var, record=[0, 2])
    run(0.3 * ms)
    np.testing.assert_allclose(getattr(M, var)[:], expected, rtol=1e-12, atol=1e-15)


def test_a_monitor_of_synapses_refuses_unknown_names():
    from nerve import StateMonitor
    from nerve.exceptions import UnknownNameError

    G = NeuronGroup(2, "v : 1")
    S = Synapses(G, G, "w : 1")
    S.connect()
    with pytest.raises(UnknownNameError, match="'x'"):
        StateMonitor(S, "x", record=0)


# -- Synapses as the source or target of other Synapses --------------------------------

def test_synapses_as_the_source_of_a_summed_variable():
    """Brian2 2.9.0: x = [1, 14] (i is the index of the source synapse)."""
    G = NeuronGroup(2, "v : 1")
    H = NeuronGroup(2, "x : 1")
    S = Synapses(G, G, "y : 1")
    S.connect(j="i")
    S.y = [1, 2]
    S2 = Synapses(S, H, "x_post = y_pre*(i+1) + 10*j : 1 (summed)")
    S2.connect(j="i")
    run(0.2 * ms)
    assert H.x[:].tolist() == [1.0, 14.0]


def test_synapses_as_the_target_of_on_pre():
    """Brian2 2.9.0: d = [3] after 2 ms (spikes at 0.6, 1.2, 1.8 ms), R.j = [0],
    R.N_incoming = [1]; with the unsuffixed name 'd' the same."""
    for code in ("d_post += 1 + j", "d += 1"):
        start_scope()
        G = NeuronGroup(1, "dv/dt = 1/ms : 1", threshold="v>0.5", reset="v=0",
                        method="euler")
        S = Synapses(G, G, "d : 1")
        S.connect()
        R = Synapses(G, S, on_pre=code)
        R.connect()
        run(2 * ms)
        assert S.d[:].tolist() == [3.0], code
        assert R.j[:].tolist() == [0] and R.N_incoming[:].tolist() == [1]


def test_synapses_as_the_target_of_a_summed_variable():
    """Brian2 2.9.0: d = [1, 5, 3]."""
    G = NeuronGroup(3, "v : 1")
    G.v = [1, 2, 3]
    S = Synapses(G, G, "d : 1")
    S.connect(j="i")
    R = Synapses(G, S, "d_post = v_pre : 1 (summed)")
    R.connect(i=[0, 1, 2, 2], j=[0, 1, 1, 2])
    run(0.1 * ms)
    assert S.d[:].tolist() == [1.0, 5.0, 3.0]


def test_a_synapses_target_connected_after_its_own_connect():
    """The size of a Synapses side is its number of synapses when used.
    Brian2 2.9.0: d = [1, 1, 0, 0], 2 synapses."""
    G = NeuronGroup(2, "dv/dt = 1/ms : 1", threshold="v>0.5", reset="v=0", method="euler")
    S = Synapses(G, G, "d : 1")
    R = Synapses(G, S, on_pre="d_post += 1")
    S.connect()
    R.connect(j="i")
    run(1 * ms)
    assert S.d[:].tolist() == [1.0, 1.0, 0.0, 0.0] and len(R) == 2


def test_synapses_targeting_clock_driven_synapses():
    """Brian2 2.9.0: z = [0.271, 0.271] (z reads d before d's update in a
    step: operations of one slot and order run in the order of their names,
    'r_reader_stateupdater' first)."""
    G = NeuronGroup(2, "v : 1")
    S = Synapses(G, G, "dd/dt = -d/ms : 1 (clock-driven)\nu : 1", method="euler",
                 name="s_target")
    S.connect(j="i")
    S.d = 1
    R = Synapses(G, S, "dz/dt = d_post/ms : 1 (clock-driven)", method="euler",
                 name="r_reader")
    R.connect(j="i")
    run(0.3 * ms)
    np.testing.assert_allclose(R.z[:], [0.271, 0.271], rtol=1e-12)


def test_a_synapses_source_has_no_spikes():
    """Brian2 2.9.0: a ValueError (the source defines no event 'spike')."""
    G = NeuronGroup(2, "v : 1")
    H = NeuronGroup(2, "x : 1")
    S = Synapses(G, G, "y : 1")
    with pytest.raises(ModelDefinitionError, match="no events"):
        Synapses(S, H, on_pre="x_post += 1")


def test_subexpressions_of_a_synapses_side():
    """A subexpression of the source Synapses over its own variables is read
    per synapse (x = 2*y: [2, 4]); one reading that Synapses' neurons
    (v_pre) is refused, not silently read as this Synapses' v_pre."""
    from nerve.exceptions import NotSupportedError

    G = NeuronGroup(2, "v : 1")
    H = NeuronGroup(2, "x : 1")
    S = Synapses(G, G, "y : 1\nq = 2*y : 1")
    S.connect(j="i")
    S.y = [1, 2]
    S2 = Synapses(S, H, "x_post = q_pre : 1 (summed)")
    S2.connect(j="i")
    run(0.1 * ms)
    assert H.x[:].tolist() == [2.0, 4.0]
    start_scope()
    G = NeuronGroup(2, "v : 1")
    S = Synapses(G, G, "y : 1\nr = v_pre : 1")
    S.connect(j="i")
    S4 = Synapses(S, G, "v_post = r_pre : 1 (summed)")
    S4.connect(j="i")
    with pytest.raises(NotSupportedError, match="'v_pre'"):
        run(0.1 * ms)
