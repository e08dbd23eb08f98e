"""vLLM's OpenAI-compatible server (``vllm serve``; ``http://<host>:8000/v1``). HOSTS.md §9.3.

Reasoning comes back in ``reasoning`` (``reasoning_content`` on older deployments; the OpenAI-dialect decoder
reads both) when the server runs a ``--reasoning-parser``. Thinking is switched through the model's chat
template (``chat_template_kwargs``, e.g. Qwen3 ``{"enable_thinking": false}``), a switch the model's client
names; a token budget is ``thinking_token_budget`` (it needs the server's ``--reasoning-config``). vLLM has no
documented effort setting. The key is optional: a server started without ``--api-key`` gets no auth header.
A vLLM server serves the model it was started with, under its Hugging Face id unless ``--served-model-name``
says otherwise: any catalogued model goes, by its open-weights id (``models=`` or ``host_model_id=`` for
another name).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import ThinkingPlan
from .dialects import openai_chat
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["VLLM", "VLLMChat"]


class VLLMChat(OpenAIChat):
    sampling_fields: ClassVar[Mapping[str, str | None]] = {**openai_chat.DEFAULT_SAMPLING_FIELDS, "top_k": "top_k"}
    template_kwargs: bool = True
    #: ``reasoning``, formerly ``reasoning_content``: older deployments send that name (HOSTS.md 9.3, 11.2)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning", "reasoning_content")

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.effort is not None:
            raise UnsupportedFeature("vllm has no documented thinking effort; ask for a budget "
                                     "(thinking_token_budget) or on/off", host=self.name)
        if plan.budget is not None:
            body["thinking_token_budget"] = plan.budget
        if plan.always_on:
            return
        if plan.template_switch:
            body.setdefault("chat_template_kwargs", {})[plan.template_switch] = plan.enabled
            return
        if plan.enabled:
            return  # the model thinks at its default (its parser decides what comes back)
        if plan.prompt_switch:
            self.switch_thinking(plan, body)
            return
        raise UnsupportedFeature(
            "vllm turns thinking off through the model's chat template, and this model's client names no "
            "template switch; pass extra_body={'chat_template_kwargs': {...}}", host=self.name)


class VLLM(OpenAICompatible):
    name: ClassVar[str] = "vllm"
    default_base_url: ClassVar[str] = "http://127.0.0.1:8000/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("VLLM_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = VLLMChat

    @property
    def missing_key_reason(self) -> str | None:
        return None  # a local server: the key is optional

    @property
    def serves_any_model(self) -> bool:
        return True  # whatever it was started with

    def auth_headers(self) -> dict[str, str]:
        key = self._resolve_key()
        return {"Authorization": f"Bearer {key}"} if key else {}
