"""Bedrock's OpenAI-compatible Chat Completions, the second chat surface of ``Bedrock`` (HOSTS-MORE §2):
``Bedrock(api="openai")`` for the runtime's ``/openai/v1/chat/completions`` (signing name ``bedrock``), and
``Bedrock(api="mantle")`` for Bedrock Mantle's ``/v1/chat/completions`` (``bedrock-mantle.{region}.api.aws``,
signing name ``bedrock-mantle``). Both take the Bedrock API key or SigV4, which the host adds.

What differs from the OpenAI baseline: reasoning comes back in ``message.reasoning`` on Mantle (observed; the
runtime's field is not recorded, so both spellings are read); ``reasoning_effort`` is the thinking field
(``low|medium|high``) for the OpenAI models these surfaces serve; there is no text-completion endpoint; the
runtime's GPT-5.x deployments want an inference-profile id (``us.openai.gpt-5.6-sol``), which the catalogue
gives. Errors in the OpenAI shape are read as such, Bedrock's own ``{"message"}`` bodies as Bedrock's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import HostError, UnsupportedFeature
from ..shared.output import OutputMode
from ..shared.request import Request, ThinkingPlan
from .base import error_class_for_status
from .dialects import openai_chat
from .openai_compatible import OpenAIChat

__all__ = ["BedrockOpenAIChat"]

_EFFORTS = frozenset({"low", "medium", "high"})
_VERSION_SUFFIX = re.compile(r"-\d+:\d+$")


class BedrockOpenAIChat(OpenAIChat):
    """Chat Completions on the Bedrock runtime (``/openai/v1``) or on Mantle (``/v1``), by the host's ``api``."""

    completion_path: ClassVar[str | None] = None
    accepts: frozenset[str] = frozenset({"text"})
    output_modes: tuple[OutputMode, ...] = ("native", "json", "tool", "prompt")
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning", "reasoning_content")

    @property
    def chat_path(self) -> str:  # type: ignore[override]
        return "/v1/chat/completions" if getattr(self.host, "api", "openai") == "mantle" else \
            "/openai/v1/chat/completions"

    def host_model_id(self, request: Request) -> str:
        """Mantle names OpenAI's models without the runtime's version suffix (``openai.gpt-oss-120b``, not
        ``openai.gpt-oss-120b-1:0``); the catalogue keeps the runtime's, so Mantle's is derived from it."""
        model_id = super().host_model_id(request)
        if getattr(self.host, "api", None) == "mantle" and request.host_model_id is None:
            return _VERSION_SUFFIX.sub("", model_id)
        return model_id

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.always_on and plan.effort is None:
            return
        if not plan.enabled:
            raise UnsupportedFeature(f"{self.name}: the OpenAI models here always reason; reasoning_effort "
                                     "'none' is not documented for them", host=self.name)
        if plan.budget is not None:
            raise UnsupportedFeature(f"{self.name} has no thinking budget; ask for an effort (low|medium|high)",
                                     host=self.name)
        if plan.effort is not None:
            if plan.effort not in _EFFORTS:
                raise UnsupportedFeature(f"{self.name} takes reasoning_effort low|medium|high, not {plan.effort!r}",
                                         host=self.name)
            body["reasoning_effort"] = plan.effort

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
            message, etype, code, _param = openai_chat.error_fields(body)
            return error_class_for_status(status)(message or f"{self.name} answered HTTP {status}", host=self.name,
                                                  status=status, code=code or etype,
                                                  body=json.dumps(body, ensure_ascii=False))
        return self.host.error_from_body(status, headers, body)
