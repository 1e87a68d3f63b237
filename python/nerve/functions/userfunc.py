"""User functions written in Python: ``Function(pyfunc, arg_units=...,
return_unit=...)``, functions decorated with ``@check_units`` (wrapped on
first use), and ``@implementation(target, code)``.

The engine cannot run Python, so a call such as ``f(v)`` in a group's
equations, threshold or reset is evaluated *before* the program that uses it,
once per step of that program, vectorised over the whole group
(:mod:`nerve.functions.host`): a program computes the arguments into scratch
columns, the engine takes the GIL and calls the function once with those
arrays (as quantities with the declared units), and the program reads the
result from another scratch column.
"""

from __future__ import annotations

import logging

from nerve.functions.base import ModelFunction

__all__ = ["Function", "implementation"]

_log = logging.getLogger("nerve.functions")


def _dimension(spec, what: str):
    """The dimension a unit specification asks for (None: any)."""
    from nerve.units import DIMENSIONLESS, get_dimensions

    if spec is None:
        return None
    if spec is bool or (isinstance(spec, (int, float)) and spec == 1):
        return DIMENSIONLESS
    try:
        return get_dimensions(spec)
    except TypeError:
        raise TypeError(f"Function: {what} must be a unit (e.g. mV or 1), got {spec!r}") from None


class Function(ModelFunction):
    """A Python function model strings can call.

    ``pyfunc`` receives one array per argument (a quantity with the
    declared units) holding the values for every neuron, and returns an
    array (or a single value) with ``return_unit``. Without ``arg_units``
    and ``return_unit`` the units come from ``@check_units`` on ``pyfunc``.
    """

    host = True

    def __init__(self, pyfunc, arg_units=None, arg_names=None, return_unit=None,
                 arg_types=None, return_type=None, stateless=True, auto_vectorise=None,
                 name=None):
        if not callable(pyfunc):
            raise TypeError(f"Function needs a Python function, got {pyfunc!r}")
        self.pyfunc = pyfunc
        self.name = name or getattr(pyfunc, "__name__", "function")
        if arg_units is None:
            arg_units = getattr(pyfunc, "_arg_units", None)
            arg_names = arg_names or getattr(pyfunc, "_arg_names", None)
        if return_unit is None:
            return_unit = getattr(pyfunc, "_return_unit", None)
        if arg_units is None or return_unit is None:
            from nerve.exceptions import ModelDefinitionError

            raise ModelDefinitionError(
                f"the function {self.name!r} has no unit information: give "
                f"Function({self.name}, arg_units=[...], return_unit=...) or decorate it "
                f"with @check_units(..., result=...)")
        self.arg_units = list(arg_units)
        self.arg_names = list(arg_names) if arg_names else [f"arg{k}" for k in
                                                              range(len(self.arg_units))]
        self.arity = len(self.arg_units)
        self.arg_dims = [_dimension(u, f"the unit of argument {k + 1} of {self.name}")
                         for k, u in enumerate(self.arg_units)]
        self.return_unit = return_unit
        self.stateless = stateless
        self.implementations: dict = {}
        #: call with plain SI arrays and take a plain result in the declared
        #: units (``@implementation('numpy', discard_units=True)``)
        self.discard_units = False

    def result(self, dims):
        from nerve.units import DIMENSIONLESS, get_dimensions
        from nerve.units.dimension import format_dimension

        for index, (dim, need) in enumerate(zip(dims, self.arg_dims)):
            if dim is not None and need is not None and dim is not need:
                return index, (f"have units of {format_dimension(need)} (argument "
                               f"'{self.arg_names[index]}')")
        spec = self.return_unit
        if callable(spec) and not hasattr(spec, "dim"):
            return get_dimensions(spec(*(d if d is not None else DIMENSIONLESS
                                         for d in dims)))
        return _dimension(spec, f"the result unit of {self.name}") or DIMENSIONLESS

    def result_dimension(self, arg_dims):
        """The dimension of the result for arguments of dimensions ``arg_dims``."""
        return self.result(list(arg_dims))

    def build(self, b, args, dt):
        from nerve.exceptions import NotSupportedError

        raise NotSupportedError(
            f"the Python function {self.name}() can be called in the equations, threshold, "
            f"reset, run_regularly/run_on_event code and string assignments of a "
            f"NeuronGroup, and in the equations, (summed) variables and on_pre/on_post "
            f"code of Synapses; calling it from shared-variable assignments, string "
            f"assignments of synaptic variables or recorded "
            f"synaptic subexpressions is not supported yet")

    def __call__(self, *args, **kwargs):
        return self.pyfunc(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Function {self.name}>"


def implementation(target, code=None, namespace=None, dependencies=None, discard_units=None,
                   name=None, **compiler_kwds):
    """Brian2's decorator adding a target-specific implementation to a
    function. nerve runs the Python function itself: ``'numpy'`` with no code
    marks it as the implementation; code for other targets (``'cpp'``,
    ``'cython'``) is accepted and not used (logged)."""

    def decorate(func):
        function = func if isinstance(func, Function) else Function(func)
        if target == "numpy" and code is not None and callable(code):
            function.pyfunc = code
        if target == "numpy" and discard_units:
            # (the undecorated function, called with SI values, as Brian2 does)
            function.pyfunc = getattr(function.pyfunc, "_orig_func", function.pyfunc)
            function.discard_units = True
        elif target != "numpy":
            _log.info("nerve ignores the %r implementation of %s(): it calls the Python "
                      "function", target, function.name)
        function.implementations[target] = code
        return function

    return decorate
