"""Programs shared between groups compiled from the same inputs
(``nerve/groups/compiled.py``), parses and equation blocks shared between
groups made from the same strings.

Sharing must never change a number: groups that differ in anything their
programs are computed from (an external constant's value or units, the
namespace, dt, the method, the refractory period...) get their own programs
and Brian2's numbers; identical groups share one set of engine programs.
"""

from __future__ import annotations

import gc
import logging
import weakref

import numpy as np
import pytest

from nerve import (
    DimensionMismatchError, EquationSyntaxError, Equations, Network, NeuronGroup, SpikeMonitor,
    StateMonitor, TimedArray, mV, ms, second, start_scope,
)
from nerve.equations import parse_expression
from nerve.groups import compiled

LEAK = "dv/dt = (v0 - v)/tau : volt\nv0 : volt"


@pytest.fixture(autouse=True)
def _fresh():
    compiled.clear()
    start_scope()


def _leaky(tau, method="exact", dt=0.1 * ms, **kwargs):
    G = NeuronGroup(1, LEAK, method=method, dt=dt, namespace={"tau": tau}, **kwargs)
    G.v0 = 10 * mV
    return G


def _final_mV(*groups):
    Network(*groups).run(5 * ms, namespace={})
    return [float(G.v[0] / mV) for G in groups]


def test_identical_groups_share_their_programs_and_give_brian2s_numbers():
    groups = [_leaky(10 * ms) for _ in range(3)]
    values = _final_mV(*groups)
    first = groups[0]._programs
    for G in groups[1:]:
        assert G._programs.update is first.update
        assert G.method_chosen == "exact"
    # Brian2 2.9.0 (numpy target), same model, run(5*ms) at dt 0.1 ms:
    # 3.9346934028737164 mV, i.e. 10 mV * (1 - exp(-0.5))
    np.testing.assert_allclose(values, [3.9346934028737164] * 3, rtol=1e-12)


def test_a_different_external_constant_gets_its_own_program():
    a, b = _leaky(10 * ms), _leaky(20 * ms)
    values = _final_mV(a, b)
    assert a._programs.update is not b._programs.update
    # Brian2 2.9.0 (numpy target): 3.9346934028737164 and 2.21199216928593 mV
    # (10 mV * (1 - exp(-5/tau)) for tau = 10 and 20 ms)
    np.testing.assert_allclose(values, [3.9346934028737164, 2.21199216928593], rtol=1e-12)


def test_the_run_namespace_decides_for_groups_without_their_own():
    def build():
        G = NeuronGroup(1, LEAK, method="exact")
        G.v0 = 10 * mV
        return G

    values = []
    for tau in (10 * ms, 20 * ms):  # the same model strings, another namespace
        start_scope()
        G = build()
        Network(G).run(5 * ms, namespace={"tau": tau})
        values.append(float(G.v[0] / mV))
    np.testing.assert_allclose(values, [3.9346934028737164, 2.21199216928593], rtol=1e-12)


def test_a_different_method_or_dt_gets_its_own_program():
    groups = [_leaky(10 * ms, "euler"), _leaky(10 * ms, "euler", dt=0.5 * ms),
              _leaky(10 * ms, "exact")]
    values = _final_mV(*groups)
    updates = {id(G._programs.update) for G in groups}
    assert len(updates) == 3
    # Brian2 2.9.0 (numpy target): euler at dt 0.1 ms 3.949939328624634 mV,
    # at dt 0.5 ms 4.01263060761621 mV (10 mV * (1 - (1 - dt/tau)**n)), exact as above
    np.testing.assert_allclose(values, [3.949939328624634, 4.01263060761621,
                                        3.9346934028737164], rtol=1e-12)


