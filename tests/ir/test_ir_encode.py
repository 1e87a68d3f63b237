"""Encoding, decoding and the disassembly text format (docs/architecture.md, "ir")."""

from __future__ import annotations

import math
import struct

import pytest

from nerve.exceptions import ProgramError
from nerve.ir import Instr, Op, Program, disassemble
from nerve.ir.encode import decode, encode
from nerve.ir.disasm import format_const
from nerve.ir.program import CONST, SREG, VREG, operand

V = lambda k: operand(VREG, k)  # noqa: E731
S = lambda k: operand(SREG, k)  # noqa: E731
K = lambda k: operand(CONST, k)  # noqa: E731

# The example of the contract, assembled by hand.
EXAMPLE = Program(
    consts=(0.1, -1.0),
    scalar=(Instr(Op.DIV, S(4), S(1), K(0)), Instr(Op.EXP, S(5), S(4))),
    vector=(Instr(Op.LOAD, V(0), 0), Instr(Op.MUL, V(1), V(0), S(5)),
            Instr(Op.STORE, 0, V(1)), Instr(Op.COLLECT, 0, V(1))),
    n_sregs=6, n_vregs=3, n_columns=2,
)
EXAMPLE_TEXT = """\
; nerve IR v2: columns=2 consts=2 sregs=6 vregs=3
K0 = 1e-1
K1 = -1e0
scalar:
  S4 = div S1 K0
  S5 = exp S4
vector:
  V0 = load col0
  V1 = mul V0 S5
  col0 = store V1
  collect V1
"""


def test_contract_example_disassembles_as_documented():
    assert disassemble(encode(EXAMPLE)) == EXAMPLE_TEXT
    assert disassemble(EXAMPLE) == EXAMPLE_TEXT


def test_binary_layout():
    blob = encode(EXAMPLE)
    assert blob[:4] == b"NRVP"
    assert struct.unpack_from("<HHHHHHII", blob, 4) == (2, 2, 2, 6, 3, 0, 2, 4)
    assert struct.unpack_from("<2d", blob, 24) == (0.1, -1.0)
    assert len(blob) == 24 + 16 + 10 * 6
    # first scalar instruction: div S4 S1 K0, operands tagged in bits 15..14
    assert struct.unpack_from("<5H", blob, 40) == (int(Op.DIV), 0x4004, 0x4001, 0x8000, 0)
    # store: raw column slot as dst
    assert struct.unpack_from("<5H", blob, 40 + 10 * 4) == (int(Op.STORE), 0, 1, 0, 0)


def test_decode_inverts_encode():
    assert decode(encode(EXAMPLE)) == EXAMPLE


@pytest.mark.parametrize("mutate, message", [
    (lambda b: b"XXXX" + b[4:], "magic"),
    (lambda b: b[:4] + struct.pack("<H", 99) + b[6:], "v99"),
    (lambda b: b[:-1], "header announces"),
    (lambda b: b + b"\0", "header announces"),
    (lambda b: b[:40] + struct.pack("<H", 9999) + b[42:], "unknown opcode 9999"),
    (lambda b: b[:10], "too short"),
])
def test_decode_rejects_damaged_blobs(mutate, message):
    with pytest.raises(ProgramError, match=message):
        decode(mutate(encode(EXAMPLE)))


@pytest.mark.parametrize("value, text", [
    (0.1, "1e-1"), (1.0, "1e0"), (100.5, "1.005e2"), (-2.5e-07, "-2.5e-7"),
    (math.inf, "inf"), (-math.inf, "-inf"), (math.nan, "NaN"), (0.0, "0e0"), (-0.0, "-0e0"),
    (1.5, "1.5e0"), (1e300, "1e300"), (5e-324, "5e-324"), (123456789.0, "1.23456789e8"),
    (0.1 + 0.2, "3.0000000000000004e-1"), (1.7976931348623157e308, "1.7976931348623157e308"),
    (-0.07, "-7e-2"), (1e16, "1e16"),
])
def test_constants_print_as_rust_lower_exp(value, text):
    assert format_const(value) == text


def test_format_const_round_trips():
    for x in (math.pi, math.e, 1 / 3, 2.0 ** -1074, 6.02214076e23, -1.2345e-300):
        assert float(format_const(x)) == x


def test_zero_arity_and_index_instructions():
    program = Program((), (), (Instr(Op.RANDN, V(0)), Instr(Op.INDEX, V(1)),
                               Instr(Op.SELECT, V(2), V(0), V(1), S(2))), 4, 3, 0)
    assert disassemble(encode(program)).splitlines()[-3:] == [
        "  V0 = randn", "  V1 = index", "  V2 = select V0 V1 S2"]


def test_encode_rejects_out_of_range_operands():
    with pytest.raises(ProgramError, match="u16"):
        encode(Program((), (), (Instr(Op.STORE, 70000, V(0)),), 4, 1, 1))
