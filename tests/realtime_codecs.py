"""Small test codecs for rehost's WireSession against the realtime emulator (tests/test_realtime_emulator.py,
benchmarks/realtime.py): just enough of OpenAI's GA vocabulary (xAI's top-level usage too) and of Gemini Live
to drive a session and read what the emulator's fronts send. The real codecs live in providers/ (written by
their owners); these stay here so the emulator's tests do not depend on them."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from rehost.errors import RehostError
from rehost.shared.realtime import (
    AudioOut,
    InputCommitted,
    InputTranscript,
    InputTranscriptDelta,
    JsonFrames,
    OutputTranscriptDelta,
    RealtimeError,
    RealtimeUsage,
    ResponseDone,
    ResponseStarted,
    ResumeHandle,
    SessionConfig,
    SessionStarted,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    TextOut,
    ToolCallRequest,
)

Frame = Mapping[str, Any]


class MiniGA(JsonFrames):
    """OpenAI GA, client side, minimal. ``text_modality`` asks for text answers."""

    def __init__(self) -> None:
        self.calls: list[ToolCallRequest] = []

    def configure(self, config: SessionConfig) -> Sequence[Frame]:
        td = None if config.turn_detection.mode == "manual" else {"type": config.turn_detection.mode}
        audio_in: dict[str, Any] = {"format": {"type": "audio/pcm", "rate": 24000}, "turn_detection": td}
        if config.input_transcription:
            audio_in["transcription"] = {"model": config.input_transcription}
        session: dict[str, Any] = {"type": "realtime", "output_modalities": list(config.output_modalities),
                                   "audio": {"input": audio_in}}
        if config.instructions:
            session["instructions"] = config.instructions
        if config.tools:
            session["tools"] = [{"type": "function", "name": t.name, "parameters": t.parameters}
                                for t in config.tools]
        return [{"type": "session.update", "session": session}]

    def audio(self, chunk: bytes) -> Sequence[Frame]:
        return [{"type": "input_audio_buffer.append", "audio": base64.b64encode(chunk).decode()}]

    def commit(self) -> Sequence[Frame]:
        return [{"type": "input_audio_buffer.commit"}]

    def text(self, text: str) -> Sequence[Frame]:
        return [{"type": "conversation.item.create",
                 "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}}]

    def respond(self, instructions: str | None) -> Sequence[Frame]:
        return [{"type": "response.create"}]

    def interrupt(self, played_ms: int | None) -> Sequence[Frame]:
        return [{"type": "response.cancel"}]

    def tool_result(self, call_id: str, output: str, name: str | None, respond: bool) -> Sequence[Frame]:
        frames: list[Frame] = [{"type": "conversation.item.create",
                                "item": {"type": "function_call_output", "call_id": call_id, "output": output}}]
        return frames + ([{"type": "response.create"}] if respond else [])

    def update(self, config: SessionConfig) -> Sequence[Frame]:
        return self.configure(config)

    def usage(self, frame: Frame) -> RealtimeUsage | None:
        u = frame["response"].get("usage") or frame.get("usage")
        if not u:
            return None
        out = u.get("output_token_details") or {}
        return RealtimeUsage(u["input_tokens"], u["output_tokens"], output_text_tokens=out.get("text_tokens"),
                             output_audio_tokens=out.get("audio_tokens"))

    def decode(self, frame: Frame) -> Sequence[Any]:
        kind = frame.get("type")
        if kind == "session.created":
            return [SessionStarted(frame["session"]["id"], frame["session"]["model"])]
        if kind == "session.updated":
            return [SessionUpdated()]
        if kind == "response.created":
            self.calls = []
            return [ResponseStarted(frame["response"]["id"])]
        if kind in ("response.output_audio.delta", "response.audio.delta"):
            return [AudioOut(base64.b64decode(frame["delta"]), frame["response_id"], frame["item_id"])]
        if kind in ("response.output_audio_transcript.delta", "response.audio_transcript.delta"):
            return [OutputTranscriptDelta(frame["delta"], frame["response_id"], frame["item_id"])]
        if kind in ("response.output_text.delta", "response.text.delta"):
            return [TextOut(frame["delta"], frame["response_id"], frame["item_id"])]
        if kind == "response.function_call_arguments.done":
            call = ToolCallRequest(frame["call_id"], frame["name"], frame["arguments"], frame["response_id"],
                                   frame["item_id"])
            self.calls.append(call)
            return [call]
        if kind == "input_audio_buffer.speech_started":
            return [SpeechStarted(frame["item_id"], frame["audio_start_ms"])]
        if kind == "input_audio_buffer.speech_stopped":
            return [SpeechStopped(frame["item_id"], frame["audio_end_ms"])]
        if kind == "input_audio_buffer.committed":
            return [InputCommitted(frame["item_id"])]
        if kind == "conversation.item.input_audio_transcription.delta":
            return [InputTranscriptDelta(frame["delta"], frame["item_id"])]
        if kind == "conversation.item.input_audio_transcription.completed":
            return [InputTranscript(frame["transcript"], frame["item_id"])]
        if kind == "response.done":
            r = frame["response"]
            transcript = text = ""
            for item in r["output"]:
                for part in item.get("content") or []:
                    transcript += part.get("transcript") or ""
                    text += part.get("text") or ""
            return [ResponseDone(r["id"], r["status"], text, transcript, tuple(self.calls), self.usage(frame))]
        if kind == "error":
            err = frame["error"]
            return [RealtimeError(err["message"], err.get("code"), fatal=False, event=err.get("event_id"))]
        return []


class MiniGemini(JsonFrames):
    """Gemini Live, client side, minimal."""

    server_speaks_first = False

    def __init__(self) -> None:
        self.calls: list[ToolCallRequest] = []
        self.said = ""
        self.n = 0
        self.interrupted = False

    def hello(self, config: SessionConfig) -> Sequence[Frame]:
        setup: dict[str, Any] = {"model": f"models/{config.model}", "sessionResumption": {},
                                 "generationConfig": {"responseModalities": ["AUDIO"]}}
        if config.tools:
            setup["tools"] = [{"functionDeclarations": [{"name": t.name, "parameters": t.parameters}
                                                        for t in config.tools]}]
        return [{"setup": setup}]

    def configure(self, config: SessionConfig) -> Sequence[Frame]:
        return ()

    def audio(self, chunk: bytes) -> Sequence[Frame]:
        return [{"realtime_input": {"audio": {"data": base64.b64encode(chunk).decode(),
                                              "mimeType": "audio/pcm;rate=16000"}}}]

    def commit(self) -> Sequence[Frame]:
        return [{"realtime_input": {"audioStreamEnd": True}}]

    def text(self, text: str) -> Sequence[Frame]:
        return [{"client_content": {"turns": [{"role": "user", "parts": [{"text": text}]}], "turnComplete": False}}]

    def respond(self, instructions: str | None) -> Sequence[Frame]:
        return [{"client_content": {"turnComplete": True}}]

    def interrupt(self, played_ms: int | None) -> Sequence[Frame]:
        return ()

    def tool_result(self, call_id: str, output: str, name: str | None, respond: bool) -> Sequence[Frame]:
        return [{"tool_response": {"functionResponses": [{"id": call_id, "name": name,
                                                          "response": {"output": output}}]}}]

    def update(self, config: SessionConfig) -> Sequence[Frame]:
        return ()

    def close_error(self, code: int, reason: str) -> RehostError | None:
        return None

    def decode(self, frame: Frame) -> Sequence[Any]:
        if "setupComplete" in frame:
            return [SessionStarted(frame["setupComplete"].get("sessionId"))]
        if "toolCall" in frame:
            calls = [ToolCallRequest(c["id"], c["name"], json.dumps(c.get("args") or {}))
                     for c in frame["toolCall"]["functionCalls"]]
            self.calls += calls
            return calls
        if "sessionResumptionUpdate" in frame:
            u = frame["sessionResumptionUpdate"]
            return [ResumeHandle(u["newHandle"], u.get("resumable", True))]
        content = frame.get("serverContent") or {}
        events: list[Any] = []
        for part in (content.get("modelTurn") or {}).get("parts") or []:
            if "inlineData" in part:
                events.append(AudioOut(base64.b64decode(part["inlineData"]["data"])))
        if "outputTranscription" in content:
            self.said += content["outputTranscription"]["text"]
            events.append(OutputTranscriptDelta(content["outputTranscription"]["text"]))
        if content.get("interrupted"):
            self.interrupted = True
        if content.get("turnComplete"):
            u = frame.get("usageMetadata") or {}
            usage = RealtimeUsage(u.get("promptTokenCount", 0), u.get("responseTokenCount", 0)) if u else None
            self.n += 1
            status = "cancelled" if self.interrupted else "completed"
            events.append(ResponseDone(f"turn-{self.n}", status, "", self.said, tuple(self.calls), usage))
            self.said, self.calls, self.interrupted = "", [], False
        return events
