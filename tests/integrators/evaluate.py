"""A small numpy evaluator of statement nodes, for testing integration methods
independently of the bytecode engine: it runs the generated statements over
many neurons (one numpy lane each) and many steps."""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from nerve.equations.nodes import (
    Assign, BinOp, BoolOp, Call, Compare, Name, Number, UnaryOp,
)
from nerve.equations.parser import parse_expression
from nerve.integrators import DiffEquation

FUNCTIONS = {
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "abs": np.abs, "clip": np.clip,
    "where": np.where, "int": lambda x: np.trunc(np.asarray(x, dtype=float)),
}
BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide,
          "**": np.power, "//": np.floor_divide, "%": np.mod}
COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater,
           ">=": np.greater_equal, "==": np.equal, "!=": np.not_equal}

# randn hook: (name of the temporary being assigned, number of lanes) -> draws
Noise = Callable[[str, int], np.ndarray]


def equations(**rhs: str) -> list[DiffEquation]:
    """``equations(v='(1 - v)/tau')`` -> DiffEquations parsed from text."""
    return [DiffEquation(name, parse_expression(text)) for name, text in rhs.items()]


class Evaluator:
    """Runs statements over ``n`` lanes; ``state`` maps variable names to
    float arrays (updated in place), ``constants`` maps other names to
    floats or arrays."""

    def __init__(self, statements, state: dict[str, np.ndarray],
                 constants: Mapping[str, float], *, noise: Noise | None = None):
        self.statements = tuple(statements)
        self.state = state
        self.n = len(next(iter(state.values())))
        self.constants = {"pi": np.pi, "e": np.e, "inf": np.inf, **constants}
        self.noise = noise or _standard_normal(np.random.default_rng(0))

    def step(self, t: float, dt: float) -> None:
        scope: dict[str, np.ndarray] = {}
        builtins = {"t": t, "dt": dt, **self.constants}
        for statement in self.statements:
            assert isinstance(statement, Assign) and statement.op == "="
            self._target = statement.target
            value = self._eval(statement.value, scope, builtins)
            value = np.broadcast_to(np.asarray(value, dtype=float), (self.n,)).copy()
            if statement.target.startswith("_"):
                scope[statement.target] = value
            else:
                assert statement.target in self.state, statement.target
                self.state[statement.target][:] = value

    def run(self, n_steps: int, dt: float, t0: float = 0.0) -> None:
        for index in range(n_steps):
            self.step(t0 + index * dt, dt)

    def _eval(self, node, scope, builtins):
        if isinstance(node, Number):
            return node.value
        if isinstance(node, Name):
            for table in (scope, self.state, builtins):
                if node.id in table:
                    return table[node.id]
            raise KeyError(f"unknown name {node.id!r}")
        if isinstance(node, UnaryOp):
            value = self._eval(node.operand, scope, builtins)
            return {"-": np.negative, "+": np.positive,
                    "not": np.logical_not}[node.op](value)
        if isinstance(node, BinOp):
            return BINARY[node.op](self._eval(node.left, scope, builtins),
                                   self._eval(node.right, scope, builtins))
        if isinstance(node, Compare):
            return COMPARE[node.op](self._eval(node.left, scope, builtins),
                                    self._eval(node.right, scope, builtins))
        if isinstance(node, BoolOp):
            join = np.logical_and if node.op == "and" else np.logical_or
            return join(self._eval(node.left, scope, builtins),
                        self._eval(node.right, scope, builtins))
        if isinstance(node, Call):
            if node.func == "randn":
                return self.noise(self._target, self.n)
            args = [self._eval(a, scope, builtins) for a in node.args]
            return FUNCTIONS[node.func](*args)
        raise TypeError(node)


def _standard_normal(rng: np.random.Generator) -> Noise:
    return lambda target, n: rng.standard_normal(n)


def simulate(statements, initial: Mapping[str, object], constants=None, *,
             dt: float, n_steps: int, n: int = 1, noise: Noise | None = None,
             t0: float = 0.0) -> dict[str, np.ndarray]:
    """Run ``n_steps`` steps from ``initial`` over ``n`` lanes and return the
    final state."""
    state = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
             for k, v in initial.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        Evaluator(statements, state, constants or {}, noise=noise).run(n_steps, dt, t0)
    return state
