"""Functions a model string may call that are defined outside the model
language: objects of the namespace (``TimedArray``, ``Function``,
``BinomialFunction``...) found by name when a run starts.

A :class:`ModelFunction` says how many arguments it takes, checks their
dimensions (:meth:`ModelFunction.result`, the same contract as the built-in
functions of :mod:`nerve.equations.functions`) and builds the operations the
engine runs for a call (:meth:`ModelFunction.build`, given a
:class:`~nerve.ir.lower.Builder`). Functions the engine cannot evaluate are
*host* functions: their calls are evaluated in Python before the program runs
(:mod:`nerve.functions.host`).
"""

from __future__ import annotations

from typing import Sequence

__all__ = ["ModelFunction", "is_model_function"]


class ModelFunction:
    """Base class of the functions a namespace can give model strings."""

    #: number of arguments a call takes
    arity: int = 0
    #: evaluated in Python (vectorised, once per step) rather than in the engine
    host: bool = False
    #: the same arguments always give the same value (False for random draws)
    stateless: bool = True

    def result(self, dims: Sequence[object | None]):
        """The dimension of a call whose arguments have dimensions ``dims``
        (``None``: a literal zero, which fits any unit), or ``(index,
        need)`` when argument ``index`` is wrong, ``need`` completing
        "the argument must ..."."""
        raise NotImplementedError

    def build(self, b, args: tuple[int, ...], dt: float) -> int:
        """The value node of a call with argument nodes ``args`` in a program
        run with time step ``dt`` (seconds)."""
        raise NotImplementedError

    def locally_constant(self, dt: float) -> bool:
        """Whether a call whose only time-dependent argument is ``t`` keeps
        one value over a step of ``dt`` (then integration treats it as a
        constant of the step, as Brian2 does)."""
        return False

    def key(self) -> object:
        """What a compiled program depends on (compared to decide whether a
        cached program can be reused)."""
        return id(self)


def is_model_function(value) -> bool:
    return isinstance(value, ModelFunction)
