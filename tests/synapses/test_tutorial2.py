"""The cells of Brian2's tutorial part 2 (Synapses) compared with what
Brian2 2.9.0 computed for them.

The reference numbers are in tests/reference/tutorial2-brian2-2.9.0-numpy.json,
written by tests/reference/make_tutorial2_reference.py run under Brian2 2.9.0
(numpy target, dt = 0.1 ms); the cells are in tests/reference/cells2.py.
Deterministic cells must match: the same connectivity exactly, traces to
round-off (the engine evaluates the same formulas in float64, possibly in
another order; over a few hundred steps the difference stays far below
RTOL). The random cells (p < 1) are checked statistically.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = json.loads(
    (ROOT / "tests" / "reference" / "tutorial2-brian2-2.9.0-numpy.json").read_text())["cells"]
_spec = importlib.util.spec_from_file_location("cells2",
                                               ROOT / "tests" / "reference" / "cells2.py")
cells2 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cells2)

#: see the module docstring
RTOL = 1e-10


def run_cell(name: str) -> dict:
    namespace: dict = {}
    exec("from nerve import *\nstart_scope()\n", namespace)
    exec(cells2.CELLS[name], namespace)
    return {key: np.asarray(eval(expr, namespace), dtype=float)
            for key, expr in cells2.RECORD[name].items()}


@pytest.mark.parametrize("name", sorted(cells2.CELLS))
def test_cell_matches_brian2(name):
    got = run_cell(name)
    for key, expected in REFERENCE[name].items():
        expected = np.asarray(expected)
        assert got[key].shape == expected.shape, (name, key)
        np.testing.assert_allclose(got[key], expected, rtol=RTOL, atol=1e-13,
                                   err_msg=f"{name}: {key}")


def test_delivery_changes_the_target():
    """The synapse matters: without it neuron 1 of the first cell stays at 0."""
    got = run_cell("simplest")
    assert got["v"][1].max() > 0.2


@pytest.mark.parametrize("p", [0.1, 0.2, 0.5, 1.0])
def test_random_connectivity_statistics(p):
    """connect(condition="i!=j", p=p) over N=10 (the first connectivity cell has
    p = 0.2, the next one 0.1, 0.5 and 1): never i == j, and the count
    of synapses over 200 repetitions is binomial(90*200, p) (checked within
    5 standard deviations; p = 1 connects all 90 pairs)."""
    from nerve import NeuronGroup, Synapses, start_scope

    start_scope()
    G = NeuronGroup(10, "v:1")
    total = 0
    for _ in range(200):
        S = Synapses(G, G)
        S.connect(condition="i!=j", p=p)
        assert np.all(S.i[:] != S.j[:])
        total += len(S)
    trials = 90 * 200
    sd = np.sqrt(trials * p * (1 - p))
    assert abs(total - trials * p) <= 5 * sd + 1e-9


def test_the_stdp_window_cell():
    """The cell that plots W(delta_t) (units and numpy functions only): the
    values of the formula computed in plain floats; Brian2 2.9.0 prints the
    sum -0.009106654922553236."""
    namespace: dict = {}
    exec("from nerve import *\n"
         "tau_pre = tau_post = 20*ms\n"
         "A_pre = 0.01\n"
         "A_post = -A_pre*1.05\n"
         "delta_t = linspace(-50, 50, 100)*ms\n"
         "W = where(delta_t>0, A_pre*exp(-delta_t/tau_pre), A_post*exp(delta_t/tau_post))\n",
         namespace)
    d = np.linspace(-50, 50, 100)
    expected = np.where(d > 0, 0.01 * np.exp(-d / 20), -0.0105 * np.exp(d / 20))
    np.testing.assert_allclose(np.asarray(namespace["W"]), expected, rtol=1e-14)
    assert float(np.sum(namespace["W"])) == pytest.approx(-0.009106654922553236, rel=1e-12)


_STDP_MODEL_CELL = """
from nerve import *
start_scope()
taupre = taupost = 20*ms
wmax = 0.01
Apre = 0.01
Apost = -Apre*taupre/taupost*1.05
G = NeuronGroup(1, 'v:1', threshold='v>1', reset='')
S = Synapses(G, G,
             '''
             w : 1
             dapre/dt = -apre/taupre : 1 (event-driven)
             dapost/dt = -apost/taupost : 1 (event-driven)
             ''',
             on_pre='''
             v_post += w
             apre += Apre
             w = clip(w+apost, 0, wmax)
             ''',
             on_post='''
             apost += Apost
             w = clip(w+apre, 0, wmax)
             ''')
"""


def test_the_stdp_model_cell():
    """The cell that defines the event-driven STDP synapses without
    connecting them: Brian2 2.9.0 has the differential equations apost, apre,
    no synapse, and empty w, lastupdate and delay."""
    namespace: dict = {}
    exec(_STDP_MODEL_CELL, namespace)
    S = namespace["S"]
    assert sorted(S.equations.diff_eq_names) == ["apost", "apre"]
    assert len(S) == 0
    assert len(S.w[:]) == len(S.lastupdate[:]) == len(S.delay[:]) == 0
