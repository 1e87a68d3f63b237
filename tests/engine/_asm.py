"""A tiny encoder for hand-written programs in the engine tests.

The real encoder is ``nerve.ir.encode``; this one exists so that the engine can
be tested on its own, byte for byte against the format of ``ir/mod.rs``.
"""

from __future__ import annotations

import struct

from nerve import _core

OP = {name: code for code, name, *_ in _core.OPCODES}


def V(i: int) -> int:
    return i


def S(i: int) -> int:
    return 0x4000 | i


def K(i: int) -> int:
    return 0x8000 | i


class Asm:
    """Collects instructions and constants; ``bytes()`` gives the blob."""

    def __init__(self, n_columns: int) -> None:
        self.n_columns = n_columns
        self.consts: list[float] = []
        self.scalar: list[tuple[int, ...]] = []
        self.vector: list[tuple[int, ...]] = []
        self.n_sregs = 4
        self.n_vregs = 0

    def k(self, x: float) -> int:
        self.consts.append(float(x))
        return K(len(self.consts) - 1)

    def _note(self, words: tuple[int, ...], raw: set[int]) -> None:
        for j, w in enumerate(words[1:], start=1):
            if j in raw:
                continue
            if w >> 14 == 0:
                self.n_vregs = max(self.n_vregs, (w & 0x3FFF) + 1)
            elif w >> 14 == 1:
                self.n_sregs = max(self.n_sregs, (w & 0x3FFF) + 1)

    def s(self, op: str, dst: int, a: int = 0, b: int = 0, c: int = 0) -> "Asm":
        words = (OP[op], dst, a, b, c)
        self._note(words, set())
        self.scalar.append(words)
        return self

    def v(self, op: str, dst: int, a: int = 0, b: int = 0, c: int = 0) -> "Asm":
        words = (OP[op], dst, a, b, c)
        raw = {1} if op in ("store", "collect") else {2} if op == "load" else set()
        if op == "store":
            raw |= set()
        self._note(words, raw)
        self.vector.append(words)
        return self

    def load(self, dst: int, col: int) -> "Asm":
        return self.v("load", dst, col)

    def store(self, col: int, a: int) -> "Asm":
        return self.v("store", col, a)

    def collect(self, a: int) -> "Asm":
        return self.v("collect", 0, a)

    def bytes(self) -> bytes:
        head = struct.pack(
            "<4sHHHHHHII", b"NRVP", _core.IR_VERSION, self.n_columns, len(self.consts),
            self.n_sregs, self.n_vregs, 0, len(self.scalar), len(self.vector),
        )
        body = struct.pack(f"<{len(self.consts)}d", *self.consts)
        words = [w for ins in self.scalar + self.vector for w in ins]
        return head + body + struct.pack(f"<{len(words)}H", *words)

    def program(self) -> "_core.Program":
        return _core.Program(self.bytes())


def lif_programs(tau: float, refractory_steps: int):
    """Exact LIF with refractoriness over columns v, v0, lastspike, not_refractory.

    Returns (update, threshold, reset) as the tutorial's model lowers:
    ``not_refractory = (t - lastspike + 1e-3*dt)/dt >= refractory_steps``,
    ``v = v0 + (v - v0)*exp(-dt/tau)`` unless refractory, ``v > 1 and not_refractory``,
    reset ``lastspike = t; not_refractory = 0; v = 0``.
    """
    u = Asm(4)
    eps, ktau, kref = u.k(1e-3), u.k(tau), u.k(refractory_steps)
    u.s("mul", S(4), eps, S(1)).s("div", S(5), S(1), ktau).s("neg", S(5), S(5)).s("exp", S(6), S(5))
    u.load(V(0), 2).v("sub", V(0), S(0), V(0)).v("add", V(0), V(0), S(4)).v("div", V(0), V(0), S(1))
    u.v("ge", V(1), V(0), kref).store(3, V(1))
    u.load(V(2), 0).load(V(3), 1).v("sub", V(4), V(2), V(3)).v("mul", V(4), V(4), S(6))
    u.v("add", V(4), V(3), V(4)).v("select", V(4), V(1), V(4), V(2)).store(0, V(4))
    th = Asm(4)
    one = th.k(1.0)
    th.load(V(0), 0).v("gt", V(0), V(0), one).load(V(1), 3).v("and", V(0), V(0), V(1)).collect(V(0))
    r = Asm(4)
    zero = r.k(0.0)
    r.store(2, S(0)).store(3, zero).store(0, zero)
    return u.program(), th.program(), r.program()
