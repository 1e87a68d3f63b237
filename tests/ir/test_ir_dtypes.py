"""Integer and boolean variables: every assignment casts, in the program.

Expected values from Brian2 2.9.0 (numpy target), a NeuronGroup of two
neurons with ``n : integer`` or ``b : boolean``, ``threshold='True'`` and
the reset shown, after one step: Brian2 casts on assignment (int(2.7) = 2,
int(-2.7) = -2: truncation toward zero), ``/`` is true division and ``//``,
``%`` follow Python (floor division, remainder with the divisor's sign).
"""

from __future__ import annotations

import numpy as np
import pytest

from nerve import Network, NeuronGroup, ms
from nerve.equations import parse_statements
from nerve.ir.lower import lower
from nerve.ir.opcodes import Op
from nerve.ir.reference import interpret


def reset_result(reset, model="dv/dt = -v/(10*ms) : 1\nn : integer\nb : boolean"):
    group = NeuronGroup(2, model, threshold="True", reset=reset)
    Network(group).run(0.1 * ms)
    return group


@pytest.mark.parametrize("reset, brian2", [
    ("n = 2.7", 2), ("n = -2.7", -2), ("n = 7//2", 3), ("n = -7//2", -4),
    ("n = -7 % 3", 2), ("n = 7 % -3", -2), ("n = 7/2", 3), ("n = int(-2.7)", -2),
    ("n = 3\nn = n/2", 1), ("n = 3\nn += 0.6", 3), ("n = 3\nn *= 1.9", 5),
])
def test_integer_assignments_as_brian2(reset, brian2):
    group = reset_result(reset)
    assert group.n.dtype.kind == "i"
    np.testing.assert_array_equal(group.n, [brian2, brian2])
    np.testing.assert_array_equal(group.n_, [brian2, brian2])  # the stored column too


def test_integer_read_after_assignment():
    # '/' stays true division for integers (Brian2: 1.5)
    np.testing.assert_array_equal(reset_result("n = 3\nv = n/2").v, [1.5, 1.5])
    # a later statement reads the cast value, as in C where the variable is an
    # int32_t local; Brian2's numpy target casts only when writing back and
    # gives 2.7, its Cython target refuses to compile a double assigned to it
    np.testing.assert_array_equal(reset_result("n = 2.7\nv = n").v, [2.0, 2.0])


@pytest.mark.parametrize("reset, brian2_v", [
    ("b = 2.7\nv = b", 1.0), ("b = 0.0\nv = b + 1", 1.0), ("b = -0.5\nv = b", 1.0),
])
def test_boolean_assignments_store_0_or_1(reset, brian2_v):
    group = reset_result(reset)
    np.testing.assert_array_equal(group.v, [brian2_v, brian2_v])
    assert set(np.unique(group.b_)) <= {0.0, 1.0}


def test_string_assignment_casts():
    group = NeuronGroup(3, "n : integer\nb : boolean")
    group.n = "2.7 - 2.7*i"
    group.b = "0.5*i"
    np.testing.assert_array_equal(group.n_, [2.0, 0.0, -2.0])
    np.testing.assert_array_equal(group.b_, [0.0, 1.0, 1.0])


def test_lowering_casts_only_typed_columns():
    stmts = parse_statements("n = x*2.5\nb = x\nv = x")
    program = lower(stmts, columns={"n": 0, "b": 1, "v": 2, "x": 3}, constants={},
                    dtypes={"n": "integer", "b": "boolean"})
    ops = [ins.op for ins in program.vector]
    assert ops.count(Op.TRUNC) == 1 and ops.count(Op.NE) == 1
    columns = [np.zeros(4), np.zeros(4), np.zeros(4), np.array([-1.3, 0.0, 0.9, np.nan])]
    interpret(program, columns)
    np.testing.assert_array_equal(columns[0][:3], [-3.0, 0.0, 2.0])
    np.testing.assert_array_equal(columns[1], [1.0, 0.0, 1.0, 1.0])  # nan is true, as bool(nan)
    np.testing.assert_array_equal(columns[2][:3], [-1.3, 0.0, 0.9])


def test_no_cast_for_values_already_of_the_type():
    # a condition is already 0 or 1, floor() already whole: no extra instruction
    stmts = parse_statements("b = x > 0 or b\nn = floor(x)\nm = i")
    program = lower(stmts, columns={"b": 0, "n": 1, "m": 2, "x": 3}, constants={},
                    dtypes={"b": "boolean", "n": "integer", "m": "integer"})
    ops = [ins.op for ins in program.vector]
    assert Op.NE not in ops and Op.TRUNC not in ops
