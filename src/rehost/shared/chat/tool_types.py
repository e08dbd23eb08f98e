"""The tool declarations a call offers the model: ``Tool`` (a function the model may call, by JSON schema),
the host's built-in tools (``WebSearch``) and the ``ToolChoice``. Running tools is ``rehost.shared.chat.tools``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from pydantic import Field, model_validator

if TYPE_CHECKING:
    from typing import Self

from ._input import _FROZEN, _Input
from .messages import _require_json

__all__ = ["BuiltinTool", "Tool", "ToolChoice", "WebSearch"]

# ---------------------------------------------------------------------------------------------------- tools


class Tool(_Input):
    """A function the model may call, described by a JSON schema."""

    model_config = _FROZEN
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool | None = None

    @model_validator(mode="after")
    def _json_schema(self) -> Self:
        _require_json(self.parameters, f"the parameter schema of tool {self.name!r}")
        if not _is_object_schema(self.parameters):
            raise ValueError(
                f"the parameters of tool {self.name!r} must be a JSON schema of type 'object' (its properties are "
                f"the arguments), not {json.dumps(self.parameters)[:80]}: wrap the value in an object, e.g. "
                "{'type': 'object', 'properties': {'value': ...}, 'required': ['value']}")
        return self


def _is_object_schema(schema: Mapping[str, Any]) -> bool:
    """Every host takes a tool's arguments as one JSON object. ``{}`` (no arguments, as hosts' own recordings
    have it), an object type, or a schema with properties (or a root reference) all describe one."""
    kind = schema.get("type")
    if kind is None:
        return not schema or "properties" in schema or "$ref" in schema
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


class WebSearch(_Input):
    """A search the host runs itself (Gemini ``googleSearch``, OpenRouter's ``web`` plugin), given to the model
    beside the caller's own tools."""

    model_config = _FROZEN
    type: Literal["web_search"] = "web_search"


BuiltinTool: TypeAlias = WebSearch

ToolChoice: TypeAlias = Literal["auto", "none", "required"] | str
