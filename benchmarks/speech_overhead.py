"""What rehost's speech streaming costs on top of the bytes: the same streamed text-to-speech call (OpenAI's
``/audio/speech``, raw PCM chunks and the ``stream_format: "sse"`` events) and the same multipart transcription,
made through rehost and through raw httpx, against the host emulator in its own process. Prints the mean time
per call of each and their ratio (one run; load on this shared machine moves both alike).

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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
