"""What the chat types share that needs no pydantic: the aliases several modules use (``Role``, ``Effort``,
``FinishReason``), the fast ``construct`` decoders use, pydantic's errors as one line (``validation_message``)
and the UTF-8 check (``unencodable_at``). Apart from the pydantic base (``_input``) so that the modules on the
path of ``from rehost import GenericClient, Groq`` can import them without loading pydantic's model machinery
(issue 18: import time); ``_input`` re-exports them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

from ..errors import RehostError

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

__all__ = ["Effort", "FinishReason", "Role", "construct", "unencodable_at", "validation_message"]


Role: TypeAlias = Literal["system", "user", "assistant", "tool"]
Effort: TypeAlias = Literal["minimal", "low", "medium", "high", "xhigh", "max"]
FinishReason: TypeAlias = Literal["stop", "length", "tool_calls", "content_filter", "error", "other"]

_M = TypeVar("_M", bound="BaseModel")
_PLAIN_DEFAULTS: dict[type[BaseModel], dict[str, Any] | None] = {}
_setattr = object.__setattr__


def construct(cls: type[_M], **values: Any) -> _M:
    """``cls.model_construct(**values)`` for values the caller already knows are valid, at a fraction of the
    cost: decoders build a few models per answer, and pydantic's ``model_construct`` walks every field of the
    class in Python each time (it was the largest item of the decode path in the profile). Classes whose
    defaults need a factory, or that have private attributes, fall back to ``model_construct``."""
    try:
        defaults = _PLAIN_DEFAULTS[cls]
    except KeyError:
        defaults = _PLAIN_DEFAULTS[cls] = _plain_defaults(cls)
    if defaults is None:
        return cls.model_construct(**values)
    model = cls.__new__(cls)
    fields = defaults.copy()
    fields.update(values)
    _setattr(model, "__dict__", fields)
    _setattr(model, "__pydantic_fields_set__", set(values))
    _setattr(model, "__pydantic_extra__", None)
    _setattr(model, "__pydantic_private__", None)
    return model


def _plain_defaults(cls: type[BaseModel]) -> dict[str, Any] | None:
    if cls.__private_attributes__ or cls.__pydantic_post_init__ or cls.model_config.get("extra") == "allow":
        return None
    out: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        if info.default_factory is not None or info.alias not in (None, name):
            return None
        # a required field has no default: it must be among the values (a placeholder keeps the field order)
        out[name] = None if info.is_required() else info.default
    return out


def validation_message(exc: ValidationError, what: str) -> str:
    """pydantic's errors as one line a caller can act on: which field, what is wrong, and what was given."""
    problems: list[str] = []
    for err in exc.errors(include_url=False):
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, RehostError):
            text = cause.message
        elif err["type"] == "value_error" and cause is not None:
            text = str(cause)
        else:
            text = err["msg"]
            given = err.get("input")
            if isinstance(given, str | int | float | bool) and not isinstance(cause, Exception):
                text += f" (got {given!r:.60})"
        where = ".".join(str(p) for p in err["loc"])
        problems.append(f"{where}: {text}" if where else text)
    return f"invalid {what}: {'; '.join(problems)}"


def unencodable_at(text: str) -> int | None:
    """Where ``text`` holds a character UTF-8 cannot encode (a lone surrogate), or None (the usual case, and a
    cheap one: ASCII text is known at once)."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None
