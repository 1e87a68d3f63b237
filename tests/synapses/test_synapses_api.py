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

from nerve import NeuronGroup, StateMonitor, Synapses, ms, run, seed, start_scope
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
