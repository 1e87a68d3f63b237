"""Functions of the namespace that model strings can call: ``TimedArray``
(a table the engine looks up), ``BinomialFunction`` (drawn by the engine)
and ``Function`` (Python code, evaluated vectorised once per step)."""

from nerve.functions.base import ModelFunction, is_model_function
from nerve.functions.binomial import BinomialFunction
from nerve.functions.timedarray import TimedArray
from nerve.functions.userfunc import Function, implementation

__all__ = ["ModelFunction", "TimedArray", "BinomialFunction", "Function", "implementation",
           "is_model_function", "as_model_function"]


def as_model_function(value, name: str):
    """``value`` as a function model strings can call, or None when it is not
    one (a number, a quantity...). A Python function with unit information
    (``@check_units``, or ``_arg_units``/``_return_unit`` attributes, as
    Brian2 reads them) is wrapped in a :class:`Function` once."""
    if isinstance(value, ModelFunction):
        return value
    if callable(value) and hasattr(value, "_arg_units") and hasattr(value, "_return_unit"):
        wrapped = getattr(value, "_nerve_function", None)
        if wrapped is None:
            from nerve.functions.userfunc import Function

            wrapped = Function(value)
            try:
                value._nerve_function = wrapped
            except (AttributeError, TypeError):
                pass
        return wrapped
    return None
