"""Every public name nerve defines has a docstring (its methods and
properties too) and an entry in the API reference (docs/api/*.md)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import nerve

ROOT = Path(__file__).resolve().parents[1]
# numpy's and pyplot's names re-exported by the star import (stand-ins until
# first use) are documented by numpy and matplotlib
FOREIGN = ("nerve._lazy", "nerve._numpy_star")


def public_names() -> dict[str, object]:
    names = {}
    for name in dir(nerve):
        obj = getattr(nerve, name)
        module = getattr(obj, "__module__", None) or ""
        if (not name.startswith("_") and (inspect.isclass(obj) or inspect.isfunction(obj))
                and module.startswith("nerve") and not module.startswith(FOREIGN)):
            names[name] = obj
    return names


def test_public_names_and_their_members_have_docstrings():
    missing = []
    for name, obj in public_names().items():
        if not (inspect.getdoc(obj) or "").strip():
            missing.append(name)
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                if not attr.startswith("_") and (callable(value) or isinstance(value, property)):
                    # an override documented by the method it overrides counts (help() shows it)
                    documented = value if isinstance(value, property) else getattr(obj, attr)
                    if not (inspect.getdoc(documented) or "").strip():
                        missing.append(f"{name}.{attr}")
    assert not missing, f"public names without a docstring: {missing}"


def test_public_names_are_in_the_api_reference():
    text = "\n".join(p.read_text() for p in (ROOT / "docs" / "api").glob("*.md"))
    listed = set(re.findall(r"^::: ([\w.]+)", text, flags=re.MULTILINE))
    missing = []
    for name, obj in public_names().items():
        # listed by its name in nerve, or with its whole module
        if f"nerve.{name}" not in listed and obj.__module__ not in listed:
            missing.append(name)
    assert not missing, f"public names missing from docs/api/*.md: {missing}"
