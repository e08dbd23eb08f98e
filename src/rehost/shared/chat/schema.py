"""JSON-schema rewrites that hosts need, as pure functions (each provider picks the ones its host needs).

Pydantic writes schemas with ``$defs`` references, titles on every property and defaults; hosts accept
different subsets. Strict structured output (OpenAI-style, Groq, Mistral, OpenRouter) wants every property
required and ``additionalProperties: false``; Gemini wants references resolved and a few keywords gone. None
of these functions changes the caller's schema in place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

__all__ = [
    "RecursiveSchema",
    "clean_function_schema",
    "for_gemini",
    "inline_defs",
    "strict_schema",
    "strip_titles",
]

Schema = dict[str, Any]


class RecursiveSchema(ValueError):
    """The schema refers to itself, so its references cannot be inlined."""


def _walk(node: Any, fn: Callable[[Schema], Schema]) -> Any:
    """Apply ``fn`` to every schema object, children first."""
    if isinstance(node, list):
        return [_walk(item, fn) for item in node]
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    for key, value in node.items():
        if key in ("properties", "$defs", "definitions", "patternProperties"):
            out[key] = {k: _walk(v, fn) for k, v in value.items()} if isinstance(value, dict) else value
        elif key in ("items", "additionalProperties", "not", "if", "then", "else", "contains"):
            out[key] = _walk(value, fn)
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            out[key] = [_walk(v, fn) for v in value]
        else:
            out[key] = value
    return fn(out)


def inline_defs(schema: Schema) -> Schema:
    """Replace every local ``$ref`` with the definition it names; ``RecursiveSchema`` if one refers back."""
    defs: Schema = dict(schema.get("$defs") or schema.get("definitions") or {})

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [resolve(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(("#/$defs/", "#/definitions/")):
            name = ref.rsplit("/", 1)[-1]
            if name in seen:
                raise RecursiveSchema(f"the schema of {name!r} refers to itself")
            target = resolve(copy.deepcopy(defs[name]), (*seen, name))
            extra = {k: resolve(v, seen) for k, v in node.items() if k != "$ref"}
            return {**target, **extra}
        return {k: resolve(v, seen) for k, v in node.items() if k not in ("$defs", "definitions")}

    result: Schema = resolve(schema, ())
    return result


def strip_titles(schema: Schema, *, keep_root: bool = False) -> Schema:
    """Drop the ``title`` pydantic puts on every property (noise for a model, and some hosts reject it)."""
    root_title = schema.get("title")

    def drop(node: Schema) -> Schema:
        node.pop("title", None)
        return node

    out: Schema = _walk(copy.deepcopy(schema), drop)
    if keep_root and root_title is not None:
        out = {"title": root_title, **out}
    return out


def clean_function_schema(schema: Schema) -> Schema:
    """A tool's parameter schema: no titles, and no arguments beyond the declared ones."""
    out = strip_titles(schema)
    out.setdefault("additionalProperties", False)
    return out


def strict_schema(schema: Schema) -> Schema | None:
    """The schema rewritten for strict (constrained-decoding) structured output, or None if it cannot be.

    Every object lists all its properties as required and forbids others; optional fields stay optional by
    being nullable (pydantic already writes ``Optional[X]`` as ``anyOf [X, null]``); defaults are dropped.
    Free-form maps (``dict[str, X]``) cannot be strict.
    """
    convertible = True

    def fix(node: Schema) -> Schema:
        nonlocal convertible
        node.pop("default", None)
        is_object = node.get("type") == "object" or "properties" in node
        if is_object:
            extra = node.get("additionalProperties")
            if isinstance(extra, dict) or extra is True or "patternProperties" in node:
                convertible = False
            props = node.get("properties") or {}
            node["properties"] = props
            node["required"] = list(props)
            node["additionalProperties"] = False
        return node

    out: Schema = _walk(copy.deepcopy(schema), fix)
    return out if convertible else None


_GEMINI_DROP = ("$schema", "$id", "discriminator", "examples", "exclusiveMinimum", "exclusiveMaximum")


def for_gemini(schema: Schema) -> Schema:
    """Gemini's JSON-schema subset: references inlined, ``const`` as a one-value ``enum``, unsupported
    keywords removed (``RecursiveSchema`` for self-referring schemas)."""

    def fix(node: Schema) -> Schema:
        for key in _GEMINI_DROP:
            node.pop(key, None)
        if "const" in node:
            const = node.pop("const")
            node["enum"] = [const]
            if "type" not in node:
                node["type"] = {bool: "boolean", int: "integer", float: "number", str: "string"}.get(
                    type(const), "string")
        return node

    out: Schema = _walk(inline_defs(schema), fix)
    return out
