"""What rehost's speech streaming costs on top of the bytes: the same streamed text-to-speech call (OpenAI's
``/audio/speech``, raw PCM chunks and the ``stream_format: "sse"`` events) and the same multipart transcription,
made through rehost and through raw httpx, against the host emulator in its own process; and the same live
transcription session over Deepgram's websocket, through rehost and through the raw websockets client.
Prints the mean time per call of each and their ratio (one run; load on this shared machine moves both alike).

    .venv/bin/python benchmarks/speech_overhead.py [calls]
"""

from __future__ import annotations

import base64
import json
import sys
import time
from typing import Any, ClassVar

import httpx

from rehost.clients.voices import OpenAISpeaker
from rehost.clients.whisper import WhisperTranscriber
from rehost.providers.base import Host
from rehost.providers.openai_audio import OpenAISpeak, OpenAITranscribe
from rehost.shared.sse import SSEDecoder
from rehost.testing.emulator import emulator_process

TEXT = " ".join(["word"] * 60)  # 60 scripted words: 60 audio chunks a call


class OpenAIAudio(Host):  # the two lines the OpenAI host class gets (see providers/openai_audio.py)
    name: ClassVar[str] = "openai"
    default_base_url: ClassVar[str] = "https://api.openai.com/v1"
    transcribe_endpoint: ClassVar[type[Any] | None] = OpenAITranscribe
    speak_endpoint: ClassVar[type[Any] | None] = OpenAISpeak


def _wav() -> bytes:
    from rehost.shared.audio.formats import pcm16_to_wav

    return pcm16_to_wav(b"\x00\x01" * 16000, 16000)


def timed(label: str, calls: int, fn: Any) -> float:
    fn()  # warm: connection, imports
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    mean = (time.perf_counter() - t0) / calls
    print(f"  {label:<34} {mean * 1000:8.2f} ms / call")
    return mean


def main(calls: int) -> None:
    with emulator_process(text=TEXT) as url:
        base = f"{url}/openai/v1"
        host = OpenAIAudio("k", base_url=base)
        voice = OpenAISpeaker(host, "tts-1")
        ears = WhisperTranscriber(host, "whisper-1")
        raw = httpx.Client(timeout=30)
        body = {"model": "tts-1", "input": "Hello.", "voice": "alloy", "response_format": "pcm"}

        def raw_bytes() -> int:
            n = 0
            with raw.stream("POST", f"{base}/audio/speech", json=body, headers={"Authorization": "Bearer k"}) as r:
                for chunk in r.iter_bytes():
                    n += len(chunk)
            return n

        def raw_sse() -> int:
            n = 0
            dec = SSEDecoder()
            with raw.stream("POST", f"{base}/audio/speech", json={**body, "stream_format": "sse"},
                            headers={"Authorization": "Bearer k"}) as r:
                for chunk in r.iter_bytes():
                    for event in dec.feed(chunk):
                        data = json.loads(event.data)
                        if data.get("type") == "speech.audio.delta":
                            n += len(base64.b64decode(data["audio"]))
            return n

        wav = _wav()

        def raw_transcribe() -> str:
            r = raw.post(f"{base}/audio/transcriptions", headers={"Authorization": "Bearer k"},
                         data={"model": "whisper-1", "response_format": "json"},
                         files={"file": ("audio.wav", wav, "audio/wav")})
            return str(r.json()["text"])

        print(f"speech streaming overhead, {calls} calls each, emulator at {url}")
        rows = [
            ("speak, raw PCM chunks", lambda: len(voice.speak("Hello.", format="pcm16").data), raw_bytes),
            ("speak, SSE audio events", lambda: len(voice.speak("Hello.", format="pcm16", stream_format="sse").data),
             raw_sse),
            ("transcribe, multipart upload", lambda: ears.transcribe(wav).text, raw_transcribe),
        ]
        for label, ours, theirs in rows:
            print(label)
            a = timed("rehost", calls, ours)
            b = timed("raw httpx", calls, theirs)
            print(f"  ratio rehost / raw httpx: {a / b:.2f}")
        raw.close()
        host.close()
    live_overhead(max(calls // 10, 5))


CHUNKS = 12  # audio frames a live session sends (the live emulator reveals one word a frame)


def live_overhead(sessions: int) -> None:
    """The same live transcription session (Deepgram's /v1/listen websocket: 12 PCM frames, then CloseStream,
    reading every result until the close) through rehost's session shell and through the raw websockets
    client, against the live emulator (a real websocket server on loopback)."""
    import asyncio

    import websockets

    from rehost.clients.nova import NovaTranscriber
    from rehost.providers.deepgram import Deepgram
    from rehost.testing.emulator_live import LiveEmulator

    frame = b"\x00\x01" * 1600  # 0.1 s of 16 kHz PCM16
    with LiveEmulator(text=" ".join(["word"] * CHUNKS), words_per_utterance=3) as live:
        ears = NovaTranscriber(Deepgram("k", base_url=live.base_url))
        ws_url = live.base_url.replace("http://", "ws://") + "/listen?model=nova-3&encoding=linear16&sample_rate=16000"

        async def ours() -> int:
            return len([e async for e in ears.atranscribe_live([frame] * CHUNKS, keepalive=None)])

        async def theirs() -> int:
            got = 0
            async with websockets.connect(ws_url, additional_headers={"Authorization": "Token k"}) as ws:
                for _ in range(CHUNKS):
                    await ws.send(frame)
                await ws.send(json.dumps({"type": "CloseStream"}))
                async for _message in ws:
                    got += 1
            return got

        async def run() -> None:
            for fn in (ours, theirs):
                await fn()  # warm
            print(f"live transcription over a websocket, {sessions} sessions of {CHUNKS} frames each")
            means = []
            for label, fn in (("rehost", ours), ("raw websockets", theirs)):
                t0 = time.perf_counter()
                for _ in range(sessions):
                    await fn()
                mean = (time.perf_counter() - t0) / sessions
                means.append(mean)
                print(f"  {label:<34} {mean * 1000:8.2f} ms / session")
            print(f"  ratio rehost / raw websockets: {means[0] / means[1]:.2f}")

        asyncio.run(run())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
