"""OpenAI's realtime protocol, server side: the GA vocabulary (``/v1/realtime?model=``) and the beta one (the
same socket when the client sends ``OpenAI-Beta: realtime=v1``, as Azure AI Voice Live speaks it), per
HOSTS-MEDIA.md §1.1-1.2 and in the order the recorded sessions show.

Greeting: ``session.created`` with the effective config. Client frames: ``session.update`` (applied to the
brain, answered with ``session.updated``; a config the brain refuses is an ``invalid_value`` error event),
``input_audio_buffer.append`` / ``commit`` / ``clear``, ``conversation.item.create`` (user messages, earlier
assistant messages as history, ``function_call_output``), ``response.create``, ``response.cancel``,
``conversation.item.truncate``; anything else is an ``invalid_event`` error event, as the host answers it.

Events out, per response: ``response.created``; on its first content the assistant item is opened
(``response.output_item.added``, ``conversation.item.added``, ``response.content_part.added``); audio as
``response.output_audio.delta`` (base64 PCM), its words as ``response.output_audio_transcript.delta``, text as
``response.output_text.delta``; a tool call as its own ``function_call`` item with
``response.function_call_arguments.delta`` / ``.done``; then the closing ``*.done`` events and
``response.done`` with the usage. The user's side: ``input_audio_buffer.speech_started`` / ``speech_stopped``
/ ``committed``, the user item, ``conversation.item.input_audio_transcription.delta`` / ``completed``.

The differences between vocabularies are data (``Names``) and a few overridable methods (``session_view``,
``usage_fields``), so ``xai.py`` is a small subclass.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...shared.chat.tool_types import Tool
from ...shared.errors import ConfigurationError
from ...shared.realtime.config import AudioFormat, TurnDetection
from ...shared.realtime.events import (
    AudioOut,
    InputCommitted,
    InputTranscript,
    InputTranscriptDelta,
    OutputTranscriptDelta,
    RealtimeError,
    RealtimeEvent,
    RealtimeUsage,
    ResponseDone,
    ResponseStarted,
    SpeechStarted,
    SpeechStopped,
    TextOut,
    ToolCallRequest,
)
from .front import Front

__all__ = ["BETA", "GA", "Names", "OpenAIFront"]


@dataclass(frozen=True, slots=True)
class Names:
    """The event and part names that differ between OpenAI-shaped vocabularies."""

    audio: str
    transcript: str
    text: str
    audio_part: str
    text_part: str
    #: GA announces an item twice (``added`` then ``done``); beta once (``created``)
    item_added: str
    item_done: str | None


GA = Names("response.output_audio", "response.output_audio_transcript", "response.output_text", "output_audio",
           "output_text", "conversation.item.added", "conversation.item.done")
BETA = Names("response.audio", "response.audio_transcript", "response.text", "audio", "text",
             "conversation.item.created", None)

_FORMATS = {"audio/pcm": "pcm16", "audio/pcmu": "g711_ulaw", "audio/pcma": "g711_alaw"}
_WIRE_FORMATS = {v: k for k, v in _FORMATS.items()}


def ga_format(fmt: AudioFormat) -> dict[str, Any]:
    if fmt.encoding == "pcm16":
        return {"type": "audio/pcm", "rate": fmt.sample_rate}
    return {"type": _WIRE_FORMATS[fmt.encoding]}


def parse_ga_format(value: Any) -> AudioFormat:
    if not isinstance(value, Mapping) or value.get("type") not in _FORMATS:
        raise ConfigurationError(f"audio format {value!r} is not one of audio/pcm, audio/pcmu, audio/pcma")
    encoding = _FORMATS[value["type"]]
    return AudioFormat(encoding, int(value.get("rate") or 24000) if encoding == "pcm16" else 8000)


def parse_turn_detection(value: Any) -> TurnDetection:
    if value is None or (isinstance(value, Mapping) and value.get("type") is None):
        return TurnDetection("manual")
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"turn_detection is an object or null, not {value!r}")
    mode: Any = value.get("type")  # checked by TurnDetection
    return TurnDetection(mode, threshold=value.get("threshold"),  # checked by TurnDetection
                         prefix_padding_ms=value.get("prefix_padding_ms"),
                         silence_ms=value.get("silence_duration_ms"), eagerness=value.get("eagerness"),
                         create_response=bool(value.get("create_response", True)),
                         interrupt_response=bool(value.get("interrupt_response", True)))


def wire_turn_detection(td: TurnDetection) -> dict[str, Any] | None:
    if td.mode == "manual":
        return None
    if td.mode == "semantic_vad":
        return {"type": "semantic_vad", "eagerness": td.eagerness or "auto", "create_response": td.create_response,
                "interrupt_response": td.interrupt_response}
    return {"type": "server_vad", "threshold": td.threshold if td.threshold is not None else 0.5,
            "prefix_padding_ms": td.prefix_padding_ms if td.prefix_padding_ms is not None else 300,
            "silence_duration_ms": td.silence_ms if td.silence_ms is not None else 200, "idle_timeout_ms": None,
            "create_response": td.create_response, "interrupt_response": td.interrupt_response}


def parse_tools(value: Any) -> tuple[Tool, ...]:
    if not isinstance(value, list):
        raise ConfigurationError("tools is a list")
    try:
        return tuple(Tool(name=t["name"], description=t.get("description") or "",
                          parameters=t.get("parameters") or {"type": "object", "properties": {}})
                     for t in value if isinstance(t, Mapping) and t.get("type", "function") == "function")
    except (KeyError, ValueError) as exc:
        raise ConfigurationError(f"a tool is {{type: function, name, parameters}}: {exc}") from None


class _Response:
    """What one response has said so far, for its closing events."""

    def __init__(self, rid: str) -> None:
        self.rid = rid
        self.item: str | None = None  # the open assistant message item
        self.part: str | None = None
        self.said = ""
        self.output: list[dict[str, Any]] = []
        self.index = 0


class OpenAIFront(Front):
    """OpenAI's realtime socket in front of a brain (see the module docstring)."""

    style = "openai"
    #: the order of an assistant part's closing events (xAI closes its audio last)
    close_order: tuple[str, ...] = ("audio", "transcript", "text", "part")

    def __init__(self, *args: Any, beta: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.beta = beta
        self.names = BETA if beta else GA
        self.session_id = self.new_id("sess")
        self.conversation_id = self.new_id("conv")
        self.response: _Response | None = None
        self.last_item: str | None = None
        self.truncated: list[tuple[str, int]] = []

    # ------------------------------------------------------------------------------------------ session config
    def session_view(self) -> dict[str, Any]:
        """The effective session, as ``session.created`` / ``session.updated`` carry it."""
        c = self.config
        tools = [{"type": "function", "name": t.name, "description": t.description, "parameters": t.parameters}
                 for t in c.tools]
        transcription = {"model": c.input_transcription, "language": None, "prompt": None} \
            if c.input_transcription else None
        if self.beta:
            fmt = {"pcm16": "pcm16", "g711_ulaw": "g711_ulaw", "g711_alaw": "g711_alaw"}
            return {"id": self.session_id, "object": "realtime.session", "model": c.model,
                    "modalities": ["text", "audio"] if c.audio_out else ["text"],
                    "instructions": c.instructions or "", "voice": c.voice or "alloy",
                    "input_audio_format": fmt[c.input_format.encoding],
                    "output_audio_format": fmt[c.output_format.encoding],
                    "input_audio_transcription": transcription,
                    "turn_detection": wire_turn_detection(c.turn_detection), "tools": tools,
                    "tool_choice": "auto", "temperature": c.temperature if c.temperature is not None else 0.8,
                    "max_response_output_tokens": c.max_output_tokens or "inf"}
        return {"type": "realtime", "object": "realtime.session", "id": self.session_id, "model": c.model,
                "output_modalities": list(c.output_modalities), "instructions": c.instructions or "",
                "tools": tools, "tool_choice": "auto", "max_output_tokens": c.max_output_tokens or "inf",
                "tracing": None, "truncation": "auto", "prompt": None, "expires_at": 0,
                "audio": {"input": {"format": ga_format(c.input_format), "transcription": transcription,
                                    "noise_reduction": None,
                                    "turn_detection": wire_turn_detection(c.turn_detection)},
                          "output": {"format": ga_format(c.output_format), "voice": c.voice or "alloy",
                                     "speed": 1.0}},
                "include": None}

    def config_changes(self, session: Mapping[str, Any]) -> dict[str, Any]:
        """The neutral changes one ``session.update`` asks for (only the fields present)."""
        changes: dict[str, Any] = {}
        if "instructions" in session:
            changes["instructions"] = session["instructions"] or None
        modalities = session.get("modalities" if self.beta else "output_modalities")
        if modalities is not None:
            if not isinstance(modalities, list) or not set(modalities) <= {"audio", "text"} or not modalities:
                raise ConfigurationError(f"Invalid modalities: {modalities!r}")
            changes["output_modalities"] = ("audio",) if "audio" in modalities else ("text",)
        if "tools" in session:
            changes["tools"] = parse_tools(session["tools"])
        if "temperature" in session:
            changes["temperature"] = session["temperature"]
        limit = session.get("max_response_output_tokens" if self.beta else "max_output_tokens")
        if limit is not None:
            changes["max_output_tokens"] = None if limit == "inf" else limit
        if self.beta:
            if "voice" in session:
                changes["voice"] = session["voice"]
            for key, name in (("input_audio_format", "input_format"), ("output_audio_format", "output_format")):
                if key in session:
                    changes[name] = AudioFormat.of(session[key], AudioFormat())
            if "input_audio_transcription" in session:
                t = session["input_audio_transcription"]
                changes["input_transcription"] = t.get("model") if isinstance(t, Mapping) else None
            if "turn_detection" in session:
                changes["turn_detection"] = parse_turn_detection(session["turn_detection"])
            return changes
        audio = session.get("audio") or {}
        if not isinstance(audio, Mapping):
            raise ConfigurationError("session.audio is an object")
        self.audio_changes(audio, changes)
        return changes

    def audio_changes(self, audio: Mapping[str, Any], changes: dict[str, Any]) -> None:
        """GA's nested ``audio.input`` / ``audio.output`` fields."""
        inp, out = audio.get("input") or {}, audio.get("output") or {}
        if "format" in inp:
            changes["input_format"] = parse_ga_format(inp["format"])
        if "transcription" in inp:
            t = inp["transcription"]
            changes["input_transcription"] = t.get("model") if isinstance(t, Mapping) else None
        if "turn_detection" in inp:
            changes["turn_detection"] = parse_turn_detection(inp["turn_detection"])
        if "format" in out:
            changes["output_format"] = parse_ga_format(out["format"])
        if "voice" in out:
            changes["voice"] = out["voice"]

    # ------------------------------------------------------------------------------------------ greeting
    async def greet(self) -> bool:
        await self.send({"type": "session.created", "event_id": self.new_id("event"), "session": self.session_view()})
        return True

    async def session_updated(self, kind: str = "session.updated") -> None:
        """The effective session after an update (beta's transcription sessions answer in their own name)."""
        await self.send({"type": kind, "event_id": self.new_id("event"), "session": self.session_view()})

    # ------------------------------------------------------------------------------------------ client frames
    async def handle(self, frame: Mapping[str, Any]) -> None:
        assert self.brain is not None
        kind = frame.get("type")
        if kind in ("session.update", "transcription_session.update"):
            session = frame.get("session")
            if not isinstance(session, Mapping):
                raise ConfigurationError("Missing required parameter: 'session'.")
            changes = self.config_changes(session)
            config = self.config.updated(**changes)  # refused here, before the brain hears of it
            await self.brain.update(**changes)
            self.config = config
            await self.session_updated(str(kind).replace(".update", ".updated"))
        elif kind == "input_audio_buffer.append":
            try:
                audio = base64.b64decode(frame.get("audio") or "", validate=True)
            except (binascii.Error, TypeError):
                raise ConfigurationError("Invalid 'audio'. Expected base64-encoded audio bytes.") from None
            await self.brain.send_audio(audio)
        elif kind == "input_audio_buffer.commit":
            await self.brain.commit()
        elif kind == "input_audio_buffer.clear":
            await self.send({"type": "input_audio_buffer.cleared", "event_id": self.new_id("event")})
        elif kind == "conversation.item.create":
            await self.item_create(frame.get("item"))
        elif kind == "response.create":
            response = frame.get("response") or {}
            await self.brain.respond(instructions=response.get("instructions") if isinstance(response, Mapping)
                                     else None)
        elif kind == "response.cancel":
            await self.brain.interrupt()
        elif kind == "conversation.item.truncate":
            item, ms = frame.get("item_id"), frame.get("audio_end_ms")
            if not isinstance(item, str) or not isinstance(ms, int):
                raise ConfigurationError("conversation.item.truncate needs item_id and audio_end_ms")
            self.truncated.append((item, ms))
            await self.send({"type": "conversation.item.truncated", "event_id": self.new_id("event"),
                             "item_id": item, "content_index": frame.get("content_index", 0), "audio_end_ms": ms})
        else:
            await self.send_all(self.error_frames(f"Invalid value: '{kind}'. Supported values are: "
                                                  "'session.update', 'input_audio_buffer.append', ...",
                                                  "invalid_value"))

    async def item_create(self, item: Any) -> None:
        assert self.brain is not None
        if not isinstance(item, Mapping):
            raise ConfigurationError("Missing required parameter: 'item'.")
        kind = item.get("type")
        if kind == "function_call_output":
            if not isinstance(item.get("call_id"), str) or not isinstance(item.get("output"), str):
                raise ConfigurationError("a function_call_output item needs call_id and output")
            view = {"id": self.new_id("item"), "type": "function_call_output", "call_id": item["call_id"],
                    "output": item["output"]}
            await self.announce(view)
            await self.brain.send_tool_result(item["call_id"], item["output"], respond=False)
            return
        if kind != "message" or item.get("role") not in ("user", "assistant", "system"):
            raise ConfigurationError(f"Invalid item: {kind!r} (messages and function_call_output are emulated)")
        texts = [p.get("text") or p.get("transcript") or "" for p in item.get("content") or []
                 if isinstance(p, Mapping)]
        view = {"id": self.new_id("item"), "type": "message", "status": "completed", "role": item["role"],
                "content": list(item.get("content") or [])}
        await self.announce(view)
        if item["role"] == "user" and any(texts):
            await self.brain.send_text(" ".join(t for t in texts if t))

    async def announce(self, view: dict[str, Any]) -> None:
        """A conversation item was added: GA says ``added`` then ``done``, beta ``created``."""
        previous, self.last_item = self.last_item, view["id"]
        names = self.names
        await self.send({"type": names.item_added, "event_id": self.new_id("event"),
                         "previous_item_id": previous, "item": view})
        if names.item_done:
            await self.send({"type": names.item_done, "event_id": self.new_id("event"),
                             "previous_item_id": previous, "item": view})

    # ------------------------------------------------------------------------------------------ events out
    def error_frames(self, message: str, code: str) -> Sequence[Mapping[str, Any]]:
        kind = "server_error" if code == "server_error" else "invalid_request_error"
        return [{"type": "error", "event_id": self.new_id("event"),
                 "error": {"type": kind, "code": code, "message": message, "param": None, "event_id": None}}]

    def event(self, kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "event_id": self.new_id("event"), **fields}

    def encode(self, event: RealtimeEvent) -> Sequence[Mapping[str, Any]]:
        if isinstance(event, SpeechStarted):
            return [self.event("input_audio_buffer.speech_started", audio_start_ms=event.at_ms or 0,
                               item_id=event.item_id)]
        if isinstance(event, SpeechStopped):
            return [self.event("input_audio_buffer.speech_stopped", audio_end_ms=event.at_ms or 0,
                               item_id=event.item_id)]
        if isinstance(event, InputCommitted):
            item = event.item_id or self.new_id("item")
            previous, self.last_item = self.last_item, item
            view = {"id": item, "type": "message", "status": "completed", "role": "user",
                    "content": [{"type": "input_audio", "transcript": None}]}
            frames = [self.event("input_audio_buffer.committed", previous_item_id=previous, item_id=item),
                      self.event(self.names.item_added, previous_item_id=previous, item=view)]
            if self.names.item_done:
                frames.append(self.event(self.names.item_done, previous_item_id=previous, item=view))
            return frames
        if isinstance(event, InputTranscriptDelta):
            return self.input_delta(event)
        if isinstance(event, InputTranscript):
            return [self.event("conversation.item.input_audio_transcription.completed", item_id=event.item_id,
                               content_index=0, transcript=event.text, usage={"type": "duration", "seconds": 1})]
        if isinstance(event, ResponseStarted):
            self.response = _Response(event.response_id or self.new_id("resp"))
            return [self.event("response.created", response=self.response_view("in_progress", None))]
        if isinstance(event, AudioOut | OutputTranscriptDelta | TextOut):
            return self.content(event)
        if isinstance(event, ToolCallRequest):
            return self.tool_call(event)
        if isinstance(event, ResponseDone):
            return self.done(event)
        if isinstance(event, RealtimeError):
            return self.error_frames(event.message, event.code or "server_error")
        return []  # SessionStarted / SessionUpdated (the front says those itself), ResumeHandle, Closed

    def input_delta(self, event: InputTranscriptDelta) -> list[dict[str, Any]]:
        return [self.event("conversation.item.input_audio_transcription.delta", item_id=event.item_id,
                           content_index=0, delta=event.text)]

    def _current(self) -> _Response:
        if self.response is None:  # a brain that speaks without saying it started
            self.response = _Response(self.new_id("resp"))
        return self.response

    def response_view(self, status: str, usage: dict[str, Any] | None, details: Any = None) -> dict[str, Any]:
        r = self._current()
        return {"object": "realtime.response", "id": r.rid, "status": status, "status_details": details,
                "output": list(r.output), "conversation_id": self.conversation_id,
                "output_modalities" if not self.beta else "modalities": list(self.config.output_modalities),
                "max_output_tokens": "inf", "usage": usage, "metadata": None}

    def content(self, event: AudioOut | OutputTranscriptDelta | TextOut) -> list[dict[str, Any]]:
        r = self._current()
        frames: list[dict[str, Any]] = []
        part = self.names.text_part if isinstance(event, TextOut) else self.names.audio_part
        if r.item is None:
            r.item, r.part = self.new_id("item"), part
            previous, self.last_item = self.last_item, r.item
            item = {"id": r.item, "type": "message", "status": "in_progress", "role": "assistant", "content": []}
            frames += [self.event("response.output_item.added", response_id=r.rid, output_index=r.index, item=item),
                       self.event(self.names.item_added, previous_item_id=previous, item=item),
                       self.event("response.content_part.added", response_id=r.rid, item_id=r.item,
                                  output_index=r.index, content_index=0,
                                  part={"type": part, "transcript": ""} if part == self.names.audio_part
                                  else {"type": part, "text": ""})]
        where = {"response_id": r.rid, "item_id": r.item, "output_index": r.index, "content_index": 0}
        if isinstance(event, AudioOut):
            frames.append(self.event(f"{self.names.audio}.delta", **where,
                                     delta=base64.b64encode(event.data).decode()))
        else:
            r.said += event.text
            name = self.names.text if isinstance(event, TextOut) else self.names.transcript
            frames.append(self.event(f"{name}.delta", **where, delta=event.text))
        return frames

    def close_message(self) -> list[dict[str, Any]]:
        r = self._current()
        if r.item is None:
            return []
        where = {"response_id": r.rid, "item_id": r.item, "output_index": r.index, "content_index": 0}
        audio = r.part == self.names.audio_part
        part = {"type": r.part, "transcript": r.said} if audio else {"type": r.part, "text": r.said}
        closing = {"part": self.event("response.content_part.done", **where, part=part)}
        if audio:
            closing["audio"] = self.event(f"{self.names.audio}.done", **where)
            closing["transcript"] = self.event(f"{self.names.transcript}.done", **where, transcript=r.said)
        else:
            closing["text"] = self.event(f"{self.names.text}.done", **where, text=r.said)
        frames = [closing[name] for name in self.close_order if name in closing]
        item = {"id": r.item, "type": "message", "status": "completed", "role": "assistant", "content": [part]}
        if self.names.item_done:
            frames.append(self.event(self.names.item_done, previous_item_id=None, item=item))
        frames.append(self.event("response.output_item.done", response_id=r.rid, output_index=r.index, item=item))
        r.output.append(item)
        r.item, r.said, r.index = None, "", r.index + 1
        return frames

    def tool_call(self, call: ToolCallRequest) -> list[dict[str, Any]]:
        frames = self.close_message()
        r = self._current()
        item_id = self.new_id("item")
        previous, self.last_item = self.last_item, item_id
        item = {"id": item_id, "type": "function_call", "status": "in_progress", "name": call.name,
                "call_id": call.call_id, "arguments": ""}
        frames += [self.event("response.output_item.added", response_id=r.rid, output_index=r.index, item=item),
                   self.event(self.names.item_added, previous_item_id=previous, item=item)]
        args = call.arguments
        half = len(args) // 2
        for piece in (args[:half], args[half:]) if half else (args,):
            frames.append(self.event("response.function_call_arguments.delta", response_id=r.rid, item_id=item_id,
                                     output_index=r.index, call_id=call.call_id, delta=piece))
        frames.append(self.event("response.function_call_arguments.done", response_id=r.rid, item_id=item_id,
                                 output_index=r.index, call_id=call.call_id, name=call.name, arguments=args))
        done = {**item, "status": "completed", "arguments": args}
        if self.names.item_done:
            frames.append(self.event(self.names.item_done, previous_item_id=previous, item=done))
        frames.append(self.event("response.output_item.done", response_id=r.rid, output_index=r.index, item=done))
        r.output.append(done)
        r.index += 1
        return frames

    def usage_fields(self, usage: RealtimeUsage | None) -> dict[str, Any] | None:
        if usage is None:
            return None
        return {"total_tokens": usage.total_tokens, "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "input_token_details": {"text_tokens": usage.input_text_tokens
                                        if usage.input_text_tokens is not None else usage.input_tokens,
                                        "audio_tokens": usage.input_audio_tokens or 0,
                                        "cached_tokens": usage.cached_tokens or 0},
                "output_token_details": {"text_tokens": usage.output_text_tokens or 0,
                                         "audio_tokens": usage.output_audio_tokens or 0}}

    def done(self, event: ResponseDone) -> list[dict[str, Any]]:
        frames = self.close_message()
        details: dict[str, Any] | None = None
        if event.status == "cancelled":
            details = {"type": "cancelled", "reason": "client_cancelled"}
        elif event.status != "completed":
            details = {"type": event.status, "reason": "max_output_tokens" if event.status == "incomplete" else None}
        frames.append(self.done_frame(event, details))
        self.response = None
        return frames

    def done_frame(self, event: ResponseDone, details: Any) -> dict[str, Any]:
        return self.event("response.done", response=self.response_view(event.status, self.usage_fields(event.usage),
                                                                        details))
