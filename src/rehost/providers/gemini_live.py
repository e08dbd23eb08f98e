"""Gemini Live (``BidiGenerateContent`` over a websocket) on Google AI Studio and on Vertex AI: the Live
vocabulary, the two endpoints, and AI Studio's ephemeral tokens. Facts: ../shared/HOSTS-MEDIA.md §1.5
(Live API reference, python-genai ``live.py``, recordings in ../shared/conformance/realtime/{google,vertex_gateway}/).

The protocol, as this codec speaks it:

* the client speaks first: one ``setup`` frame (model, ``generationConfig`` response modalities / voice /
  temperature, ``systemInstruction``, ``tools.functionDeclarations`` with OpenAPI-subset schemas (upper-case
  types, ``nullable``), input/output audio transcription, ``realtimeInputConfig`` for turn detection,
  ``sessionResumption``), then waits for ``setupComplete`` (Vertex adds a ``sessionId``);
* top-level keys are snake_case as python-genai sends them (``client_content``, ``realtime_input``,
  ``tool_response``: the recordings show the server takes them), camelCase inside;
* user audio is ``realtime_input.audio`` (PCM16, ``audio/pcm;rate=16000``; base64 in the URL-safe alphabet, as
  python-genai encodes bytes); text and seeded history are ``client_content`` turns; manual turns are
  ``activityStart`` / ``activityEnd``; the model answers a completed turn, and after a tool response, by itself,
  so ``respond`` sends nothing;
* the answer comes as ``serverContent`` frames: ``modelTurn.parts`` (``inlineData`` audio at 24 kHz, ``thought``
  parts skipped, text parts for a text session), ``outputTranscription`` / ``inputTranscription`` pieces,
  ``interrupted`` (the user barged in), ``turnComplete`` (the end of one neutral response), and ``usageMetadata``
  beside them (AI Studio: ``responseTokenCount``; Vertex: ``candidatesTokenCount``);
* ``toolCall`` / ``toolCallCancellation``, ``goAway`` (the socket will close soon: resume on a new one) and
  ``sessionResumptionUpdate`` (a ``ResumeHandle``; ``connect(resume=handle)`` sends it in the next ``setup``);
* errors are close codes with a reason, not events: 1007 (invalid: e.g. a modality the model does not take),
  1008 (policy / auth, UNCONFIRMED), 1011 (internal, UNCONFIRMED), 1013 (try later) become typed errors.

The session's configuration is fixed at ``setup``: ``update`` is refused (open a new session; ``resume=``
keeps the conversation). A text-only session is the model's to allow (the family client says which do).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..shared.chat.schema import for_gemini
from ..shared.errors import (
    ConfigurationError,
    InvalidRequest,
    Overloaded,
    PermissionDenied,
    ProtocolError,
    RehostError,
    ServerError,
    UnsupportedFeature,
)
from ..shared.realtime.codec import Frame, JsonFrames, Reply
from ..shared.realtime.config import AudioFormat, SessionConfig
from ..shared.realtime.events import (
    AudioOut,
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
    SpeechStarted,
    TextOut,
    ToolCallRequest,
)
from .base.realtime import RealtimeEndpoint

__all__ = ["GeminiLiveCodec", "GoogleLive", "LiveToken", "VertexLive", "live_schema"]

_RATE = re.compile(r"rate=(\d+)")
_CLOSE_ERRORS: Mapping[int, type[RehostError]] = {1007: InvalidRequest, 1008: PermissionDenied, 1011: ServerError,
                                                  1013: Overloaded}


def live_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON schema as the Live API's ``FunctionDeclaration.parameters`` (python-genai's form): Gemini's
    subset (``for_gemini``), types upper-case, ``["x", "null"]`` / ``anyOf [x, null]`` as ``nullable``,
    ``additionalProperties`` and ``title`` left out (the OpenAPI subset has neither)."""

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        node = dict(node)
        node.pop("additionalProperties", None)
        node.pop("title", None)
        options = node.get("anyOf")
        if isinstance(options, list) and any(isinstance(o, dict) and o.get("type") == "null" for o in options):
            rest = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            del node["anyOf"]
            if len(rest) == 1 and isinstance(rest[0], dict):
                node = {**rest[0], **node}
            else:
                node["anyOf"] = rest
            node["nullable"] = True
        kind = node.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            if len(kinds) != len(kind):
                node["nullable"] = True
            kind = kinds[0] if len(kinds) == 1 else kind
        if isinstance(kind, str):
            node["type"] = kind.upper()
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                out[key] = {name: walk(sub) for name, sub in value.items()}
            elif key in ("items", "anyOf"):
                out[key] = walk(value)
            else:
                out[key] = value
        return out

    result: dict[str, Any] = walk(for_gemini(dict(schema)))
    return result


