"""``BinomialFunction(n, p)``: a function of no arguments drawing from the
binomial distribution, as Brian2's, drawn by the engine.

With ``approximate=True`` (the default) and ``n*p > 5`` and
``n*(1 - p) > 5``, Brian2 draws from the normal distribution of the same
mean and variance (a float, not a count); so does nerve (``randn``).
Otherwise each call is an exact binomial draw by the engine's ``binomial``
opcode (inversion, :mod:`nerve_core::noise::binomial`).
"""

from __future__ import annotations

import math

from nerve.functions.base import ModelFunction

__all__ = ["BinomialFunction"]


class BinomialFunction(ModelFunction):
    """``BinomialFunction(n, p, approximate=True, name='_binomial*')``;
    call it with no arguments: ``'v += w*binomial()'``."""

    arity = 0
    stateless = False

    def __init__(self, n, p, approximate=True, name="_binomial*"):
        from nerve.exceptions import DimensionMismatchError, InvalidArgumentError
        from nerve.units import get_dimensions

        for label, value in (("n", n), ("p", p)):
            try:
                dim = get_dimensions(value)
            except TypeError:
                dim = None
            if dim is None or not dim.is_dimensionless:
                raise DimensionMismatchError(
                    f"BinomialFunction: the argument '{label}' must be a dimensionless number, "
                    f"got {value!r}")
        n, p = float(n), float(p)
        if not (n >= 0 and n == int(n)):
            raise InvalidArgumentError(
                f"BinomialFunction: the argument 'n' must be a whole number >= 0, got {n}")
        if not 0 <= p <= 1:
            raise InvalidArgumentError(
                f"BinomialFunction: the argument 'p' must be a probability in [0, 1], got {p}")
        self.n, self.p, self.name = n, p, name
        self.use_normal = bool(approximate and n * p > 5 and n * (1 - p) > 5)

    def result(self, dims):
        from nerve.units import DIMENSIONLESS

        return DIMENSIONLESS

    def build(self, b, args, dt):
        from nerve.ir.opcodes import Op

        if self.use_normal:
            loc = self.n * self.p
            scale = math.sqrt(self.n * self.p * (1 - self.p))
            return b.apply(Op.ADD, b.apply(Op.MUL, b.random(Op.RANDN), b.const(scale)),
                           b.const(loc))
        return b.random(Op.BINOMIAL, b.const(self.n), b.const(self.p))

    def key(self):
        return ("binomial", self.n, self.p, self.use_normal)

    def __call__(self):
        """One draw, from numpy's generator (as Brian2's Python function)."""
        import numpy as np

        if self.use_normal:
            return np.random.normal(self.n * self.p,
                                    math.sqrt(self.n * self.p * (1 - self.p)), size=1)
        return np.random.binomial(int(self.n), self.p, size=1)

    def __repr__(self) -> str:
        return f"BinomialFunction(n={self.n:g}, p={self.p:g})"
