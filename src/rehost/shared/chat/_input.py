"""The base of the chat types callers build (``_Input``: bad input is a ConfigurationError naming the field). The
helpers that need no pydantic (``construct``, ``validation_message``, the shared aliases) are in ``plain`` and
re-exported here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ConfigurationError
from .plain import Effort, FinishReason, Role, construct, unencodable_at, validation_message

if TYPE_CHECKING:
    from typing import Self

__all__ = ["Effort", "FinishReason", "Role", "construct", "unencodable_at", "validation_message"]


_FROZEN = ConfigDict(frozen=True, extra="forbid", defer_build=True)


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
