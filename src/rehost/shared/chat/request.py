"""The neutral Request: the plan a model client hands to a provider, with the thinking plan it carries.

``Sampling`` is defined in ``rehost.shared.chat.sampling`` (its one definition) and re-exported here.

By the time a Request exists, every model rule has been applied (system prompt folded or kept, family
sampling defaults filled, the thinking setting turned into a plan this family understands). The provider
only decides how its host spells it. Requests are immutable so one can be sent to several hosts (benchmarks,
fallback) without copying.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .sampling import Sampling

if TYPE_CHECKING:  # fields' types only: the pydantic models load with the first call, not with the plan types
    from .caching import PromptCache
    from .messages import Message
    from .output import Output, OutputMode
    from .tool_types import BuiltinTool, Tool, ToolChoice

__all__ = ["ReasoningTags", "Request", "Sampling", "ThinkingPlan"]


@dataclass(frozen=True, slots=True)
class ThinkingPlan:
    """What the model will do about thinking, decided by its client for its family.

    ``effort`` is one of the neutral effort words (``minimal`` .. ``max``) the family accepts; for Gemini 3 it
    is the thinking level. ``budget`` is a token budget. ``include_reasoning`` asks for the reasoning text to
    come back. ``always_on`` says the model thinks whatever is sent (R1), so a host needs no switch for it.
    A provider spells this for its host or raises ``UnsupportedFeature``.

    Two switches are model knowledge a client may add for hybrid open-weight models, for hosts that have no
    thinking field of their own: ``template_switch`` names the chat-template variable that turns thinking
    on or off (Qwen3: ``enable_thinking``), sent as ``chat_template_kwargs`` by hosts that pass template
    options through (vLLM, llama.cpp); ``prompt_switch`` is the (on, off) pair of soft-switch words the model
    obeys inside a user turn (Qwen3: ``/think``, ``/no_think``), the last resort when a host has neither.
    """

    enabled: bool = True
    effort: str | None = None
    budget: int | None = None
    include_reasoning: bool = True
    always_on: bool = False
    template_switch: str | None = None
    prompt_switch: tuple[str, str] | None = None

    @property
    def default_depth(self) -> bool:
        """Thinking at the model's own default depth (no effort, no budget)."""
        return self.enabled and self.effort is None and self.budget is None


@dataclass(frozen=True, slots=True)
class ReasoningTags:
    """How a model marks reasoning inline in its text (R1: ``<think>`` ... ``</think>``).

    ``implicit_open``: the model's template already opened the block, so only the closing tag appears
    (DeepSeek V3.1 on some hosts).
    """

    open: str = "<think>"
    close: str = "</think>"
    implicit_open: bool = False


@dataclass(frozen=True, slots=True)
class Request:
    """One call, ready for any provider that serves ``model``."""

    model: str
    messages: tuple[Message, ...]
    sampling: Sampling = field(default_factory=Sampling)
    thinking: ThinkingPlan | None = None
    tools: tuple[Tool, ...] = ()
    builtin_tools: tuple[BuiltinTool, ...] = ()
    tool_choice: ToolChoice | None = None
    stream: bool = False
    host_model_id: str | None = None
    reasoning_tags: ReasoningTags | None = None
    output: Output | None = None
    output_mode: OutputMode = "auto"
    #: a plain text prompt for a base (not instruction-tuned) model: it goes to the host's text-completion
    #: endpoint, and ``messages`` only describe it (for counting and for hosts' records)
    prompt: str | None = None
    extra_body: Mapping[str, Any] | None = None
    extra_headers: Mapping[str, str] | None = None
    timeout: float | None = None
    #: the prompt-caching controls of this call (``shared/chat/caching.py``); None: the host's default
    prompt_cache: PromptCache | None = None

    def parts_used(self) -> set[str]:
        """The kinds of content parts in the messages (``text``, ``image``, ``document``, ...)."""
        used: set[str] = {part.type for message in self.messages for part in message.parts}
        used |= {p.type for m in self.messages for r in m.parts if r.type == "tool_result" for p in r.parts}
        return used
