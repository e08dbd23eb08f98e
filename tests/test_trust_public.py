"""The public face: every name the README imports is importable from where it imports it, the error classes
it names are in ``rehost.errors``, and every rehost error survives pickling and deep copies (process pools,
Celery) with its attributes."""

from __future__ import annotations

import ast
import copy
import importlib
import pickle
import re
from pathlib import Path

import pytest

import rehost
import rehost.errors
from rehost.shared.types import Completion, TextPart

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


# ---------------------------------------------------------------------------------------------- item 23

_EXTRA = {
    "ModelNotServed": {"serving_hosts": ("groq", "openrouter")},
    "ContextWindowExceeded": {"input_tokens": 10, "max_output_tokens": 5, "context_window": 12,
                              "count_method": "cl100k_base", "exact": False, "status": 400, "code": "ctx"},
    "OutputValidationError": {"text": "{not json", "errors": [{"loc": ["a"], "msg": "bad"}]},
}
_COMMON = {"status": 503, "request_id": "req-1", "code": "busy", "retry_after": 2.5, "body": "the body"}
_NO_COMMON = {"ModelNotServed", "OutputValidationError"}  # their constructors take only host= of these


def _make(name):
    cls = getattr(rehost.errors, name)
    kwargs = {"host": "groq", **_EXTRA.get(name, {})}
    if name not in _NO_COMMON:
        kwargs = {**_COMMON, **kwargs}
    exc = cls(f"{name} happened", **kwargs)
    exc.attempts = (rehost.Attempt(host="groq", outcome="RateLimited", seconds=0.1),)
    if name == "OutputValidationError":
        exc.completion = Completion(parts=(TextPart(text="{not json"),), host="groq")
    return exc


ERRORS = [name for name in rehost.errors.__all__ if name != "RehostError"] + ["RehostError"]


@pytest.mark.parametrize("name", ERRORS)
@pytest.mark.parametrize("how", ["pickle", "deepcopy", "copy"])
def test_every_error_survives_pickle_and_copies_with_its_attributes(name, how):
    exc = _make(name)
    if how == "pickle":
        back = pickle.loads(pickle.dumps(exc))
    elif how == "deepcopy":
        back = copy.deepcopy(exc)
    else:
        back = copy.copy(exc)
    assert type(back) is type(exc)
    assert str(back) == str(exc)
    assert repr(back) == repr(exc)
    assert back.args == exc.args
    assert vars(back) == vars(exc)
    assert back.retryable == exc.retryable


def test_a_redacted_error_stays_redacted_through_pickle():
    exc = rehost.errors.AuthenticationError("bad key sk-0123456789abcdef", host="groq", body="sk-0123456789abcdef")
    exc.redact("sk-0123456789abcdef")
    back = pickle.loads(pickle.dumps(exc))
    assert "sk-0123456789abcdef" not in f"{back} {back!r} {back.body} {back.args}"
