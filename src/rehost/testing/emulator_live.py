"""Live speech hosts over a real websocket on loopback (``LiveEmulator``): Deepgram's ``/v1/listen`` socket,
ElevenLabs' ``/v1/text-to-speech/{voice}/stream-input`` and Mistral's ``/v1/audio/transcriptions/realtime``, with
the faults a live client must survive.

Mistral: ``session.created`` first; each ``input_audio.append`` is answered with one more word as
``transcription.text.delta``; ``input_audio.end`` with ``transcription.done`` and a normal close; its
``error_frame`` is an ``error`` event then a 1011 close.

ElevenLabs: the first frame must be ``{"text": " "}`` (else a 1008 close); each text frame is answered with one
audio frame (PCM16, two samples a character) carrying its characters' alignment (the two key spellings in use,
alternately); ``{"text": ""}`` is answered with ``{"isFinal": true}`` and a normal close. Its ``error_frame`` is
``{"error": "quota_exceeded", "message": ...}`` then a 1008 close; a silent socket is closed 1008 after
``idle_close`` seconds, as ElevenLabs does after ``inactivity_timeout``.

It reads binary audio frames and text control frames (``KeepAlive``, ``Finalize``, ``CloseStream``) and answers
like Deepgram: after each audio frame an interim ``Results`` (``is_final: false``) with one more word of the
scripted text; every ``words_per_utterance`` words a final one (``is_final`` and ``speech_final``) and an
``UtteranceEnd``; on ``Finalize`` the words pending as a final (``from_finalize``); on ``CloseStream`` the rest,
then ``Metadata``, then a normal close (1000). A socket that hears nothing (no audio, no KeepAlive) for
``idle_close`` seconds is closed as Deepgram does, 1011 with ``NET-0001``.

Faults (``fault=``): ``"drop"`` (the connection is cut, no close frame, after ``fault_after`` audio frames),
``"error_frame"`` (a close 1008 ``DATA-0000`` after ``fault_after`` frames: Deepgram's undecodable-audio
close), ``"429"`` (the handshake is refused with HTTP 429 and ``Retry-After``). What the client sent is kept in
``seen`` (``("audio", n_bytes)`` or the control frame's type) with the handshake's query in ``queries``.
"""

from __future__ import annotations

import asyncio
import http
import json
import threading
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["LiveEmulator"]


