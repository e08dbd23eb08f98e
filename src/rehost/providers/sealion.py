"""SEA-LION, AI Singapore (``api.sea-lion.ai/v1``): OpenAI chat completions for the SEA-LION models of
Southeast Asian languages. Facts: ../shared/HOSTS-MORE.md §12 (docs.sea-lion.ai, "API" guide; key variable
from third-party code).

Keys come from the SEA-LION Playground (one trial key per user). The key variable ``SEA_LION_API_KEY`` is the
one third-party clients read (UNCONFIRMED as official).

Thinking: the docs say the v3.5 models reason by default through ``thinking_mode="on"`` passed to the chat
template, and ``"off"`` gives plain generation; where that goes in the JSON (likely ``chat_template_kwargs``)
and where the reasoning comes back are UNCONFIRMED. So no thinking setting is sent: every setting but the
model's default is refused before the network, naming the ``extra_body`` a caller can try at their own risk,
and no reply field is read as reasoning. The exact v3.5 / v4 Qwen ids and the rate-limit values are
UNCONFIRMED too (the catalogue marks the ids it could not confirm).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import ThinkingPlan
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["SeaLion", "SeaLionChat"]


class SeaLionChat(OpenAIChat):
    """SEA-LION's chat completions."""

    completion_path: ClassVar[str | None] = None  # only /models and /chat/completions are documented
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: where reasoning comes back is UNCONFIRMED (HOSTS-MORE §12)
    reasoning_fields: ClassVar[tuple[str, ...]] = ()

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.always_on or (plan.default_depth and plan.include_reasoning):
            return
        raise UnsupportedFeature(
            "sea-lion has no documented thinking field: the v3.5 models' chat-template switch thinking_mode "
            "on/off has no confirmed place in the request; leave thinking unset, or try "
            "extra_body={'chat_template_kwargs': {'thinking_mode': 'off'}} at your own risk", host=self.name)


class SeaLion(OpenAICompatible):
    name: ClassVar[str] = "sealion"
    default_base_url: ClassVar[str] = "https://api.sea-lion.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("SEA_LION_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = SeaLionChat
