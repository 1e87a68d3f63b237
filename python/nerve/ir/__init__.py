"""The bytecode IR: lowering statements to programs, encoding, disassembly.

The format is specified in the module doc of ``rust/nerve-core/src/ir/mod.rs``;
the opcode table comes from the compiled module (:mod:`nerve.ir.opcodes`).
"""

from nerve.ir.disasm import disassemble
from nerve.ir.encode import decode, encode
from nerve.ir.lower import lower
from nerve.ir.opcodes import IR_VERSION, Op
from nerve.ir.program import Instr, Program

__all__ = ["lower", "encode", "decode", "disassemble", "Op", "Instr", "Program", "IR_VERSION"]