def test_groups_differing_in_constants_only_integrate_once(monkeypatch, caplog):
    import nerve.integrators

    calls = []
    integrate = nerve.integrators.integrate

    def counted(*args, **kwargs):
        calls.append(kwargs.get("owner"))
        return integrate(*args, **kwargs)

    monkeypatch.setattr(nerve.integrators, "integrate", counted)
    with caplog.at_level(logging.INFO, logger="nerve.integrators"):
        groups = [NeuronGroup(1, LEAK, name=f"g{j}", namespace={"tau": k * 10 * ms})
                  for j, k in enumerate((1, 2, 1))]
        for G in groups:
            G.v0 = 10 * mV
        values = _final_mV(*groups)
    assert calls == ["g0"]  # (g1 lowers g0's statements with its own tau)
    assert groups[2]._programs.update is groups[0]._programs.update
    assert groups[1]._programs.update is not groups[0]._programs.update
    # Brian2 2.9.0 (numpy target): 3.9346934028737164 and 2.21199216928593 mV
    np.testing.assert_allclose(values, [3.9346934028737164, 2.21199216928593,
                                        3.9346934028737164], rtol=1e-12)
    messages = [r.getMessage() for r in caplog.records if r.name == "nerve.integrators"]
    assert [m.split("'")[1] for m in messages] == ["g0", "g1", "g2"]


def test_a_program_that_does_not_read_the_differing_constant_is_shared():
    model = "dv/dt = (v0 - v)/tau : volt (unless refractory)\nv0 : volt"
    groups = [NeuronGroup(2, model, threshold="v > -50*mV", reset="v = -60*mV",
                          refractory=2 * ms, method="exact", namespace={"tau": tau})
              for tau in (10 * ms, 20 * ms)]
    for G in groups:
        G.v, G.v0 = -60 * mV, -40 * mV
    monitors = [SpikeMonitor(G) for G in groups]
    Network(*groups, *monitors).run(30 * ms)
    a, b = (G._programs for G in groups)
    assert a.update is not b.update
    assert a.threshold is b.threshold and a.reset is b.reset
    # Brian2 2.9.0 (numpy target): spikes at 6.9, 15.8, 24.7 ms for tau = 10 ms
    # and at 13.8, 29.6 ms for tau = 20 ms (both neurons of a group alike)
    assert list(monitors[0].count[:]) == [3, 3] and list(monitors[1].count[:]) == [2, 2]
    np.testing.assert_allclose(sorted(set(np.round(monitors[0].t[:] / ms, 9))),
                               [6.9, 15.8, 24.7])
    np.testing.assert_allclose(sorted(set(np.round(monitors[1].t[:] / ms, 9))), [13.8, 29.6])


def test_a_constant_in_the_threshold_is_part_of_the_key():
    model = "dv/dt = 1/(10*ms) : 1"
    G = NeuronGroup(3, model, threshold="v > vt", reset="v = 0", method="euler",
                    namespace={"vt": 0.5})
    H = NeuronGroup(3, model, threshold="v > vt", reset="v = 0", method="euler",
                    namespace={"vt": 0.25})
    MG, MH = SpikeMonitor(G), SpikeMonitor(H)
    Network(G, H, MG, MH).run(10 * ms)
    # Brian2 2.9.0 (numpy target): counts [2 2 2] and [4 4 4], at 4.9, 9.9 ms
    # and at 2.4, 4.9, 7.4, 9.9 ms
    assert list(MG.count[:]) == [2, 2, 2]
    assert list(MH.count[:]) == [4, 4, 4]
    np.testing.assert_allclose(sorted(set(np.round(MG.t[:] / ms, 9))), [4.9, 9.9])
    np.testing.assert_allclose(sorted(set(np.round(MH.t[:] / ms, 9))), [2.4, 4.9, 7.4, 9.9])


def test_minus_zero_is_not_zero():
    # 1/z is +inf or -inf (Brian2's numpy target raises ZeroDivisionError here,
    # its C++ targets give the IEEE results as nerve does)
    groups = [NeuronGroup(1, "x : 1", threshold="1/z > 0", namespace={"z": z})
              for z in (0.0, -0.0, 0.0)]
    monitors = [SpikeMonitor(G) for G in groups]
    Network(*groups, *monitors).run(0.3 * ms)
    assert [int(M.num_spikes) for M in monitors] == [3, 0, 3]
    assert groups[0]._programs.threshold is groups[2]._programs.threshold
    assert groups[0]._programs.threshold is not groups[1]._programs.threshold


