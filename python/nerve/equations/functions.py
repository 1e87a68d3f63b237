"""The functions the model language knows: arity and dimension rules.

``FUNCTIONS`` maps each name to a :class:`Function`. The dimension checker
(:mod:`nerve.equations.dimensions`) asks :meth:`Function.result` for the
dimension of a call given the dimensions of its arguments; the lowering to
bytecode maps the same names to opcodes. ``where(cond, a, b)`` is internal:
the integrators write it (``unless refractory``), users do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Tuple, Union

__all__ = ["Function", "FUNCTIONS", "user_function_names"]

#: A rule's verdict: the dimension of the result, or (index of the offending
#: argument, what that argument should have been).
Verdict = Union[object, Tuple[int, str]]


@dataclass(frozen=True)
class Function:
    """A function of the model language.

    ``rule`` says how dimensions flow through it:

    - ``"dimensionless"``: every argument must be dimensionless; so is the
      result (``exp``, ``log``, the trigonometric functions, ``int``).
    - ``"sqrt"``: any argument; the result has half its dimension exponents.
    - ``"keep"``: any argument; the result has its dimension (``abs``,
      ``floor``, ``ceil``, as numpy does for quantities).
    - ``"drop"``: any argument; the result is dimensionless (``sign``).
    - ``"same"``: all arguments share one dimension, which the result has
      (``clip(x, lo, hi)``).
    - ``"where"``: ``where(cond, a, b)``: ``a`` and ``b`` share a dimension.
    - ``"random"``: no arguments; a dimensionless random number.
    - ``"time"``: every argument is a time; the result is dimensionless
      (``timestep(t, dt)``).
    """

    name: str
    arity: int
    rule: str
    doc: str
    dtype: str = "float"
    internal: bool = False

    def result(self, dims: Sequence[Optional[object]]) -> Verdict:
        """The dimension of a call whose arguments have dimensions ``dims``.

        ``None`` in ``dims`` stands for a literal zero, which fits any
        dimension. Returns the result's dimension, or ``(index, need)`` when
        argument ``index`` (0-based) is wrong, ``need`` saying what it should
        be. Arity is checked by the caller.
        """
        from nerve.units.dimension import DIMENSIONLESS

        dims = [DIMENSIONLESS if d is None and self.rule in ("dimensionless", "sqrt",
                                                              "keep", "drop") else d
                for d in dims]
        if self.rule == "time":
            from nerve.units.dimension import dimension_from_exponents

            second = dimension_from_exponents(s=1)
            for index, dim in enumerate(dims):
                if dim is not None and dim is not second:
                    return index, "be a time (units of second)"
            return DIMENSIONLESS
        if self.rule == "dimensionless":
            for index, dim in enumerate(dims):
                if dim is not DIMENSIONLESS:
                    return index, "be dimensionless"
            return DIMENSIONLESS
        if self.rule == "sqrt":
            return dims[0] ** 0.5
        if self.rule == "keep":
            return dims[0]
        if self.rule in ("drop", "random"):
            return DIMENSIONLESS
        values = dims[1:] if self.rule == "where" else dims
        offset = 1 if self.rule == "where" else 0
        known = [d for d in values if d is not None]
        if not known:
            return DIMENSIONLESS
        first = known[0]
        for index, dim in enumerate(values):
            if dim is not None and dim is not first:
                return index + offset, "have the same units as the other value arguments"
        return first


def _table(*functions: Function) -> Mapping[str, Function]:
    return {f.name: f for f in functions}


FUNCTIONS: Mapping[str, Function] = _table(
    Function("exp", 1, "dimensionless", "exponential"),
    Function("log", 1, "dimensionless", "natural logarithm"),
    Function("log10", 1, "dimensionless", "base-10 logarithm"),
    Function("sqrt", 1, "sqrt", "square root"),
    Function("sin", 1, "dimensionless", "sine (argument in radians)"),
    Function("cos", 1, "dimensionless", "cosine (argument in radians)"),
    Function("tan", 1, "dimensionless", "tangent (argument in radians)"),
    Function("sinh", 1, "dimensionless", "hyperbolic sine"),
    Function("cosh", 1, "dimensionless", "hyperbolic cosine"),
    Function("tanh", 1, "dimensionless", "hyperbolic tangent"),
    Function("arcsin", 1, "dimensionless", "inverse sine"),
    Function("arccos", 1, "dimensionless", "inverse cosine"),
    Function("arctan", 1, "dimensionless", "inverse tangent"),
    Function("abs", 1, "keep", "absolute value"),
    Function("sign", 1, "drop", "sign: -1, 0 or 1"),
    Function("floor", 1, "keep", "largest integer not greater than x"),
    Function("ceil", 1, "keep", "smallest integer not less than x"),
    Function("clip", 3, "same", "clip(x, lo, hi): x limited to [lo, hi]"),
    Function("int", 1, "dimensionless", "truncation towards zero", dtype="integer"),
    Function("exprel", 1, "dimensionless", "(exp(x) - 1)/x, 1 at 0, accurate near 0"),
    Function("expm1", 1, "dimensionless", "exp(x) - 1, accurate near 0"),
    Function("log1p", 1, "dimensionless", "log(1 + x), accurate near 0"),
    Function("timestep", 2, "time", "timestep(t, dt): the time step t falls in, "
             "int((t + 1e-3*dt)/dt)", dtype="integer"),
    Function("rand", 0, "random", "uniform random number in [0, 1)"),
    Function("randn", 0, "random", "standard normal random number"),
    Function("poisson", 1, "dimensionless", "poisson(l): Poisson random number of mean l",
             dtype="integer"),
    Function("where", 3, "where", "where(cond, a, b): a where cond holds, else b",
             internal=True),
)


def user_function_names() -> tuple[str, ...]:
    """The names users may call in model strings, sorted."""
    return tuple(sorted(name for name, f in FUNCTIONS.items() if not f.internal))
