"""TranscribeEndpoint: one host's speech-to-text surface, a codec of its wire shape plus this host's hooks,
sent through the host's transport (retries, rate limit, pools) in sync and async twins.

A subclass fills in ``build_call`` (a ``TranscribeRequest`` -> HTTP call: multipart upload, raw bytes or a JSON
``{"url"}``) and ``decode`` (the answer, parsed JSON or plain text -> ``Transcript``); a host that streams
transcripts adds ``stream_event`` / ``finish_stream``. What the host takes is declared (``formats``,
``takes_url``, ``max_upload_bytes``) and checked in ``prepare`` so bad input fails before anything is sent;
splitting a long file is the client's (it reads the caps here). Also here: ``BytesCall`` (an ``HttpCall``
whose body is bytes as they are) and ``multipart`` (a form-data body, encoded by httpx).
"""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

import httpx

from ...shared.audio.pricing import transcribe_cost
from ...shared.audio.types import LiveEvent, TranscribeRequest, TranscribeUsage, Transcript, TranscriptDone
from ...shared.errors import (
    ConfigurationError,
    ConnectionFailed,
    ProtocolError,
    RehostError,
    RequestTimeout,
    UnsupportedFeature,
)
from ...shared.sse import SSEDecoder
from ...shared.transport import HttpCall, header_request_id
from ..dialects.common import CallInfo
from .endpoint import Endpoint
from .headers import checked_headers, deep_merge, merge_headers
from .status import SHAPE_ERRORS

if TYPE_CHECKING:
    pass

__all__ = ["BytesCall", "TranscribeEndpoint", "multipart", "stream_failure", "with_query"]


@dataclass(slots=True)
class BytesCall(HttpCall):
    """An ``HttpCall`` whose body is bytes sent as they are (audio, a multipart form), not JSON."""

    raw: bytes = b""

    def content(self) -> bytes | None:
        return self.raw

    def token_cost(self) -> int:
        """Audio is not text: only the output counts against a tokens-per-minute limit."""
        return self.max_output_tokens