class LiveEmulator:
    """A Deepgram live socket on loopback. ``with LiveEmulator(text="hello there") as live:`` then point a
    ``Deepgram(base_url=live.base_url)`` at it."""

    def __init__(self, *, text: str = "hello from the live emulator", words_per_utterance: int = 3,
                 idle_close: float = 10.0, fault: str | None = None, fault_after: int = 2) -> None:
        self.words = text.split()
        self.words_per_utterance = words_per_utterance
        self.idle_close = idle_close
        self.fault = fault
        self.fault_after = fault_after
        self.seen: list[Any] = []
        self.queries: list[dict[str, str]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # ------------------------------------------------------------------------------------------ lifecycle
    def __enter__(self) -> LiveEmulator:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._serve(ready))
            loop.close()

        self._thread = threading.Thread(target=run, name="rehost-live-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the live emulator did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(5)

    async def _serve(self, ready: threading.Event) -> None:
        from websockets.asyncio.server import serve

        self._stop = asyncio.Event()
        async with serve(self._session, "127.0.0.1", 0, process_request=self._handshake) as server:
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            await self._stop.wait()

    def _handshake(self, connection: Any, request: Any) -> Any:
        self.paths.append(request.path.split("?", 1)[0])
        self.queries.append(dict(parse_qsl(urlsplit(request.path).query)))
        self.headers.append({k.lower(): v for k, v in request.headers.raw_items()})
        if self.fault == "429":
            response = connection.respond(http.HTTPStatus.TOO_MANY_REQUESTS, "Too many concurrent requests\n")
            response.headers["Retry-After"] = "1"
            return response
        if not request.path.split("?", 1)[0].endswith(("/listen", "/stream-input", "/transcriptions/realtime")):
            return connection.respond(http.HTTPStatus.NOT_FOUND, "no such socket\n")
        return None

    # ------------------------------------------------------------------------------------------ one session
    async def _session(self, ws: Any) -> None:
        if ws.request.path.split("?", 1)[0].endswith("/stream-input"):
            await self._eleven(ws)
            return
        if ws.request.path.split("?", 1)[0].endswith("/v2/listen"):
            await self._flux(ws)
            return
        if ws.request.path.split("?", 1)[0].endswith("/transcriptions/realtime"):
            await self._mistral(ws)
            return
        said = 0  # words revealed
        settled = 0  # words already sent as final
        frames = 0
        t = 0.0  # the audio clock, in seconds (0.3 s a word)
        while True:
            try:
                message = await asyncio.wait_for(ws.recv(), self.idle_close)
            except TimeoutError:
                await ws.close(1011, "NET-0001: Deepgram did not receive audio data or a text message within "
                                     "the timeout window")
                return
            except Exception:  # the client went away
                return
            if isinstance(message, bytes):
                frames += 1
                self.seen.append(("audio", len(message)))
                if self.fault in ("drop", "error_frame") and frames > self.fault_after:
                    if self.fault == "drop":
                        ws.transport.abort()
                    else:
                        await ws.close(1008, "DATA-0000: The payload cannot be decoded as audio")
                    return
                if said < len(self.words):
                    said += 1
                pending = self.words[settled:said]
                if len(pending) >= self.words_per_utterance:
                    await ws.send(self._results(settled, said, final=True, speech_final=True))
                    await ws.send(json.dumps({"type": "UtteranceEnd", "channel": [0, 1],
                                              "last_word_end": round(said * 0.3, 3)}))
                    settled = said
                elif pending:
                    await ws.send(self._results(settled, said, final=False))
                t += 0.3
                continue
            data = json.loads(message)
            kind = data.get("type")
            self.seen.append(kind)
            if kind == "Finalize" and said > settled:
                await ws.send(self._results(settled, said, final=True, from_finalize=True))
                settled = said
            elif kind == "CloseStream":
                if said > settled:
                    await ws.send(self._results(settled, said, final=True, speech_final=True))
                await ws.send(json.dumps({"type": "Metadata", "transaction_key": "deprecated",
                                          "request_id": "emu-live-req", "duration": round(t, 3), "channels": 1}))
                await ws.close(1000, "")
                return

    async def _eleven(self, ws: Any) -> None:
        import base64

        frames = 0
        first = True
        while True:
            try:
                message = await asyncio.wait_for(ws.recv(), self.idle_close)
            except TimeoutError:
                await ws.close(1008, f"Have not received a new text input within the timeout of "
                                     f"{self.idle_close:g} seconds")
                return
            except Exception:  # the client went away
                return
            data = json.loads(message)
            text = data.get("text")
            self.seen.append(("text", text))
            if first:
                first = False
                if text != " ":
                    await ws.close(1008, "the first message must be a single space")
                    return
                continue
            if text == "":
                await ws.send(json.dumps({"isFinal": True}))
                await ws.close(1000, "")
                return
            frames += 1
            if self.fault in ("drop", "error_frame") and frames > self.fault_after:
                if self.fault == "drop":
                    ws.transport.abort()
                else:
                    await ws.send(json.dumps({"error": "quota_exceeded", "message": "emulated: quota exceeded"}))
                    await ws.close(1008, "quota_exceeded")
                return
            chars = list(text or "")
            starts = [i * 50 for i in range(len(chars))]
            lengths = [50] * len(chars)
            spelled = "charsDurationsMs" if frames % 2 else "charDurationsMs"
            pcm = b"\x10\x00\x20\x00" * len(chars)
            await ws.send(json.dumps({"audio": base64.b64encode(pcm).decode(), "isFinal": False,
                                      "normalizedAlignment": {"chars": chars, "charStartTimesMs": starts,
                                                              spelled: lengths},
                                      "alignment": {"chars": chars, "charStartTimesMs": starts, spelled: lengths}}))

    async def _flux(self, ws: Any) -> None:
        """Deepgram Flux: ``Connected``, a ``TurnInfo`` ``Update`` a word per audio frame, ``EndOfTurn`` every
        ``words_per_utterance`` words and on ``CloseStream``; its error is a fatal ``Error`` frame."""
        await ws.send(json.dumps({"type": "Connected", "request_id": "emu-flux-req", "sequence_id": 0}))
        said = turn_start = turn = frames = 0

        def info(event: str) -> str:
            words = [{"word": w, "confidence": 0.97} for w in self.words[turn_start:said]]
            return json.dumps({"type": "TurnInfo", "request_id": "emu-flux-req", "sequence_id": frames,
                               "event": event, "turn_index": turn, "audio_window_start": round(turn_start * 0.3, 3),
                               "audio_window_end": round(said * 0.3, 3),
                               "transcript": " ".join(self.words[turn_start:said]), "words": words,
                               "end_of_turn_confidence": 0.9 if event == "EndOfTurn" else 0.1})

        while True:
            try:
                message = await ws.recv()
            except Exception:  # the client went away
                return
            if isinstance(message, bytes):
                frames += 1
                self.seen.append(("audio", len(message)))
                if self.fault == "error_frame" and frames > self.fault_after:
                    await ws.send(json.dumps({"type": "Error", "sequence_id": frames, "code": "INTERNAL_ERROR",
                                              "description": "emulated Flux error"}))
                    await ws.close(1011, "INTERNAL_ERROR")
                    return
                if said < len(self.words):
                    said += 1
                await ws.send(info("StartOfTurn" if said - turn_start == 1 else "Update"))
                if said - turn_start >= self.words_per_utterance:
                    await ws.send(info("EndOfTurn"))
                    turn_start, turn = said, turn + 1
                continue
            kind = json.loads(message).get("type")
            self.seen.append(kind)
            if kind == "CloseStream":
                if said > turn_start:
                    await ws.send(info("EndOfTurn"))
                await ws.close(1000, "")
                return

    async def _mistral(self, ws: Any) -> None:
        await ws.send(json.dumps({"type": "session.created", "session": {
            "request_id": "emu-ms-req", "model": "voxtral-mini-transcribe-realtime-2602",
            "audio_format": {"encoding": "pcm_s16le", "sample_rate": 16000}, "target_streaming_delay_ms": 480}}))
        said = 0
        frames = 0
        while True:
            try:
                message = await asyncio.wait_for(ws.recv(), self.idle_close)
            except TimeoutError:
                await ws.close(1011, "idle")
                return
            except Exception:  # the client went away
                return
            data = json.loads(message)
            kind = data.get("type")
            self.seen.append(kind if kind != "input_audio.append" else ("audio", len(data.get("audio") or "")))
            if kind == "session.update":
                await ws.send(json.dumps({"type": "session.updated", "session": data.get("session")}))
            elif kind == "input_audio.append":
                frames += 1
                if self.fault in ("drop", "error_frame") and frames > self.fault_after:
                    if self.fault == "drop":
                        ws.transport.abort()
                    else:
                        await ws.send(json.dumps({"type": "error", "error": {"code": 3001,
                                                                             "message": "emulated: bad audio"}}))
                        await ws.close(1011, "error")
                    return
                if said < len(self.words):
                    await ws.send(json.dumps({"type": "transcription.text.delta",
                                              "text": ("" if said == 0 else " ") + self.words[said]}))
                    said += 1
            elif kind == "input_audio.end":
                text = " ".join(self.words[:said])
                await ws.send(json.dumps({"type": "transcription.done", "model": "voxtral-mini-transcribe-realtime",
                                          "text": text, "language": "en", "segments": [
                                              {"type": "transcription_segment", "text": text, "start": 0.0,
                                               "end": round(said * 0.3, 3)}],
                                          "usage": {"prompt_audio_seconds": frames * 0.1}}))
                await ws.close(1000, "")
                return

    def _results(self, lo: int, hi: int, *, final: bool, speech_final: bool = False,
                 from_finalize: bool = False) -> str:
        words = [{"word": w.lower().strip(".,"), "start": round(i * 0.3, 3), "end": round(i * 0.3 + 0.25, 3),
                  "confidence": 0.98, "punctuated_word": w} for i, w in enumerate(self.words[lo:hi], lo)]
        return json.dumps({"type": "Results", "channel_index": [0, 1], "start": round(lo * 0.3, 3),
                           "duration": round((hi - lo) * 0.3, 3), "is_final": final, "speech_final": speech_final,
                           "from_finalize": from_finalize,
                           "channel": {"alternatives": [{"transcript": " ".join(self.words[lo:hi]),
                                                         "confidence": 0.98, "words": words}]},
                           "metadata": {"request_id": "emu-live-req"}})
