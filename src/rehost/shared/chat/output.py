"""Structured output: the shape an answer must take, and turning the answer back into that shape.

``Output.of(MyModel)`` describes a pydantic model, dataclass, TypedDict or any type pydantic can validate;
``Output(schema=..., name=...)`` a raw JSON schema. Types whose schema is not an object (``list[int]``) are
wrapped in ``{"result": ...}`` on the wire, since hosts want an object at the top, and unwrapped on the way
back. How the schema travels (the host's native field, JSON mode, a forced tool, or an instruction) is the
provider's choice; this module only knows the schema and how to read the answer.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from pydantic import PydanticUserError, ValidationError  # (pydantic_core's and pydantic.errors: loaded with pydantic)
from pydantic_core import SchemaError

if TYPE_CHECKING:  # imported by the first call that asks for structured output: pydantic's TypeAdapter loads its
    # whole model machinery (~45 ms), which importing a client or a plain call never needs (issue 18)
    from pydantic import TypeAdapter

from ..errors import ConfigurationError, OutputValidationError

__all__ = ["Output", "OutputMode", "OutputValidationError", "output_instruction"]

OutputMode: TypeAlias = Literal["auto", "native", "json", "tool", "prompt"]

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)
_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class Output:
    """The requested shape. ``schema`` None means "any JSON object" (JSON mode without a schema)."""

    schema: dict[str, Any] | None
    name: str = "output"
    description: str | None = None
    strict: bool | None = None
    wrapped: bool = False
    adapter: TypeAdapter[Any] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, target: Any, *, strict: bool | None = None) -> Output:
        """The shape ``output=`` asks for: an Output as is, ``dict`` for any JSON object, or a type pydantic can
        validate and describe. Anything else is a ConfigurationError saying what to give instead."""
        if isinstance(target, Output):
            return target
        if target is dict:
            return cls(schema=None, name="json")
        adapter, schema = _described(target)
        name = _NAME.sub("_", getattr(target, "__name__", None) or str(schema.get("title") or "output"))[:64]
        description = schema.get("description")
        wrapped = schema.get("type") != "object" or ("properties" not in schema and "$ref" not in schema)
        if wrapped:
            defs = schema.pop("$defs", None)
            schema = {"type": "object", "properties": {"result": schema}, "required": ["result"]}
            if defs:
                schema["$defs"] = defs
        return cls(schema=schema, name=name, description=description, strict=strict, wrapped=wrapped,
                   adapter=adapter)

    # ------------------------------------------------------------------------------------------ reading
    def parse_text(self, text: str, *, host: str | None = None) -> Any:
        """The answer written as JSON text (a Markdown fence around it is tolerated)."""
        body = text.strip()
        fenced = _FENCE.match(body)
        if fenced:
            body = fenced.group(1)
        try:
            value = json.loads(body)
        except ValueError as exc:
            raise OutputValidationError(f"the answer is not JSON: {exc}", text=text, host=host) from None
        return self.validate(value, text=text, host=host)

    def validate(self, value: Any, *, text: str, host: str | None = None) -> Any:
        if self.wrapped:
            if not isinstance(value, dict) or "result" not in value:
                raise OutputValidationError("the answer lacks its 'result' field", text=text, host=host)
            value = value["result"]
        if self.adapter is None:
            if self.schema is None and not isinstance(value, dict):
                raise OutputValidationError("the answer is JSON but not an object", text=text, host=host)
            return value
        try:
            return self.adapter.validate_python(value)
        except ValidationError as exc:
            raise OutputValidationError(f"the answer does not match {self.name}: {exc}", text=text,
                                        errors=exc.errors(include_url=False), host=host) from None


_KINDS = ("output= takes a type pydantic can validate (a pydantic model, dataclass, TypedDict, list[int] ...), "
          "dict for any JSON object, or Output(schema=..., name=...) for a raw JSON schema")


def _described(target: Any) -> tuple[TypeAdapter[Any], dict[str, Any]]:
    """A TypeAdapter for ``target`` and its JSON schema; pydantic's errors become ConfigurationErrors."""
    if isinstance(target, Mapping):
        raise ConfigurationError(f"output= got a dict; a JSON schema goes in Output(schema=..., name=...). {_KINDS}")
    if isinstance(target, str):
        raise ConfigurationError(f"output= got the string {target!r:.40}, not a type. For JSON mode give "
                                 f"output=dict; to choose how the schema travels, output_mode=. {_KINDS}")
    if inspect.isroutine(target) or isinstance(target, bytes | bytearray | int | float | list | tuple | set):
        raise ConfigurationError(f"output= got {type(target).__name__} {target!r:.40}, not a type. {_KINDS}")
    from pydantic import TypeAdapter

    try:
        adapter: TypeAdapter[Any] = TypeAdapter(target)
        return adapter, adapter.json_schema()
    except PydanticUserError as exc:  # schema generation / invalid-for-JSON-schema / typed-dict-version
        if exc.code == "typed-dict-version":
            raise ConfigurationError(
                f"output={getattr(target, '__name__', target)} is a typing.TypedDict, which pydantic cannot "
                "validate on Python < 3.12: define it with typing_extensions.TypedDict (from typing_extensions "
                "import TypedDict), or use a pydantic model or dataclass") from None
        first = str(exc).split("\n")[0].split(". ")[0]
        raise ConfigurationError(f"output={getattr(target, '__name__', target)!s:.60} cannot be described as a "
                                 f"JSON schema ({first}). {_KINDS}") from None
    except SchemaError as exc:
        raise ConfigurationError(f"output={target!r:.60} is not a type pydantic understands ({exc}). {_KINDS}") \
            from None


def output_instruction(output: Output) -> str:
    """The instruction that carries the schema when the host has no field for it."""
    if output.schema is None:
        return "Reply with a single JSON object and nothing else."
    schema = json.dumps(output.schema, ensure_ascii=False, separators=(",", ":"))
    return f"Reply with a single JSON object that matches this JSON schema, and nothing else:\n{schema}"
