"""Python user functions called from the code of Synapses (clock-driven
equations, (summed) variables, on_pre, connect() conditions), compared with
Brian2 2.9.0's numbers (prefs.codegen.target = 'numpy'; the same scripts with
``from brian2 import *``, values printed with repr at full precision).
Tolerance rtol 1e-12: the same operations in a different order differ by an ulp."""

import numpy as np
import pytest

from nerve import (NeuronGroup, StateMonitor, Synapses, check_units,
                   implementation, mV, ms, run, start_scope, volt)
from nerve.exceptions import NotSupportedError


@check_units(x=volt, result=volt)
def half(x):
    return 0.5 * x


@implementation("numpy", discard_units=True)
@check_units(x=1, result=1)
def sq(x):
    return x * x


def test_clock_driven_summed_and_on_pre_call_python_functions():
    start_scope()
    G = NeuronGroup(3, "dv/dt = (1*mV + 0.1*v*i)/ms : volt\ng : 1", threshold="v > 2*mV",
                    reset="v = 0*mV", method="euler")
    H = NeuronGroup(2, "dv/dt = -v/(10*ms) : volt\ns : volt", method="euler")
    S = Synapses(G, H, """dw/dt = (half(v_pre) - w)/(5*ms) : volt (clock-driven)
                          s_post = half(w) + v_pre*0.1 : volt (summed)
                          c : 1""",
                 on_pre="v_post += half(v_pre + w) + sq(c)*mV", method="euler")
    S.connect()
    S.c = "i + 2*j"
    M = StateMonitor(H, ["v", "s"], record=True)
    MS = StateMonitor(S, "w", record=True)
    run(3 * ms)
    v = [[0, 0, 0, 0, 8.128952973567706, 7.730553393967907],
         [0, 0, 0, 0, 31.692540973567702, 30.13929112191094]]
    s_row = [0, 0.13667283350000003, 0.3470454638313533, 0.6006208848362726,
             0.4602598001909835, 0.4255721714607546]
    w = [0.1974585605862429, 0.1974585605862429, 0.20050357425542006,
         0.20050357425542006, 0.1993107596391404, 0.1993107596391404]
    np.testing.assert_allclose(M.v[:, ::5] / mV, v, rtol=1e-12)
    np.testing.assert_allclose(M.s[:, ::5] / mV, [s_row, s_row], rtol=1e-12)
    np.testing.assert_allclose(MS.w[:, -1] / mV, w, rtol=1e-12)


def test_on_pre_with_delay_and_connect_condition_call_python_functions():
    start_scope()
    G = NeuronGroup(2, "dv/dt = 1*mV/ms*(1+i) : volt", threshold="v > 1*mV",
                    reset="v = 0*mV", method="euler")
    H = NeuronGroup(3, "dv/dt = -v/(10*ms) : volt", method="euler")
    H.v = "(i+1)*mV"
    S = Synapses(G, H, "w : volt", on_pre="v_post += half(w + v_pre) + 0.1*half(v_pre)",
                 delay=0.3 * ms)
    S.connect("half(v_post) > 0.6*mV")
    S.w = "i*mV + j*0.5*mV"
    M = StateMonitor(H, "v", record=True)
    run(3 * ms)
    assert list(S.i) == [0, 0, 1, 1] and list(S.j) == [1, 2, 1, 2]
    expected = [[1.0, 0.9414801494009999, 0.8863848717161292, 0.8345137614500874,
                 0.7856781408072189],
                [2.0, 1.8829602988019998, 2.820692663432258, 4.098209940891007,
                 5.317156227426729],
                [3.0, 2.824440448203, 3.949652285148387, 5.641425276687004,
                 7.2601375823298575]]
    np.testing.assert_allclose(M.v[:, ::6] / mV, expected, rtol=1e-12)


@pytest.mark.parametrize("on_pre, match", [
    ("x += 1*mV\nv_post += half(x)", "computed in the same step"),
    ("v_post += half(v_post)", "which the same code writes"),
])
def test_arguments_the_code_changes_are_refused(on_pre, match):
    start_scope()
    G = NeuronGroup(1, "dv/dt = 1*mV/ms : volt", threshold="v > 1*mV", reset="v = 0*mV",
                    method="euler")
    H = NeuronGroup(1, "v : volt")
    S = Synapses(G, H, "x : volt", on_pre=on_pre)
    S.connect()
    with pytest.raises(NotSupportedError, match=match):
        run(0.2 * ms)


def test_string_assignment_of_a_synaptic_variable_is_still_refused():
    start_scope()
    G = NeuronGroup(2, "v : volt")
    S = Synapses(G, G, "w : volt")
    S.connect()
    with pytest.raises(NotSupportedError, match="string assignments of synaptic variables"):
        S.w = "half(v_post)"
