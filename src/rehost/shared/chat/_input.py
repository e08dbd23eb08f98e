"""The base of the chat types callers build (``_Input``: bad input is a ConfigurationError naming the field),
the fast ``construct`` decoders use, pydantic errors as one line (``validation_message``), and the few aliases
(``Role``, ``Effort``, ``FinishReason``) several chat modules share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ConfigurationError, RehostError

if TYPE_CHECKING:
    from typing import Self

__all__ = ["Effort", "FinishReason", "Role", "construct", "unencodable_at", "validation_message"]


Role: TypeAlias = Literal["system", "user", "assistant", "tool"]
Effort: TypeAlias = Literal["minimal", "low", "medium", "high", "xhigh", "max"]
FinishReason: TypeAlias = Literal["stop", "length", "tool_calls", "content_filter", "error", "other"]

_FROZEN = ConfigDict(frozen=True, extra="forbid", defer_build=True)

_M = TypeVar("_M", bound=BaseModel)
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


# ---------------------------------------------------------------------------------------------------- input


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


class _Input(BaseModel):
    """Base of the types callers build (messages, parts, tools, the thinking setting): a value that does not
    validate raises ``ConfigurationError`` (a rehost error, and a ValueError as pydantic's own error is)
    naming the field and the problem, so ``except RehostError`` covers bad input too. Decoders build these
    types with ``construct``, which validates nothing and so never comes here."""

    model_config = _FROZEN

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ConfigurationError(validation_message(exc, type(self).__name__)) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            cause = (errors[0].get("ctx") or {}).get("error") if len(errors) == 1 else None
            if isinstance(cause, ConfigurationError) and not errors[0]["loc"]:
                raise cause from None  # our own __init__ already said it, validating the same object
            raise ConfigurationError(validation_message(exc, cls.__name__)) from None
