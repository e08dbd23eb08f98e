"""OpenAI Realtime over a websocket (HOSTS-MEDIA §1.1-1.2): the GA vocabulary, the older beta one, the endpoint
that opens ``wss://api.openai.com/v1/realtime?model=...`` and the ephemeral client secrets a server mints for a
browser.

* ``OpenAIRealtimeCodec`` speaks GA: one nested ``session.update`` (``type: realtime``, ``audio.input`` /
  ``audio.output`` with ``{"type": "audio/pcm", "rate": 24000}`` formats, ``output_modalities``), history seeded
  with ``conversation.item.create``, barge-in as ``response.cancel`` + ``conversation.item.truncate``.
* ``OpenAIBetaRealtimeCodec`` is the same conversation in the beta words (``OpenAI-Beta: realtime=v1``: flat
  ``modalities``, ``voice``, ``input_audio_format: pcm16`` ...). It subclasses GA and overrides only the session
  shape. Decoding accepts both sets of server event names in both codecs (``response.output_audio.delta`` and
  ``response.audio.delta`` mean the same thing), as the host's own SDK and pydantic-ai's recorder do: a relay
  that mixes them costs nothing.

Azure's two realtime surfaces (``azure_realtime.py``) reuse these classes with their own URLs and auth; xAI's
clone of GA (``xai_realtime.py``) subclasses the GA codec through its hooks (``fields``, ``pcm_rate``, ``events``,
``response_usage`` ...).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

from ..shared.chat.messages import ImagePart, Message, ReasoningPart, TextPart, ToolCall, ToolResult
from ..shared.chat.tool_types import Tool
from ..shared.errors import ConfigurationError, ProtocolError, UnsupportedFeature
from ..shared.io.websocket import websocket_base
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
    SessionStarted,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    TextOut,
    ToolCallRequest,
)
from ..shared.realtime.secrets import ClientSecret
from .base.realtime import RealtimeEndpoint, price_per_token

if TYPE_CHECKING:
    from ..shared.realtime.session import Pricer

__all__ = ["OpenAIBetaRealtimeCodec", "OpenAIRealtime", "OpenAIRealtimeCodec", "client_secret_call",
           "read_client_secret", "websocket_base"]

_Out = Sequence[RealtimeEvent | Reply]
_STATUSES = frozenset({"completed", "cancelled", "incomplete", "failed"})


class OpenAIRealtimeCodec(JsonFrames):
    """The GA vocabulary of one session (see the module docstring). It keeps what the loop needs across frames:
    the response under way, the audio item being played (what ``interrupt`` truncates), the text, transcript and
    tool calls of the current response, and the names of function-call items."""

    server_speaks_first = True
    #: headers the handshake needs for this vocabulary (the beta one asks for ``OpenAI-Beta``)
    handshake_headers: ClassVar[Mapping[str, str]] = {}
    #: the content type of an assistant's text in a seeded history item
    assistant_text: ClassVar[str] = "output_text"
    #: error codes after which the session cannot go on (the host closes it); every other in-band error leaves
    #: the socket open (HOSTS-MEDIA §1.1) and is yielded with ``fatal=False``
    fatal_codes: ClassVar[frozenset[str]] = frozenset({"session_expired", "invalid_api_key", "insufficient_quota"})
    #: server event -> handler method; both vocabularies' names (GA's, then beta's), since they mean the same
    events: ClassVar[Mapping[str, str]] = {
        "session.created": "_session_created",
        "session.updated": "_session_updated",
        "input_audio_buffer.speech_started": "_speech_started",
        "input_audio_buffer.speech_stopped": "_speech_stopped",
        "input_audio_buffer.committed": "_committed",
        "conversation.item.input_audio_transcription.delta": "_input_delta",
        "conversation.item.input_audio_transcription.completed": "_input_done",
        "conversation.item.input_audio_transcription.failed": "_input_failed",
        "response.created": "_response_created",
        "response.output_audio.delta": "_audio_delta", "response.audio.delta": "_audio_delta",
        "response.output_audio_transcript.delta": "_transcript_delta",
        "response.audio_transcript.delta": "_transcript_delta",
        "response.output_text.delta": "_text_delta", "response.text.delta": "_text_delta",
        "response.output_item.added": "_item_added",
        "response.function_call_arguments.done": "_call_done",
        "response.done": "_response_done",
        "error": "_error",
    }
    #: the pcm16 rates each direction takes (None: any rate the neutral AudioFormat allows)
    pcm_rates: ClassVar[Mapping[str, frozenset[int]] | None] = {"input": frozenset({24000}),
                                                                "output": frozenset({24000})}

    def __init__(self, config: SessionConfig, *, host: str = "openai") -> None:
        self.config = config
        self.host = host
        self._handlers = {name: getattr(self, method) for name, method in self.events.items()}
        self._responding = False
        self._response: str | None = None
        self._audio_item: str | None = None
        self._text: list[str] = []
        self._transcript: list[str] = []
        self._calls: list[ToolCallRequest] = []
        self._names: dict[str, str] = {}

    # ------------------------------------------------------------------------------------------ encoding
    def check(self, config: SessionConfig) -> None:
        """Refuse what this vocabulary cannot say, by encoding it (nothing is sent)."""
        self.configure(config)

    def refuse(self, config: SessionConfig) -> None:
        """Settings GA has no words for (checked by every configure and update, so none is dropped)."""
        if config.temperature is not None:
            raise UnsupportedFeature("the GA realtime session takes no temperature (the beta vocabulary did)",
                                     host=self.host)
        if len(config.output_modalities) != 1:
            raise UnsupportedFeature("a GA realtime session answers in audio (with its transcript) or in text, "
                                     "not both: pass output_modalities=['audio'] or ['text']", host=self.host)

    def audio_format(self, fmt: AudioFormat, direction: str) -> Any:
        """One direction's format on the wire: ``audio/pcm`` at its rate (OpenAI's only one: 24 kHz), or G.711."""
        if self.check_rate(fmt, direction) == "pcm16":
            return {"type": "audio/pcm", "rate": fmt.sample_rate}
        return {"type": "audio/pcmu" if fmt.encoding == "g711_ulaw" else "audio/pcma"}

    def check_rate(self, fmt: AudioFormat, direction: str) -> str:
        """``fmt``'s encoding, once its pcm16 rate is one ``pcm_rates`` allows for ``direction``."""
        rates = self.pcm_rates[direction] if self.pcm_rates is not None else None
        if fmt.encoding == "pcm16" and rates is not None and fmt.sample_rate not in rates:
            raise UnsupportedFeature(f"{self.host} realtime takes pcm16 {direction} audio at "
                                     f"{', '.join(str(r) for r in sorted(rates))} Hz, not {fmt.sample_rate}",
                                     host=self.host)
        return fmt.encoding

    def turn_detection(self, turn: TurnDetection) -> dict[str, Any] | None:
        """Server VAD or semantic VAD with the fields the caller set (the host's defaults for the others), or
        None (JSON null: manual turns, the caller commits)."""
        if turn.mode == "manual":
            return None
        wire: dict[str, Any] = {"type": turn.mode}
        for key, value in (("threshold", turn.threshold), ("prefix_padding_ms", turn.prefix_padding_ms),
                           ("silence_duration_ms", turn.silence_ms), ("eagerness", turn.eagerness)):
            if value is not None:
                wire[key] = value
        wire["create_response"] = turn.create_response
        wire["interrupt_response"] = turn.interrupt_response
        return wire

    def tool(self, tool: Tool) -> dict[str, Any]:
        if tool.strict:
            raise UnsupportedFeature(f"{self.host} realtime has no strict tool schemas (tool {tool.name!r})",
                                     host=self.host)
        wire: dict[str, Any] = {"type": "function", "name": tool.name, "parameters": dict(tool.parameters)}
        if tool.description:
            wire["description"] = tool.description
        return wire

    def voice(self, voice: str) -> Any:
        return voice

    def session(self, config: SessionConfig, *, clear: bool = False) -> dict[str, Any]:
        """The GA ``session`` object for ``config``; ``clear`` spells out what is off (an update replacing an
        earlier setting), where a first configuration leaves the host's defaults alone; the caller's ``extra`` last."""
        session = self.fields(config, clear=clear)
        session.update(config.extra)
        return session

    def fields(self, config: SessionConfig, *, clear: bool = False) -> dict[str, Any]:
        """The session's fields but ``extra`` (a clone, xAI, reshapes them by overriding this)."""
        audio_in: dict[str, Any] = {"format": self.audio_format(config.input_format, "input"),
                                    "turn_detection": self.turn_detection(config.turn_detection)}
        if config.input_transcription:
            audio_in["transcription"] = {"model": config.input_transcription}
        elif clear:
            audio_in["transcription"] = None
        audio_out: dict[str, Any] = {"format": self.audio_format(config.output_format, "output")}
        if config.voice:
            audio_out["voice"] = self.voice(config.voice)
        # no instructions are sent as "" rather than left out: a session must not run on the host's default
        # persona ("You are a helpful, witty, and friendly AI...") because the caller gave none
        session: dict[str, Any] = {"type": "realtime", "instructions": config.instructions or "",
                                   "output_modalities": list(config.output_modalities),
                                   "audio": {"input": audio_in, "output": audio_out}}
        if config.tools or clear:
            session["tools"] = [self.tool(t) for t in config.tools]
        if config.max_output_tokens is not None:
            session["max_output_tokens"] = config.max_output_tokens
        return session

    def configure(self, config: SessionConfig) -> Sequence[Frame]:
        self.refuse(config)
        self.config = config
        return [{"type": "session.update", "session": self.session(config)},
                *({"type": "conversation.item.create", "item": item} for item in self.history(config.history))]

    def update(self, config: SessionConfig) -> Sequence[Frame]:
        self.refuse(config)
        self.config = config
        return [{"type": "session.update", "session": self.session(config, clear=True)}]

    def history(self, messages: Sequence[Message]) -> list[dict[str, Any]]:
        """Earlier turns as conversation items: messages, function calls and their outputs."""
        items: list[dict[str, Any]] = []
        for message in messages:
            content: list[dict[str, Any]] = []
            calls: list[dict[str, Any]] = []
            for part in message.parts:
                if isinstance(part, TextPart):
                    kind = self.assistant_text if message.role == "assistant" else "input_text"
                    content.append({"type": kind, "text": part.text})
                elif isinstance(part, ImagePart) and message.role == "user":
                    content.append(self.image(part))
                elif isinstance(part, ToolCall):
                    if not part.id:  # its result is matched by this id: one made up here would match nothing
                        raise ConfigurationError(f"a tool call in a realtime history needs its id (tool "
                                                 f"{part.name!r})", host=self.host)
                    calls.append({"type": "function_call", "call_id": part.id,
                                  "name": part.name,
                                  "arguments": part.raw_arguments or json.dumps(part.arguments)})
                elif isinstance(part, ToolResult):
                    if not part.call_id:
                        raise ConfigurationError(f"a tool result in a realtime history needs the call_id of its "
                                                 f"call (tool {part.name!r})", host=self.host)
                    items.append({"type": "function_call_output", "call_id": part.call_id,
                                  "output": part.content})
                elif isinstance(part, ReasoningPart):
                    continue  # earlier reasoning is the model's own scratch work; no host takes it back as input
                else:
                    raise UnsupportedFeature(f"{self.host} realtime history takes text, images in user turns, "
                                             f"tool calls and results, not {part.type} parts", host=self.host)
            if content:
                items.append({"type": "message", "role": message.role, "content": content})
            items.extend(calls)
        return items

    def image(self, part: ImagePart) -> dict[str, Any]:
        return {"type": "input_image", "image_url": part.data_url}

    def audio(self, chunk: bytes) -> Sequence[Frame]:
        return [{"type": "input_audio_buffer.append", "audio": base64.b64encode(chunk).decode("ascii")}]

    def commit(self) -> Sequence[Frame]:
        return [{"type": "input_audio_buffer.commit"}]

    def text(self, text: str) -> Sequence[Frame]:
        return [{"type": "conversation.item.create",
                 "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}]

    def respond(self, instructions: str | None) -> Sequence[Frame]:
        if instructions is None:
            return [{"type": "response.create"}]
        return [{"type": "response.create", "response": {"instructions": instructions}}]

    def interrupt(self, played_ms: int | None) -> Sequence[Frame]:
        """Cancel the response under way (if one is) and cut the assistant's audio item at what was played, so
        the conversation holds only what the user heard."""
        frames: list[Frame] = []
        if self._responding:
            frames.append({"type": "response.cancel"})
        if self._audio_item is not None and played_ms is not None:
            frames.append({"type": "conversation.item.truncate", "item_id": self._audio_item, "content_index": 0,
                           "audio_end_ms": played_ms})
            self._audio_item = None
        return frames

    def tool_result(self, call_id: str, output: str, name: str | None, respond: bool) -> Sequence[Frame]:
        frames: list[Frame] = [{"type": "conversation.item.create",
                                "item": {"type": "function_call_output", "call_id": call_id, "output": output}}]
        if respond:
            frames.append({"type": "response.create"})
        return frames

    # ------------------------------------------------------------------------------------------ decoding
    def decode(self, frame: Frame) -> _Out:
        handler = self._handlers.get(frame.get("type", ""))
        return handler(frame) if handler is not None else ()

    def _session_created(self, frame: Frame) -> _Out:
        session = frame.get("session") or {}
        return [SessionStarted(session.get("id"), session.get("model"))]

    def _session_updated(self, frame: Frame) -> _Out:
        return [SessionUpdated()]

    def _speech_started(self, frame: Frame) -> _Out:
        return [SpeechStarted(frame.get("item_id"), frame.get("audio_start_ms"))]

    def _speech_stopped(self, frame: Frame) -> _Out:
        return [SpeechStopped(frame.get("item_id"), frame.get("audio_end_ms"))]

    def _committed(self, frame: Frame) -> _Out:
        return [InputCommitted(frame.get("item_id"))]

    def _input_delta(self, frame: Frame) -> _Out:
        delta = frame.get("delta") or ""
        return [InputTranscriptDelta(delta, frame.get("item_id"))] if delta else ()

    def _input_done(self, frame: Frame) -> _Out:
        return [InputTranscript(frame.get("transcript") or "", frame.get("item_id"))]

    def _input_failed(self, frame: Frame) -> _Out:
        err = frame.get("error") or {}
        message = err.get("message") or "input transcription failed"
        return [RealtimeError(str(message), err.get("code") or err.get("type"), False, str(frame["type"]))]

    def _response_created(self, frame: Frame) -> _Out:
        self._responding = True
        self._audio_item = None
        self._response = (frame.get("response") or {}).get("id")
        self._text, self._transcript, self._calls = [], [], []
        return [ResponseStarted(self._response)]

    def _audio_delta(self, frame: Frame) -> _Out:
        item = frame.get("item_id")
        self._audio_item = item
        fmt = self.config.output_format
        return [AudioOut(base64.b64decode(frame.get("delta") or ""), frame.get("response_id"), item,
                         fmt.sample_rate, fmt.encoding)]

    def _transcript_delta(self, frame: Frame) -> _Out:
        delta = frame.get("delta") or ""
        self._transcript.append(delta)
        return [OutputTranscriptDelta(delta, frame.get("response_id"), frame.get("item_id"))]

    def _text_delta(self, frame: Frame) -> _Out:
        delta = frame.get("delta") or ""
        self._text.append(delta)
        return [TextOut(delta, frame.get("response_id"), frame.get("item_id"))]

    def _item_added(self, frame: Frame) -> _Out:
        item = frame.get("item") or {}
        if item.get("type") == "function_call" and item.get("id"):
            self._names[item["id"]] = item.get("name") or ""
        return ()

    def _call_done(self, frame: Frame) -> _Out:
        item = frame.get("item_id")
        name = frame.get("name") or self._names.get(item or "", "")
        call = ToolCallRequest(str(frame.get("call_id") or ""), name, frame.get("arguments") or "{}",
                               frame.get("response_id"), item)
        self._calls.append(call)
        return [call]

    def _response_done(self, frame: Frame) -> _Out:
        response = frame.get("response") or {}
        status = response.get("status")
        out: list[RealtimeEvent | Reply] = []
        details = response.get("status_details")
        details = details if isinstance(details, Mapping) else {}  # xAI's recordings say "unimplemented"
        err = details.get("error")
        if status == "failed" or err:
            err = err if isinstance(err, Mapping) else {}
            out.append(RealtimeError(str(err.get("message") or f"the response {status}"),
                                     err.get("code") or err.get("type") or details.get("reason"), False,
                                     "response.done"))
        said = _output(response)  # for each part no delta brought (a relay that sends only the end, a resumed socket)
        out.append(ResponseDone(response.get("id") or self._response, status if status in _STATUSES else "failed",
                                "".join(self._text) or said[0], "".join(self._transcript) or said[1],
                                tuple(self._calls) or said[2], self.response_usage(frame)))
        self._responding, self._response = False, None
        self._text, self._transcript, self._calls = [], [], []
        return out

    def response_usage(self, frame: Frame) -> RealtimeUsage | None:
        """The usage of one ``response.done`` (GA and beta: ``response.usage``)."""
        return usage((frame.get("response") or {}).get("usage"))

    def _error(self, frame: Frame) -> _Out:
        err = frame.get("error") or {}
        code = err.get("code") or err.get("type")
        fatal = code in self.fatal_codes
        return [RealtimeError(str(err.get("message") or "the host reported an error"), code, fatal, "error")]


class OpenAIBetaRealtimeCodec(OpenAIRealtimeCodec):
    """The beta vocabulary (``OpenAI-Beta: realtime=v1``, still spoken by Azure AI Voice Live): a flat session
    (``modalities``, ``voice``, ``input_audio_format: pcm16``, ``input_audio_transcription``, ``turn_detection``,
    ``temperature``, ``max_response_output_tokens``); events as GA (the decoder takes both names)."""

    handshake_headers: ClassVar[Mapping[str, str]] = {"OpenAI-Beta": "realtime=v1"}
    assistant_text: ClassVar[str] = "text"

    def refuse(self, config: SessionConfig) -> None:
        return None  # beta has temperature, and ["text", "audio"] is its audio session

    def audio_format(self, fmt: AudioFormat, direction: str) -> Any:
        return self.check_rate(fmt, direction)  # the beta words: "pcm16", "g711_ulaw", "g711_alaw"

    def image(self, part: ImagePart) -> dict[str, Any]:
        raise UnsupportedFeature(f"the beta realtime vocabulary of {self.host} takes no images", host=self.host)

    def fields(self, config: SessionConfig, *, clear: bool = False) -> dict[str, Any]:
        # beta audio answers always come with text: ["text", "audio"]; ["text"] alone is a text session
        session: dict[str, Any] = {
            "instructions": config.instructions or "",
            "modalities": ["text", "audio"] if config.audio_out else ["text"],
            "input_audio_format": self.audio_format(config.input_format, "input"),
            "output_audio_format": self.audio_format(config.output_format, "output"),
            "turn_detection": self.turn_detection(config.turn_detection),
        }
        if config.voice:
            session["voice"] = self.voice(config.voice)
        if config.input_transcription:
            session["input_audio_transcription"] = {"model": config.input_transcription}
        elif clear:
            session["input_audio_transcription"] = None
        if config.tools or clear:
            session["tools"] = [self.tool(t) for t in config.tools]
        if config.temperature is not None:
            session["temperature"] = config.temperature
        if config.max_output_tokens is not None:
            session["max_response_output_tokens"] = config.max_output_tokens
        return session


def usage(raw: Any) -> RealtimeUsage | None:
    """``response.done``'s usage: totals, the text / audio split each way, and the cached part of the input
    (with its audio share, which bills at its own rate)."""
    if not isinstance(raw, Mapping):
        return None
    din = raw.get("input_token_details") or {}
    dout = raw.get("output_token_details") or {}
    cached_split = din.get("cached_tokens_details") or {}
    return RealtimeUsage(int(raw.get("input_tokens") or 0), int(raw.get("output_tokens") or 0),
                         din.get("text_tokens"), din.get("audio_tokens"), dout.get("text_tokens"),
                         dout.get("audio_tokens"), din.get("cached_tokens"), cached_split.get("audio_tokens"))


def _output(response: Mapping[str, Any]) -> tuple[str, str, tuple[ToolCallRequest, ...]]:
    """What a ``response.done``'s output items say: text, audio transcript, function calls."""
    text, transcript, calls = [], [], []
    for item in (i for i in response.get("output") or () if isinstance(i, Mapping)):
        if item.get("type") == "function_call":
            calls.append(ToolCallRequest(str(item.get("call_id") or ""), item.get("name") or "",
                                         item.get("arguments") or "{}", response.get("id"), item.get("id")))
        for part in (p for p in item.get("content") or () if isinstance(p, Mapping)):
            if part.get("type") in ("output_text", "text"):
                text.append(part.get("text") or "")
            elif part.get("type") in ("output_audio", "audio"):
                transcript.append(part.get("transcript") or "")
    return "".join(text), "".join(transcript), tuple(calls)


class OpenAIRealtime(RealtimeEndpoint):
    """``wss://api.openai.com/v1/realtime?model=...`` from the host's base URL (so a relay such as the Pydantic AI
    Gateway, ``<gateway>/proxy/<route>``, works by base URL alone), bearer auth at the handshake. The vocabulary
    is GA unless the host was made with ``realtime_beta=True`` (or a set of model ids), or the model's
    catalogue row on this host says ``realtime_vocabulary = "beta"``."""

    def vocabulary(self, config: SessionConfig) -> type[OpenAIRealtimeCodec]:
        flag = getattr(self.host, "realtime_beta", None)
        if isinstance(flag, bool):
            beta = flag
        elif flag is not None:
            beta = config.model in flag
        else:
            row = self._row(config.model)
            beta = row is not None and row.extra.get("realtime_vocabulary") == "beta"
        return OpenAIBetaRealtimeCodec if beta else OpenAIRealtimeCodec

    def url(self, config: SessionConfig, *, resume: str | None = None) -> str:
        return f"{websocket_base(self.base_url)}/realtime?{urlencode({'model': config.model})}"

    def connect_headers(self, config: SessionConfig) -> Mapping[str, str]:
        return {**super().connect_headers(config), **self.vocabulary(config).handshake_headers}

    def codec(self, config: SessionConfig, *, resume: str | None = None) -> OpenAIRealtimeCodec:
        if resume is not None:
            raise UnsupportedFeature(f"{self.name} realtime sessions cannot be resumed; open a new one (seed it "
                                     f"with history=...)", host=self.name)
        return self.vocabulary(config)(config, host=self.name)

    def check(self, config: SessionConfig) -> None:
        self.codec(config).check(config)

    def _row(self, model_id: str) -> Any:
        """This host's catalogue row for a host model id (None when not catalogued, or no catalogue)."""
        catalog = getattr(self.host, "catalog", None)
        if catalog is None:
            return None
        for entry in catalog.models():
            row = entry.hosts.get(self.name)
            if row is not None and row.id == model_id and entry.kind == "realtime":
                return row
        return None

    def price(self, config: SessionConfig) -> Pricer | None:
        """Per-million prices by modality from the catalogue: ``input_price`` / ``cached_input_price`` /
        ``output_price`` for text, ``audio_input_price`` / ``cached_audio_input_price`` / ``audio_output_price``
        for audio (the row's extra fields)."""
        row = self._row(config.model)
        extra = row.extra if row is not None else {}
        if row is None or row.prices is None or "audio_input_price" not in extra or "audio_output_price" not in extra:
            return None  # audio tokens at text prices would be a wrong number, not an estimate

        def rate(value: Any) -> float | None:
            return None if value is None else float(value)

        prices = row.prices
        return price_per_token(float(prices.input), rate(extra.get("audio_input_price")), float(prices.output),
                               rate(extra.get("audio_output_price")), rate(prices.cached_input),
                               cached_audio=rate(extra.get("cached_audio_input_price")))


# --- ephemeral client secrets (POST /v1/realtime/client_secrets)
def client_secret_call(host: Any, session: SessionConfig | Mapping[str, Any] | None,
                       expires_in: int) -> Any:
    """The call minting a short-lived key a browser opens a session with (the server keeps its real key)."""
    from ..shared.io.call import HttpCall

    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or not 10 <= expires_in <= 7200:
        raise ConfigurationError(f"expires_in must be a whole number of seconds from 10 to 7200, not "
                                 f"{expires_in!r}", host=host.name)
    body: dict[str, Any] = {"expires_after": {"anchor": "created_at", "seconds": expires_in}}
    if isinstance(session, SessionConfig):
        codec = OpenAIRealtimeCodec(session, host=host.name)
        codec.check(session)
        body["session"] = {**codec.session(session), "model": session.model}
    elif isinstance(session, Mapping):
        body["session"] = dict(session)
    elif session is not None:
        raise ConfigurationError(f"session is a SessionConfig (client.config(...)) or a mapping, not "
                                 f"{type(session).__name__}", host=host.name)
    return HttpCall("POST", f"{host.base_url}/realtime/client_secrets", body=body)


def read_client_secret(host: Any, content: bytes) -> ClientSecret:
    try:
        body = json.loads(content)
        value = body["value"]
        if not isinstance(value, str) or not value:
            raise TypeError("value is not a string")
    except (ValueError, KeyError, TypeError) as exc:
        raise ProtocolError(f"{host.name} answered client_secrets without a secret value ({exc})",
                            host=host.name) from None
    expires = body.get("expires_at")
    return ClientSecret(value, int(expires) if isinstance(expires, int | float) else None,
                        body.get("session") or {}, host=host.name)
