"""exprel, expm1, log1p (engine opcodes) and timestep (lowered to
``trunc((t + 1e-3*dt)/dt)``): numerics, dimension rules, and the values
Brian2 2.9.0 gives for the same string assignments."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from nerve import NeuronGroup, ms
from nerve.equations import FUNCTIONS, parse_statements
from nerve.exceptions import DimensionMismatchError
from nerve.ir.lower import lower
from nerve.ir.opcodes import Op
from nerve.ir.reference import interpret
from nerve.ir.semantics import evaluate

ULP2 = 2 * np.finfo(float).eps


def exprel_reference(x: float) -> float:
    mpmath.mp.dps = 60
    x_ = mpmath.mpf(x)
    return float(mpmath.expm1(x_) / x_)


@pytest.mark.parametrize("x", [1e-300, -1e-17, 1e-10, -3e-8, 1e-5, 0.5, -0.5, 1.0, -20.0,
                               30.0, 700.0, 705.0, 712.5, 716.0, -745.0, -1e6])
def test_exprel_within_2_ulp_of_mpmath(x):
    # near 0, (exp(x) - 1)/x loses every digit; above 709.8 exp(x) overflows
    # although the quotient is finite up to 716.1 (Brian2 gives inf there)
    want = exprel_reference(x)
    assert abs(evaluate(Op.EXPREL, x) - want) <= ULP2 * abs(want)


def test_exprel_special_values():
    assert evaluate(Op.EXPREL, 0.0) == 1.0 and evaluate(Op.EXPREL, -0.0) == 1.0
    assert evaluate(Op.EXPREL, 717.0) == math.inf
    assert evaluate(Op.EXPREL, math.inf) == math.inf
    assert evaluate(Op.EXPREL, -math.inf) == 0.0
    assert math.isnan(evaluate(Op.EXPREL, math.nan))


@pytest.mark.parametrize("x", [1e-300, 1e-12, -3e-8, 0.5, -20.0, 30.0])
def test_expm1_log1p_match_mpmath(x):
    mpmath.mp.dps = 60
    assert abs(evaluate(Op.EXPM1, x) - float(mpmath.expm1(x))) <= ULP2 * abs(
        float(mpmath.expm1(x)))
    if x > -1:
        want = float(mpmath.log1p(x))
        assert abs(evaluate(Op.LOG1P, x) - want) <= ULP2 * abs(want)


# Brian2 2.9.0, numpy target: G.a = 'exprel(x)' etc. on these x, and
# G.n = 'timestep(s, 0.1*ms)' on these s (printed with 17 digits).
X = [0, 1e-12, -3e-8, 0.5, -20, 30]
BRIAN2_EXPREL = [1.0, 1.0000000000005, 0.99999998500000009, 1.2974425414002564,
                 0.049999999896942322, 356215819384.11542]
BRIAN2_EXPM1 = [0.0, 1.0000000000005e-12, -2.999999955e-08, 0.64872127070012819,
                -0.99999999793884642, 10686474581523.463]
BRIAN2_LOG1P = [0.0, 9.9999999999949996e-13, -3.0000000450000008e-08, 0.40546510810816438,
                math.nan, 3.4339872044851463]
S_MS = [0, 0.3, -0.3, 12.34567, -1e7, 0.29999]
BRIAN2_TIMESTEP = [0, 3, -2, 123, -99999999, 3]


def test_engine_values_equal_brian2s():
    group = NeuronGroup(6, "x : 1\na : 1\nb : 1\nc : 1\ns : second\nn : integer")
    group.x = X
    group.s = np.array(S_MS) * ms
    group.a = "exprel(x)"
    group.b = "expm1(x)"
    with np.errstate(invalid="ignore"):
        group.c = "log1p(x)"
    group.n = "timestep(s, 0.1*ms)"
    np.testing.assert_allclose(group.a, BRIAN2_EXPREL, rtol=ULP2)
    np.testing.assert_allclose(group.b, BRIAN2_EXPM1, rtol=ULP2)
    np.testing.assert_allclose(group.c, BRIAN2_LOG1P, rtol=ULP2)
    np.testing.assert_array_equal(group.n, BRIAN2_TIMESTEP)


def test_reference_interpreter_and_folding_agree():
    program = lower(parse_statements("a = exprel(x)\nb = timestep(t, dt)"),
                    columns={"a": 0, "b": 1, "x": 2}, constants={})
    columns = [np.zeros(3), np.zeros(3), np.array([0.0, 1e-9, 710.0])]
    interpret(program, columns, t=0.00029999, dt=1e-4)
    assert columns[0].tolist() == [evaluate(Op.EXPREL, v) for v in (0.0, 1e-9, 710.0)]
    assert columns[1].tolist() == [3.0, 3.0, 3.0]
    folded = lower(parse_statements("a = exprel(1e-9)"), columns={"a": 0}, constants={})
    assert folded.consts == (evaluate(Op.EXPREL, 1e-9),)


@pytest.mark.parametrize("text, match", [
    ("d = exprel(s)", "argument of exprel\\(\\) must be dimensionless"),
    ("d = log1p(s)", "argument of log1p\\(\\) must be dimensionless"),
    ("d = timestep(x, 0.1*ms)", "argument 1 of timestep\\(\\) must be a time"),
    ("d = timestep(s, 1)", "argument 2 of timestep\\(\\) must be a time"),
])
def test_dimension_rules_as_brian2(text, match):
    group = NeuronGroup(1, "x : 1\nd : 1\ns : second")
    with pytest.raises(DimensionMismatchError, match=match):
        group.d = text.split(" = ")[1]


def test_function_table():
    assert FUNCTIONS["timestep"].dtype == "integer"
    assert all(name in FUNCTIONS for name in ("exprel", "expm1", "log1p", "timestep", "int"))
