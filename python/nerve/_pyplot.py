"""matplotlib.pyplot's names for ``from nerve import *``, imported on first use.

Each name here is a small function that imports :mod:`matplotlib.pyplot` the
first time one of them is called and forwards to the function of the same
name, so ``import nerve`` does not pay for matplotlib.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = [
    "plot", "xlabel", "ylabel", "title", "suptitle", "figure", "subplot", "subplots",
    "hist", "axvline", "axhline", "axvspan", "axhspan", "legend", "show", "savefig",
    "close", "xlim", "ylim", "xticks", "yticks", "xscale", "yscale", "gca", "gcf",
    "scatter", "errorbar", "tight_layout", "text", "imshow", "colorbar", "grid", "bar",
    "fill_between", "loglog", "semilogx", "semilogy", "annotate", "clf", "cla", "ion",
    "ioff", "pause", "draw", "axis", "twinx", "step", "stem", "pcolormesh", "contour",
    "contourf", "subplots_adjust", "figtext", "boxplot", "violinplot",
]


def _forward(name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        import matplotlib.pyplot as plt

        return getattr(plt, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"matplotlib.pyplot.{name}, imported on first call (see its documentation)."
    return call


def _define() -> None:
    namespace = globals()
    for name in __all__:
        namespace[name] = _forward(name)


_define()

