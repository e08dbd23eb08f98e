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
Everything else is OpenAI GA's words, so ``XAIRealtimeCodec`` subclasses ``OpenAIRealtimeCodec``
(providers/openai_realtime.py) and overrides only the differences above: history items, audio and text in,
tool results, speech and commit events, audio / transcript / text deltas, function calls, errors and the
``response.done`` status mapping are the GA codec's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..shared.chat.messages import Message
from ..shared.errors import ConfigurationError, UnsupportedFeature
from ..shared.io.websocket import websocket_base
from ..shared.realtime.codec import Frame
from ..shared.realtime.config import SessionConfig, TurnDetection
from ..shared.realtime.events import (
    InputTranscript,
    InputTranscriptDelta,
    RealtimeEvent,
    RealtimeUsage,
    ResumeHandle,
)
from .base.realtime import RealtimeEndpoint
from .base.transcribe import with_query
from .openai_realtime import OpenAIRealtimeCodec, read_client_secret, usage

__all__ = ["ClientSecret", "XAIRealtime", "XAIRealtimeCodec"]

_TRANSCRIPTION = "conversation.item.input_audio_transcription."


class XAIRealtimeCodec(OpenAIRealtimeCodec):
    """xAI's realtime vocabulary for one session: OpenAI GA but for the differences in the module docstring."""

    #: any pcm16 rate the neutral AudioFormat allows (xAI names the rate in ``{"type": "audio/pcm", "rate": N}``)
    pcm_rates: ClassVar[Mapping[str, frozenset[int]] | None] = None
    #: xAI documents no error code after which it closes the session: every in-band error is yielded non-fatal
    fatal_codes: ClassVar[frozenset[str]] = frozenset()
    #: GA's events, less the incremental input-transcript deltas (xAI sends cumulative snapshots instead), plus
    #: ``conversation.created`` (the resumption handle); ``ping`` is not answered (the recordings show no reply)
    events: ClassVar[Mapping[str, str]] = {
        **{k: v for k, v in OpenAIRealtimeCodec.events.items() if k != _TRANSCRIPTION + "delta"},
        "conversation.created": "_conversation_created",
        _TRANSCRIPTION + "updated": "_input_snapshot",
        _TRANSCRIPTION + "completed": "_input_snapshot",
    }

    def __init__(self, config: SessionConfig, *, host: str = "xai", resume: str | None = None) -> None:
        super().__init__(config, host=host)
        self.resume = resume
        #: per user item: the transcript handed out as deltas so far, and the items already final
        self._heard: dict[str, str] = {}
        self._final: set[str] = set()

    # ---------------------------------------------------------------------------------------- client frames
    def refuse(self, config: SessionConfig) -> None:
        """What xAI's realtime session cannot take, refused before the socket opens (and on every update)."""
        if not config.audio_out:
            raise UnsupportedFeature(f"{self.host} realtime always answers in audio: output_modalities must "
                                     f"include 'audio' (the transcript comes as OutputTranscriptDelta)",
                                     host=self.host)
        if config.turn_detection.mode == "semantic_vad":
            raise UnsupportedFeature(f"{self.host} realtime has server_vad or manual turns, not semantic_vad",
                                     host=self.host)
        for name in ("temperature", "max_output_tokens"):
            if getattr(config, name) is not None:
                raise UnsupportedFeature(f"{self.host} realtime documents no {name} setting; leave it unset",
                                         host=self.host)

    def turn_detection(self, turn: TurnDetection) -> dict[str, Any] | None:
        """GA's server VAD; manual turns are ``{"type": null}`` rather than a null ``turn_detection``."""
        return super().turn_detection(turn) or {"type": None}

    def fields(self, config: SessionConfig, *, clear: bool = False) -> dict[str, Any]:
        """GA's session reshaped: no ``type`` or ``output_modalities`` (always audio), ``turn_detection`` and
        ``voice`` at the top level, ``resumption`` to opt in. An update re-sends what is set and clears nothing
        (``clear`` is not used), as xAI's update always has."""
        body = super().fields(config)
        del body["type"], body["output_modalities"]
        audio = body["audio"]
        body["turn_detection"] = audio["input"].pop("turn_detection")
        if "voice" in audio["output"]:
            body["voice"] = audio["output"].pop("voice")
        if config.resumable or self.resume is not None:
            body["resumption"] = {"enabled": True}
        return body

    def history(self, messages: Sequence[Message]) -> list[dict[str, Any]]:
        """User and assistant text turns only; none on a resumed conversation (the host replays its own)."""
        if self.resume is not None:
            return []
        items: list[dict[str, Any]] = []
        for message in messages:
            if message.role not in ("user", "assistant") or message.tool_calls or not message.text:
                raise UnsupportedFeature(f"{self.host} realtime history takes user and assistant text turns, not "
                                         f"a {message.role} turn" + (" with tool calls" if message.tool_calls
                                                                     else ""), host=self.host)
            kind = "input_text" if message.role == "user" else self.assistant_text
            items.append({"type": "message", "role": message.role,
                          "content": [{"type": kind, "text": message.text}]})
        return items

    def interrupt(self, played_ms: int | None) -> Sequence[Frame]:
        # xAI has no conversation.item.truncate (HOSTS-MEDIA §1.4): cancelling is all it takes
        return [{"type": "response.cancel"}]

    # ---------------------------------------------------------------------------------------- host frames
    def _conversation_created(self, frame: Frame) -> Sequence[RealtimeEvent]:
        conversation = frame.get("conversation")
        handle = conversation.get("id") if isinstance(conversation, Mapping) else None
        if not isinstance(handle, str) or not handle:
            return []
        return [ResumeHandle(handle, resumable=self.config.resumable or self.resume is not None)]

    def _input_snapshot(self, frame: Frame) -> Sequence[RealtimeEvent]:
        """A cumulative transcript snapshot as the delta that extends what was handed out (none when it revises
        earlier words), and one final per item (``.completed`` may say ``in_progress``, and may repeat)."""
        raw = frame.get("item_id")
        item = raw if isinstance(raw, str) else ""
        transcript = str(frame.get("transcript") or "")
        final = frame["type"].endswith(".completed") and frame.get("status", "completed") != "in_progress"
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

    def response_usage(self, frame: Frame) -> RealtimeUsage | None:
        """xAI puts the usage at the top level of ``response.done`` (``response.usage`` is ``{}``)."""
        raw = frame.get("usage") or (frame.get("response") or {}).get("usage")
        return usage(raw) if raw else None


class XAIRealtime(RealtimeEndpoint):
    """``wss://api.x.ai/v1/realtime?model=...``, Bearer auth at the handshake (the host's key)."""

    def url(self, config: SessionConfig, *, resume: str | None = None) -> str:
        query = [("model", config.model)] + ([("conversation_id", resume)] if resume else [])
        return with_query(f"{websocket_base(self.base_url)}/realtime", query)

    def codec(self, config: SessionConfig, *, resume: str | None = None) -> XAIRealtimeCodec:
        if resume is not None and (not isinstance(resume, str) or not resume):
            raise ConfigurationError("resume= takes the handle of a ResumeHandle event (xAI's conversation id)",
                                     host=self.name)
        return XAIRealtimeCodec(config, host=self.name, resume=resume)

    def check(self, config: SessionConfig) -> None:
        """Refuse what xAI cannot take by encoding the session (as GA does), so a strict tool or a history with
        tool calls fails before the socket opens, not after."""
        self.codec(config).check(config)

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
    minted = read_client_secret(endpoint, result.content)  # OpenAI's answer, read the same way
    return ClientSecret(minted.value, minted.expires_at)
