"""The validated twin of the neutral ``Sampling`` (``rehost.shared.chat.sampling``, the one definition of the
settings): ``SamplingOptions`` is what a caller gives a client, checked before any request exists so a bad value
never reaches a host, and ``sampling_from`` / ``sampling_of`` split a call's keyword arguments into it.

A module of its own because it is a pydantic dataclass: the neutral Request needs only ``Sampling``, and keeping
pydantic's machinery off the import of ``from rehost import GenericClient, Groq`` is issue 18's import goal. A
client's constructor imports this (its first use)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, field_validator
from pydantic.dataclasses import dataclass as validated_dataclass

from .sampling import SAMPLING_FIELDS, Sampling

__all__ = ["SamplingOptions", "sampling_from", "sampling_of"]

_NAMES = frozenset(SAMPLING_FIELDS)
_TEXT_FIELDS = frozenset({"stop"})  # every other setting is a number


@validated_dataclass(frozen=True, config=ConfigDict(extra="forbid", defer_build=True))
class SamplingOptions(Sampling):
    """Sampling settings a caller may give; validated here so a bad value never reaches a host."""

    @field_validator("*", mode="before")
    @classmethod
    def _checked(cls, value: Any, info: Any) -> Any:
        if info.field_name in _TEXT_FIELDS:
            return _stop(value)
        if isinstance(value, bool):  # pydantic would take True as 1: a slip (max_tokens=True), never meant
            raise ValueError(f"must be a number, not the bool {value}")
        return value

    def merged(self, other: SamplingOptions) -> SamplingOptions:
        """These settings overridden by those ``other`` sets. Both are validated already, so the result is
        built without validating again (this runs on every call)."""
        theirs = other.set_values()
        if not theirs:
            return self
        values = self.set_values()
        values.update(theirs)
        return _unchecked(values)

    def set_values(self) -> dict[str, Any]:
        """The settings that are set (not None), by name."""
        return {name: value for name in SAMPLING_FIELDS if (value := getattr(self, name)) is not None}


def _stop(value: Any) -> Any:
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, list | tuple):
        if not value:
            raise ValueError("an empty list stops nothing: leave stop unset")
        if any(word == "" for word in value):
            raise ValueError("an empty stop sequence matches everywhere (hosts refuse it): remove it")
    return value


def _unchecked(values: dict[str, Any]) -> SamplingOptions:
    """SamplingOptions from values already validated, without validating them again."""
    options = object.__new__(SamplingOptions)
    for name in SAMPLING_FIELDS:
        object.__setattr__(options, name, values.get(name))
    return options


_NO_SAMPLING = _unchecked({})  # built without validating: no schema is built at import


def sampling_from(kwargs: dict[str, Any]) -> SamplingOptions:
    """The sampling settings among a call's keyword arguments, taken out of ``kwargs`` and validated (a
    pydantic ValidationError when one is bad); the other arguments stay."""
    if not kwargs:
        return _NO_SAMPLING
    values = {k: kwargs.pop(k) for k in list(kwargs) if k in _NAMES}
    return SamplingOptions(**values) if values else _NO_SAMPLING


def sampling_of(**values: Any) -> SamplingOptions:
    """``SamplingOptions(**values)``, validated only when a setting is set. A client's defaults are usually all
    unset, and they need no check: so the first call of a process builds no validator for them (building one
    costs the schema and pydantic's plugin lookup, which reads every installed package's metadata, ~25 ms),
    and that cost waits for a call that does set one. Unknown names still go to ``SamplingOptions``, which
    refuses them."""
    if values.keys() <= _NAMES and all(value is None for value in values.values()):
        return _NO_SAMPLING
    return SamplingOptions(**values)
