"""Integration methods: differential equations to one step's update statements.

``integrate(equations, method)`` returns ``(method_name, statements)``;
see :func:`integrate` and ``docs/architecture.md`` (section "integrators").
The methods follow Brian2's: ``exact`` (``linear``), ``euler``, ``rk2``,
``rk4``, ``heun``, ``milstein`` and ``exponential_euler``; ``exact``
solves coupled linear systems in closed form without sympy
(``nerve.integrators.propagator``).
"""

from .integrate import ALIASES, DEFAULT_METHODS, METHODS, integrate
from .system import DiffEquation, is_noise

__all__ = ["integrate", "DiffEquation", "METHODS", "ALIASES", "DEFAULT_METHODS",
           "is_noise"]
