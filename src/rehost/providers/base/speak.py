"""SpeakEndpoint: one host's text-to-speech surface, a codec of its wire shape plus this host's hooks, sent
through the host's transport in sync and async twins.

A subclass fills in ``build_call`` (a ``SpeakRequest`` -> HTTP call); the answer is audio bytes, whole or
streamed as they come (``speak_stream``: the time to the first audio byte is what a voice agent waits for).
A host that wraps audio in server-sent events (OpenAI ``stream_format: "sse"``, Mistral) overrides
``sse_audio``; the format of raw bytes comes from ``audio_format`` (the request's, unless the host says
otherwise in its content type). What the host takes is declared (``formats``, ``max_chars``) and checked in
``prepare``, so bad input fails before anything is sent.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from ...shared.audio.pricing import speak_cost
from ...shared.audio.types import AudioChunk, SpeakRequest, Speech, SpeechDone
from ...shared.errors import ConfigurationError, ProtocolError, UnsupportedFeature
from ...shared.sse import SSEDecoder
from ...shared.transport import HttpCall, header_request_id
from ..dialects.common import CallInfo
from .endpoint import Endpoint
from .headers import checked_headers, deep_merge, merge_headers
from .transcribe import stream_failure, with_query

if TYPE_CHECKING:
    pass

__all__ = ["SpeakEndpoint"]

#: sample rate of raw PCM16 when a host does not say (OpenAI's pcm is 24 kHz)
_DEFAULT_PCM_RATE = 24000


class SpeakEndpoint(Endpoint):
    """A host's text-to-speech surface. Subclasses fill in ``build_call`` (and ``sse_audio`` for SSE)."""

    #: the output formats the host can produce
    formats: ClassVar[frozenset[str]] = frozenset({"mp3", "wav", "pcm16", "opus", "flac", "aac"})
    #: the longest text one call takes (None: no documented cap); longer text is refused before sending
    max_chars: ClassVar[int | None] = None

    # ------------------------------------------------------------------------------------------ hooks
    def build_call(self, request: SpeakRequest, model_id: str, *, stream: bool) -> HttpCall:
        """The HTTP request (without auth); raise UnsupportedFeature for what the host lacks."""
        raise NotImplementedError

    def audio_format(self, request: SpeakRequest, headers: httpx.Headers) -> tuple[str, int | None]:
        """(format, sample rate) of the answer's bytes: the request's, with a default rate for raw PCM."""
        rate = request.sample_rate or (_DEFAULT_PCM_RATE if request.format == "pcm16" else None)
        return request.format, rate

    def check_answer(self, headers: httpx.Headers, info: CallInfo) -> None:
        """A 200 answer that is not audio (an HTML page from a proxy, a JSON error) fails here, before its bytes
        are taken for sound."""
        ctype = headers.get("content-type", "").lower()
        if ctype.startswith(("text/html", "application/json", "text/plain")):
            raise ProtocolError(f"{self.name} answered {ctype}, not audio", host=self.name,
                                request_id=info.request_id)

    def is_sse(self, headers: httpx.Headers) -> bool:
        """Whether the answer wraps audio in server-sent events (decided by content type, not by what was asked:
        OpenAI-compatible servers often ignore ``stream_format``)."""
        return "text/event-stream" in headers.get("content-type", "")

    def sse_audio(self, data: dict[str, Any]) -> bytes | None:
        """The audio bytes of one SSE event (None for events that carry none)."""
        audio = data.get("audio")
        return base64.b64decode(audio) if isinstance(audio, str) and audio else None

    # ------------------------------------------------------------------------------------------ steps
    def check(self, request: SpeakRequest) -> None:
        if not request.text or not request.text.strip():
            raise ConfigurationError("speak needs some text (it is empty)", host=self.name)
        if request.format not in self.formats:
            raise UnsupportedFeature(f"{self.name} cannot produce {request.format} audio; it makes "
                                     f"{', '.join(sorted(self.formats))}", host=self.name)
        if self.max_chars is not None and len(request.text) > self.max_chars:
            raise ConfigurationError(f"{self.name} takes at most {self.max_chars:,} characters a call, this text "
                                     f"has {len(request.text):,}: split it (the speaker's split=True does, at "
                                     "sentence ends)", host=self.name)

    def prepare(self, request: SpeakRequest, *, stream: bool = False) -> tuple[HttpCall, CallInfo]:
        self.check(request)
        model_id = self.host.model_id(request.model, request.host_model_id)
        call = self.build_call(request, model_id, stream=stream)
        if request.extra_body:
            if not isinstance(call.body, dict):
                raise ConfigurationError("extra_body needs a JSON body", host=self.name)
            deep_merge(call.body, request.extra_body)
        if request.extra_query:
            call.url = with_query(call.url, list(request.extra_query.items()))
        headers = {"Accept": "*/*"}
        if call.body is not None:
            headers["Content-Type"] = "application/json"
        merge_headers(headers, self.host._headers)
        merge_headers(headers, checked_headers(call.headers, self.name, "headers", ConfigurationError))
        call.headers = headers
        call.stream = True
        return call, CallInfo(host=self.name, model=request.model, host_model_id=model_id)

    def _too_big(self, limit: int, info: CallInfo) -> ProtocolError:
        return ProtocolError(f"{self.name} sent more than {limit:,} bytes of audio (Timeouts(max_body_bytes=...))",
                             host=self.name, request_id=info.request_id)

    def _speech(self, request: SpeakRequest, info: CallInfo, data: bytes, fmt: str, rate: int | None) -> Speech:
        if not data:
            raise ProtocolError(f"{self.name} answered no audio", host=self.name, request_id=info.request_id)
        duration = len(data) / 2 / rate if fmt == "pcm16" and rate else None
        if fmt == "wav":
            from ...shared.audio.formats import wav_info

            try:
                rate, _c, _w, duration = wav_info(data)
            except ConfigurationError:
                duration = None  # a streamed WAV's header may give no length
        return Speech(data, fmt, rate, 1, duration, model=request.model, host=self.name, voice=request.voice,
                      characters=len(request.text), request_id=info.request_id,
                      cost=speak_cost(self.host.catalog, request.model, self.name, len(request.text)),
                      seconds=time.perf_counter() - info.t0, time_to_first_byte=info.time_to_first_byte)

    def _chunks(self, sse: SSEDecoder | None, chunk: bytes) -> Iterator[bytes]:
        if sse is None:
            if chunk:
                yield chunk
            return
        for event in sse.feed(chunk):
            if event.data == "[DONE]":
                continue
            try:
                data = json.loads(event.data)
            except ValueError as exc:
                raise ProtocolError(f"{self.name} sent a speech event that is not JSON: {event.data[:200]!r}",
                                    host=self.name) from exc
            if isinstance(data, dict) and (data.get("type") == "error" or "error" in data):
                raise self.host.map_inband_error(data, CallInfo(self.name, "", ""), self.error_from_body)
            audio = self.sse_audio(data) if isinstance(data, dict) else None
            if audio:
                yield audio

    # ------------------------------------------------------------------------------------------ I/O
    def speak_stream(self, request: SpeakRequest) -> Iterator[AudioChunk | SpeechDone]:
        """Audio chunks as the host sends them, then ``SpeechDone`` with the whole ``Speech``."""
        call, info = self.prepare(request, stream=True)
        self.host.authorize(call)
        info.t0 = time.perf_counter()
        parts: list[bytes] = []
        with self.host._transport.stream(call, self.map_http_error, total=request.timeout) as resp:
            info.request_id = header_request_id(resp.headers, self.host.request_id_headers)
            self.check_answer(resp.headers, info)
            fmt, rate = self.audio_format(request, resp.headers)
            sse = SSEDecoder() if self.is_sse(resp.headers) else None
            limit, size = self.host._transport.timeouts.max_body_bytes, 0
            try:
                for chunk in resp.iter_bytes():
                    for audio in self._chunks(sse, chunk):
                        if info.time_to_first_byte is None:
                            info.time_to_first_byte = time.perf_counter() - info.t0
                        size += len(audio)
                        if size > limit:
                            raise self._too_big(limit, info)
                        parts.append(audio)
                        yield AudioChunk(audio, fmt, rate)
            except httpx.HTTPError as exc:
                raise stream_failure(self.name, exc, info.request_id) from exc
        yield SpeechDone(self._speech(request, info, b"".join(parts), fmt, rate))

    async def aspeak_stream(self, request: SpeakRequest) -> AsyncIterator[AudioChunk | SpeechDone]:
        call, info = self.prepare(request, stream=True)
        await self.host.aauthorize(call)
        info.t0 = time.perf_counter()
        parts: list[bytes] = []
        async with self.host._transport.astream(call, self.map_http_error, total=request.timeout) as resp:
            info.request_id = header_request_id(resp.headers, self.host.request_id_headers)
            self.check_answer(resp.headers, info)
            fmt, rate = self.audio_format(request, resp.headers)
            sse = SSEDecoder() if self.is_sse(resp.headers) else None
            limit, size = self.host._transport.timeouts.max_body_bytes, 0
            try:
                async for chunk in resp.aiter_bytes():
                    for audio in self._chunks(sse, chunk):
                        if info.time_to_first_byte is None:
                            info.time_to_first_byte = time.perf_counter() - info.t0
                        size += len(audio)
                        if size > limit:
                            raise self._too_big(limit, info)
                        parts.append(audio)
                        yield AudioChunk(audio, fmt, rate)
            except httpx.HTTPError as exc:
                raise stream_failure(self.name, exc, info.request_id) from exc
        yield SpeechDone(self._speech(request, info, b"".join(parts), fmt, rate))

    def speak(self, request: SpeakRequest) -> Speech:
        """The whole audio of ``request`` (read as a stream, so the time to first byte is measured too)."""
        for event in self.speak_stream(request):
            if isinstance(event, SpeechDone):
                return event.speech
        raise ProtocolError(f"{self.name}: the speech stream ended without its end", host=self.name)

    async def aspeak(self, request: SpeakRequest) -> Speech:
        async for event in self.aspeak_stream(request):
            if isinstance(event, SpeechDone):
                return event.speech
        raise ProtocolError(f"{self.name}: the speech stream ended without its end", host=self.name)


def unsupported(host: str, what: str) -> UnsupportedFeature:
    return UnsupportedFeature(f"{host} does not support {what}", host=host)
