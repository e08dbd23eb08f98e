"""What a call is checked for before anything is prepared or sent: the messages it can be given
(``coerce_messages``), output mode, tool choice, text UTF-8 can carry, ``stream=`` given to the wrong method,
``max_turns``. Each refusal is a ConfigurationError that says what to give instead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...shared.chat.output import OutputMode
from ...shared.chat.plain import construct, unencodable_at
from ...shared.errors import ConfigurationError
from ...shared.lazy import lazy_module

if TYPE_CHECKING:
    from ...shared.chat import messages as _messages
    from ...shared.chat.types import Message, MessageLike, Tool
else:  # the messages are pydantic models: loaded with a client's first call, not with the client (issue 18)
    _messages = lazy_module("rehost.shared.chat.messages")

__all__ = ["coerce_messages"]


def coerce_messages(messages: MessageLike | Sequence[MessageLike]) -> tuple[Message, ...]:
    """A prompt string, one message, or a list of messages / dicts, as validated Messages; anything else is a
    ConfigurationError saying what a message can be."""
    if isinstance(messages, str | _messages.Message | Mapping):
        items: Sequence[Any] = [messages]
    elif isinstance(messages, bytes | bytearray | memoryview):
        raise ConfigurationError(_BYTES_HINT)
    elif isinstance(messages, Iterable):
        items = list(messages)
    else:
        raise ConfigurationError(f"messages must be {_MESSAGE_KINDS}, or a list of them; not "
                                 f"{type(messages).__name__}")
    out: list[Message] = []
    for i, item in enumerate(items):
        if isinstance(item, _messages.Message):
            out.append(item)
        elif isinstance(item, str):
            if item.strip():  # what validation would check; a blank prompt still gets its error from Message.user
                text = construct(_messages.TextPart, text=item)
                out.append(construct(_messages.Message, role="user", parts=(text,)))
            else:
                out.append(_messages.Message.user(item))
        elif isinstance(item, Mapping):
            out.append(_messages.Message.model_validate(item))
        elif isinstance(item, bytes | bytearray | memoryview):
            raise ConfigurationError(f"message {i}: {_BYTES_HINT}")
        else:
            raise ConfigurationError(f"message {i} must be {_MESSAGE_KINDS}; not {type(item).__name__}")
    if not out:
        raise ConfigurationError("no messages: give a prompt string or at least one message")
    if all(m.role == "system" for m in out):
        raise ConfigurationError("only system messages: add a user message for the model to answer")
    return tuple(out)


_MESSAGE_KINDS = "a prompt string, a Message, or a {'role': ..., 'content': ...} dict"
_BYTES_HINT = "messages are text, not bytes: decode them first (data.decode('utf-8')); images and PDFs go in " \
              "ImagePart / DocumentPart"


_TOOL_MODES = ("auto", "none", "required")
_OUTPUT_MODES: tuple[str, ...] = OutputMode.__args__  # type: ignore[attr-defined]


def _check_output_mode(output: Any, mode: Any) -> None:
    if mode not in _OUTPUT_MODES or not isinstance(mode, str):
        raise ConfigurationError(f"output_mode={mode!r:.40} is not a mode: give {', '.join(map(repr, _OUTPUT_MODES))}")
    if output is None and mode != "auto":
        raise ConfigurationError(f"output_mode={mode!r} says how a structured answer travels, but no output= was "
                                 "given: pass output=YourModel (or a type, or Output(...)), or drop output_mode")


def _check_context(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"check_context must be True or False, not {value!r:.40}")
    return value


def _check_tool_choice(choice: Any, tools: Sequence[Tool]) -> None:
    """``tool_choice`` is a mode or the name of one of the call's tools; anything else would reach the host as a
    value it rejects (or, worse, one it ignores)."""
    if choice is None or choice in _TOOL_MODES:
        return
    names = [t.name for t in tools]
    if isinstance(choice, str) and choice in names:
        return
    offered = f"or one of the tools: {', '.join(names)}" if names else "(no tools were given: pass tools=[...])"
    what = f"{choice!r:.60}" if isinstance(choice, str) else f"{choice!r:.60} (a {type(choice).__name__})"
    raise ConfigurationError(f"tool_choice={what} is neither a mode nor a tool of this call: give "
                             f"'auto', 'none', 'required' {offered}")


def _check_text(messages: tuple[Message, ...], tools: Sequence[Tool], stop: Sequence[str] | None) -> None:
    """Refuse text UTF-8 cannot carry (lone surrogates, left by ``errors="surrogateescape"`` decoding or a
    string cut inside a surrogate pair) before it is counted or sent; it would fail deep in encoding."""
    for i, message in enumerate(messages):
        for part in message.parts:
            text = part.content if part.type == "tool_result" else getattr(part, "text", None)
            if isinstance(text, str):
                _refuse_surrogates(text, f"message {i} ({message.role})")
    for tool in tools:
        _refuse_surrogates(tool.description, f"the description of tool {tool.name!r}")
    for word in stop or ():
        _refuse_surrogates(word, "a stop sequence")


def _refuse_surrogates(text: str, where: str) -> None:
    at = unencodable_at(text)
    if at is not None:
        raise ConfigurationError(
            f"{where} holds a lone surrogate ({text[at]!a} at character {at}), which UTF-8 cannot carry; it "
            "comes from bytes decoded with errors='surrogateescape' or text cut inside a character. Fix the "
            "text, e.g. text.encode('utf-8', 'replace').decode('utf-8')"
        )



def _no_stream(options: dict[str, Any], call: str, streaming: str | None) -> None:
    """Whether a call streams is its method's choice: ``stream=True`` given to ``complete`` would send a
    streamed request whose answer ``complete`` cannot read, and ``stream=`` given to ``stream`` collided with
    the one it passes (a TypeError)."""
    if "stream" not in options:
        return
    if streaming is None:
        options.pop("stream")
        raise ConfigurationError(f"{call}() always streams: drop stream=")
    if options["stream"]:
        raise ConfigurationError(f"{call}() returns one answer: for events as they arrive call {streaming}() "
                                 "instead of passing stream=True")
    options.pop("stream")  # stream=False is what this call does anyway



def _check_max_turns(max_turns: Any) -> None:
    """``max_turns`` is a whole number of model calls, at least one (0 would answer nothing, and used to fail
    with an UnboundLocalError)."""
    if isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 1:
        raise ConfigurationError(f"max_turns must be a whole number of at least 1, not {max_turns!r}")
