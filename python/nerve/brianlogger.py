"""Brian2's logging interface (``BrianLogger``, ``get_logger``, ``logger``) over
nerve's ``nerve`` logger, so scripts that adjust Brian2's logging run unchanged.

``BrianLogger.log_level_warn()`` (and ``_debug``, ``_info``, ``_error``,
``_diagnostic``) shows nerve's messages of that level and above on the console
(:func:`nerve.log_to_console`); ``BrianLogger.suppress_name('method_choice')``
and ``suppress_hierarchy('nerve.groups')`` hide messages from that console
output by logger name (an application's own handlers keep receiving them);
``get_logger(name)`` gives a logger with Brian2's methods (``debug``,
``info``, ``warn``, ``error``, ``diagnostic``). ``std_silent`` is Brian2's
context for silencing compilers: there is no compiler, so it does nothing.
Brian2's log file and script copies do not exist in nerve.
"""

from __future__ import annotations

import logging
from typing import Any

from nerve._logging import console_handler, log_to_console

__all__ = ["BrianLogger", "get_logger", "logger", "std_silent"]

_ROOT = "nerve"


class _NameFilter(logging.Filter):
    def __init__(self, name: str, hierarchy: bool) -> None:
        super().__init__()
        self.suppressed = name
        self.hierarchy = hierarchy

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if self.hierarchy:
            return not (name == self.suppressed or name.startswith(self.suppressed + "."))
        return not (name == self.suppressed or name.endswith("." + self.suppressed))


class BrianLogger:
    """A logger with Brian2's methods; its class methods set what nerve shows."""

    def __init__(self, name: str = _ROOT) -> None:
        self.name = name
        self._logger = logging.getLogger(name)

    # -- messages ------------------------------------------------------------------
    def debug(self, msg: str, name_suffix: str | None = None, once: bool = False) -> None:
        """Log ``msg`` at DEBUG level (``name_suffix`` and ``once`` are accepted, unused)."""
        self._logger.debug(msg)

    diagnostic = debug

    def info(self, msg: str, name_suffix: str | None = None, once: bool = False) -> None:
        """Log ``msg`` at INFO level."""
        self._logger.info(msg)

    def warn(self, msg: str, name_suffix: str | None = None, once: bool = False) -> None:
        """Log ``msg`` at WARNING level."""
        self._logger.warning(msg)

    warning = warn

    def error(self, msg: str, name_suffix: str | None = None, once: bool = False) -> None:
        """Log ``msg`` at ERROR level."""
        self._logger.error(msg)

    # -- levels and filters -----------------------------------------------------------
    @staticmethod
    def _level(level: int) -> None:
        log_to_console(level)

    @staticmethod
    def log_level_debug() -> None:
        """Show nerve's messages of level DEBUG and above on the console."""
        BrianLogger._level(logging.DEBUG)

    @staticmethod
    def log_level_diagnostic() -> None:
        """Show nerve's messages of level DEBUG and above (nerve has no DIAGNOSTIC level)."""
        BrianLogger._level(logging.DEBUG)

    @staticmethod
    def log_level_info() -> None:
        """Show nerve's messages of level INFO and above on the console."""
        BrianLogger._level(logging.INFO)

    @staticmethod
    def log_level_warn() -> None:
        """Show nerve's messages of level WARNING and above on the console."""
        BrianLogger._level(logging.WARNING)

    @staticmethod
    def log_level_error() -> None:
        """Show nerve's messages of level ERROR and above on the console."""
        BrianLogger._level(logging.ERROR)

    @staticmethod
    def suppress_name(name: str, filter_log_file: bool = False) -> None:
        """Hide from the console the messages of loggers whose name ends with ``name``."""
        _add_filter(_NameFilter(name, hierarchy=False))

    @staticmethod
    def suppress_hierarchy(name: str, filter_log_file: bool = False) -> None:
        """Hide from the console the messages of logger ``name`` and those below it."""
        _add_filter(_NameFilter(name, hierarchy=True))


# suppressions, given to nerve's console handler now or when it is created
_FILTERS: list[logging.Filter] = []


def _add_filter(log_filter: logging.Filter) -> None:
    _FILTERS.append(log_filter)
    handler = console_handler()
    if handler is not None:
        handler.addFilter(log_filter)


def get_logger(module_name: str = _ROOT) -> BrianLogger:
    """A logger with Brian2's methods, below nerve's (``nerve.<module_name>``)."""
    name = module_name if module_name.startswith(_ROOT) else f"{_ROOT}.{module_name}"
    return BrianLogger(name)


logger = BrianLogger(_ROOT)


class std_silent:
    """Brian2 silences compiler output with this context; nerve compiles nothing."""

    def __init__(self, alwaysprint: bool = False) -> None:
        self.alwaysprint = alwaysprint

    def __enter__(self) -> "std_silent":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None
