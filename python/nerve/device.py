"""Brian2's devices (``set_device``, ``device.build()``), accepted so that
Brian2 scripts written for standalone mode run unchanged.

In Brian2, ``set_device('cpp_standalone', directory=..., build_on_run=...)``
makes ``run()`` generate a C++ project that ``device.build()`` compiles and
runs. nerve's engine is already compiled: ``run()`` always simulates at once,
so every device behaves like Brian2's runtime device and the script's results
are the same. ``set_device`` accepts Brian2's device names and options,
``device.build()``, ``device.reinit()`` and ``device.activate()`` do nothing
harmful (a script may call them in any order), and the choice is logged once.
Unknown device names raise a ``KeyError`` as in Brian2.
"""

from __future__ import annotations

import logging
from typing import Any

from nerve.exceptions import NerveError

__all__ = ["Device", "device", "get_device", "set_device", "reset_device", "all_devices",
           "UnknownDeviceError", "clear_cache", "check_cache"]

_logger = logging.getLogger("nerve.device")


class UnknownDeviceError(NerveError, KeyError):
    """``set_device`` with a name that is not a device (Brian2 raises KeyError)."""

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0]) if self.args else ""


class Device:
    """A device as a Brian2 script sees it: ``name``, ``build_on_run``,
    ``project_dir`` and the methods scripts call. nerve simulates every
    ``run()`` at once, whichever device is set."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.build_on_run = True
        self.project_dir: str | None = None
        self.build_options: dict[str, Any] = {}
        self.has_been_run = False

    def activate(self, build_on_run: bool = True, **kwargs: Any) -> None:
        """Make this the current device (options are remembered, not needed)."""
        global _current
        _current = self
        self.build_on_run = build_on_run
        self.project_dir = kwargs.pop("directory", self.project_dir)
        self.build_options.update(kwargs)

    def build(self, directory: str | None = None, compile: bool = True, run: bool = True,
              **kwargs: Any) -> None:
        """Brian2 compiles and runs the standalone project here; nerve has
        simulated each ``run()`` already, so there is nothing left to do."""
        if directory is not None:
            self.project_dir = directory
        self.has_been_run = True

    def reinit(self) -> None:
        """Brian2 forgets the recorded project here; nerve records none."""
        self.has_been_run = False

    def delete(self, code: bool = True, data: bool = True, directory: bool = True,
               force: bool = False) -> None:
        """Brian2 deletes the project's files here; nerve writes none."""

    def seed(self, seed: Any = None) -> None:
        """The seed of the random numbers, as nerve's :func:`seed`."""
        from nerve.core import seed as nerve_seed

        nerve_seed(seed)

    def __repr__(self) -> str:
        return f"<nerve device {self.name!r} (simulates each run() at once)>"


#: Brian2's device names; each one is nerve's single engine.
all_devices: dict[str, Device] = {name: Device(name) for name in
                                  ("runtime", "cpp_standalone", "cuda_standalone", "genn")}
_current = all_devices["runtime"]
_logged: set[str] = set()


def set_device(device: str | Device, build_on_run: bool = True, **kwargs: Any) -> None:
    """Choose a Brian2 device (``'runtime'``, ``'cpp_standalone'``...): accepted
    with Brian2's options (``directory``, ``build_on_run``, ...), with no
    effect on how nerve simulates."""
    if isinstance(device, str):
        found = all_devices.get(device)
        if found is None:
            raise UnknownDeviceError(
                f"set_device({device!r}): there is no device of that name (Brian2's are "
                f"{', '.join(repr(n) for n in all_devices)})")
        device = found
    elif not isinstance(device, Device):
        raise TypeError(f"set_device() takes a device name such as 'cpp_standalone', "
                        f"not {device!r}")
    if device.name != "runtime" and device.name not in _logged:
        _logged.add(device.name)
        _logger.info("set_device(%r) accepted but not needed: nerve's engine is already "
                     "compiled, so run() simulates at once and device.build() has nothing "
                     "to do", device.name)
    device.activate(build_on_run=build_on_run, **kwargs)


def get_device() -> Device:
    """The current device."""
    return _current


def reset_device(device: str | Device | None = None) -> None:
    """Back to the previous device; for nerve, the runtime device."""
    set_device(device if device is not None else "runtime")


class _CurrentDevice:
    """``device``: always the current device (as Brian2's proxy)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_current, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(_current, name, value)

    def __repr__(self) -> str:
        return repr(_current)


device = _CurrentDevice()


def clear_cache(target: str) -> None:
    """Brian2 deletes the compiled-code cache of ``target`` (e.g. ``'cython'``)
    here; nerve compiles no code, so there is no cache to delete."""
    if not isinstance(target, str):
        raise TypeError(f"clear_cache() takes a code-generation target such as 'cython', "
                        f"not {target!r}")


def check_cache(target: str) -> None:
    """Brian2 checks the size of ``target``'s compiled-code cache here; nerve has none."""
    clear_cache(target)
