"""GPTClient: OpenAI's GPT-4-class chat models, the o-series and GPT-5 reasoning models, and gpt-oss.

Model knowledge (platform.openai.com reasoning guide; OpenAI gpt-oss model card):
* GPT-4o and GPT-4.1 do not think.
* o1, o3-mini, o3 and o4-mini always reason, at effort low|medium|high; GPT-5 adds ``minimal`` (its lowest;
  it cannot stop); GPT-5.1 can stop (``none``). They refuse sampling settings (temperature, top_p, penalties),
  so those are refused here before any request. Their reasoning text is not returned by OpenAI.
* gpt-oss (open weights, served by Groq, Together, Fireworks, OpenRouter) always reasons at low|medium|high,
  and returns its reasoning on those hosts. Earlier reasoning goes back only within a tool-calling turn, as
  OpenAI's harmony format expects; o-series / GPT-5 reasoning is never returned on chat completions at all.
* o3-mini and gpt-oss read text only; the others read images (and PDFs, as files).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.chat.request import ThinkingPlan
from ..shared.errors import UnsupportedFeature
from .base import ModelClient, SamplingOptions, Variant

__all__ = ["GPTClient"]

_TEXT = frozenset({"text"})
_LMH = ("low", "medium", "high")


def _v(model: str, name: str, **kw: Any) -> Variant:
    if kw.get("thinking") == "effort":
        kw.setdefault("can_disable", False)
    return Variant(model=model, name=name, **kw)


#: the sampling settings OpenAI's reasoning models refuse (names of ``SAMPLING_FIELDS``)
REASONING_REFUSES = ("temperature", "top_p", "presence_penalty", "frequency_penalty")


class GPTClient(ModelClient):
    family: ClassVar[str] = "gpt"
    variants: ClassVar[Mapping[str, Variant]] = {
        "4o": _v("gpt-4o", "GPT-4o", aliases=("gpt-4o",)),
        "4o-mini": _v("gpt-4o-mini", "GPT-4o mini", aliases=("gpt-4o-mini",)),
        "4.1": _v("gpt-4.1", "GPT-4.1", aliases=("gpt-4.1",)),
        "4.1-mini": _v("gpt-4.1-mini", "GPT-4.1 mini"),
        "4.1-nano": _v("gpt-4.1-nano", "GPT-4.1 nano"),
        "o1": _v("o1", "o1", thinking="effort", efforts=_LMH),
        "o3-mini": _v("o3-mini", "o3-mini", thinking="effort", efforts=_LMH, inputs=_TEXT),
        "o3": _v("o3", "o3", thinking="effort", efforts=_LMH),
        "o4-mini": _v("o4-mini", "o4-mini", thinking="effort", efforts=_LMH),
        "5": _v("gpt-5", "GPT-5", thinking="effort", efforts=("minimal", *_LMH), aliases=("gpt-5",)),
        "5-mini": _v("gpt-5-mini", "GPT-5 mini", thinking="effort", efforts=("minimal", *_LMH)),
        "5.1": _v("gpt-5.1", "GPT-5.1", thinking="effort", efforts=_LMH, can_disable=True, aliases=("gpt-5.1",)),
        # served on Azure (recorded 2026-07, HOSTS-MORE §3.3): reasoning is off by default on 5.4, medium on 5.5
        "5.4": _v("gpt-5.4", "GPT-5.4", thinking="effort", efforts=_LMH, can_disable=True, aliases=("gpt-5.4",)),
        "5.5": _v("gpt-5.5", "GPT-5.5", thinking="effort", efforts=_LMH, can_disable=True, aliases=("gpt-5.5",)),
        "oss-120b": _v("gpt-oss-120b", "gpt-oss-120b", thinking="effort", efforts=_LMH, inputs=_TEXT,
                       reasoning_history="tool_turns", aliases=("gpt-oss-120b",)),
        "oss-20b": _v("gpt-oss-20b", "gpt-oss-20b", thinking="effort", efforts=_LMH, inputs=_TEXT,
                      reasoning_history="tool_turns", aliases=("gpt-oss-20b",)),
    }

    @property
    def is_openai_reasoning(self) -> bool:
        return self.variant.thinking == "effort" and not self.variant.model.startswith("gpt-oss")

    def check_sampling(self, sampling: SamplingOptions, thinking: ThinkingPlan | None = None) -> None:
        if not self.is_openai_reasoning:
            return
        refused = [name for name in REASONING_REFUSES if getattr(sampling, name) is not None]
        if refused:
            raise UnsupportedFeature(f"{self.model} is a reasoning model and takes no {', '.join(refused)}")


# --- embeddings
from .embed_base import EmbedClient, EmbedModel, embed_models  # noqa: E402


class OpenAIEmbedder(EmbedClient):
    """OpenAI's embedding models: text-embedding-3 can shorten its vectors (``dimensions``, any length up to the
    full one, still unit length); ada-002 cannot. No purpose conditioning (the models are symmetric). At most
    2048 inputs and 300,000 tokens a call [HOSTS-MEDIA §5.1]."""

    family = "gpt"
    models = embed_models(
        EmbedModel("text-embedding-3-small", 1536, dimension_range=(1, 1536),
            max_inputs=2048, max_tokens_per_call=300_000),
        EmbedModel("text-embedding-3-large", 3072, dimension_range=(1, 3072),
            max_inputs=2048, max_tokens_per_call=300_000),
        EmbedModel("text-embedding-ada-002", 1536, max_inputs=2048,
            max_tokens_per_call=300_000),
    )
