"""Python functions in the schedule: ``network_operation`` and ``stop()``.

The engine runs every other operation without Python; at a network
operation's time it takes the GIL, hands over what monitors recorded so far
(so the function sees up-to-date recordings), calls the function, and goes
on. Only the steps at which a network operation runs pay for Python.
"""

from __future__ import annotations

import inspect

from nerve.core.base import NerveObject
from nerve.core.schedule import Operation
from nerve.exceptions import ArgumentTypeError

__all__ = ["NetworkOperation", "network_operation", "stop"]


class NetworkOperation(NerveObject):
    """Call ``function`` (with no argument, or with the current time ``t``)
    at every step of its clock, in slot ``when`` (``'start'`` by default)."""

    def __init__(self, function, dt=None, clock=None, when="start", order=0, name=None):
        if not callable(function):
            raise ArgumentTypeError(f"a network operation needs a function, got {function!r}")
        try:
            parameters = [p for p in inspect.signature(function).parameters.values()
                          if p.default is inspect.Parameter.empty
                          and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):  # builtins without a signature
            parameters = []
        if len(parameters) > 1:
            raise ArgumentTypeError(
                f"the function of a network operation takes no argument or the time t, "
                f"but {getattr(function, '__name__', function)!r} needs {len(parameters)}")
        super().__init__(name=name, dt=dt, clock=clock, when=when, order=order)
        self.function = function
        self._takes_t = len(parameters) == 1

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def _contribute(self, run) -> None:
        host = run.host(self._call)
        run.add(Operation(self.name, "host", self.clock, self.when, self.order, host,
                          owner=self, type_name="NetworkOperation"))

    def _call(self, t: float) -> None:
        if self._takes_t:
            from nerve.units import second

            self.function(t * second)
        else:
            self.function()

    def __repr__(self) -> str:
        return f"<NetworkOperation {self.name!r} calling {self.function!r}>"


def network_operation(*args, **kwargs):
    """Decorator turning a function into a :class:`NetworkOperation`:
    ``@network_operation`` or ``@network_operation(dt=..., when=...)``."""
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return NetworkOperation(args[0])
    if args:
        raise ArgumentTypeError(
            "network_operation takes the function, or keyword arguments only "
            "(dt, clock, when, order, name)")

    def wrap(function):
        return NetworkOperation(function, **kwargs)

    return wrap


def stop() -> None:
    """Stop the runs in progress after their current time step (call it from
    a network operation)."""
    from nerve.core.network import running_networks

    for network in running_networks:
        network.stop()
