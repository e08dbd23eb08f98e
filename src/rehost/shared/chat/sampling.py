"""The ONE definition of the sampling settings a chat call can carry.

``Sampling`` is the neutral value a Request holds (``None``: not set, the host's default). Its fields, their
types and their checks (bounds as ``Annotated`` pydantic constraints, which the plain dataclass ignores) are
written here once; everything else derives from it:

- ``SamplingOptions``: the same fields, validated (a pydantic dataclass subclass), for what a caller gives a
  client, so a bad value never reaches a host;
- ``SAMPLING_FIELDS``: the names, in order, for the places that list them (the OpenAI facade, the CLI, the
  clients' checks); ``tests/test_sampling_definition.py`` fails when one of them lists a name this does not
  define, or misses one it does.

Adding a setting means adding a field here (and, for hosts that take it, a wire name in their
``sampling_fields``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator
from pydantic.dataclasses import dataclass as validated_dataclass

__all__ = ["SAMPLING_FIELDS", "Sampling", "SamplingOptions", "sampling_from", "sampling_of"]


@dataclass(frozen=True, slots=True)
class Sampling:
    """Sampling settings; ``None`` means "not set, use the host's default"."""

    temperature: Annotated[float | None, Field(ge=0.0, le=2.0)] = None
    top_p: Annotated[float | None, Field(gt=0.0, le=1.0)] = None
    top_k: Annotated[int | None, Field(ge=1)] = None
    max_tokens: Annotated[int | None, Field(ge=1)] = None
    stop: tuple[str, ...] | None = None
    seed: int | None = None
    presence_penalty: Annotated[float | None, Field(ge=-2.0, le=2.0)] = None
    frequency_penalty: Annotated[float | None, Field(ge=-2.0, le=2.0)] = None

    def items(self) -> Iterator[tuple[str, Any]]:
        """The settings that are set, in a fixed order."""
        for name in SAMPLING_FIELDS:
            value = getattr(self, name)
            if value is not None:
                yield name, value


#: the names of the sampling settings, in their order: derived, never retyped
SAMPLING_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Sampling))
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
