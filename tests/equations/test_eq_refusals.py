"""Brian2's refusals, as clear nerve errors pointing at the text.

What Brian2 2.9.0 does (numpy target, run to find out): a subexpression
calling rand()/randn() without 'constant over dt' is a SyntaxError at run;
a reset assigning t, dt or N is a SyntaxError ("Writing to scalar variable
t not allowed"), one assigning a subexpression too; a threshold using xi is
a KeyError ('The identifier "xi" could not be resolved'). Brian2 lets a
reset assign ``i`` (a temporary hiding the index): nerve refuses it too.
An assignment to an external constant's name (``tau = 3*ms``) makes a
temporary in Brian2, and in nerve.
"""

from __future__ import annotations

import numpy as np
import pytest

from nerve import Network, NeuronGroup, ms
from nerve.exceptions import EquationSyntaxError, UnknownNameError

MODEL = "dv/dt = -v/(10*ms) : 1\nI = 2*v : 1"


def run_group(model=MODEL, **kwargs):
    group = NeuronGroup(2, model, **kwargs)
    Network(group).run(0.2 * ms)
    return group


@pytest.mark.parametrize("reset, name, line", [
    ("t = 0*ms", "t", 1), ("v = 1\ndt = 0*ms", "dt", 2), ("v = 1\n  i = 0", "i", 2),
    ("N += 1", "N", 1), ("xi = 0", "xi", 1), ("I = 3", "I", 1),
])
def test_reset_cannot_assign_builtins_or_subexpressions(reset, name, line):
    with pytest.raises(EquationSyntaxError) as info:
        run_group(threshold="True", reset=reset)
    message = str(info.value)
    assert f"cannot assign to '{name}'" in message and f"line {line}" in message
    caret_row = message.splitlines()[-1]
    text_row = message.splitlines()[-2]
    assert text_row[caret_row.index("^"):].startswith(name)
    assert info.value.lineno == line


def test_reset_may_shadow_an_external_constant():
    group = run_group(threshold="True", reset="tau = 3*ms\nv = tau/ms",
                      namespace={"tau": 5 * ms})
    assert np.all(group.v == 3.0)


def test_threshold_with_noise_is_refused():
    with pytest.raises(UnknownNameError) as info:
        run_group(threshold="v > xi*sqrt(ms)", reset="v = 0")
    message = str(info.value)
    assert "'xi'" in message and "only be used in differential equations" in message
    assert isinstance(info.value, KeyError)
    assert message.splitlines()[-1].strip() == "^^"


@pytest.mark.parametrize("sub, call", [("r = rand() : 1", "rand()"),
                                       ("r = 2*randn() : 1", "randn()")])
def test_random_subexpression_needs_constant_over_dt(sub, call):
    with pytest.raises(EquationSyntaxError) as info:
        run_group("dv/dt = -v/(10*ms) + r/ms : 1\n" + sub)
    message = str(info.value)
    assert "'constant over dt'" in message and f"calls {call}" in message
    assert info.value.lineno == 2
    rows = message.splitlines()
    assert rows[-2][rows[-1].index("^"):].startswith(call)
