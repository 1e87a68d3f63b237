"""The bytecode IR: lowering statements to programs, encoding, disassembly.

The format is specified in the module doc of ``rust/nerve-core/src/ir/mod.rs``;
the opcode table comes from the compiled module (:mod:`nerve.ir.opcodes`).
The entry points live in their modules, named as in ``docs/architecture.md``:
``nerve.ir.lower.lower``, ``nerve.ir.encode.encode`` (and ``decode``),
``nerve.ir.disasm.disassemble``, ``nerve.ir.reference.interpret``.
"""

from nerve.ir import disasm, encode, lower, opcodes, program
from nerve.ir.disasm import disassemble
from nerve.ir.opcodes import IR_VERSION, Op
from nerve.ir.program import Instr, Program

__all__ = ["disasm", "encode", "lower", "opcodes", "program", "disassemble",
           "Op", "Instr", "Program", "IR_VERSION"]
