"""xAI Grok Voice (``wss://api.x.ai/v1/realtime?model=...``): xAI's realtime vocabulary and endpoint.
Facts: ../shared/HOSTS-MEDIA.md §1.4 (xAI voice docs, livekit / pipecat / pydantic-ai xAI clients, recordings in
../shared/conformance/realtime/xai/).

A deliberate clone of OpenAI's GA event names, with its own differences, all kept here:

* ``session.update`` puts ``voice`` and ``turn_detection`` at the session's top level (not under ``audio``) and
  has no ``session.type``; formats are OpenAI's (``{"type": "audio/pcm", "rate": N}``, ``audio/pcmu``,
  ``audio/pcma``), input transcription is ``audio.input.transcription.model`` (``grok-transcribe``);
  ``instructions`` is always sent (``""`` when none: what the recordings show);
* the host speaks first (``session.created``), then ``conversation.created`` (its id is the resumption handle)
  and ``ping`` events (not answered: the recordings show no client reply);
* the user's transcript comes as cumulative snapshots (``conversation.item.input_audio_transcription.updated``,
  and ``.completed`` events that may say ``status: in_progress`` and repeat): this codec turns them into
  neutral deltas (only the part that extends what was already handed out; a snapshot that revises earlier
  words yields no delta, and the final ``InputTranscript`` carries the whole) and one final per item;
* ``response.done`` carries its usage at the top level (``response.usage`` is ``{}``);
* always audio out: a text-only session is refused before connecting; no ``conversation.item.truncate``, so
  ``interrupt`` only cancels the response (what was not played is not cut from the model's memory);
* resumption: ``session.resumption: {"enabled": true}`` opts in, ``conversation.created``'s id is the handle and
  a new socket resumes with ``?conversation_id=<id>`` (xAI's voice guide, as stored in ``search``; the server
  replays the history as ``conversation.item.added``);
* no close codes are documented: a close is the generic ``SessionClosed`` with its code and reason;
* browsers: ``create_secret`` mints a short-lived client secret (``POST /v1/realtime/client_secrets``), which
  connects as the subprotocol ``xai-client-secret.<value>`` instead of the key.

Errors inside a session are OpenAI-shaped ``{"type": "error", "error": {type, code, message, param, event_id}}``.
What this shares with the OpenAI GA codec (providers/openai_realtime.py, written apart) is listed in the
realtime issue's report: both are ``JsonFrames`` vocabularies with the same item and response event names.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..shared.errors import ConfigurationError, ProtocolError, UnsupportedFeature
from ..shared.realtime.codec import Frame, JsonFrames, Reply
from ..shared.realtime.config import AudioFormat, SessionConfig, TurnDetection
from ..shared.realtime.events import (
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
    ResumeHandle,
    SessionStarted,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    TextOut,
    ToolCallRequest,
)
from .base.realtime import RealtimeEndpoint
from .base.transcribe import with_query

__all__ = ["ClientSecret", "XAIRealtime", "XAIRealtimeCodec"]

_STATUSES = ("completed", "cancelled", "incomplete", "failed")
Status = Literal["completed", "cancelled", "incomplete", "failed"]


def audio_format(fmt: AudioFormat) -> dict[str, Any]:
    """An AudioFormat as xAI's ``audio.*.format`` (OpenAI GA's spelling)."""
    if fmt.encoding == "g711_ulaw":
        return {"type": "audio/pcmu"}
    if fmt.encoding == "g711_alaw":
        return {"type": "audio/pcma"}
    return {"type": "audio/pcm", "rate": fmt.sample_rate}


def turn_detection(turn: TurnDetection) -> dict[str, Any]:
    """TurnDetection as xAI's top-level ``turn_detection`` (``{"type": null}`` for manual turns)."""
    if turn.mode == "manual":
        return {"type": None}
    out: dict[str, Any] = {"type": "server_vad", "create_response": turn.create_response,
                           "interrupt_response": turn.interrupt_response}
    if turn.threshold is not None:
        out["threshold"] = turn.threshold
    if turn.prefix_padding_ms is not None:
        out["prefix_padding_ms"] = turn.prefix_padding_ms
    if turn.silence_ms is not None:
        out["silence_duration_ms"] = turn.silence_ms
    return out


