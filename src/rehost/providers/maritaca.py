"""Maritaca AI (Brazil): the Sabiá models through an OpenAI-compatible API at ``chat.maritaca.ai/api``.

Base URL and model ids (``sabia-4``, ``sabia-3``, ``sabiazinho-3``) from Maritaca's own client library README
(pypi.org/project/maritalk, 2026), which points the OpenAI SDK at this base URL with a Bearer key. The key
variable name ``MARITACA_API_KEY`` is the one community clients use (UNCONFIRMED as official). Images,
documents, a JSON response format and thinking controls are not documented: UNCONFIRMED, so none is sent and
structured output travels as an instruction in the prompt.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..shared.output import OutputMode
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Maritaca", "MaritacaChat"]


class MaritacaChat(OpenAIChat):
    completion_path: ClassVar[str | None] = None  # no plain text-completion endpoint
    accepts: frozenset[str] = frozenset({"text"})
    output_modes: tuple[OutputMode, ...] = ("prompt",)
    #: Sabiá models are not documented to return reasoning
    reasoning_fields: ClassVar[tuple[str, ...]] = ()


class Maritaca(OpenAICompatible):
    name: ClassVar[str] = "maritaca"
    default_base_url: ClassVar[str] = "https://chat.maritaca.ai/api"
    api_key_env: ClassVar[tuple[str, ...]] = ("MARITACA_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = MaritacaChat
