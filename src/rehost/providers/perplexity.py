"""Perplexity (``api.perplexity.ai``, no ``/v1`` for chat): OpenAI chat completions for the Sonar models, which
search the web themselves and answer with what they found.
Facts: ../shared/HOSTS-MORE.md §6 (Perplexity SDK ``completion_create_params.py`` / ``stream_chunk.py``, vercel/ai's
Perplexity provider and its ``perplexity-citations`` fixture, any-llm; litellm's key name).

Search extras: an answer carries ``citations`` (URLs) and ``search_results`` (title, url, snippet, date), and in
a stream every chunk repeats them. rehost's neutral ``Completion`` has no field for them and this host's file does
not change shared types, so they stay where the Completion already keeps the host's answer: ``Completion.raw``
(the whole body; for a stream, the last chunk, which repeats them). :func:`citations` and
:func:`search_results` read them back typed. ``raw`` is left out of dumps, so a response cache does not keep
them; a neutral field for host extras is the lead's call.

Thinking: ``reasoning_effort`` ``minimal|low|medium|high`` (SDK) on the reasoning models (``sonar-reasoning``,
``sonar-reasoning-pro``, ``sonar-deep-research``), which cannot be turned off; the other Sonar models do not
reason, so an effort for them is refused before the network. The reasoning models put their reasoning inline at
the start of ``content`` as ``<think>...</think>`` (third party, UNCONFIRMED in official docs): the endpoint
splits it out unless the caller's client already gave tags. ``usage.cost.total_cost`` is the host's own price
of the call. Errors are ``{"error": {"code": <number>, "message", "type"}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.request import ReasoningTags, Request, ThinkingPlan
from ..shared.types import Completion
from .base.chat import PreparedCall
from .dialects import openai_chat
from .dialects.common import CallInfo
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Perplexity", "PerplexityChat", "SearchResult", "citations", "search_results"]

_EFFORTS = ("minimal", "low", "medium", "high")
_REASONING_MODELS = ("sonar-reasoning", "sonar-deep-research")
_THINK = ReasoningTags("<think>", "</think>")


def _reasons(model_id: str) -> bool:
    return model_id.startswith(_REASONING_MODELS)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page a Sonar model found and used (``search_results[]``)."""

    url: str
    title: str = ""
    snippet: str = ""
    date: str | None = None


def _extras(done: Completion) -> Mapping[str, Any]:
    return done.raw if isinstance(done.raw, Mapping) else {}


def citations(done: Completion) -> tuple[str, ...]:
    """The URLs a Perplexity answer cites (``citations``), in the order its ``[n]`` markers number them."""
    found = _extras(done).get("citations")
    return tuple(c for c in found if isinstance(c, str)) if isinstance(found, list) else ()


def search_results(done: Completion) -> tuple[SearchResult, ...]:
    """The search results a Perplexity answer was written from (``search_results``)."""
    found = _extras(done).get("search_results")
    if not isinstance(found, list):
        return ()
    return tuple(SearchResult(url=str(r["url"]), title=str(r.get("title") or ""), snippet=str(r.get("snippet") or ""),
                              date=None if r.get("date") is None else str(r["date"]))
                 for r in found if isinstance(r, Mapping) and r.get("url"))


class PerplexityChat(OpenAIChat):
    """Perplexity's chat completions."""

    completion_path: ClassVar[str | None] = None  # no text-completion endpoint (PPLX-SDK)
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: reasoning comes inline as ``<think>`` tags, not in a field
    reasoning_fields: ClassVar[tuple[str, ...]] = ()

    def prepare(self, request: Request) -> PreparedCall:
        prepared = super().prepare(request)
        if prepared.info.tags is None and _reasons(prepared.info.host_model_id):
            prepared.info.tags = _THINK
        return prepared

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        if plan.budget is not None:
            raise UnsupportedFeature("perplexity has no thinking budget; ask for an effort "
                                     "(minimal|low|medium|high) on a reasoning model", host=self.name)
        if not _reasons(model_id):
            if plan.enabled and not plan.default_depth:
                raise UnsupportedFeature(f"perplexity's {model_id} does not reason; use sonar-reasoning, "
                                         "sonar-reasoning-pro or sonar-deep-research for reasoning_effort",
                                         host=self.name)
            return
        if not plan.enabled:
            raise UnsupportedFeature(f"perplexity's {model_id} cannot turn its reasoning off", host=self.name)
        if plan.effort is not None:
            if plan.effort not in _EFFORTS:
                raise UnsupportedFeature(f"perplexity takes reasoning_effort minimal|low|medium|high, "
                                         f"not {plan.effort!r}", host=self.name)
            body["reasoning_effort"] = plan.effort

    def host_cost(self, usage: Mapping[str, Any] | None) -> float | None:
        cost = usage.get("cost") if isinstance(usage, Mapping) else None
        total = cost.get("total_cost") if isinstance(cost, Mapping) else None
        return float(total) if isinstance(total, int | float) else None

    def finish_stream(self, state: openai_chat.ChatStream, info: CallInfo) -> Completion:
        done = super().finish_stream(state, info)
        # every chunk repeats citations and search results: the last one keeps them for the accessors
        return done.model_copy(update={"raw": state.last_chunk}) if state.last_chunk is not None else done


class Perplexity(OpenAICompatible):
    name: ClassVar[str] = "perplexity"
    default_base_url: ClassVar[str] = "https://api.perplexity.ai"
    #: the SDK's and vercel's name first, then litellm's
    api_key_env: ClassVar[tuple[str, ...]] = ("PERPLEXITY_API_KEY", "PERPLEXITYAI_API_KEY")
    chat_endpoint: ClassVar[type[Any] | None] = PerplexityChat
