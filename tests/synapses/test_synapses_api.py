"""Synapses' API against Brian2 2.9.0: custom events, the model's names, more
forms of connect().

Numbers and outcomes marked "Brian2 2.9.0" were printed by the same code run
under /work/brian2-venv/bin/python with prefs.codegen.target = 'numpy'
(dt = 0.1 ms). Where nerve is stricter than Brian2 (an error where Brian2
silently does something surprising) the test says so.
"""

from __future__ import annotations

import numpy as np
import pytest

from nerve import NeuronGroup, StateMonitor, Synapses, mV, ms, run, seed, start_scope
from nerve.exceptions import (ArgumentTypeError, InvalidArgumentError, InvalidIndexError,
                              ModelDefinitionError, NerveError, NotSupportedError)


@pytest.fixture(autouse=True)
def _scope():
    start_scope()


def _pairs(N=6, **kwargs):
    G = NeuronGroup(N, "v : 1\nx : 1")
    G.x = "i*2"
    S = Synapses(G, G, "w : 1")
    S.connect(**kwargs)
    return S.i[:].tolist(), S.j[:].tolist()


# -- on_event ------------------------------------------------------------------

_CUSTOM = "t > (0.95 + i)*ms and t < (1.05 + i)*ms"


def test_a_custom_event_triggers_the_pathway():
    """Brian2 2.9.0: v of H every 0.5 ms."""
    G = NeuronGroup(3, "v : 1", threshold="False", events={"custom": _CUSTOM})
    H = NeuronGroup(3, "v : 1")
    S = Synapses(G, H, "w : 1", on_pre="v_post += w", on_event="custom", delay=0.2 * ms)
    S.connect(j="i")
    S.w = [1, 2, 3]
    M = StateMonitor(H, "v", record=True)
    run(3.5 * ms)
    np.testing.assert_array_equal(M.v[:, ::5], [[0, 0, 0, 1, 1, 1, 1],
                                                [0, 0, 0, 0, 0, 2, 2],
                                                [0, 0, 0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(H.v[:], [1, 2, 3])
    assert S.on_event == "custom"


def test_on_event_by_pathway_and_on_post():
    """A dict names the event of each pathway ('spike' for the others).
    Brian2 2.9.0: H.v = [11, 22, 33], S.w = [101, 102, 103]."""
    G = NeuronGroup(3, "v : 1", threshold="t > 0.45*ms and t < 0.55*ms", reset="",
                    events={"custom": _CUSTOM})
    H = NeuronGroup(3, "v : 1", threshold="t > 2.95*ms and t < 3.05*ms", reset="")
    S = Synapses(G, H, "w : 1", on_pre={"pre": "v_post += w", "other": "v_post += 10*w"},
                 on_post="w += 100", on_event={"other": "custom"})
    S.connect(j="i")
    S.w = [1, 2, 3]
    run(3.5 * ms)
    np.testing.assert_array_equal(H.v[:], [11, 22, 33])
    np.testing.assert_array_equal(S.w[:], [101, 102, 103])


def test_a_custom_event_of_the_target_triggers_on_post():
    """Brian2 2.9.0: S.w = [1, 1, 1], H.v = [0, 0, 0]."""
    G = NeuronGroup(3, "v : 1", events={"custom": _CUSTOM})
    H = NeuronGroup(3, "v : 1", events={"custom": _CUSTOM})
    S = Synapses(G, H, "w : 1", on_pre="v_post += w", on_post="w += 1", on_event="custom")
    S.connect(j="i")
    run(3.5 * ms)
    np.testing.assert_array_equal(S.w[:], [1, 1, 1])
    np.testing.assert_array_equal(H.v[:], [0, 0, 0])


def test_unknown_events_are_refused():
    """Brian2 2.9.0 raises ValueError ("does not define an event 'other'");
    a dict key that is no pathway Brian2 ignores, nerve refuses."""
    G = NeuronGroup(3, "v : 1", threshold="False", events={"custom": _CUSTOM})
    with pytest.raises(ValueError, match="no event 'other'.*spike, custom"):
        Synapses(G, G, on_pre="v_post += 1", on_event="other")
    with pytest.raises(ModelDefinitionError, match="pathway 'nope'"):
        Synapses(G, G, on_pre="v_post += 1", on_event={"nope": "custom"})
    H = NeuronGroup(3, "v : 1", events={"custom": _CUSTOM})
    with pytest.raises(ModelDefinitionError, match="no threshold"):
        Synapses(H, H, on_pre="v_post += 1")


# -- names of the model ----------------------------------------------------------

def test_a_synaptic_variable_may_not_shadow_a_neuron_variable():
    """Brian2 2.9.0: ValueError, 'The pre-synaptic variable v has the same
    name as a synaptic variable, rename the synaptic variable...' (the same
    for a post-synaptic one)."""
    G = NeuronGroup(3, "v : 1")
    H = NeuronGroup(3, "x : 1")
    with pytest.raises(ValueError, match=r"pre-synaptic group .* variable 'v'.*'v_syn'"):
        Synapses(G, H, "v : 1")
    with pytest.raises(ValueError, match=r"post-synaptic group .* variable 'x'.*'x_syn'"):
        Synapses(G, H, "x : 1")


def test_suffixes_pre_and_post_are_reserved_in_the_model():
    """Brian2 2.9.0: ValueError, "'v_pre' cannot be used as a variable name"."""
    G = NeuronGroup(3, "v : 1")
    with pytest.raises(ModelDefinitionError, match="'v_pre' cannot be the name"):
        Synapses(G, G, "dw/dt = 1/ms : 1 (clock-driven)\nv_pre = w : 1")


def test_a_summed_variable_needs_a_parameter_of_the_target():
    """Brian2 2.9.0: ValueError, "The summed variable 'x_post' needs a
    corresponding parameter 'x' in the target group"."""
    G = NeuronGroup(3, "dx/dt = -x/ms : 1")
    with pytest.raises(ModelDefinitionError, match="needs a parameter 'x'.*differential"):
        Synapses(G, G, "x_post = 1 : 1 (summed)")


def test_two_summed_variables_onto_one_variable_are_refused():
    """Brian2 2.9.0: NotImplementedError at run(), "Multiple 'summed
    variables' target the variable 'x'"."""
    G = NeuronGroup(3, "x : 1")
    S = Synapses(G, G, "x_post = 1 : 1 (summed)")
    S.connect()
    S2 = Synapses(G, G, "x_post = 2 : 1 (summed)")
    S2.connect()
    with pytest.raises(NotImplementedError, match="two \\(summed\\) variables target 'x'"):
        run(0.1 * ms)
    assert issubclass(NotSupportedError, NerveError)


# -- connect(): more forms ---------------------------------------------------------

@pytest.mark.parametrize("kwargs, expected", [
    # Brian2 2.9.0, N = 6
    (dict(i="k for k in range(0, 3)"),
     ([0, 1, 2] * 6, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5])),
    (dict(i="k for k in range(6) if k < j"),
     ([0, 0, 1, 0, 1, 2, 0, 1, 2, 3, 0, 1, 2, 3, 4], [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5,
                                                       5, 5])),
    (dict(i="k for k in range(1, 6, 2) if k != j"),
     ([1, 3, 5, 3, 5, 1, 3, 5, 1, 5, 1, 3, 5, 1, 3], [0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4,
                                                       5, 5])),
    (dict(i="2*k for k in range(3)"),
     ([0, 2, 4] * 6, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5])),
    (dict(i="5 - j"), ([5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4, 5])),
    (dict(i="j + 1", skip_if_invalid=True), ([1, 2, 3, 4, 5], [0, 1, 2, 3, 4])),
    (dict(condition="i<2 and j<2", n="i+j"), ([0, 1, 1, 1], [1, 0, 1, 1])),
    (dict(j="i", n="x_pre/2"), ([1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5],
                                [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5])),
    (dict(j="i", n="0.5*i"), ([2, 3, 4, 4, 5, 5], [2, 3, 4, 4, 5, 5])),
    (dict(N=4, j="k for k in sample(N_post, size=4)"),
     ([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], [0, 1, 2, 3] * 4)),
])
def test_connect_forms_as_brian2(kwargs, expected):
    assert _pairs(**kwargs) == (list(expected[0]), list(expected[1]))


def test_i_as_an_expression_of_j_takes_a_condition():
    """Brian2 refuses a condition with i (nerve filters the generated pairs)."""
    assert _pairs(i="5 - j", condition="x_post > 4") == ([2, 1, 0], [3, 4, 5])


def test_sample_size_draws_distinct_targets_uniformly():
    """sample(N, size=m): exactly m distinct targets per source, in
    increasing order; over 300 repetitions every target is chosen about as
    often (each count is binomial(300*10, 3/10): within 5 standard deviations
    of 900)."""
    seed(5)
    G = NeuronGroup(10, "v : 1")
    total = np.zeros(10)
    for _ in range(300):
        S = Synapses(G, G)
        S.connect(j="k for k in sample(10, size=3)")
        i, j = S.i[:], S.j[:]
        assert np.all(np.bincount(i, minlength=10) == 3)
        rows = j.reshape(10, 3)
        assert np.all(np.diff(rows, axis=1) > 0)
        total += np.bincount(j, minlength=10)
    sd = np.sqrt(3000 * 0.3 * 0.7)
    assert np.all(np.abs(total - 900) < 5 * sd), total


def test_fixed_in_degree_with_an_i_generator():
    """i='k for k in sample(N_pre, size=4)': every target gets exactly 4
    sources (Brian2 2.9.0 as well)."""
    seed(2)
    _, j = _pairs(N=30, i="k for k in sample(N_pre, size=4)")
    assert np.bincount(j, minlength=30).tolist() == [4] * 30


def test_bad_connect_forms():
    """Brian2 2.9.0 raises too: TypeError for n as an expression with indices,
    ValueError for i alone ("Must specify at least one of condition, i or j
    arguments"), an error for size larger than the range or negative, and for
    an invalid source."""
    with pytest.raises(ArgumentTypeError, match="n='i\\+1' is an expression"):
        _pairs(i=[0, 1], j=[1, 2], n="i+1")
    with pytest.raises(InvalidArgumentError, match="i=1 given without j"):
        _pairs(i=1)
    with pytest.raises(InvalidArgumentError, match="asks for 4 distinct values.*has 3"):
        _pairs(j="k for k in sample(3, size=4)")
    with pytest.raises(InvalidArgumentError, match="asks for -1"):
        _pairs(j="k for k in sample(6, size=-1)")
    with pytest.raises(InvalidArgumentError, match="must not be negative"):
        _pairs(j="i", n="i-1")
    with pytest.raises(InvalidIndexError, match="gives source 6 for target 5"):
        _pairs(i="j + 1")
    with pytest.raises(ModelDefinitionError, match="one of p=... or size="):
        _pairs(j="k for k in sample(3, size=2, p=0.5)")


# -- (shared) variables and scalar delays --------------------------------------------

def test_shared_variables_hold_one_value():
    """Brian2 2.9.0: S.a[:] is the scalar 2.0; S.w = 'a*i' uses it; setting it
    from 'i' is a SyntaxError, from two values a ValueError, by condition an
    IndexError; 'a + 1' gives 3, S.b = '3*mV*a' 9 mV; a new synapse gets 0 for
    w. In on_pre a shared variable is read (v_post += a: 0.5 per arrival)."""
    G = NeuronGroup(3, "v : 1")
    S = Synapses(G, G, "a : 1 (shared)\nw : 1\nb : volt (shared)")
    S.connect()
    S.a = 2
    assert np.ndim(S.a[:]) == 0 and float(S.a[:]) == 2.0
    S.w = "a*i"
    np.testing.assert_array_equal(S.w[:], [0, 0, 0, 2, 2, 2, 4, 4, 4])
    with pytest.raises(SyntaxError, match="reads 'i'"):
        S.a = "i"
    with pytest.raises(ValueError, match="one value for all synapses"):
        S.a = [1, 2]
    with pytest.raises(IndexError, match="set it as a whole"):
        S.a["i > 0"] = 3
    S.a = "a + 1"
    assert float(S.a[:]) == 3.0
    S.b = "3*mV*a"
    assert float(S.b[:] / mV) == pytest.approx(9.0)
    S.connect(i=0, j=0)
    assert S.w[:][-1] == 0 and float(S.a[:]) == 3.0


def test_shared_variables_in_synaptic_code():
    """Read by on_pre (Brian2 2.9.0: v = [3, 3, 3] after two steps of every
    neuron spiking onto every neuron with a = 0.5); written by on_pre: refused
    (Brian2 refuses it too, when the run starts)."""
    G = NeuronGroup(3, "v : 1", threshold="True", reset="")
    S = Synapses(G, G, "a : 1 (shared)", on_pre="v_post += a")
    S.connect()
    S.a = 0.5
    run(0.2 * ms)
    np.testing.assert_array_equal(G.v[:], [3, 3, 3])
    start_scope()
    G = NeuronGroup(3, "v : 1", threshold="True")
    S = Synapses(G, G, "a : 1 (shared)", on_pre="a += 1")
    S.connect()
    with pytest.raises(ModelDefinitionError, match="'a', a \\(shared\\) variable"):
        run(0.1 * ms)


def test_a_delay_given_to_the_constructor_is_one_value():
    """Brian2 2.9.0: S.delay reads 1 ms (a scalar), can be set to 2 ms or from
    '2*ms + 1*ms', but not from 'i*ms' (SyntaxError) nor per synapse
    (ValueError); S.pre.delay is the same variable; a delay given per pathway
    in a dict is one value as well, the others have one per synapse."""
    G = NeuronGroup(3, "v : 1", threshold="True")
    S = Synapses(G, G, on_pre="v += 1", delay=1 * ms)
    S.connect()
    assert np.ndim(S.delay[:]) == 0 and float(S.delay[:] / ms) == 1.0
    S.delay = 2 * ms
    assert float(S.pre.delay[:] / ms) == 2.0
    S.delay = "2*ms + 1*ms"
    assert float(S.delay[:] / ms) == pytest.approx(3.0)
    with pytest.raises(SyntaxError):
        S.pre.delay = "i*ms"
    with pytest.raises(ValueError):
        S.delay = [1, 2, 3, 4, 5, 6, 7, 8, 9] * ms
    with pytest.raises(ValueError, match="must not be negative"):
        S.delay = -1 * ms
    T = Synapses(G, G, on_pre={"a": "v += 1", "b": "v += 2"}, delay={"a": 1 * ms})
    T.connect()
    assert np.ndim(T.a.delay[:]) == 0
    T.b.delay = "i*ms"
    np.testing.assert_allclose(T.b.delay[:] / ms, T.i[:])


# -- indexing, writing through the synapses, counts of subgroups ----------------------

def _multisynaptic():
    G = NeuronGroup(3, "v : 1")
    S = Synapses(G, G, "w : 1", multisynaptic_index="k")
    S.connect()
    S.connect(i=0, j=1)
    S.w = "i*10 + j + 0.1*k"
    return S


def test_indexing_by_pairs_and_by_synapses():
    """Brian2 2.9.0 (3 x 3 all to all, then a second synapse (0, 1)):
    w[[0, 1], [2, 1]] = [1, 2, 11, 12, 1.1] (the synapses from {0, 1} to
    {1, 2}, in synapse order), w[0:2, [2]] = [2, 12], w[0, 1, :] = [1, 1.1];
    S[0, 1], S['i>j'], S[:, 1] select 2, 3 and 4 synapses. (For w[0, 1, 1]
    Brian2 2.9.0 returns 1.0, the value of k = 0; nerve returns the synapse
    with k = 1, 1.1. With a repeated index, w[[0, 1], [2, 2]], Brian2 repeats
    values and adds a synapse from neuron 2; nerve selects (0, 2) and (1, 2).)"""
    S = _multisynaptic()
    np.testing.assert_allclose(S.w[[0, 1], [2, 1]], [1, 2, 11, 12, 1.1])
    np.testing.assert_allclose(S.w[0:2, [2]], [2, 12])
    np.testing.assert_allclose(S.w[0, 1, :], [1, 1.1])
    np.testing.assert_allclose(S.w[0, 1, 1], [1.1])
    assert (len(S[0, 1]), len(S["i>j"]), len(S[:, 1])) == (2, 3, 4)
    S.w[[0, 1], [2, 1]] = 99
    np.testing.assert_allclose(S.w[:], [0, 99, 99, 10, 99, 99, 20, 21, 22, 99])
    with pytest.raises(IndexError, match="multisynaptic_index"):
        S2 = Synapses(NeuronGroup(2, "v : 1"), model="w : 1")
        S2.connect()
        S2.w[0, 1, 0]


def test_state_monitor_records_synapses_selected_by_pairs():
    """StateMonitor(S, 'w', record=S[0, 1]): Brian2 2.9.0 records [[0, 1]]."""
    G = NeuronGroup(3, "v : 1", threshold="True", reset="")
    S = Synapses(G, G, "w : 1", on_pre="w += 1")
    S.connect()
    M = StateMonitor(S, "w", record=S[0, 1])
    run(0.2 * ms)
    np.testing.assert_array_equal(M.w, [[0, 1]])


def test_neuron_variables_written_through_the_synapses():
    """Brian2 2.9.0, synapses (0,1) (1,1) (2,0) (2,2) with w = 1..4:
    S.v_post = 'w' gives v = [3, 2, 4] (the last synapse onto a neuron wins),
    then S.v_pre = 'w*10' [10, 20, 40], then S.v_post[1] = 7 [10, 7, 40];
    from an array, the same as from 'w'. Subgroups G[:3] -> G[3:], one to one,
    w = 1..3: S.v_post = 'w*2'; S.v_pre = 'j' gives [0, 1, 2, 2, 4, 6]."""
    G = NeuronGroup(3, "v : 1")
    S = Synapses(G, G, "w : 1")
    S.connect(i=[0, 1, 2, 2], j=[1, 1, 0, 2])
    S.w = [1, 2, 3, 4]
    S.v_post = "w"
    np.testing.assert_array_equal(G.v[:], [3, 2, 4])
    S.v_pre = "w*10"
    np.testing.assert_array_equal(G.v[:], [10, 20, 40])
    S.v_post[1] = 7
    np.testing.assert_array_equal(G.v[:], [10, 7, 40])
    G.v = 0
    S.v_post = [1, 2, 3, 4]
    np.testing.assert_array_equal(G.v[:], [3, 2, 4])
    H = NeuronGroup(6, "v : 1")
    T = Synapses(H[:3], H[3:], "w : 1")
    T.connect(j="i")
    T.w = [1, 2, 3]
    T.v_post = "w*2"
    T.v_pre = "j"
    np.testing.assert_array_equal(H.v[:], [0, 1, 2, 2, 4, 6])
    with pytest.raises(ValueError, match="one per synapse"):
        S.v_post = [1, 2]


def test_counts_of_subgroups_are_indexed_as_brian2():
    """Synapses(G[2:5], G[10:13]) all to all, Brian2 2.9.0: N_incoming_post has
    13 values (10 zeros, then 3, 3, 3), N_outgoing_pre 5 (0, 0, 3, 3, 3),
    N_incoming per synapse 3."""
    G = NeuronGroup(20, "v : 1")
    S = Synapses(G[2:5], G[10:13])
    S.connect()
    assert S.N_incoming_post.tolist() == [0] * 10 + [3, 3, 3]
    assert S.N_outgoing_pre.tolist() == [0, 0, 3, 3, 3]
    assert S.N_incoming[:].tolist() == [3] * 9


def test_generators_refuse_what_does_not_fit_in_memory():
    """1e12 candidates of a generator, or 1e12 synapses drawn by
    sample(size=...), are refused before allocating (a MemoryError that says
    how many and how many bytes)."""
    from nerve.exceptions import SynapseMemoryError

    G = NeuronGroup(10**6, "v : 1")
    S = Synapses(G, G, "w : 1")
    for kwargs in (dict(j="k for k in range(N_post) if k != i"),
                   dict(i="k for k in range(N_pre)"),
                   dict(j="k for k in sample(N_post, size=N_post)")):
        with pytest.raises(SynapseMemoryError, match=r"1e\+12 .* \(\d+ bytes each\)") as info:
            S.connect(**kwargs)
        assert isinstance(info.value, MemoryError)
    assert len(S) == 0
    # 1e10 candidates, 2e5 synapses: drawn without enumerating the candidates
    H = NeuronGroup(10**5, "v : 1")
    T = Synapses(H, H)
    T.connect(j="k for k in sample(N_post, size=2)")
    assert len(T) == 2 * 10**5


@pytest.mark.parametrize("on_pre, name", [("I_post += 1", "I_post"), ("s += 1", "s")])
def test_synaptic_code_cannot_assign_subexpressions(on_pre, name):
    """Brian2 2.9.0: SyntaxError, "Cannot write to subexpression 'I_post'"
    (nerve: the same class, with the line and a caret)."""
    G = NeuronGroup(3, "v : 1\nI = 2*v : 1", threshold="True", reset="")
    S = Synapses(G, G, "w : 1\ns = 2*w : 1", on_pre=on_pre)
    S.connect(j="i")
    with pytest.raises(SyntaxError, match=f"cannot assign to '{name}'.*subexpression") as info:
        run(0.1 * ms)
    assert "^" in str(info.value)


@pytest.mark.parametrize("size", [1, 249, 250, 251, 999, 1000])
def test_sample_size_dense_and_sparse_rows(size):
    """Rows that take up to a quarter of their range are drawn by rejection,
    the others by random keys: in both, every source gets exactly `size`
    distinct targets in increasing order, and each target is chosen about
    equally often (a target is chosen by each of the 1000 sources
    independently with probability q = size/1000, so its count is
    binomial(1000, q): the standard deviation of the 1000 counts is within
    15% of sqrt(1000*q*(1-q)), about 7 times the sampling error of that
    estimate)."""
    seed(1)
    G = NeuronGroup(1000, "v : 1")
    S = Synapses(G, G)
    S.connect(j=f"k for k in sample(N_post, size={size})")
    i, j = S.i[:], S.j[:]
    assert np.all(np.bincount(i, minlength=1000) == size)
    assert np.all((np.diff(j) > 0) | (np.diff(i) > 0))
    q = size / 1000
    expected = np.sqrt(1000 * q * (1 - q))
    assert abs(np.bincount(j, minlength=1000).std() - expected) <= 0.15 * expected + 1e-9


def test_writing_neurons_through_synapses_checks_units_first():
    """S.v_post = 'w' with v in volt: a DimensionMismatchError naming the
    variable, with a caret, and nothing written (Brian2 2.9.0 raises a
    DimensionMismatchError too)."""
    from nerve import DimensionMismatchError

    G = NeuronGroup(3, "v : volt")
    S = Synapses(G, G, "w : 1")
    S.connect(j="i")
    S.w = 1
    with pytest.raises(DimensionMismatchError, match="value of synapses.*v_post") as info:
        S.v_post = "w"
    assert "^" in str(info.value)
    assert np.all(G.v[:] == 0 * mV)
    S.v_post = "w*mV"
    assert np.allclose(G.v[:] / mV, 1)


# -- model checks and a short-term plasticity model ------------------------------------

@pytest.mark.parametrize("model, message", [
    ("dx/dt = -z/ms : 1 (event-driven)\ndz/dt = -z/ms : 1 (clock-driven)",
     "event-driven variable 'x' .* depends on the clock-driven variable 'z'"),
    ("dx/dt = -x/ms : 1 (event-driven)\ndz/dt = -x/ms : 1 (clock-driven)",
     "clock-driven variable 'z' .* depends on the event-driven variable 'x'"),
    ("dx/dt = -s/ms : 1 (event-driven)\ns = 2*z : 1\ndz/dt = -z/ms : 1 (clock-driven)",
     "event-driven variable 'x' .* depends on the clock-driven variable 'z'"),
])
def test_event_and_clock_driven_variables_may_not_read_each_other(model, message):
    """Brian2 2.9.0: EquationError, "The event-driven 'x' should not depend
    on the clock-driven variable 'z'" (and the converse)."""
    G = NeuronGroup(2, "v : 1", threshold="False")
    with pytest.raises(ModelDefinitionError, match=message):
        Synapses(G, G, model, on_pre="x += 1")


def test_short_term_plasticity_as_brian2():
    """Tsodyks-Markram depression and facilitation: (event-driven) x and u,
    a (clock-driven) y summed into the target's current, a spike every 20 ms.
    Brian2 2.9.0 (the same code): v (mV), y and x at steps 200, 201, 205,
    400, 402, 600, 1000, 1400, 1499, and the final u and x."""
    from nerve import Mohm, pA

    U_SE, tau_d, tau_f, tau_e, tau_m = 0.5, 200 * ms, 50 * ms, 3 * ms, 20 * ms  # noqa: F841
    A_SE, Rm = 250 * pA, 100 * Mohm  # noqa: F841
    src = NeuronGroup(1, "period : second", reset="",
                      threshold="timestep(t, dt) % timestep(period, dt) == 0 and t > 0*ms")
    src.period = 20 * ms
    tgt = NeuronGroup(1, "dv/dt = (Rm*Isyn - v)/tau_m : volt\nIsyn : amp", method="exact")
    S = Synapses(src, tgt, """dx/dt = (1 - x)/tau_d : 1 (event-driven)
    dy/dt = -y/tau_e : 1 (clock-driven)
    du/dt = -u/tau_f : 1 (event-driven)
    w : amp
    Isyn_post = w*y : amp (summed)""", on_pre="""u += U_SE*(1-u)
    y += u*x
    x -= u*x""", method="exact")
    S.connect()
    S.w = A_SE
    S.x = 1
    M = StateMonitor(tgt, "v", record=0)
    MS = StateMonitor(S, ["y", "x"], record=0)
    run(150 * ms)
    steps = [200, 201, 205, 400, 402, 600, 1000, 1400, 1499]
    np.testing.assert_allclose(M.v[0][steps] / mV, [
        0.0, 0.0, 0.23555952429041466, 0.8262951094031021, 0.8638145430243139,
        0.909170383897198, 0.43457912428175544, 0.27488955241563134, 0.40690069241399046],
        rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(MS.y[0][steps], [
        0.0, 0.5, 0.43758665952147374, 0.000657884934248716, 0.35418548424322627,
        0.0004818226121279078, 0.00015676160667132084, 0.00012394071268013676,
        0.0035413942116440207], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(MS.x[0][steps], [
        1.0, 0.5, 0.5, 0.5, 0.18202696644617938, 0.18202696644617938, 0.04121964349136334,
        0.031190516748663077, 0.030636060205471244], rtol=1e-12)
    np.testing.assert_allclose([S.u[0], S.x[0]], [0.7517033842660537, 0.030636060205471244],
                               rtol=1e-12)
