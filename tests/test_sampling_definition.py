"""The sampling settings are defined once (``rehost.shared.chat.sampling``); every place that lists them derives
from that definition or is checked against it here, so a setting added in one place only fails a test."""

from __future__ import annotations

import dataclasses
import importlib
import typing

import pytest

from rehost import _registry, cli
from rehost.clients import gpt
from rehost.clients.base import SamplingOptions
from rehost.clients.generic import GenericClient
from rehost.openai import _convert
from rehost.shared.chat.sampling import SAMPLING_FIELDS, Sampling
from rehost.shared.errors import ConfigurationError
from rehost.shared.request import Sampling as OldPathSampling


def _example(name: str) -> object:
    """A valid value of one setting, from its declared type (a new kind of setting needs a case here)."""
    hint = typing.get_type_hints(Sampling, include_extras=True)[name]
    text = str(hint)
    if "tuple[str" in text:
        return ("END",)
    if "float" in text:
        return 0.5
    if "int" in text:
        return 3
    raise AssertionError(f"sampling setting {name} has a type this test has no example for: {text}")


def test_the_field_list_is_the_dataclass_fields_and_the_validated_twin_has_the_same():
    assert tuple(f.name for f in dataclasses.fields(Sampling)) == SAMPLING_FIELDS
    assert tuple(f.name for f in dataclasses.fields(SamplingOptions)) == SAMPLING_FIELDS
    assert issubclass(SamplingOptions, Sampling)
    assert OldPathSampling is Sampling


def test_a_client_takes_every_setting_and_carries_it_to_the_request():
    for name in SAMPLING_FIELDS:
        value = _example(name)
        request = GenericClient("m").prepare("hi", **{name: value})
        assert getattr(request.sampling, name) == value, name
        assert type(request.sampling) is Sampling
        assert dict(request.sampling.items()) == {name: value}


def test_every_setting_is_checked_as_a_number_or_a_stop_list():
    for name in SAMPLING_FIELDS:
        with pytest.raises(ConfigurationError, match=name):
            GenericClient("m", **{name: True if name != "stop" else []})


def test_the_openai_facade_passes_every_setting_or_says_why_not():
    passed = set(_convert._SAMPLING)
    apart = set(_convert._SPELLED_APART)
    assert passed | apart == set(SAMPLING_FIELDS)
    assert not passed & apart
    call = _convert.convert_call({"model": "groq/m", "messages": [{"role": "user", "content": "hi"}],
                                  **{name: _example(name) for name in passed}})
    assert {k: call.options[k] for k in passed} == {name: _example(name) for name in passed}


def test_lists_of_some_settings_name_only_defined_ones():
    assert set(cli.BENCH_SAMPLING) <= set(SAMPLING_FIELDS)
    assert set(gpt.REASONING_REFUSES) <= set(SAMPLING_FIELDS)


def test_every_host_wire_table_maps_only_defined_settings():
    """The hosts' ``sampling_fields`` (neutral name -> wire name) and the dialects' tables name only settings
    that exist: a rename in the definition that forgets a host fails here."""
    tables: dict[str, typing.Mapping[str, object]] = {}
    for name, row in _registry.HOSTS.items():
        cls = _registry.load((row.module, row.cls))
        for owner in (cls, getattr(cls, "chat_endpoint", None)):
            table = getattr(owner, "sampling_fields", None)
            if isinstance(table, typing.Mapping):
                tables[f"{name}:{getattr(owner, '__name__', owner)}"] = table
    for module in ("openai_chat", "anthropic", "gemini", "openai_responses", "ollama_native"):
        dialect = importlib.import_module(f"rehost.providers.dialects.{module}")
        for attr in ("_SAMPLING", "DEFAULT_SAMPLING_FIELDS"):
            table = getattr(dialect, attr, None)
            if isinstance(table, typing.Mapping):
                tables[f"{module}.{attr}"] = table
    assert len(tables) > 5
    for where, table in tables.items():
        assert set(table) <= set(SAMPLING_FIELDS), (where, set(table) - set(SAMPLING_FIELDS))


def test_the_ranges_are_declared_with_the_fields_and_enforced_by_the_validated_twin():
    """The bounds sit in ``Sampling``'s annotations as ``Bounds`` (no pydantic import in that module, issue 18);
    ``SamplingOptions`` turns them into pydantic's own constraints, so a value out of range is refused with
    pydantic's wording and one inside it passes."""
    from rehost.shared.chat.sampling import Bounds

    bounded = {name: meta for name in SAMPLING_FIELDS
               for meta in getattr(typing.get_type_hints(Sampling, include_extras=True)[name], "__metadata__", ())
               if isinstance(meta, Bounds)}
    assert set(bounded) == {"temperature", "top_p", "top_k", "max_tokens", "presence_penalty", "frequency_penalty"}
    for name, bounds in bounded.items():
        if bounds.le is not None:
            with pytest.raises(ConfigurationError, match=rf"{name}: Input should be less than or equal to"):
                GenericClient("m", **{name: bounds.le + 1})
            assert getattr(SamplingOptions(**{name: bounds.le}), name) == bounds.le
        low, word = (bounds.ge, "greater than or equal to") if bounds.ge is not None else (bounds.gt, "greater than")
        assert low is not None, name
        with pytest.raises(ConfigurationError, match=rf"{name}: Input should be {word} "):
            GenericClient("m", **{name: low - 1})
    assert SamplingOptions(top_p=1.0).top_p == 1.0
