"""Gemini's ``models/{id}:countTokens`` (AI Studio and Vertex); Gemini's generateContent shares the chat
responder (``chat._Answer`` with ``gemini=True``)."""

from __future__ import annotations

import json
from typing import Any

from .chat import _Answer
from .responder import _Responder
from .script import Script
from .wire import _json_response


class _CountTokens(_Responder):
    """``models/{id}:countTokens`` in Google's shape: ``totalTokens`` and ``promptTokensDetails``, and on
    Vertex ``totalBillableCharacters`` too. AI Studio takes ``contents`` or a whole ``generateContentRequest``,
    never both (HTTP 400 INVALID_ARGUMENT, as the API answers)."""

    dialect = "countTokens"
    no_form = frozenset({"blocked", "inband_error", "keepalive"})

    def __init__(self, style: str, script: Script, request: dict[str, Any]) -> None:
        inner = request.get("generateContentRequest")
        self.both = "contents" in request and inner is not None
        super().__init__(style, script, inner if isinstance(inner, dict) else request, stream=False)
        self.chat = _Answer(style, script, request, "", gemini=True, stream=False)  # for Google's error bodies

    def whole(self) -> bytes:
        if self.both:
            return _json_response(400, {"error": {
                "code": 400, "status": "INVALID_ARGUMENT",
                "message": "Only one of contents and generate_content_request may be set."}})
        body: dict[str, Any] = {"totalTokens": self.prompt_tokens,
                                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": self.prompt_tokens}]}
        if self.spec.get("billable_characters"):
            body["totalBillableCharacters"] = len(json.dumps(self.request.get("contents") or ""))
        return _json_response(200, body)

    def error_response(self, status: int) -> bytes:
        return self.chat.error_response(status)

    def malformed_body(self) -> bytes:
        return b'{"totalTokens": '


# ---------------------------------------------------------------------------------------------- Anthropic Messages
