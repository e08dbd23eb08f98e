"""The ONE definition of the sampling settings a chat call can carry.

``Sampling`` is the neutral value a Request holds (``None``: not set, the host's default). Its fields, their
types and their checks (bounds as ``Annotated[..., Bounds(...)]``, which the plain dataclass ignores and the
validated twin turns into pydantic's constraints) are written here once; everything else derives from it:

- ``SamplingOptions``: the same fields, validated (a pydantic dataclass subclass, in ``sampling_options``), for
  what a caller gives a client, so a bad value never reaches a host;
- ``SAMPLING_FIELDS``: the names, in order, for the places that list them (the OpenAI facade, the CLI, the
  clients' checks); ``tests/test_sampling_definition.py`` fails when one of them lists a name this does not
  define, or misses one it does.

Adding a setting means adding a field here (and, for hosts that take it, a wire name in their
``sampling_fields``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Annotated, Any

if TYPE_CHECKING:
    from .sampling_options import SamplingOptions, sampling_from, sampling_of

__all__ = ["SAMPLING_FIELDS", "Bounds", "Sampling", "SamplingOptions", "sampling_from", "sampling_of"]


@dataclass(frozen=True, slots=True)
class Bounds:
    """The range of a numeric setting, as ``Annotated`` metadata: the plain ``Sampling`` ignores it and the
    validated ``SamplingOptions`` enforces it as pydantic's own ``ge`` / ``gt`` / ``le`` constraints (same errors,
    same JSON schema). Written here rather than as ``pydantic.Field(ge=...)`` so that this module imports no
    pydantic: ``Field`` alone loads most of pydantic's model machinery (~45 ms), and every neutral Request
    carries a Sampling, so it is on the path of ``from rehost import GenericClient, Groq`` (issue 18)."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        """pydantic's hook: the same type, constrained by pydantic's own Field (loaded by then)."""
        from pydantic import Field

        return handler(Annotated[source, Field(ge=self.ge, gt=self.gt, le=self.le)])


@dataclass(frozen=True, slots=True)
class Sampling:
    """Sampling settings; ``None`` means "not set, use the host's default"."""

    temperature: Annotated[float | None, Bounds(ge=0.0, le=2.0)] = None
    top_p: Annotated[float | None, Bounds(gt=0.0, le=1.0)] = None
    top_k: Annotated[int | None, Bounds(ge=1)] = None
    max_tokens: Annotated[int | None, Bounds(ge=1)] = None
    stop: tuple[str, ...] | None = None
    seed: int | None = None
    presence_penalty: Annotated[float | None, Bounds(ge=-2.0, le=2.0)] = None
    frequency_penalty: Annotated[float | None, Bounds(ge=-2.0, le=2.0)] = None

    def items(self) -> Iterator[tuple[str, Any]]:
        """The settings that are set, in a fixed order."""
        for name in SAMPLING_FIELDS:
            value = getattr(self, name)
            if value is not None:
                yield name, value


#: the names of the sampling settings, in their order: derived, never retyped
SAMPLING_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Sampling))

#: what ``sampling_options`` holds (pydantic), still importable from here: loaded when first asked for
_VALIDATED = frozenset({"SamplingOptions", "sampling_from", "sampling_of"})


def __getattr__(name: str) -> Any:
    if name in _VALIDATED:
        return getattr(importlib.import_module(f"{__package__}.sampling_options"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