def test_the_units_of_a_constant_are_part_of_the_key():
    # the same SI value, 0.01, once a time and once a plain number
    good = _leaky(0.01 * second)
    bad = _leaky(0.01)
    net = Network(good)
    net.run(1 * ms, namespace={})
    with pytest.raises(DimensionMismatchError):
        Network(bad).run(1 * ms, namespace={})
    start_scope()
    compiled.clear()  # the other order: the error first, then the good group
    bad, good = _leaky(0.01), _leaky(0.01 * second)
    with pytest.raises(DimensionMismatchError):
        Network(bad).run(1 * ms, namespace={})
    Network(good).run(1 * ms, namespace={})


def test_the_refractory_period_is_part_of_the_key():
    model = "dv/dt = 1/(1*ms) : 1 (unless refractory)"
    counts = []
    groups = []
    for period in (1 * ms, 2 * ms):
        G = NeuronGroup(1, model, threshold="v > 1", reset="v = 0", refractory=period,
                        method="euler")
        groups.append(G)
    monitors = [SpikeMonitor(G) for G in groups]
    # (recording the flag keeps the column, so the period is not in 'derived')
    states = [StateMonitor(G, "not_refractory", record=0) for G in groups]
    Network(*groups, *monitors, *states).run(10 * ms)
    counts = [int(M.num_spikes) for M in monitors]
    assert groups[0]._programs.update is not groups[1]._programs.update
    # v reaches 1 after 1 ms (plus one step to pass it), then waits out the period
    assert counts[0] > counts[1] > 0


def test_a_choice_among_methods_is_logged_for_every_group(caplog):
    with caplog.at_level(logging.INFO, logger="nerve.integrators"):
        groups = [NeuronGroup(1, LEAK, name=f"leaky{k}", namespace={"tau": 10 * ms})
                  for k in range(2)]
        Network(*groups).run(0.1 * ms)
    messages = [r.getMessage() for r in caplog.records if r.name == "nerve.integrators"]
    assert len(messages) == 2
    for k, message in enumerate(messages):
        assert f"No numerical integration method specified for group 'leaky{k}'" in message
        assert "using method 'exact'" in message
    assert groups[1]._programs.update is groups[0]._programs.update


def test_a_subclass_that_compiles_otherwise_does_not_share():
    class Doubled(NeuronGroup):
        def _program(self, statements, resolver, condition=None, **options):
            self.__dict__["_lowered"] = self.__dict__.get("_lowered", 0) + 1
            return super()._program(statements, resolver, condition, **options)

    plain = _leaky(10 * ms)
    other = Doubled(1, LEAK, method="exact", namespace={"tau": 10 * ms})
    other.v0 = 10 * mV
    Network(plain, other).run(1 * ms, namespace={})
    assert other.__dict__["_lowered"] >= 1
    assert other._programs.update is not plain._programs.update


def test_groups_reading_one_timed_array_share_and_the_entry_goes_with_it():
    def simulate():  # (its frame, and the table, are gone when it returns)
        ta = TimedArray([1.0, 2.0, 3.0], dt=0.1 * ms)
        groups = [NeuronGroup(2, "dv/dt = ta(t)/(1*ms) : 1", method="euler")
                  for _ in range(2)]
        Network(*groups).run(0.3 * ms, namespace={"ta": ta})
        assert groups[1]._programs.update is groups[0]._programs.update
        return [groups[0].v[0], groups[1].v[1]]

    values = simulate()
    # Brian2 2.9.0 (numpy target): 0.6000000000000001 (0.1*(1 + 2 + 3))
    np.testing.assert_allclose(values, [0.6000000000000001] * 2, rtol=1e-12)
    start_scope()
    gc.collect()
    assert compiled.lookup("anything") is None  # (drops the entries of deleted functions)
    assert len(compiled._entries) == 0


