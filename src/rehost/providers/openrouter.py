"""OpenRouter (``openrouter.ai/api/v1``): a router in front of many upstream providers.

Thinking is one ``reasoning`` object: ``enabled``, ``effort`` (minimal..max, ``none`` turns it off),
``max_tokens`` (a budget) and ``exclude`` (think but do not return the text). Reasoning comes back as
``reasoning`` text plus ``reasoning_details`` (signed / encrypted blocks that must go back unchanged, so they
are kept verbatim). Usage includes the billed ``cost``. Upstream errors arrive wrapped, with the upstream's
own text in ``error.metadata.raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import (
    ContentBlocked,
    ContextWindowExceeded,
    HostError,
    InvalidRequest,
    ModelNotFound,
    Overloaded,
    PaymentRequired,
    RateLimited,
    ServerError,
    UnsupportedFeature,
)
from ..shared.request import ThinkingPlan
from ..shared.types import ReasoningPart
from .dialects import openai_chat
from .openai_compatible import OpenAIChat, OpenAICompatible
from .openrouter_video import OpenRouterVideo

__all__ = ["OpenRouter", "OpenRouterChat"]

_EFFORTS = frozenset({"minimal", "low", "medium", "high", "xhigh", "max"})

_ERROR_TYPES: dict[str, type[HostError]] = {
    "context_length_exceeded": ContextWindowExceeded,
    "max_tokens_exceeded": InvalidRequest,
    "payment_required": PaymentRequired,
    "rate_limit_exceeded": RateLimited,
    "provider_overloaded": Overloaded,
    "provider_unavailable": ServerError,
    "content_policy_violation": ContentBlocked,
    "refusal": ContentBlocked,
    "not_found": ModelNotFound,
}

_AVAILABILITY: dict[str, type[HostError]] = {
    "model_not_found": ModelNotFound,
    "no_endpoints": ModelNotFound,
    "model_deprecated": ModelNotFound,
    "capacity_exhausted": Overloaded,
    "temporarily_unavailable": Overloaded,
}


class OpenRouterChat(OpenAIChat):
    sampling_fields: ClassVar[Mapping[str, str | None]] = {**openai_chat.DEFAULT_SAMPLING_FIELDS, "top_k": "top_k"}
    accepts: frozenset[str] = frozenset({"text", "image", "document"})
    builtin_tools: ClassVar[frozenset[str]] = frozenset({"web_search"})
    #: ``reasoning`` text plus ``reasoning_details[]`` kept verbatim (HOSTS.md 11.2, OpenRouter OpenAPI
    #: ``ChatStreamDelta``)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning",)
    reasoning_details_field: ClassVar[str | None] = "reasoning_details"

    def build_call(self, request: Any, model_id: str) -> Any:
        call = super().build_call(request, model_id)
        if request.builtin_tools:
            call.body["plugins"] = [{"id": "web"}]  # OpenRouter's web search plugin
        routing = getattr(self.host, "routing", None)
        if routing:
            call.body["provider"] = {**call.body.get("provider", {}), **routing}
        return call

    def encode_output(self, request: Any, body: dict[str, Any]) -> None:
        super().encode_output(request, body)
        if "response_format" in body:
            # without this OpenRouter may route to an upstream that ignores response_format, silently
            body.setdefault("provider", {})["require_parameters"] = True

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        reasoning: dict[str, Any] = {}
        if not plan.enabled:
            reasoning["effort"] = "none"
        elif plan.effort is not None:
            if plan.effort not in _EFFORTS:
                raise UnsupportedFeature(f"openrouter does not take effort {plan.effort!r}", host=self.name)
            reasoning["effort"] = plan.effort
            reasoning["enabled"] = True
        elif plan.budget is not None:
            reasoning["max_tokens"] = plan.budget
        else:
            reasoning["enabled"] = True
        if plan.enabled and not plan.include_reasoning:
            reasoning["exclude"] = True
        body["reasoning"] = reasoning

    def encode_reasoning(self, parts: list[ReasoningPart], wire: dict[str, Any]) -> None:
        details = [d for p in parts if p.source == self.name and p.details for d in p.details]
        if details:
            wire["reasoning_details"] = details
        else:
            text = "\n".join(p.text for p in parts if p.text)
            if text:
                wire["reasoning"] = text

    def host_cost(self, usage: Mapping[str, Any] | None) -> float | None:
        cost = usage.get("cost") if usage else None
        return float(cost) if isinstance(cost, int | float) else None


class OpenRouter(OpenAICompatible):
    name: ClassVar[str] = "openrouter"
    default_base_url: ClassVar[str] = "https://openrouter.ai/api/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("OPENROUTER_API_KEY",)
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-generation-id", "x-request-id")
    chat_endpoint: ClassVar[type[Any] | None] = OpenRouterChat
    video_endpoint: ClassVar[type[Any] | None] = OpenRouterVideo  # (openrouter_video.py)

    def __init__(
        self,
        api_key: str | None = None,
        *,
        app_url: str | None = None,
        app_title: str | None = "rehost",
        routing: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """``routing`` is OpenRouter's ``provider`` object (order, only, ignore, sort, ...), sent with every
        call; pin it (``{"order": ["groq"], "allow_fallbacks": False}``) to benchmark one upstream."""
        headers = dict(kwargs.pop("headers", None) or {})
        if app_url:
            headers.setdefault("HTTP-Referer", app_url)
        if app_title:
            headers.setdefault("X-OpenRouter-Title", app_title)
            headers.setdefault("X-Title", app_title)
        super().__init__(api_key, headers=headers, **kwargs)
        #: OpenRouter's ``provider`` object, sent with every call (read by the chat endpoint)
        self.routing = dict(routing) if routing else None

    def error_message(self, body: Any, message: str | None) -> str | None:
        err = body.get("error") if isinstance(body, Mapping) else None
        meta = err.get("metadata") if isinstance(err, Mapping) else None
        if isinstance(meta, Mapping):
            upstream = meta.get("provider_name")
            raw = meta.get("raw")
            if raw:
                text = raw if isinstance(raw, str) else str(raw)
                inner, _, _, _ = openai_chat.error_fields(_maybe_json(text))
                detail = inner or text
                return f"{message or 'upstream error'} ({upstream or 'upstream'}): {detail[:800]}"
        return message

    def classify_error(self, status: int, message: str, etype: str | None, code: str | None) -> type[HostError]:
        if status == 403 and ("moderation" in message.lower() or "flagged" in message.lower()):
            return ContentBlocked
        return super().classify_error(status, message, etype, code)

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        err = super().error_from_body(status, headers, body)
        obj = body.get("error") if isinstance(body, Mapping) else None
        if isinstance(obj, Mapping):
            meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
            typed = _ERROR_TYPES.get(str(meta.get("error_type"))) if meta else None
            avail = obj.get("availability")
            if isinstance(avail, Mapping):
                typed = _AVAILABILITY.get(str(avail.get("code")), typed)
                if isinstance(avail.get("retry_after"), int | float):
                    err.retry_after = float(avail["retry_after"])
            if typed is not None and typed is not type(err):
                new = typed(err.message, host=err.host, status=err.status, code=err.code,
                            request_id=err.request_id, retry_after=err.retry_after, body=err.body)
                return new
        return err


def _maybe_json(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text
