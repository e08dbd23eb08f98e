"""Groq (``api.groq.com/openai/v1``): OpenAI dialect with Groq's reasoning fields and timing extras.

Thinking: ``reasoning_effort`` (``none`` turns Qwen3 reasoning off; gpt-oss takes low|medium|high) and
``reasoning_format`` (``parsed`` puts reasoning in ``message.reasoning``, ``hidden`` drops it). Groq has no
token budget. It rejects ``reasoning_content`` on input messages, and replaying reasoning as ``<think>`` text
teaches the model to write its thinking into answers (pydantic-ai observed this and changed its default), so
earlier reasoning is not sent back to Groq at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import ThinkingPlan
from .dialects import openai_chat
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Groq", "GroqChat"]

_TIMING_KEYS = ("queue_time", "prompt_time", "completion_time", "total_time")


class GroqChat(OpenAIChat):
    completion_path: ClassVar[str | None] = None  # no plain text-completion endpoint
    #: ``reasoning_format: parsed`` puts reasoning in ``reasoning`` (HOSTS.md 11.2); raw mode inlines ``<think>``
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning",)
    sampling_fields: ClassVar[Mapping[str, str | None]] = {
        **openai_chat.DEFAULT_SAMPLING_FIELDS,
        "max_tokens": "max_completion_tokens",
        # listed by Groq as not supported by any model yet
        "presence_penalty": None,
        "frequency_penalty": None,
    }
    efforts: ClassVar[frozenset[str]] = frozenset({"low", "medium", "high"})
    #: Groq's json_schema is best-effort unless strict is asked, and strict works on fewer models
    default_strict: ClassVar[bool | None] = None

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.budget is not None:
            raise UnsupportedFeature("groq has no thinking budget; ask for an effort (low|medium|high)", host=self.name)
        if not plan.enabled:
            body["reasoning_effort"] = "none"
            return
        if plan.effort is not None:
            if plan.effort not in self.efforts:
                raise UnsupportedFeature(
                    f"groq takes reasoning_effort low|medium|high, not {plan.effort!r}", host=self.name)
            body["reasoning_effort"] = plan.effort
        body["reasoning_format"] = "parsed" if plan.include_reasoning else "hidden"

    def request_id_from_body(self, body: Mapping[str, Any]) -> str | None:
        x = body.get("x_groq")
        return x.get("id") if isinstance(x, Mapping) else None

    def host_timing(self, body: Mapping[str, Any]) -> dict[str, float] | None:
        usage = body.get("usage")
        if not isinstance(usage, Mapping) or "queue_time" not in usage:
            x = body.get("x_groq")
            usage = x.get("usage") if isinstance(x, Mapping) else None
        if not isinstance(usage, Mapping):
            return None
        timing = {k: float(usage[k]) for k in _TIMING_KEYS if isinstance(usage.get(k), int | float)}
        return timing or None

    def stream_usage_raw(self, state: openai_chat.ChatStream) -> Mapping[str, Any] | None:
        if state.usage_raw:
            return state.usage_raw
        x = (state.last_chunk or {}).get("x_groq")  # 2025 streams carried usage only here
        return x.get("usage") if isinstance(x, Mapping) else None


class Groq(OpenAICompatible):
    name: ClassVar[str] = "groq"
    default_base_url: ClassVar[str] = "https://api.groq.com/openai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("GROQ_API_KEY",)
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id",)
    chat_endpoint: ClassVar[type[Any] | None] = GroqChat
    transcribe_endpoint = ".groq_audio:GroqTranscribe"  # (groq_audio.py, imported when first asked for)
    speak_endpoint = ".groq_audio:GroqSpeak"
