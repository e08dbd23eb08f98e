"""The sampling settings a caller gives a client (``SamplingOptions``), validated before any request exists, and
how a call's keyword arguments are split into them (``_sampling_from``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ...shared.types import construct

__all__ = ["SamplingOptions"]


class SamplingOptions(BaseModel):
    """Sampling settings a caller may give; validated here so a bad value never reaches a host."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=1)
    max_tokens: int | None = Field(default=None, ge=1)
    stop: tuple[str, ...] | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)

    @field_validator("temperature", "top_p", "top_k", "max_tokens", "seed", "presence_penalty", "frequency_penalty",
                     mode="before")
    @classmethod
    def _not_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):  # pydantic would take True as 1: a slip (max_tokens=True), never meant
            raise ValueError(f"must be a number, not the bool {value}")
        return value

    @field_validator("stop", mode="before")
    @classmethod
    def _stop(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = (value,)
        if isinstance(value, list | tuple):
            if not value:
                raise ValueError("an empty list stops nothing: leave stop unset")
            if any(word == "" for word in value):
                raise ValueError("an empty stop sequence matches everywhere (hosts refuse it): remove it")
        return value

    def merged(self, other: SamplingOptions) -> SamplingOptions:
        """These settings overridden by those ``other`` sets. Both are validated already, so the result is
        built without validating again (this runs on every call)."""
        theirs = other.set_values()
        if not theirs:
            return self
        values = self.set_values()
        values.update(theirs)
        return construct(SamplingOptions, **values)

    def set_values(self) -> dict[str, Any]:
        """The settings that are set (not None), by name."""
        return {name: value for name in _SAMPLING_ORDER if (value := getattr(self, name)) is not None}


_SAMPLING_ORDER = tuple(SamplingOptions.model_fields)
_SAMPLING_NAMES = frozenset(_SAMPLING_ORDER)
_NO_SAMPLING = SamplingOptions()


def _sampling_from(kwargs: dict[str, Any]) -> SamplingOptions:
    if not kwargs:
        return _NO_SAMPLING
    values = {k: kwargs.pop(k) for k in list(kwargs) if k in _SAMPLING_NAMES}
    return SamplingOptions(**values) if values else _NO_SAMPLING

