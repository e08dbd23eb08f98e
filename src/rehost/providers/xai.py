"""xAI (``api.x.ai/v1``): OpenAI chat completions for Grok models; Grok Voice realtime in ``xai_realtime.py``.
Facts: ../shared/HOSTS-MORE.md §5 (xAI reasoning docs 2025 and 2026, vercel/ai's xAI provider and fixtures).

Thinking: whether ``reasoning_effort`` is accepted, and which values, depends on the model id, and xAI answers an
unaccepted one with an error, so this file keeps the per-model table (``_EFFORT_RULES``, first matching prefix
wins) and refuses a setting the model rejects before any network call:

* ``grok-3-mini``: ``low|high`` (2025 docs); it always thinks;
* ``grok-4.3``: ``none|low|medium|high``, ``none`` turns thinking off (2026 docs);
* ``grok-4.6``: as grok-4.3 plus ``xhigh`` (vercel 2026-08);
* ``grok-4.5``: ``low|medium|high``, cannot be turned off (third party citing xAI's docs);
* ``grok-3``, ``grok-4`` (``-0709``, ``-fast-*``, ``-1-fast-*``), ``grok-4.20-*``: reject ``reasoning_effort``
  for every value, ``none`` included (2025 docs; vercel ``supports-reasoning-effort.ts``); whether they think is
  the model's own (``-reasoning`` ids do, ``-non-reasoning`` ids do not).

An unknown id (``grok-latest``, ``grok-code-fast-1``) gets no ``reasoning_effort``: only the model's default is
possible. Reasoning comes back in ``message.reasoning_content`` / ``delta.reasoning_content`` (observed,
vercel fixture, grok-3-mini). Errors are OpenAI-shaped ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import ThinkingPlan
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["XAI", "XAIChat"]

_LADDER = ("none", "low", "medium", "high", "xhigh")

#: model id prefix -> (efforts it accepts, or None when it rejects the field; whether ``none`` turns it off).
#: Longer prefixes first: the first match wins.
_EFFORT_RULES: tuple[tuple[str, frozenset[str] | None, bool], ...] = (
    ("grok-3-mini", frozenset({"low", "high"}), False),
    ("grok-4.20", None, False),
    ("grok-4.3", frozenset({"low", "medium", "high"}), True),
    ("grok-4.5", frozenset({"low", "medium", "high"}), False),
    ("grok-4.6", frozenset({"low", "medium", "high", "xhigh"}), True),
    ("grok-4-", None, False),
    ("grok-4", None, False),
    ("grok-3", None, False),
)


def _rule(model_id: str) -> tuple[frozenset[str] | None, bool] | None:
    for prefix, efforts, can_disable in _EFFORT_RULES:
        if model_id == prefix or model_id.startswith(prefix + "-") or (prefix.endswith("-")
                                                                       and model_id.startswith(prefix)):
            return efforts, can_disable
    return None


class XAIChat(OpenAIChat):
    """xAI's chat completions."""

    completion_path: ClassVar[str | None] = None  # xAI's legacy text completions are not in the stored facts
    #: ``message.reasoning_content`` / ``delta.reasoning_content`` (observed for grok-3-mini)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.budget is not None:
            raise UnsupportedFeature("xai has no thinking budget; ask for an effort where the model takes one",
                                     host=self.name)
        rule = _rule(model_id)
        efforts, can_disable = rule if rule is not None else (None, False)
        if not plan.enabled:
            if can_disable:
                body["reasoning_effort"] = "none"
                return
            if model_id.endswith("non-reasoning"):
                return  # it does not think anyway
            raise UnsupportedFeature(f"xai's {model_id} cannot turn its reasoning off", host=self.name)
        if plan.effort is None:
            return  # the model's own default depth; xAI has no switch to hide returned reasoning
        if efforts is None:
            why = "rejects reasoning_effort" if rule is not None else "is not known to take reasoning_effort"
            raise UnsupportedFeature(f"xai's {model_id} {why}; leave the effort unset", host=self.name)
        if plan.effort not in efforts:
            spelled = "|".join(e for e in _LADDER if e in efforts)
            raise UnsupportedFeature(f"xai's {model_id} takes reasoning_effort {spelled}, not {plan.effort!r}",
                                     host=self.name)
        body["reasoning_effort"] = plan.effort


class XAI(OpenAICompatible):
    name: ClassVar[str] = "xai"
    default_base_url: ClassVar[str] = "https://api.x.ai/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("XAI_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = XAIChat
    #: Grok Voice over a websocket (xai_realtime.py, imported when first asked for)
    realtime_endpoint: ClassVar[str] = ".xai_realtime:XAIRealtime"