def _usage(raw: Any) -> RealtimeUsage | None:
    if not isinstance(raw, Mapping) or not raw:
        return None
    ind = _map(raw.get("input_token_details"))
    outd = _map(raw.get("output_token_details"))

    def n(d: Mapping[str, Any], key: str) -> int | None:
        value = d.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return RealtimeUsage(input_tokens=n(raw, "input_tokens") or 0, output_tokens=n(raw, "output_tokens") or 0,
                         input_text_tokens=n(ind, "text_tokens"), input_audio_tokens=n(ind, "audio_tokens"),
                         output_text_tokens=n(outd, "text_tokens"), output_audio_tokens=n(outd, "audio_tokens"),
                         cached_tokens=n(ind, "cached_tokens"))


class XAIRealtimeCodec(JsonFrames):
    """xAI's realtime vocabulary for one session (see the module docstring)."""

    server_speaks_first = True

    def __init__(self, config: SessionConfig, *, host: str = "xai", resume: str | None = None) -> None:
        self.host = host
        self.config = config
        self.resume = resume
        #: per user item: the transcript handed out as deltas so far, and the items already final
        self._heard: dict[str, str] = {}
        self._final: set[str] = set()
        self._response: str | None = None
        self._transcript: list[str] = []
        self._text: list[str] = []
        self._calls: list[ToolCallRequest] = []

    # ---------------------------------------------------------------------------------------- client frames
    def session(self, config: SessionConfig) -> dict[str, Any]:
        """The ``session`` object of a ``session.update`` for ``config``."""
        audio_in: dict[str, Any] = {"format": audio_format(config.input_format)}
        if config.input_transcription:
            audio_in["transcription"] = {"model": config.input_transcription}
        body: dict[str, Any] = {
            "instructions": config.instructions or "",
            "turn_detection": turn_detection(config.turn_detection),
            "audio": {"input": audio_in, "output": {"format": audio_format(config.output_format)}},
        }
        if config.voice:
            body["voice"] = config.voice
        if config.tools:
            body["tools"] = [{"type": "function", "name": t.name, "description": t.description,
                              "parameters": t.parameters} for t in config.tools]
        if config.resumable or self.resume is not None:
            body["resumption"] = {"enabled": True}
        body.update(config.extra)
        return body

    def configure(self, config: SessionConfig) -> Sequence[Frame]:
        frames: list[Frame] = [{"type": "session.update", "session": self.session(config)}]
        if self.resume is None:  # a resumed conversation already holds its history (the host replays it)
            frames += [self._history_item(m) for m in config.history]
        return frames

    def _history_item(self, message: Any) -> Frame:
        if message.role not in ("user", "assistant") or message.tool_calls or not message.text:
            raise UnsupportedFeature(f"{self.host} realtime history takes user and assistant text turns, not a "
                                     f"{message.role} turn" + (" with tool calls" if message.tool_calls else ""),
                                     host=self.host)
        kind = "input_text" if message.role == "user" else "output_text"
        return {"type": "conversation.item.create",
                "item": {"type": "message", "role": message.role, "content": [{"type": kind, "text": message.text}]}}

    def audio(self, chunk: bytes) -> Sequence[Frame]:
        return [{"type": "input_audio_buffer.append", "audio": base64.b64encode(chunk).decode("ascii")}]

    def commit(self) -> Sequence[Frame]:
        return [{"type": "input_audio_buffer.commit"}]

    def text(self, text: str) -> Sequence[Frame]:
        return [{"type": "conversation.item.create",
                 "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}]

    def respond(self, instructions: str | None) -> Sequence[Frame]:
        if instructions:
            return [{"type": "response.create", "response": {"instructions": instructions}}]
        return [{"type": "response.create"}]

    def interrupt(self, played_ms: int | None) -> Sequence[Frame]:
        # xAI has no conversation.item.truncate (HOSTS-MEDIA §1.4): cancelling is all it takes
        return [{"type": "response.cancel"}]

    def tool_result(self, call_id: str, output: str, name: str | None, respond: bool) -> Sequence[Frame]:
        frames: list[Frame] = [{"type": "conversation.item.create",
                                "item": {"type": "function_call_output", "call_id": call_id, "output": output}}]
        if respond:
            frames.append({"type": "response.create"})
        return frames

    def update(self, config: SessionConfig) -> Sequence[Frame]:
        check(config, self.host)
        return [{"type": "session.update", "session": self.session(config)}]

    # ---------------------------------------------------------------------------------------- host frames
    def decode(self, frame: Frame) -> Sequence[RealtimeEvent | Reply]:
        kind = frame.get("type")
        if kind == "session.created":
            session = _map(frame.get("session"))
            return [SessionStarted(_str(session.get("id")), _str(session.get("model")))]
        if kind == "conversation.created":
            conversation = _map(frame.get("conversation"))
            handle = _str(conversation.get("id"))
            if handle is None:
                return []
            return [ResumeHandle(handle, resumable=self.config.resumable or self.resume is not None)]
        if kind == "session.updated":
            return [SessionUpdated()]
        if kind == "input_audio_buffer.speech_started":
            return [SpeechStarted(_str(frame.get("item_id")), _int(frame.get("audio_start_ms")))]
        if kind == "input_audio_buffer.speech_stopped":
            return [SpeechStopped(_str(frame.get("item_id")), _int(frame.get("audio_end_ms")))]
        if kind == "input_audio_buffer.committed":
            return [InputCommitted(_str(frame.get("item_id")))]
        if kind in ("conversation.item.input_audio_transcription.updated",
                    "conversation.item.input_audio_transcription.completed"):
            final = kind.endswith(".completed") and frame.get("status", "completed") != "in_progress"
            return self._snapshot(_str(frame.get("item_id")) or "", str(frame.get("transcript") or ""), final)
        if kind == "response.created":
            response = _map(frame.get("response"))
            self._response = _str(response.get("id"))
            self._transcript, self._text, self._calls = [], [], []
            return [ResponseStarted(self._response)]
        if kind == "response.output_audio.delta":
            fmt = self.config.output_format
            return [AudioOut(base64.b64decode(str(frame.get("delta") or "")), _str(frame.get("response_id")),
                             _str(frame.get("item_id")), fmt.sample_rate, fmt.encoding)]
        if kind == "response.output_audio_transcript.delta":
            delta = str(frame.get("delta") or "")
            self._transcript.append(delta)
            return [OutputTranscriptDelta(delta, _str(frame.get("response_id")), _str(frame.get("item_id")))]
        if kind == "response.output_text.delta":
            delta = str(frame.get("delta") or "")
            self._text.append(delta)
            return [TextOut(delta, _str(frame.get("response_id")), _str(frame.get("item_id")))]
        if kind == "response.function_call_arguments.done":
            call = ToolCallRequest(str(frame.get("call_id") or ""), str(frame.get("name") or ""),
                                   str(frame.get("arguments") or "{}"), _str(frame.get("response_id")),
                                   _str(frame.get("item_id")))
            self._calls.append(call)
            return [call]
        if kind == "response.done":
            return [self._done(frame)]
        if kind == "error":
            error = _map(frame.get("error"))
            return [RealtimeError(str(error.get("message") or "xAI reported an error"), _str(error.get("code")),
                                  fatal=False, event=_str(error.get("type")))]
        return []  # ping, conversation.item.added, content parts, output_item.*: nothing for the user

    def _snapshot(self, item: str, transcript: str, final: bool) -> list[RealtimeEvent]:
        if item in self._final:
            return []  # a repeated completed event after the final one
        heard = self._heard.get(item, "")
        out: list[RealtimeEvent] = []
        if transcript.startswith(heard) and len(transcript) > len(heard):
            out.append(InputTranscriptDelta(transcript[len(heard):], item or None))
            self._heard[item] = transcript
        if final:
            self._final.add(item)
            self._heard.pop(item, None)
            out.append(InputTranscript(transcript, item or None))
        return out

    def _done(self, frame: Frame) -> ResponseDone:
        response = _map(frame.get("response"))
        status = response.get("status")
        calls = tuple(self._calls)
        if not calls:  # a response.done read without its deltas (a resumed socket): the output items say
            calls = tuple(ToolCallRequest(str(o.get("call_id") or ""), str(o.get("name") or ""),
                                          str(o.get("arguments") or "{}"), _str(response.get("id")),
                                          _str(o.get("id")))
                          for o in response.get("output") or () if isinstance(o, Mapping)
                          and o.get("type") == "function_call")
        transcript = "".join(self._transcript) or "".join(
            str(c.get("transcript") or "") for o in response.get("output") or () if isinstance(o, Mapping)
            for c in o.get("content") or () if isinstance(c, Mapping) and c.get("type") == "audio")
        usage = _usage(frame.get("usage")) or _usage(response.get("usage"))
        done = ResponseDone(_str(response.get("id")) or self._response,
                            status if status in _STATUSES else "failed", "".join(self._text), transcript,
                            calls, usage)
        self._response, self._transcript, self._text, self._calls = None, [], [], []
        return done


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check(config: SessionConfig, host: str) -> None:
    """What xAI's realtime session cannot take, refused before the socket opens."""
    if not config.audio_out:
        raise UnsupportedFeature(f"{host} realtime always answers in audio: output_modalities must include "
                                 f"'audio' (the transcript comes as OutputTranscriptDelta)", host=host)
    if config.turn_detection.mode == "semantic_vad":
        raise UnsupportedFeature(f"{host} realtime has server_vad or manual turns, not semantic_vad", host=host)
    for name in ("temperature", "max_output_tokens"):
        if getattr(config, name) is not None:
            raise UnsupportedFeature(f"{host} realtime documents no {name} setting; leave it unset", host=host)


class XAIRealtime(RealtimeEndpoint):
    """``wss://api.x.ai/v1/realtime?model=...``, Bearer auth at the handshake (the host's key)."""

    def url(self, config: SessionConfig, *, resume: str | None = None) -> str:
        base = self.base_url
        if base.startswith("https://"):
            base = "wss://" + base.removeprefix("https://")
        elif base.startswith("http://"):
            base = "ws://" + base.removeprefix("http://")
        query = [("model", config.model)] + ([("conversation_id", resume)] if resume else [])
        return with_query(f"{base}/realtime", query)

    def codec(self, config: SessionConfig, *, resume: str | None = None) -> XAIRealtimeCodec:
        if resume is not None and (not isinstance(resume, str) or not resume):
            raise ConfigurationError("resume= takes the handle of a ResumeHandle event (xAI's conversation id)",
                                     host=self.name)
        return XAIRealtimeCodec(config, host=self.name, resume=resume)

    def check(self, config: SessionConfig) -> None:
        check(config, self.name)

    async def create_secret(self, *, seconds: int = 300) -> ClientSecret:
        """Mint a client secret a browser opens sessions with (see ``ClientSecret``)."""
        return await create_secret(self, seconds=seconds)

    async def connect(self, config: SessionConfig, *, resume: str | None = None,
                      secret: ClientSecret | str | None = None, **options: Any) -> Any:
        """Open a session; ``secret=`` connects with a client secret (its subprotocol) instead of the key."""
        if secret is None:
            return await super().connect(config, resume=resume, **options)
        value = secret.value if isinstance(secret, ClientSecret) else secret
        if not isinstance(value, str) or not value:
            raise ConfigurationError("secret= takes a ClientSecret (create_secret) or its value", host=self.name)
        self.check(config)
        codec = self.codec(config, resume=resume)
        return await self.open(config, codec, url=self.url(config, resume=resume), headers=self.host._headers,
                               subprotocols=[f"xai-client-secret.{value}"], **options)


@dataclass(frozen=True, slots=True)
class ClientSecret:
    """An xAI realtime client secret: ``value`` (never in the repr) opens a session from a browser as the
    websocket subprotocol ``xai-client-secret.<value>``; ``expires_at`` is a Unix time."""

    value: str = field(repr=False)
    expires_at: int | None = None

    def __repr__(self) -> str:
        return f"ClientSecret(expires_at={self.expires_at!r})"


def _secret_body(seconds: int, host: str) -> dict[str, Any]:
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 1:
        raise ConfigurationError(f"a client secret lives a whole number of seconds above 0, not {seconds!r}",
                                 host=host)
    return {"expires_after": {"seconds": seconds}}


async def create_secret(endpoint: XAIRealtime, *, seconds: int = 300) -> ClientSecret:
    """``POST {base}/realtime/client_secrets`` with the host's key; the answer's ``value`` and ``expires_at``."""
    from ..shared.transport import HttpCall

    call = HttpCall("POST", f"{endpoint.base_url}/realtime/client_secrets", body=_secret_body(seconds, endpoint.name),
                    headers={"Content-Type": "application/json", "Accept": "application/json",
                             **endpoint.host._headers})
    await endpoint.host.aauthorize(call)
    result = await endpoint.host._transport.arequest(call, endpoint.map_http_error)
    try:
        body = json.loads(result.content)
    except ValueError:
        body = None
    value = body.get("value") if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"{endpoint.name} client_secrets answered without a value", host=endpoint.name)
    expires = body.get("expires_at") if isinstance(body, dict) else None
    return ClientSecret(value, expires if isinstance(expires, int) else None)
