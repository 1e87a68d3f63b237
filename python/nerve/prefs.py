"""Brian2's preferences (``prefs``), accepted so that Brian2 scripts run unchanged.

Brian2 scripts set preferences for its code generation and devices
(``prefs.codegen.target = 'numpy'``,
``prefs.codegen.cpp.extra_compile_args_gcc = [...]``). nerve has one engine,
compiled ahead of time, so these settings are not needed: they are accepted,
checked as Brian2 checks them, remembered (``prefs.codegen.target`` reads back
what was set) and logged once as having no effect. The few preferences that
would change results are honoured when nerve does the same thing and
otherwise warned about (``core.default_float_dtype = float32``: nerve
computes in float64). ``logging.console_log_level`` sets the level of the
``nerve`` logger.

Names are Brian2's (all its registered preferences, with their defaults); an
unknown name raises :class:`PreferenceError`, which is a ``KeyError``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Callable, Iterator

import numpy as np

from nerve.exceptions import NerveError

__all__ = ["prefs", "brian_prefs", "PreferenceError", "BrianPreference"]

_logger = logging.getLogger("nerve.prefs")


class PreferenceError(NerveError, KeyError):
    """An unknown preference name, or a value a preference does not accept."""

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0]) if self.args else ""


class BrianPreference:
    """A preference definition for :meth:`Preferences.register_preferences`:
    its default, its documentation and optionally a validator (a function
    returning True for acceptable values)."""

    def __init__(self, default: Any, docs: str, validator: Callable[[Any], bool] | None = None,
                 representor: Callable[[Any], str] = repr) -> None:
        self.default = default
        self.docs = docs
        self.validator = validator if validator is not None else _validator_for(default)
        self.representor = representor


def _validator_for(default: Any) -> Callable[[Any], bool]:
    """Brian2's default check: a value of the default's type."""
    if default is None:
        return lambda value: True
    if isinstance(default, bool):
        return lambda value: isinstance(value, (bool, np.bool_))
    if isinstance(default, int):
        return lambda value: isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if isinstance(default, (list, tuple)):
        return lambda value: isinstance(value, (list, tuple))
    if isinstance(default, type):
        return lambda value: isinstance(value, type)
    return lambda value: isinstance(value, type(default))


def _is_target(value: Any) -> bool:
    return isinstance(value, (str, type))


def _is_float_dtype(value: Any) -> bool:
    return value in (np.float32, np.float64)


_PREFIX = sys.prefix
# Brian2 2.9.0's preferences and their defaults (platform paths made from sys.prefix).
_DEFAULTS: dict[str, Any] = {
    "GSL.directory": None,
    "codegen.cpp.compiler": "",
    "codegen.cpp.define_macros": [],
    "codegen.cpp.extra_compile_args": None,
    "codegen.cpp.extra_compile_args_gcc": ["-w", "-O3", "-ffast-math", "-fno-finite-math-only",
                                           "-march=native", "-std=c++11"],
    "codegen.cpp.extra_compile_args_msvc": ["/Ox", "/w", "", "/MP"],
    "codegen.cpp.extra_link_args": [],
    "codegen.cpp.headers": [],
    "codegen.cpp.include_dirs": [f"{_PREFIX}/include"],
    "codegen.cpp.libraries": [],
    "codegen.cpp.library_dirs": [f"{_PREFIX}/lib"],
    "codegen.cpp.msvc_architecture": "",
    "codegen.cpp.msvc_vars_location": "",
    "codegen.cpp.runtime_library_dirs": [f"{_PREFIX}/lib"],
    "codegen.generators.cpp.flush_denormals": False,
    "codegen.generators.cpp.restrict_keyword": "__restrict",
    "codegen.loop_invariant_optimisations": True,
    "codegen.max_cache_dir_size": 1000,
    "codegen.runtime.cython.cache_dir": None,
    "codegen.runtime.cython.delete_source_files": True,
    "codegen.runtime.cython.multiprocess_safe": True,
    "codegen.runtime.numpy.discard_units": False,
    "codegen.string_expression_target": "numpy",
    "codegen.target": "auto",
    "core.default_float_dtype": np.float64,
    "core.default_integer_dtype": np.int32,
    "core.network.default_schedule": ["start", "groups", "thresholds", "synapses", "resets",
                                      "end"],
    "core.outdated_dependency_error": True,
    "core.stop_on_keyboard_interrupt": True,
    "devices.cpp_standalone.extra_make_args_unix": ["-j"],
    "devices.cpp_standalone.extra_make_args_windows": [],
    "devices.cpp_standalone.make_cmd_unix": "make",
    "devices.cpp_standalone.openmp_spatialneuron_strategy": None,
    "devices.cpp_standalone.openmp_threads": 0,
    "devices.cpp_standalone.run_cmd_unix": "./main",
    "devices.cpp_standalone.run_environment_variables": {"LD_BIND_NOW": "1"},
    "legacy.refractory_timing": False,
    "logging.console_log_level": "INFO",
    "logging.delete_log_on_exit": True,
    "logging.display_brian_error_message": True,
    "logging.file_log": True,
    "logging.file_log_level": "DEBUG",
    "logging.file_log_max_size": 10000000,
    "logging.save_script": True,
    "logging.std_redirection": True,
    "logging.std_redirection_to_file": True,
}
_SPECIAL_VALIDATORS = {
    "codegen.target": _is_target,
    "codegen.string_expression_target": _is_target,
    "core.default_float_dtype": _is_float_dtype,
    "core.default_integer_dtype": lambda value: value in (np.int32, np.int64),
    "logging.console_log_level": lambda value: isinstance(value, str) and value.upper() in
    _LOG_LEVELS,
}
_LOG_LEVELS = {"DEBUG": logging.DEBUG, "DIAGNOSTIC": logging.DEBUG, "INFO": logging.INFO,
               "WARNING": logging.WARNING, "ERROR": logging.ERROR, "CRITICAL": logging.CRITICAL}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else dict(value) \
        if isinstance(value, dict) else value


class Preferences:
    """All preferences: ``prefs.codegen.target`` (attribute chains) or
    ``prefs['codegen.target']`` (full names)."""

    def __init__(self) -> None:
        object.__setattr__(self, "_registered", {})
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_logged", set())
        for name, default in _DEFAULTS.items():
            validator = _SPECIAL_VALIDATORS.get(name)
            self._registered[name] = BrianPreference(default, "", validator)
            self._values[name] = _copy(default)

    # -- names -----------------------------------------------------------------------
    def _is_category(self, prefix: str) -> bool:
        start = prefix + "."
        return any(name.startswith(start) for name in self._registered)

    def _get(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        if self._is_category(name):
            return PreferenceView(self, name)
        raise PreferenceError(f"{name!r} is not a preference (nor a category of preferences); "
                              f"see prefs.keys() for the known names")

    def _set(self, name: str, value: Any) -> None:
        if name not in self._registered:
            if self._is_category(name):
                raise PreferenceError(f"prefs.{name} is a category of preferences, not a "
                                      f"preference: set one of its entries, e.g. "
                                      f"{self._example(name)}")
            raise PreferenceError(f"prefs.{name} is not a preference (a spelling error?); "
                                  f"see prefs.keys() for the known names")
        if not self._registered[name].validator(value):
            raise PreferenceError(f"{value!r} is not a valid value for prefs.{name} (the "
                                  f"default is {self._registered[name].default!r})")
        self._values[name] = value
        self._apply(name, value)

    def _example(self, category: str) -> str:
        first = next(n for n in self._registered if n.startswith(category + "."))
        return f"prefs.{first} = {self._values[first]!r}"

    def _apply(self, name: str, value: Any) -> None:
        """What a preference means for nerve."""
        if name == "logging.console_log_level":
            logging.getLogger("nerve").setLevel(_LOG_LEVELS[value.upper()])
            return
        default = self._registered[name].default
        if name in ("core.default_float_dtype", "core.network.default_schedule",
                    "legacy.refractory_timing"):
            if value != default and (name, repr(value)) not in self._logged:
                self._logged.add((name, repr(value)))
                _logger.warning(
                    "prefs.%s = %r is not supported: nerve always uses %r (Brian2's default),"
                    " so results may differ from a Brian2 run with this setting", name, value,
                    default)
            return
        if name not in self._logged:
            self._logged.add(name)
            _logger.info("prefs.%s = %r accepted but not needed: nerve runs every model in its"
                         " one compiled engine, so there is no code generation or device to "
                         "configure", name, value)

    # -- attribute access (prefs.codegen.target) --------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._get(name)
        except PreferenceError as err:
            raise AttributeError(str(err)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._registered or self._is_category(name):
            self._set(name, value)
        else:  # as Brian2, a plain attribute of the preferences object
            object.__setattr__(self, name, value)

    # -- mapping access (prefs['codegen.target']) ----------------------------------------
    def __getitem__(self, name: str) -> Any:
        if name not in self._values:
            raise PreferenceError(f"{name!r} is not a preference (see prefs.keys())")
        return self._values[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self._set(name, value)

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self):
        return self._values.keys()

    def items(self):
        return self._values.items()

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def reset_to_defaults(self) -> None:
        """Every preference back to its default."""
        for name, definition in self._registered.items():
            self._values[name] = _copy(definition.default)
        logging.getLogger("nerve").setLevel(logging.INFO)

    def register_preferences(self, prefix: str, prefdoc: str, **definitions: Any) -> None:
        """Add preferences ``prefix.name`` (each a :class:`BrianPreference`), as
        a Brian2 extension does."""
        for name, definition in definitions.items():
            if not isinstance(definition, BrianPreference):
                raise TypeError(f"register_preferences(): {name} must be a BrianPreference, "
                                f"not {definition!r}")
            full = f"{prefix}.{name}"
            self._registered[full] = definition
            self._values[full] = _copy(definition.default)

    def load_preferences(self) -> None:
        """Brian2 reads preference files here; nerve has none (kept for scripts)."""

    def do_validation(self) -> None:
        """Values are checked when set; nothing is left to validate."""

    def check_all_validated(self) -> None:
        """Values are checked when set; nothing is left to validate."""

    def __repr__(self) -> str:
        return f"<nerve preferences: {len(self._values)} Brian2 preferences>"


class PreferenceView:
    """One category of preferences (``prefs.codegen``, ``prefs.codegen.cpp``)."""

    __slots__ = ("_prefs", "_prefix")

    def __init__(self, prefs: Preferences, prefix: str) -> None:
        object.__setattr__(self, "_prefs", prefs)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._prefs._get(f"{self._prefix}.{name}")
        except PreferenceError as err:
            raise AttributeError(str(err)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._prefs._set(f"{self._prefix}.{name}", value)

    def __getitem__(self, name: str) -> Any:
        return self._prefs[f"{self._prefix}.{name}"]

    def __setitem__(self, name: str, value: Any) -> None:
        self._prefs._set(f"{self._prefix}.{name}", value)

    def __dir__(self) -> list[str]:
        start = self._prefix + "."
        return sorted({n[len(start):].split(".")[0] for n in self._prefs.keys()
                       if n.startswith(start)})

    def __repr__(self) -> str:
        return f'<preferences of category "{self._prefix}">'


prefs = Preferences()
#: Brian2's older name for :data:`prefs`.
brian_prefs = prefs
