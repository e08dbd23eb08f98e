"""Naver CLOVA Studio (Korea): the HyperCLOVA X models through CLOVA Studio's OpenAI-compatible API
(``clovastudio.stream.ntruss.com/v1/openai``; ``region="gov"`` for the Korean government cloud,
``clovastudio.stream.gov-ntruss.com``). Facts: ../shared/HOSTS-MORE.md §18 (ncloud-docs "OpenAI
compatibility", "Chat Completions v3 / Thinking", the model list; langchain-naver for the key variable).

Why this surface and not the native one: CLOVA Studio's native v3 API (``POST /v3/chat-completions/{model}``,
camelCase bodies) is a dialect of its own, but the OpenAI-compatible surface serves the same Chat Completions
v3 at ``/chat/completions`` with snake_case fields and OpenAI-shaped answers, so the shared OpenAI codec
carries it and no second codec is needed. Keys are CLOVA Studio test or service API keys (``nv-...``), the
only keys the compatible surface takes; ``CLOVASTUDIO_API_KEY`` is langchain-naver's variable.

Thinking (HCX-007 only, "Chat Completions v3 / Thinking"): ``thinking: {"effort": "none"|"low"|"medium"|
"high"}``, default ``low``; ``none`` turns reasoning off. That the compatible surface takes the object under
the same name is inferred from its "v3 at /chat/completions, snake_case" rule (UNCONFIRMED: not observed).
There is no budget. The other models do not reason, so a thinking setting for them is refused before the
network. Where the reasoning text comes back is UNCONFIRMED (HOSTS-MORE §22.17), so no field is read as
reasoning: the answer is the content alone.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from ..shared.errors import ConfigurationError, UnsupportedFeature
from ..shared.request import ThinkingPlan
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Clova", "ClovaChat"]

_BASES = {"public": "https://clovastudio.stream.ntruss.com/v1/openai",
          "gov": "https://clovastudio.stream.gov-ntruss.com/v1/openai"}
_EFFORTS = ("low", "medium", "high")
#: the reasoning models (HOSTS-MORE §18: HCX-007, v3 only)
_REASONING = ("HCX-007",)


class ClovaChat(OpenAIChat):
    """CLOVA Studio's OpenAI-compatible chat completions."""

    completion_path: ClassVar[str | None] = None  # the compatible surface lists chat, embeddings and models
    #: where HCX-007's reasoning text comes back is UNCONFIRMED (HOSTS-MORE §22.17)
    reasoning_fields: ClassVar[tuple[str, ...]] = ()

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if not model_id.upper().startswith(_REASONING):
            if plan.enabled and not plan.default_depth:
                raise UnsupportedFeature(f"clova's {model_id} does not reason; HCX-007 does", host=self.name)
            return  # it does not reason: off (or the default) is what it does
        if not plan.enabled:
            body["thinking"] = {"effort": "none"}
            return
        if plan.budget is not None:
            raise UnsupportedFeature("clova has no thinking budget; ask for an effort (low|medium|high)",
                                     host=self.name)
        if plan.effort is not None:
            if plan.effort not in _EFFORTS:
                raise UnsupportedFeature(f"clova takes thinking.effort low|medium|high, not {plan.effort!r}",
                                         host=self.name)
            body["thinking"] = {"effort": plan.effort}


class Clova(OpenAICompatible):
    name: ClassVar[str] = "clova"
    default_base_url: ClassVar[str] = _BASES["public"]
    api_key_env: ClassVar[tuple[str, ...]] = ("CLOVASTUDIO_API_KEY",)
    #: the header the native API names for a request id, read where an answer carries it (UNCONFIRMED on the
    #: compatible surface), then the common one
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-ncp-clovastudio-request-id", "x-request-id")
    chat_endpoint: ClassVar[type[Any] | None] = ClovaChat

    def __init__(self, api_key: str | None = None, *, region: Literal["public", "gov"] = "public",
                 **kwargs: Any) -> None:
        if region not in _BASES:
            raise ConfigurationError(f"clova's region is public or gov, not {region!r}", host="clova")
        if not kwargs.get("base_url"):
            kwargs["base_url"] = _BASES[region]
        super().__init__(api_key, **kwargs)
