"""The objects the facade returns, shaped like the openai SDK's (``openai.types.chat``): the same class and
attribute names, so code written against the SDK reads them unchanged (``choices[0].message.content``,
``tool_calls[i].function.arguments``, ``usage.total_tokens``, ``choices[0].delta.content`` ...).

They are pydantic models, as the SDK's are, so ``model_dump()`` / ``model_dump_json()`` work too (and
``to_dict()`` / ``to_json()``, the SDK's own helpers). Two additions, both optional for a consumer:
``reasoning_content`` on messages and deltas (the spelling OpenAI-compatible reasoning hosts use), and
``.rehost`` on a ChatCompletion: rehost's own Completion (host, cost, timing, attempts).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel as _PydanticModel
from pydantic import ConfigDict, PrivateAttr

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionMessageToolCall",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaToolCall",
    "ChoiceDeltaToolCallFunction",
    "ChunkChoice",
    "CompletionTokensDetails",
    "CompletionUsage",
    "Function",
    "PromptTokensDetails",
]


class BaseModel(_PydanticModel):
    """The SDK's models accept fields they do not declare (hosts add their own); so do these."""

    model_config = ConfigDict(extra="allow")

    def to_dict(self) -> dict[str, Any]:
        """The object as a dict of its set fields (the SDK's ``to_dict``)."""
        return self.model_dump(exclude_unset=True)

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(exclude_unset=True, indent=indent)


# ---------------------------------------------------------------------------------------------- usage


class CompletionTokensDetails(BaseModel):
    reasoning_tokens: int | None = None


class PromptTokensDetails(BaseModel):
    cached_tokens: int | None = None


class CompletionUsage(BaseModel):
    completion_tokens: int
    prompt_tokens: int
    total_tokens: int
    completion_tokens_details: CompletionTokensDetails | None = None
    prompt_tokens_details: PromptTokensDetails | None = None


# ---------------------------------------------------------------------------------------------- whole answers


class Function(BaseModel):
    arguments: str
    name: str


class ChatCompletionMessageToolCall(BaseModel):
    id: str
    function: Function
    type: Literal["function"] = "function"


class ChatCompletionMessage(BaseModel):
    content: str | None = None
    refusal: str | None = None
    role: Literal["assistant"] = "assistant"
    tool_calls: list[ChatCompletionMessageToolCall] | None = None
    #: the model's reasoning, where the host returned it (None otherwise)
    reasoning_content: str | None = None


class Choice(BaseModel):
    #: the SDK's values, plus rehost's ``error`` / ``other`` where the host ended otherwise (never hidden)
    finish_reason: str
    index: int
    message: ChatCompletionMessage
    logprobs: Any = None


class ChatCompletion(BaseModel):
    id: str
    choices: list[Choice]
    created: int
    model: str
    object: Literal["chat.completion"] = "chat.completion"
    service_tier: str | None = None
    system_fingerprint: str | None = None
    usage: CompletionUsage | None = None
    _rehost: Any = PrivateAttr(default=None)

    @property
    def rehost(self) -> Any:
        """rehost's Completion behind this answer (host, cost, timing), or None."""
        return self._rehost


# ---------------------------------------------------------------------------------------------- stream chunks


class ChoiceDeltaToolCallFunction(BaseModel):
    arguments: str | None = None
    name: str | None = None


class ChoiceDeltaToolCall(BaseModel):
    index: int
    id: str | None = None
    function: ChoiceDeltaToolCallFunction | None = None
    type: Literal["function"] | None = None


class ChoiceDelta(BaseModel):
    content: str | None = None
    refusal: str | None = None
    role: Literal["developer", "system", "user", "assistant", "tool"] | None = None
    tool_calls: list[ChoiceDeltaToolCall] | None = None
    reasoning_content: str | None = None


class ChunkChoice(BaseModel):
    """``openai.types.chat.chat_completion_chunk.Choice``."""

    delta: ChoiceDelta
    finish_reason: str | None = None
    index: int = 0
    logprobs: Any = None


class ChatCompletionChunk(BaseModel):
    id: str
    choices: list[ChunkChoice]
    created: int
    model: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    service_tier: str | None = None
    system_fingerprint: str | None = None
    usage: CompletionUsage | None = None
