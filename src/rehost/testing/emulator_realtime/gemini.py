"""Gemini Live's protocol (BidiGenerateContent), server side, per HOSTS-MEDIA.md §1.5: the client's first frame
must be ``setup`` (anything else is closed 1007), answered with ``setupComplete`` (``{}`` on the Developer
API path, with a ``sessionId`` on Vertex's ``LlmBidiService`` path). Every frame is one JSON object with one
top-level key, in either casing (``client_content`` or ``clientContent``).

Client frames: ``clientContent`` (user turns to the brain; ``turnComplete`` asks for the answer; model turns
are history), ``realtimeInput`` (``audio`` / ``mediaChunks`` PCM, ``text``, ``activityEnd`` and
``audioStreamEnd`` end the turn), ``toolResponse`` (each function response to the brain; the host answers
by itself after it).

Events out: audio as ``serverContent.modelTurn.parts[].inlineData`` (``audio/pcm;rate=24000``), the spoken
words as ``serverContent.outputTranscription``, the user's as ``serverContent.inputTranscription``, a tool
call as ``toolCall.functionCalls`` (its turn waits for the ``toolResponse``), an interrupted response as
``serverContent.interrupted`` then ``turnComplete``, a finished one as ``generationComplete`` then
``turnComplete`` with ``usageMetadata`` (Vertex's ``candidatesTokenCount`` names on the Vertex path); when
the setup asked for ``sessionResumption``, a ``sessionResumptionUpdate`` with a new handle after each turn.
Errors are close codes (1007 for a bad frame, 1011 for the ``error`` faults), as the host has no error event.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ...shared.chat.tool_types import Tool
from ...shared.errors import ConfigurationError
from ...shared.realtime.config import AudioFormat, TurnDetection
from ...shared.realtime.events import (
    AudioOut,
    InputTranscript,
    InputTranscriptDelta,
    OutputTranscriptDelta,
    RealtimeEvent,
    ResponseDone,
    TextOut,
    ToolCallRequest,
)
from .front import Front

__all__ = ["GeminiFront"]


def _get(frame: Mapping[str, Any], camel: str) -> Any:
    """A proto-JSON field in either casing."""
    snake = "".join("_" + c.lower() if c.isupper() else c for c in camel)
    return frame.get(camel, frame.get(snake))


def _lower_schema(schema: Any) -> Any:
    """Gemini's upper-case OpenAPI types (``OBJECT``) as JSON schema (``object``), for the neutral Tool."""
    if isinstance(schema, Mapping):
        return {k: (v.lower() if k == "type" and isinstance(v, str) else _lower_schema(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_lower_schema(v) for v in schema]
    return schema


class GeminiFront(Front):
    style = "gemini"

    def __init__(self, *args: Any, vertex: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vertex = vertex
        self.resumable = False
        self._spoke = False
        self._handles = 0

    # ------------------------------------------------------------------------------------------ setup
    async def greet(self) -> bool:
        try:
            first = json.loads(await self.ws.recv())
        except ValueError:
            first = None
        setup = first.get("setup") if isinstance(first, dict) else None
        if not isinstance(setup, Mapping):
            await self.ws.close(1007, "The first message must be a setup message.")
            return False
        self.stats.received.append("setup")
        try:
            changes = self.setup_changes(setup)
            self.config = self.config.updated(**changes)
        except (ConfigurationError, ValueError) as exc:
            await self.ws.close(1007, str(exc)[:120])
            return False
        assert self.brain is not None
        await self.brain.update(**changes)
        self.resumable = "sessionResumption" in setup or "session_resumption" in setup
        await self.send({"setupComplete": {"sessionId": self.new_id("session")} if self.vertex else {}})
        return True

    def setup_changes(self, setup: Mapping[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        model = setup.get("model")
        if not isinstance(model, str) or not model:
            raise ConfigurationError("setup.model is required")
        changes["model"] = model.rsplit("/", 1)[-1]
        gen = _get(setup, "generationConfig") or {}
        modalities = _get(gen, "responseModalities")
        if modalities:
            said = [str(m).upper() for m in modalities]
            changes["output_modalities"] = ("audio",) if "AUDIO" in said else ("text",)
        voice = (((_get(gen, "speechConfig") or {}).get("voiceConfig") or {}).get("prebuiltVoiceConfig") or {})
        if voice.get("voiceName"):
            changes["voice"] = voice["voiceName"]
        system = _get(setup, "systemInstruction")
        if isinstance(system, Mapping):
            changes["instructions"] = " ".join(p.get("text", "") for p in system.get("parts") or []) or None
        tools: list[Tool] = []
        for entry in setup.get("tools") or []:
            for fn in _get(entry, "functionDeclarations") or []:
                tools.append(Tool(name=fn["name"], description=fn.get("description") or "",
                                  parameters=_lower_schema(fn.get("parameters") or {"type": "object",
                                                                                    "properties": {}})))
        changes["tools"] = tuple(tools)
        if _get(setup, "inputAudioTranscription") is not None:
            changes["input_transcription"] = "gemini"
        detection = _get(_get(setup, "realtimeInputConfig") or {}, "automaticActivityDetection") or {}
        changes["turn_detection"] = TurnDetection("manual" if detection.get("disabled") else "server_vad")
        changes["input_format"] = AudioFormat("pcm16", 16000)
        changes["output_format"] = AudioFormat("pcm16", 24000)
        return changes

    # ------------------------------------------------------------------------------------------ client frames
    def kind_of(self, frame: Mapping[str, Any]) -> str:
        return next(iter(frame), "")

    async def handle(self, frame: Mapping[str, Any]) -> None:
        assert self.brain is not None
        if len(frame) != 1:
            await self.ws.close(1007, "Each message carries exactly one of its fields.")
            return
        content, live, tool = (_get(frame, "clientContent"), _get(frame, "realtimeInput"),
                               _get(frame, "toolResponse"))
        if isinstance(content, Mapping):
            texts: list[str] = []
            for turn in content.get("turns") or []:
                if turn.get("role", "user") == "user":
                    texts += [p["text"] for p in turn.get("parts") or [] if isinstance(p.get("text"), str)]
            if texts:
                await self.brain.send_text(" ".join(texts))
            if _get(content, "turnComplete"):
                await self.brain.respond()
        elif isinstance(live, Mapping):
            chunks = [live["audio"]] if isinstance(live.get("audio"), Mapping) else list(
                _get(live, "mediaChunks") or [])
            for chunk in chunks:
                try:
                    await self.brain.send_audio(base64.b64decode(chunk.get("data") or "", validate=True))
                except (binascii.Error, TypeError):
                    await self.ws.close(1007, "Invalid audio data: not base64.")
                    return
            if isinstance(live.get("text"), str):
                await self.brain.send_text(live["text"], respond=True)
            if _get(live, "activityEnd") is not None or _get(live, "audioStreamEnd"):
                await self.brain.commit()
                if self.config.turn_detection.mode == "manual":
                    await self.brain.respond()
        elif isinstance(tool, Mapping):
            responses = _get(tool, "functionResponses") or []
            for i, item in enumerate(responses):
                answer = item.get("response")
                said = answer.get("output") if isinstance(answer, Mapping) else None
                output = said if isinstance(said, str) else json.dumps(answer)
                await self.brain.send_tool_result(str(item.get("id") or ""), output, name=item.get("name"),
                                                  respond=i == len(responses) - 1)
        else:
            await self.ws.close(1007, f"Unknown message: {self.kind_of(frame)!r}")

    # ------------------------------------------------------------------------------------------ events out
    def error_frames(self, message: str, code: str) -> Sequence[Mapping[str, Any]]:
        return ()  # Gemini closes instead (Front.refuse / Front._fire)

    def goaway_frames(self) -> Sequence[Mapping[str, Any]]:
        return [{"goAway": {"timeLeft": "0s"}}]

    def encode(self, event: RealtimeEvent) -> Sequence[Mapping[str, Any]]:
        if isinstance(event, AudioOut):
            self._spoke = True
            return [{"serverContent": {"modelTurn": {"parts": [{"inlineData": {
                "mimeType": f"audio/pcm;rate={event.sample_rate}", "data": base64.b64encode(event.data).decode()}}]}}}]
        if isinstance(event, OutputTranscriptDelta):
            self._spoke = True
            return [{"serverContent": {"outputTranscription": {"text": event.text}}}]
        if isinstance(event, TextOut):
            self._spoke = True
            return [{"serverContent": {"modelTurn": {"parts": [{"text": event.text}]}}}]
        if isinstance(event, InputTranscriptDelta):
            return [{"serverContent": {"inputTranscription": {"text": event.text}}}]
        if isinstance(event, InputTranscript):
            return [{"serverContent": {"inputTranscription": {"text": "", "finished": True}}}]
        if isinstance(event, ToolCallRequest):
            return [{"toolCall": {"functionCalls": [{"id": event.call_id, "name": event.name,
                                                      "args": event.args}]}}]
        if isinstance(event, ResponseDone):
            return self.done(event)
        return []  # a RealtimeError has no frame here: Front._write closes 1011 with its message

    def done(self, event: ResponseDone) -> list[dict[str, Any]]:
        if event.tool_calls and not self._spoke:
            return []  # the turn goes on once the tool responses arrive
        self._spoke = False
        frames: list[dict[str, Any]] = [{"serverContent": {"interrupted": True}} if event.status == "cancelled"
                                        else {"serverContent": {"generationComplete": True}}]
        done: dict[str, Any] = {"serverContent": {"turnComplete": True}}
        usage = event.usage
        if usage is not None:
            out = "candidates" if self.vertex else "response"
            details = [{"modality": "TEXT", "tokenCount": usage.output_text_tokens or 0}]
            if usage.output_audio_tokens:
                details.append({"modality": "AUDIO", "tokenCount": usage.output_audio_tokens})
            done["usageMetadata"] = {"promptTokenCount": usage.input_tokens, f"{out}TokenCount": usage.output_tokens,
                                     "totalTokenCount": usage.total_tokens,
                                     "promptTokensDetails": [{"modality": "TEXT", "tokenCount": usage.input_tokens}],
                                     f"{out}TokensDetails": details}
        frames.append(done)
        if self.resumable:
            self._handles += 1
            frames.append({"sessionResumptionUpdate": {"newHandle": f"emu-handle-{self._handles}",
                                                       "resumable": True}})
        return frames