def multipart(fields: Sequence[tuple[str, str]], files: Mapping[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data upload (RFC 7578). ``fields`` may repeat a name
    (``timestamp_granularities[]``); ``files`` maps a field to (file name, bytes, MIME type). Written here rather
    than left to httpx, which sends a form without files as urlencoded (a URL-only upload must stay multipart)."""
    boundary = f"rehost-{uuid.uuid4().hex}"
    out = bytearray()
    for name, value in fields:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"\r\n\r\n').encode()
        out += value.encode("utf-8") + b"\r\n"
    for name, (filename, data, mime) in files.items():
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"; '
                f'filename="{_quote(filename)}"\r\nContent-Type: {mime}\r\n\r\n').encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def _quote(name: str) -> str:
    """A form name or file name as a quoted-string (the HTML form encoding: quotes and line ends escaped)."""
    return name.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def stream_failure(host: str, exc: httpx.HTTPError, request_id: str | None) -> RehostError:
    """A stream that broke after its answer began: an idle timeout, or a dropped connection."""
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeout(f"{host} went silent mid-stream (idle timeout)", host=host, request_id=request_id)
    return ConnectionFailed(f"{host} dropped the stream mid-way: {type(exc).__name__}: {exc}", host=host,
                            request_id=request_id)


def with_query(url: str, params: Sequence[tuple[str, Any]]) -> str:
    """``url`` with query parameters (booleans as ``true``/``false``, None left out)."""
    pairs = [(k, ("true" if v else "false") if isinstance(v, bool) else str(v)) for k, v in params if v is not None]
    if not pairs:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(pairs)}"


class TranscribeEndpoint(Endpoint):
    """A host's speech-to-text surface. Subclasses fill in ``build_call`` and ``decode``."""

    #: audio formats the host takes as they are (others are refused before sending)
    formats: ClassVar[frozenset[str]] = frozenset({"wav", "mp3", "flac", "ogg", "opus", "webm", "m4a", "mp4"})
    #: whether the host fetches audio from a URL itself
    takes_url: ClassVar[bool] = False
    #: the largest upload the host takes (None: no documented cap); a longer file is split by the client
    max_upload_bytes: ClassVar[int | None] = None
    #: whether it can stream a transcript as it is made (``transcribe_stream``)
    streams: ClassVar[bool] = False
    #: whether it transcribes live audio over a websocket (``atranscribe_live(request, chunks, ...)``)
    live: ClassVar[bool] = False

    # ------------------------------------------------------------------------------------------ hooks
    def build_call(self, request: TranscribeRequest, model_id: str) -> HttpCall:
        """The HTTP request (without auth); raise UnsupportedFeature for what the host lacks."""
        raise NotImplementedError

    def decode(self, body: Any, request: TranscribeRequest, info: CallInfo) -> Transcript:
        """The transcript of one answer (``body``: parsed JSON, or the text of a non-JSON answer). Model, host,
        cost and timings are filled in by the endpoint."""
        raise NotImplementedError

    def stream_event(self, data: dict[str, Any], state: dict[str, Any]) -> list[LiveEvent]:
        """The live events of one streamed event (``state`` is this stream's scratch space)."""
        raise UnsupportedFeature(f"{self.name} does not stream transcripts", host=self.name)

    def finish_stream(self, state: dict[str, Any], request: TranscribeRequest, info: CallInfo) -> Transcript:
        """The whole transcript of a finished stream."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------ steps
    def check(self, request: TranscribeRequest) -> None:
        """What this host cannot take, refused before anything is sent."""
        if request.audio is None and request.url is None:
            raise ConfigurationError("transcribe needs audio or a url", host=self.name)
        if request.audio is not None and request.url is not None:
            raise ConfigurationError("give audio or a url, not both", host=self.name)
        if request.url is not None and not self.takes_url:
            raise UnsupportedFeature(f"{self.name} does not fetch audio from a URL: pass the audio itself",
                                     host=self.name)
        audio = request.audio
        if audio is not None:
            if not audio.data:
                raise ConfigurationError("the audio is empty (0 bytes)", host=self.name)
            if audio.format not in self.formats:
                raise UnsupportedFeature(f"{self.name} does not take {audio.format} audio; it takes "
                                         f"{', '.join(sorted(self.formats))}", host=self.name)
            cap = self.max_upload_bytes
            if cap is not None and len(audio.data) > cap:
                raise ConfigurationError(f"{self.name} takes files up to {cap:,} bytes, this one is "
                                         f"{len(audio.data):,}: split it (the transcriber does for WAV)",
                                         host=self.name)
        if request.stream and not self.streams:
            raise UnsupportedFeature(f"{self.name} does not stream transcripts", host=self.name)

    def prepare(self, request: TranscribeRequest) -> tuple[HttpCall, CallInfo]:
        """Check, resolve the model and encode; nothing is sent."""
        self.check(request)
        model_id = self.host.model_id(request.model, request.host_model_id)
        call = self.build_call(request, model_id)
        if request.extra_body:
            if not isinstance(call.body, dict):
                raise ConfigurationError("extra_body needs a JSON body; this host uploads a file", host=self.name)
            deep_merge(call.body, request.extra_body)
        if request.extra_query:
            call.url = with_query(call.url, list(request.extra_query.items()))
        headers = {"Accept": "text/event-stream" if request.stream else "application/json"}
        if call.body is not None and not isinstance(call, BytesCall):
            headers["Content-Type"] = "application/json"
        merge_headers(headers, self.host._headers)
        merge_headers(headers, checked_headers(call.headers, self.name, "headers", ConfigurationError))
        call.headers = headers
        return call, CallInfo(host=self.name, model=request.model, host_model_id=model_id)

    def _decode_body(self, body: Any, request: TranscribeRequest, info: CallInfo) -> Transcript:
        try:
            return self.decode(body, request, info)
        except SHAPE_ERRORS as exc:
            raise ProtocolError(f"{self.name} answered a transcription of an unexpected shape "
                                f"({type(exc).__name__}: {exc})", host=self.name, request_id=info.request_id) from exc

    def complete(self, transcript: Transcript, request: TranscribeRequest, info: CallInfo) -> Transcript:
        """The transcript with model, host, usage (seconds of audio), cost and timings filled in."""
        usage = transcript.usage
        seconds = usage.audio_seconds
        if seconds is None:
            seconds = transcript.duration if transcript.duration is not None else (
                request.audio.duration if request.audio is not None else None)
            usage = dataclasses.replace(usage, audio_seconds=seconds)
        duration = transcript.duration if transcript.duration is not None else seconds
        return dataclasses.replace(
            transcript, model=request.model, host=self.name, host_model_id=info.host_model_id, usage=usage,
            duration=duration, request_id=transcript.request_id or info.request_id,
            cost=transcript.cost or transcribe_cost(self.host.catalog, request.model, self.name, seconds),
            seconds=time.perf_counter() - info.t0)

    def _result(self, request: TranscribeRequest, info: CallInfo, content: bytes, headers: httpx.Headers) -> Transcript:
        info.request_id = header_request_id(headers, self.host.request_id_headers)
        ctype = headers.get("content-type", "").lower()
        body: Any
        if "json" in ctype or ctype == "":
            try:
                body = json.loads(content)
            except ValueError as exc:
                if "json" in ctype:
                    raise ProtocolError(f"{self.name} answered a body that is not JSON: {content[:200]!r}",
                                        host=self.name, request_id=info.request_id) from exc
                body = content.decode("utf-8", errors="replace")
            if isinstance(body, dict) and self.is_error_body(body):
                raise self.host.map_inband_error(body, info, self.error_from_body)
        elif ctype.startswith("text/plain"):  # the text formats (text, srt, vtt)
            body = content.decode("utf-8", errors="replace")
        else:  # an HTML error page from a proxy, say: never a transcript
            raise ProtocolError(f"{self.name} answered {ctype or 'no content type'}, not a transcription: "
                                f"{content[:120]!r}", host=self.name, request_id=info.request_id)
        return self.complete(self._decode_body(body, request, info), request, info)

    def is_error_body(self, body: dict[str, Any]) -> bool:
        """Whether a 200 answer is an error in disguise (``{"error": ...}`` and no transcript)."""
        return body.get("error") is not None and "text" not in body and "results" not in body

    # ------------------------------------------------------------------------------------------ I/O
    def transcribe(self, request: TranscribeRequest) -> Transcript:
        call, info = self.prepare(request)
        self.host.authorize(call)
        info.t0 = time.perf_counter()
        result = self.host._transport.request(call, self.map_http_error, total=request.timeout)
        return self._result(request, info, result.content, result.headers)

    async def atranscribe(self, request: TranscribeRequest) -> Transcript:
        call, info = self.prepare(request)
        await self.host.aauthorize(call)
        info.t0 = time.perf_counter()
        result = await self.host._transport.arequest(call, self.map_http_error, total=request.timeout)
        return self._result(request, info, result.content, result.headers)

    def _check_stream_type(self, headers: httpx.Headers, info: CallInfo) -> None:
        ctype = headers.get("content-type", "").lower()
        if "text/event-stream" not in ctype:
            raise ProtocolError(f"{self.name} answered {ctype or 'no content type'} to a streamed transcription, "
                                "not an event stream", host=self.name, request_id=info.request_id)

    def _events(self, sse: Any, chunk: bytes, state: dict[str, Any]) -> list[LiveEvent]:
        out: list[LiveEvent] = []
        for event in sse.feed(chunk):
            if event.data == "[DONE]":
                state["done"] = True
                continue
            try:
                data = json.loads(event.data)
            except ValueError as exc:
                raise ProtocolError(f"{self.name} sent a stream event that is not JSON: {event.data[:200]!r}",
                                    host=self.name) from exc
            if not isinstance(data, dict):
                raise ProtocolError(f"{self.name} sent a stream event that is not an object", host=self.name)
            if data.get("type") == "error" or ("error" in data and "type" not in data):
                raise self.host.map_inband_error(data, CallInfo(self.name, "", ""), self.error_from_body)
            try:
                out.extend(self.stream_event(data, state))
            except SHAPE_ERRORS as exc:
                raise ProtocolError(f"{self.name} sent a stream event of an unexpected shape ({exc})",
                                    host=self.name) from exc
        return out

    def transcribe_stream(self, request: TranscribeRequest) -> Iterator[LiveEvent]:
        """Live events as the host makes the transcript, then ``TranscriptDone`` with the whole of it."""
        request = dataclasses.replace(request, stream=True)
        call, info = self.prepare(request)
        call.stream = True
        self.host.authorize(call)
        info.t0 = time.perf_counter()
        state: dict[str, Any] = {}
        sse = SSEDecoder()
        with self.host._transport.stream(call, self.map_http_error, total=request.timeout) as resp:
            info.request_id = header_request_id(resp.headers, self.host.request_id_headers)
            self._check_stream_type(resp.headers, info)
            try:
                for chunk in resp.iter_bytes():
                    yield from self._events(sse, chunk, state)
            except httpx.HTTPError as exc:
                raise stream_failure(self.name, exc, info.request_id) from exc
        yield TranscriptDone(self.complete(self.finish_stream(state, request, info), request, info))

    async def atranscribe_stream(self, request: TranscribeRequest) -> AsyncIterator[LiveEvent]:
        request = dataclasses.replace(request, stream=True)
        call, info = self.prepare(request)
        call.stream = True
        await self.host.aauthorize(call)
        info.t0 = time.perf_counter()
        state: dict[str, Any] = {}
        sse = SSEDecoder()
        async with self.host._transport.astream(call, self.map_http_error, total=request.timeout) as resp:
            info.request_id = header_request_id(resp.headers, self.host.request_id_headers)
            self._check_stream_type(resp.headers, info)
            try:
                async for chunk in resp.aiter_bytes():
                    for event in self._events(sse, chunk, state):
                        yield event
            except httpx.HTTPError as exc:
                raise stream_failure(self.name, exc, info.request_id) from exc
        yield TranscriptDone(self.complete(self.finish_stream(state, request, info), request, info))


def usage_seconds(value: Any) -> TranscribeUsage:
    """Usage of a host that reports seconds of audio (None when it does not)."""
    return TranscribeUsage(audio_seconds=float(value) if value is not None else None)