def _b64decode(data: str) -> bytes:
    """Base64 in either alphabet (the host sends the standard one; python-genai sends URL-safe)."""
    padded = data.replace("-", "+").replace("_", "/")
    padded += "=" * (-len(padded) % 4)
    try:
        return base64.b64decode(padded)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(f"Gemini Live sent audio that is not base64 ({exc})") from None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _by_modality(details: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in details if isinstance(details, list) else ():
        if isinstance(d, Mapping) and isinstance(d.get("modality"), str):
            out[d["modality"]] = out.get(d["modality"], 0) + (_int(d.get("tokenCount")) or 0)
    return out


def live_usage(raw: Mapping[str, Any]) -> RealtimeUsage:
    """``usageMetadata`` as neutral usage (AI Studio's ``response*`` names or Vertex's ``candidates*``)."""
    prompt = _by_modality(raw.get("promptTokensDetails"))
    answer = _by_modality(raw.get("responseTokensDetails", raw.get("candidatesTokensDetails")))
    output = _int(raw.get("responseTokenCount"))
    if output is None:
        output = _int(raw.get("candidatesTokenCount"))
    return RealtimeUsage(
        input_tokens=_int(raw.get("promptTokenCount")) or 0, output_tokens=output or 0,
        input_text_tokens=prompt.get("TEXT") if prompt else None,
        input_audio_tokens=prompt.get("AUDIO", 0) if prompt else None,
        output_text_tokens=answer.get("TEXT", 0) if answer else None,
        output_audio_tokens=answer.get("AUDIO", 0) if answer else None,
        cached_tokens=_int(raw.get("cachedContentTokenCount")))


class GeminiLiveCodec(JsonFrames):
    """The Live vocabulary for one session (see the module docstring). ``model`` is the resource name the
    host wants in ``setup`` (``models/...`` or ``projects/.../publishers/google/models/...``); ``stream_end``
    whether the host takes ``audioStreamEnd`` (AI Studio only)."""

    server_speaks_first = False

    def __init__(self, config: SessionConfig, *, model: str, host: str, stream_end: bool = True,
                 resume: str | None = None) -> None:
        self.config = config
        self.model = model
        self.host = host
        self.stream_end = stream_end
        self.resume = resume
        self._active = False  # a manual turn is open (activityStart sent)
        self._names: dict[str, str] = {}  # tool call id -> name, for tool_response
        self._in_response = False
        self._interrupted = False
        self._transcript: list[str] = []
        self._text: list[str] = []
        self._heard: list[str] = []
        self._calls: list[ToolCallRequest] = []
        self._usage: RealtimeUsage | None = None

    # ---------------------------------------------------------------------------------------- client frames
    def setup(self, config: SessionConfig) -> dict[str, Any]:
        """The ``setup`` object for ``config``."""
        generation: dict[str, Any] = {"responseModalities": ["AUDIO" if config.audio_out else "TEXT"]}
        if config.voice and config.audio_out:
            generation["speechConfig"] = {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": config.voice}}}
        if config.temperature is not None:
            generation["temperature"] = config.temperature
        if config.max_output_tokens is not None:
            generation["maxOutputTokens"] = config.max_output_tokens
        setup: dict[str, Any] = {"model": self.model, "generationConfig": generation}
        if config.instructions:
            setup["systemInstruction"] = {"parts": [{"text": config.instructions}], "role": "user"}
        if config.tools:
            setup["tools"] = [{"functionDeclarations": [
                {"description": t.description, "name": t.name, "parameters": live_schema(t.parameters)}
                for t in config.tools]}]
        turn = config.turn_detection
        detection: dict[str, Any] = {}
        if turn.mode == "manual":
            detection["disabled"] = True
        else:
            if turn.prefix_padding_ms is not None:
                detection["prefixPaddingMs"] = turn.prefix_padding_ms
            if turn.silence_ms is not None:
                detection["silenceDurationMs"] = turn.silence_ms
        realtime: dict[str, Any] = {"automaticActivityDetection": detection} if detection else {}
        if turn.mode != "manual" and not turn.interrupt_response:
            realtime["activityHandling"] = "NO_INTERRUPTION"
        if realtime:
            setup["realtimeInputConfig"] = realtime
        if config.input_transcription:
            setup["inputAudioTranscription"] = {}
        if config.audio_out:
            setup["outputAudioTranscription"] = {}
        if self.resume is not None:
            setup["sessionResumption"] = {"handle": self.resume}
        elif config.resumable:
            setup["sessionResumption"] = {}
        for key, value in config.extra.items():  # a field rehost does not know yet; dicts merge one level down
            setup[key] = {**setup[key], **value} if isinstance(value, Mapping) and isinstance(
                setup.get(key), dict) else value
        return setup

    def hello(self, config: SessionConfig) -> Sequence[Frame]:
        return [{"setup": self.setup(config)}]

    def configure(self, config: SessionConfig) -> Sequence[Frame]:
        if not config.history or self.resume is not None:  # a resumed session already holds its history
            return ()
        return [{"client_content": {"turns": [self._turn(m) for m in config.history], "turnComplete": False}}]

    def _turn(self, message: Any) -> dict[str, Any]:
        if message.role not in ("user", "assistant") or message.tool_calls or not message.text:
            raise UnsupportedFeature(f"{self.host} Live history takes user and assistant text turns, not a "
                                     f"{message.role} turn" + (" with tool calls" if message.tool_calls else ""),
                                     host=self.host)
        return {"parts": [{"text": message.text}], "role": "user" if message.role == "user" else "model"}

    def audio(self, chunk: bytes) -> Sequence[Frame]:
        frames: list[Frame] = []
        if self.config.turn_detection.mode == "manual" and not self._active:
            frames.append({"realtime_input": {"activityStart": {}}})
            self._active = True
        rate = self.config.input_format.sample_rate
        frames.append({"realtime_input": {"audio": {"data": base64.urlsafe_b64encode(chunk).decode("ascii"),
                                                    "mimeType": f"audio/pcm;rate={rate}"}}})
        return frames

    def commit(self) -> Sequence[Frame]:
        if self.config.turn_detection.mode == "manual":
            if not self._active:
                return ()
            self._active = False
            return [{"realtime_input": {"activityEnd": {}}}]
        # server VAD: flush what the microphone sent (AI Studio's audioStreamEnd); Vertex has no such frame
        return [{"realtime_input": {"audioStreamEnd": True}}] if self.stream_end else ()

    def text(self, text: str) -> Sequence[Frame]:
        return [{"client_content": {"turns": [{"parts": [{"text": text}], "role": "user"}], "turnComplete": True}}]

    def respond(self, instructions: str | None) -> Sequence[Frame]:
        if instructions:
            raise UnsupportedFeature(f"{self.host} Live takes no per-response instructions (they are fixed at "
                                     f"setup)", host=self.host)
        if self.config.turn_detection.mode == "manual" and self._active:
            return self.commit()  # the end of the user's manual turn is what asks for the answer
        return ()  # a completed turn and a tool response are answered by the model itself

    def interrupt(self, played_ms: int | None) -> Sequence[Frame]:
        # Live has no cancel frame: the server stops when it hears the user (server VAD); with manual turns,
        # starting the user's activity is the barge-in
        if self.config.turn_detection.mode == "manual" and not self._active:
            self._active = True
            return [{"realtime_input": {"activityStart": {}}}]
        return ()

    def tool_result(self, call_id: str, output: str, name: str | None, respond: bool) -> Sequence[Frame]:
        fn = name or self._names.get(call_id)
        response: dict[str, Any] = {"id": call_id, "response": {"output": output}}
        if fn:
            response["name"] = fn
        return [{"tool_response": {"functionResponses": [response]}}]

    def update(self, config: SessionConfig) -> Sequence[Frame]:
        raise UnsupportedFeature(f"{self.host} Live fixes a session's configuration at setup: open a new session "
                                 f"(resume= with the last ResumeHandle keeps the conversation)", host=self.host)

    # ---------------------------------------------------------------------------------------- host frames
    def decode(self, frame: Frame) -> Sequence[RealtimeEvent | Reply]:
        out: list[RealtimeEvent | Reply] = []
        if "setupComplete" in frame:
            done = frame["setupComplete"] if isinstance(frame["setupComplete"], Mapping) else {}
            out.append(SessionStarted(done.get("sessionId") or None, self.model))
        usage = frame.get("usageMetadata")
        if isinstance(usage, Mapping):
            self._usage = live_usage(usage)
        content = frame.get("serverContent")
        if isinstance(content, Mapping):
            self._content(content, out)
        calls = frame.get("toolCall")
        if isinstance(calls, Mapping):
            self._start(out)
            for fc in calls.get("functionCalls") or ():
                if not isinstance(fc, Mapping):
                    continue
                call = ToolCallRequest(str(fc.get("id") or ""), str(fc.get("name") or ""),
                                       json.dumps(fc.get("args") or {}, ensure_ascii=False))
                self._names[call.call_id] = call.name
                self._calls.append(call)
                out.append(call)
        cancelled = frame.get("toolCallCancellation")
        if isinstance(cancelled, Mapping):
            ids = ", ".join(str(i) for i in cancelled.get("ids") or ())
            out.append(RealtimeError(f"the model cancelled its tool calls {ids} (the user interrupted)",
                                     "tool_call_cancelled"))
        away = frame.get("goAway")
        if isinstance(away, Mapping):
            out.append(RealtimeError(f"{self.host} will close this Live socket in {away.get('timeLeft', 'a while')}"
                                     f": resume on a new one with the last ResumeHandle", "go_away"))
        update = frame.get("sessionResumptionUpdate")
        if isinstance(update, Mapping) and isinstance(update.get("newHandle"), str) and update["newHandle"]:
            out.append(ResumeHandle(update["newHandle"], resumable=update.get("resumable") is not False))
        return out

    def _start(self, out: list[RealtimeEvent | Reply]) -> None:
        if not self._in_response:
            self._in_response = True
            self._final_input(out)
            out.append(ResponseStarted())

    def _final_input(self, out: list[RealtimeEvent | Reply]) -> None:
        if self._heard:
            out.append(InputTranscript("".join(self._heard)))
            self._heard = []

    def _content(self, content: Mapping[str, Any], out: list[RealtimeEvent | Reply]) -> None:
        heard = content.get("inputTranscription")
        if isinstance(heard, Mapping) and heard.get("text"):
            self._heard.append(str(heard["text"]))
            out.append(InputTranscriptDelta(str(heard["text"])))
        if isinstance(heard, Mapping) and heard.get("finished"):
            self._final_input(out)
        turn = content.get("modelTurn")
        for part in turn.get("parts") or () if isinstance(turn, Mapping) else ():
            if not isinstance(part, Mapping) or part.get("thought"):
                continue  # native-audio models stream thought summaries: not for the user
            blob = part.get("inlineData")
            if isinstance(blob, Mapping) and str(blob.get("mimeType", "")).startswith("audio/"):
                self._start(out)
                rate = _RATE.search(str(blob.get("mimeType")))
                out.append(AudioOut(_b64decode(str(blob.get("data") or "")),
                                    sample_rate=int(rate.group(1)) if rate else 24000))
            elif isinstance(part.get("text"), str) and part["text"]:
                self._start(out)
                self._text.append(part["text"])
                out.append(TextOut(part["text"]))
        said = content.get("outputTranscription")
        if isinstance(said, Mapping) and said.get("text"):
            self._start(out)
            self._transcript.append(str(said["text"]))
            out.append(OutputTranscriptDelta(str(said["text"])))
        if content.get("interrupted"):
            self._interrupted = True
            out.append(SpeechStarted())  # the user barged in: stop playing what is queued
        if content.get("turnComplete"):
            self._final_input(out)
            out.append(ResponseDone(None, "cancelled" if self._interrupted else "completed", "".join(self._text),
                                    "".join(self._transcript), tuple(self._calls), self._usage))
            self._in_response = self._interrupted = False
            self._transcript, self._text, self._calls, self._usage = [], [], [], None

    def close_error(self, code: int, reason: str) -> RehostError | None:
        cls = _CLOSE_ERRORS.get(code)
        if cls is None:
            return None
        said = f": {reason}" if reason else ""
        return cls(f"{self.host} closed the Live session (code {code}){said}", host=self.host, code=str(code))


def check(config: SessionConfig, host: str) -> None:
    """What a Live session cannot take, refused before the socket opens."""
    fin = config.input_format
    if fin.encoding != "pcm16":
        raise UnsupportedFeature(f"{host} Live takes pcm16 audio in, not {fin.encoding}", host=host)
    if config.output_format != AudioFormat("pcm16", 24000):
        raise UnsupportedFeature(f"{host} Live speaks pcm16 at 24000 Hz only, not {config.output_format.encoding}/"
                                 f"{config.output_format.sample_rate}", host=host)
    if config.input_transcription not in (None, "builtin"):
        raise UnsupportedFeature(f"{host} Live transcribes the user's audio with its own model: input_transcription "
                                 f"is True or False, not {config.input_transcription!r}", host=host)
    turn = config.turn_detection
    if turn.mode == "semantic_vad":
        raise UnsupportedFeature(f"{host} Live has server VAD or manual turns, not semantic_vad", host=host)
    if turn.threshold is not None:
        raise UnsupportedFeature(f"{host} Live's voice detection takes sensitivities, not a threshold: pass "
                                 f"realtimeInputConfig in extra for startOfSpeechSensitivity", host=host)
    if turn.mode != "manual" and not turn.create_response:
        raise UnsupportedFeature(f"{host} Live always answers when its voice detection ends a turn; use "
                                 f"manual turns to decide when", host=host)


def _ws_root(base_url: str) -> tuple[str, str, str | None]:
    """``(ws scheme + netloc, path prefix, api version)`` of a host's HTTP base URL."""
    parts = urlsplit(base_url)
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if re.fullmatch(r"v\d+\w*", last or ""):
        return f"{scheme}://{parts.netloc}", head, last
    return f"{scheme}://{parts.netloc}", path, None


@dataclass(frozen=True, slots=True)
class LiveToken:
    """An AI Studio ephemeral token (``auth_tokens``): ``token`` (the host's ``name``, ``auth_tokens/...``) is what
    a browser connects with (never shown in the repr); ``expire_time`` ends it, ``new_session_expire_time`` ends
    the time to open sessions with it."""

    token: str = field(repr=False)
    expire_time: str | None = None
    new_session_expire_time: str | None = None
    uses: int | None = None

    def __repr__(self) -> str:
        return (f"LiveToken(expire_time={self.expire_time!r}, new_session_expire_time="
                f"{self.new_session_expire_time!r}, uses={self.uses!r})")


class GoogleLive(RealtimeEndpoint):
    """AI Studio's Live socket: ``wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.
    {v1beta|v1alpha}.GenerativeService.BidiGenerateContent``, the key in the ``x-goog-api-key`` header (what
    python-genai sends: the key stays out of the URL). With an ephemeral token (``connect(..., token=)``): the
    ``v1alpha ... BidiGenerateContentConstrained`` socket with ``Authorization: Token <name>``."""

    max_size = None  # Live sends audio in big frames

    def model_name(self, config: SessionConfig) -> str:
        return config.model if config.model.startswith("models/") else f"models/{config.model}"

    def url(self, config: SessionConfig, *, resume: str | None = None, token: LiveToken | None = None) -> str:
        root, prefix, version = _ws_root(self.base_url)
        if token is not None:
            return (f"{root}{prefix}/ws/google.ai.generativelanguage.v1alpha.GenerativeService."
                    f"BidiGenerateContentConstrained")
        return f"{root}{prefix}/ws/google.ai.generativelanguage.{version or 'v1beta'}.GenerativeService." \
               f"BidiGenerateContent"

    def codec(self, config: SessionConfig, *, resume: str | None = None) -> GeminiLiveCodec:
        if resume is not None and (not isinstance(resume, str) or not resume):
            raise ConfigurationError("resume= takes the handle of a ResumeHandle event", host=self.name)
        return GeminiLiveCodec(config, model=self.model_name(config), host=self.name, stream_end=True,
                               resume=resume)

    def check(self, config: SessionConfig) -> None:
        check(config, self.name)

    async def connect(self, config: SessionConfig, *, resume: str | None = None, token: LiveToken | str | None = None,
                      **options: Any) -> Any:
        """Open a Live session; ``token=`` (a ``LiveToken`` from ``create_token``, or its name) connects with an
        ephemeral token instead of the host's key."""
        if token is None:
            return await super().connect(config, resume=resume, **options)
        live = token if isinstance(token, LiveToken) else LiveToken(str(token))
        if not live.token:
            raise ConfigurationError("token= needs the name of an auth_tokens token", host=self.name)
        self.check(config)
        codec = self.codec(config, resume=resume)
        return await self.open(config, codec, url=self.url(config, resume=resume, token=live),
                               headers={**self.host._headers, "Authorization": f"Token {live.token}"}, **options)

    async def create_token(self, *, uses: int = 1, expire_time: str | None = None,
                           new_session_expire_time: str | None = None,
                           setup: SessionConfig | None = None) -> LiveToken:
        """Mint an ephemeral token (``POST /v1alpha/auth_tokens``) a browser can open Live sessions with.
        ``uses`` 0 allows reconnects; the times are RFC 3339 (the host's defaults when None); ``setup`` locks
        the sessions to that configuration."""
        from .live_tokens import create_token

        return await create_token(self, uses=uses, expire_time=expire_time,
                                  new_session_expire_time=new_session_expire_time, setup=setup)


class VertexLive(GoogleLive):
    """Vertex's Live socket: ``wss://{location}-aiplatform.googleapis.com/ws/google.cloud.aiplatform.{version}.
    LlmBidiService/BidiGenerateContent``, OAuth Bearer (the host's token), the model as ``projects/{p}/
    locations/{l}/publishers/google/models/{id}``. A Vertex host pointed at a relay with no project (the
    Pydantic AI Gateway: ``Vertex(base_url=".../proxy/<route>")``) names the model ``publishers/google/
    models/{id}``, as the recorded gateway session does."""

    def model_name(self, config: SessionConfig) -> str:
        model = config.model
        if model.startswith(("projects/", "publishers/")):
            return model
        project = getattr(self.host, "project", None)
        if project:
            return f"projects/{project}/locations/{getattr(self.host, 'location', 'global')}/publishers/google/" \
                   f"models/{model}"
        return f"publishers/google/models/{model}"

    def url(self, config: SessionConfig, *, resume: str | None = None, token: LiveToken | None = None) -> str:
        root, prefix, _version = _ws_root(self.base_url)
        version = getattr(self.host, "api_version", None) or "v1beta1"
        return f"{root}{prefix}/ws/google.cloud.aiplatform.{version}.LlmBidiService/BidiGenerateContent"

    def codec(self, config: SessionConfig, *, resume: str | None = None) -> GeminiLiveCodec:
        codec = super().codec(config, resume=resume)
        codec.stream_end = False  # audioStreamEnd is AI Studio's only (python-genai refuses it on Vertex)
        return codec

    async def aconnect_headers(self, config: SessionConfig) -> Mapping[str, str]:
        # an OAuth refresh (google-auth) is blocking I/O: the host's async auth runs it off the event loop
        return {**self.host._headers, **(await self.host.aauth_headers())}

    async def connect(self, config: SessionConfig, *, resume: str | None = None, token: LiveToken | str | None = None,
                      **options: Any) -> Any:
        if token is not None:
            raise UnsupportedFeature("ephemeral tokens are AI Studio's; Vertex sessions use the host's OAuth token",
                                     host=self.name)
        return await super().connect(config, resume=resume, **options)

    async def create_token(self, **_: Any) -> LiveToken:
        raise UnsupportedFeature("ephemeral tokens (auth_tokens) are AI Studio's, not Vertex's", host=self.name)