def test_the_cache_holds_no_group():
    def simulate():
        G = _leaky(10 * ms)
        _final_mV(G)
        return weakref.ref(G)

    alive = simulate()
    assert compiled._entries
    start_scope()
    gc.collect()
    assert alive() is None


def test_a_group_whose_equations_were_replaced_does_not_share():
    a, b = _leaky(10 * ms), _leaky(10 * ms)
    # (not something Brian2 offers; nerve compiles what the group holds)
    object.__setattr__(b, "equations", Equations("dv/dt = (2*v0 - v)/tau : volt\nv0 : volt"))
    values = _final_mV(a, b)
    assert a._programs.update is not b._programs.update
    np.testing.assert_allclose(values, [3.9346934028737164, 2 * 3.9346934028737164],
                               rtol=1e-12)


def test_the_cache_keeps_at_most_its_limit(monkeypatch):
    monkeypatch.setattr(compiled, "LIMIT", 3)
    groups = [_leaky(k * ms) for k in range(1, 6)]
    Network(*groups).run(0.1 * ms, namespace={})
    assert len(compiled._entries) == 3
    assert all(compiled.lookup(key) is not None for key in list(compiled._entries))


def test_parses_are_shared_and_errors_still_name_their_place():
    first = parse_expression("v > -50*mV + w")
    assert parse_expression("v > -50*mV + w") is first
    for where in ("the threshold", "the reset"):
        with pytest.raises(EquationSyntaxError, match=where):
            parse_expression("v >", where=where)


def test_equation_blocks_built_from_one_text_are_independent_mappings():
    a, b = Equations(LEAK), Equations(LEAK)
    assert a is not b and a._equations is not b._equations
    assert a["v"] is b["v"]  # (an immutable SingleEquation)
    assert list(a) == ["v", "v0"] and a.text == b.text


# -- string assignments (G.v = '...') shared between groups of one model ------

def _assigned(text, namespace, model=LEAK, n=4):
    G = NeuronGroup(n, model + "\nI = v0*2 + offset : volt", namespace=namespace)
    G.v0 = "i*mV"
    G.v = text
    return G


def test_an_assignment_is_compiled_once_for_groups_of_one_model(monkeypatch):
    from nerve.groups import compiling

    made = []
    original = compiling.CompilingGroup._program

    def counting(self, *args, **kwargs):
        made.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(compiling.CompilingGroup, "_program", counting)
    groups = [_assigned("v0*scale + rand()*mV", {"scale": 3, "offset": 0 * mV})
              for _ in range(5)]
    assert len(made) == 2  # (v0 = 'i*mV' and v = ..., for the first group only)
    for G in groups:
        np.testing.assert_array_equal(G.v0_, np.arange(4) * 1e-3)
        assert np.all(G.v_ >= 3 * G.v0_) and np.all(G.v_ < 3 * G.v0_ + 1e-3)
    # each group drew its own random numbers
    assert len({tuple(G.v_) for G in groups}) == 5


@pytest.mark.parametrize("change", ["value", "subexpression_constant"])
def test_an_assignment_reading_another_constant_is_compiled_again(change):
    first = _assigned("v0*scale + I", {"scale": 3, "offset": 1 * mV})
    namespace = {"scale": 3, "offset": 1 * mV}
    if change == "value":
        namespace["scale"] = 4
    else:  # the constant is read through a subexpression of the model
        namespace["offset"] = 2 * mV
    second_ = _assigned("v0*scale + I", namespace)
    expected = second_.v0_ * namespace["scale"] + (second_.v0_ * 2 + float(namespace["offset"]))
    np.testing.assert_allclose(second_.v_, expected, rtol=1e-15)
    assert not np.array_equal(first.v_, second_.v_)


def test_a_shared_assignment_still_checks_what_differs():
    _assigned("v0*scale", {"scale": 3, "offset": 0 * mV})
    with pytest.raises(DimensionMismatchError):
        _assigned("v0*scale", {"scale": 3 * mV, "offset": 0 * mV})
