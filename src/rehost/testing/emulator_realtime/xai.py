"""xAI Grok Voice's realtime protocol, server side: OpenAI's GA names with xAI's differences (HOSTS-MEDIA.md
§1.4): after ``session.created`` come ``conversation.created`` and a ``ping``; ``voice`` and
``turn_detection`` sit at the session's top level; the user's transcript arrives as cumulative
``conversation.item.input_audio_transcription.updated`` snapshots (no ``.delta``); the assistant part is
``audio`` and closes with its transcript first and its audio last; items are announced once
(``conversation.item.added``, no ``.done``); ``response.done`` carries the usage at the top level, with an
empty ``response.usage`` and ``status_details`` a string. One ``ping`` is sent at the start (how often the
host repeats it is unconfirmed)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ...shared.realtime.events import InputTranscriptDelta, RealtimeUsage, ResponseDone
from .openai import GA, Names, OpenAIFront, parse_turn_detection

__all__ = ["XaiFront"]

#: GA's names, an ``audio`` part, and items announced once (``added``, no ``done``), as recorded
XAI = Names(GA.audio, GA.transcript, GA.text, "audio", "text", GA.item_added, None)


class XaiFront(OpenAIFront):
    style = "xai"
    close_order = ("transcript", "text", "part", "audio")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["beta"] = False
        super().__init__(*args, **kwargs)
        self.names = XAI
        self._heard: dict[str | None, str] = {}

    def session_view(self) -> dict[str, Any]:
        view = super().session_view()
        audio = view.pop("audio")
        view.pop("type", None)
        view["voice"] = audio["output"]["voice"] if self.config.voice else "ara"
        view["turn_detection"] = audio["input"].pop("turn_detection") or {"type": None}
        view["modalities"] = view.pop("output_modalities")
        view["audio"] = {"input": {"format": audio["input"]["format"], "transport": "json"},
                         "output": {"format": audio["output"]["format"], "transport": "json"}}
        return view

    def config_changes(self, session: Mapping[str, Any]) -> dict[str, Any]:
        changes = super().config_changes(session)
        if "voice" in session:
            changes["voice"] = session["voice"]
        if "turn_detection" in session:
            changes["turn_detection"] = parse_turn_detection(session["turn_detection"])
        return changes

    async def greet(self) -> bool:
        await super().greet()
        await self.send({"type": "conversation.created", "event_id": self.new_id("event"),
                         "conversation": {"id": self.conversation_id, "object": "realtime.conversation"}})
        await self.send({"type": "ping", "event_id": self.new_id("event"), "timestamp": int(time.time() * 1000),
                         "previous_item_id": None})
        return True

    def input_delta(self, event: InputTranscriptDelta) -> list[dict[str, Any]]:
        so_far = self._heard.get(event.item_id, "") + event.text
        self._heard[event.item_id] = so_far
        return [self.event("conversation.item.input_audio_transcription.updated", item_id=event.item_id,
                           content_index=0, transcript=so_far)]

    def usage_fields(self, usage: RealtimeUsage | None) -> dict[str, Any] | None:
        return {}  # xAI's response.usage is empty: the usage is at the top level (done_frame)

    def done_frame(self, event: ResponseDone, details: Any) -> dict[str, Any]:
        view = self.response_view(event.status, {}, "unimplemented" if details is None else details["reason"])
        frame = self.event("response.done", response=view)
        usage = event.usage
        if usage is not None:
            frame["usage"] = {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
                              "total_tokens": usage.total_tokens,
                              "input_token_details": {"text_tokens": usage.input_text_tokens
                                                      if usage.input_text_tokens is not None
                                                      else usage.input_tokens,
                                                      "audio_tokens": usage.input_audio_tokens or 0,
                                                      "grok_tokens": 0},
                              "output_token_details": {"text_tokens": usage.output_text_tokens or 0,
                                                       "audio_tokens": usage.output_audio_tokens or 0}}
        return frame
