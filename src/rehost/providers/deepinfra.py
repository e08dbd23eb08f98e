"""DeepInfra (``api.deepinfra.com/v1/openai``): OpenAI chat completions for open-weight models under Hugging
Face style ids (``deepseek-ai/DeepSeek-V3``, ``meta-llama/Llama-3.3-70B-Instruct-Turbo``).
Facts: ../shared/HOSTS-MORE.md §8 (litellm citing DeepInfra's docs; vercel/ai's DeepInfra provider).

``tool_choice`` is only ``auto`` or ``none`` there, so a required or named tool choice (and so structured output
through a forced tool) is refused before any network call rather than left to the host. No stored source confirms
a reasoning field or a thinking control: none is read, and an effort or a budget is refused.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import Request
from ..shared.transport import HttpCall
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["DeepInfra", "DeepInfraChat"]

_TOOL_CHOICES = frozenset({"auto", "none"})


class DeepInfraChat(OpenAIChat):
    """DeepInfra's chat completions."""

    completion_path: ClassVar[str | None] = None  # a text-completion endpoint is not in the stored facts
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: no stored source names the reasoning field (HOSTS-MORE §8: UNCONFIRMED)
    reasoning_fields: ClassVar[tuple[str, ...]] = ()

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        call = super().build_call(request, model_id)
        choice = call.body.get("tool_choice") if isinstance(call.body, dict) else None
        if choice is not None and not (isinstance(choice, str) and choice in _TOOL_CHOICES):
            shown = choice if isinstance(choice, str) else "a named tool"
            raise UnsupportedFeature(f"deepinfra takes tool_choice auto|none only, not {shown}", host=self.name)
        return call


class DeepInfra(OpenAICompatible):
    name: ClassVar[str] = "deepinfra"
    default_base_url: ClassVar[str] = "https://api.deepinfra.com/v1/openai"
    api_key_env: ClassVar[tuple[str, ...]] = ("DEEPINFRA_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = DeepInfraChat
