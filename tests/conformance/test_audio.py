"""Conformance of the speech-to-text codecs against every recorded response under ``../shared/conformance/audio/``
(``REHOST_AUDIO``; format and provenance in ``INDEX-MORE.md`` §3-§4).

Each recorded body is served, over the host's real transport path (an ``httpx.MockTransport``), to a call made
the way a user makes it (a family client bound to the host), and the decoded ``Transcript`` is compared with the
values read independently from the file here: the text, the number of words and each word's times, and the
language (as ISO 639-1). Where the options were recorded beside a response (the Deepgram SDK cases), the encoded
request must carry exactly those query parameters, and a JSON ``{"url"}`` body or the audio bytes as the case's
``.cmd`` says. A file this suite cannot interpret fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from rehost.clients.nova import NovaTranscriber
from rehost.clients.scribe import ScribeTranscriber
from rehost.clients.voxtral import VoxtralTranscriber
from rehost.clients.whisper import WhisperTranscriber
from rehost.providers.deepgram import Deepgram
from rehost.providers.elevenlabs import ElevenLabs
from rehost.shared.audio.languages import iso639_1
from rehost.shared.audio.types import Transcript
from tests.speech_hosts import GroqAudio, MistralAudio, OpenAIAudio, tone_wav

ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(os.environ.get("REHOST_AUDIO") or ROOT.parent / "shared" / "conformance" / "audio")
FILES = sorted(p for p in FOLDER.rglob("*") if p.is_file()) if FOLDER.is_dir() else []
RESPONSES = [p for p in FILES if p.name.endswith("-response.json") or p.name.endswith(("_transcription.json",
                                                                                       "_transcription_text.json"))]


def test_audio_folder_is_there():
    assert FOLDER.is_dir(), f"no recorded audio responses at {FOLDER} (set REHOST_AUDIO)"
    assert len(RESPONSES) >= 10


def _case(path: Path) -> str:
    return path.name.removesuffix("-response.json").removesuffix("-options.json").removesuffix(".cmd")


def test_every_file_is_one_this_suite_interprets():
    """A response, or the options / input recorded beside one: anything else fails (a new file must get a test)."""
    responses = {_case(p) for p in RESPONSES}
    for path in FILES:
        if path in RESPONSES:
            continue
        assert path.name.endswith(("-options.json", ".cmd")), path
        assert _case(path) in responses, path


class Served:
    """A mock transport answering every call with one recorded body, keeping the requests it saw."""

    def __init__(self, body: bytes, content_type: str = "application/json") -> None:
        self.body, self.content_type = body, content_type
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, content=self.body, headers={"content-type": self.content_type})


def _expect_words(path: Path, data: dict[str, Any]) -> list[tuple[float, float]]:
    """(start, end) of each word as recorded, read here without the codecs."""
    host = path.parent.name
    if host == "deepgram":
        words = data["results"]["channels"][0]["alternatives"][0]["words"]
    elif host == "elevenlabs":
        words = [w for w in data["words"] if w["type"] == "word"]
    else:
        words = data.get("words") or []
    return [(float(w["start"]), float(w["end"])) for w in words]


def _check(transcript: Transcript, text: str, words: list[tuple[float, float]], language: str | None) -> None:
    assert transcript.text == text.strip()
    assert [(w.start, w.end) for w in transcript.words] == words
    assert transcript.language == language


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_recorded_response_decodes_to_the_transcript_it_holds(path: Path):
    host, raw = path.parent.name, path.read_bytes()
    audio = tone_wav(0.5)
    if host == "deepgram":
        data = json.loads(raw)
        served = Served(raw)
        case = path.with_name(path.name.removesuffix("-response.json"))
        options = json.loads(case.with_name(case.name + "-options.json").read_text()) if case.name.startswith(
            "sdk_") else {"model": "nova-3", "diarize": True, "detect_language": True}
        given = json.loads(case.with_name(case.name + ".cmd").read_text()) if case.name.startswith("sdk_") else None
        model = options.pop("model")
        diarize = bool(options.pop("diarize", False))
        ears = NovaTranscriber(Deepgram("dg-test-key", transport=httpx.MockTransport(served)), model)
        if isinstance(given, dict):
            transcript = ears.transcribe(url=given["url"], diarize=diarize, **options)
        else:
            transcript = ears.transcribe(audio, diarize=diarize, **options)
        channel = data["results"]["channels"][0]
        best = channel["alternatives"][0]
        _check(transcript, best["transcript"], _expect_words(path, data), channel.get("detected_language"))
        assert [w.text for w in transcript.words] == [w.get("punctuated_word") or w["word"] for w in best["words"]]
        assert transcript.duration == data["metadata"]["duration"]
        assert transcript.request_id == data["metadata"]["request_id"]
        if "summary" in data["results"]:
            assert transcript.extra["summary"] == data["results"]["summary"]
        if diarize:
            assert {w.speaker for w in transcript.words} == {str(w["speaker"]) for w in best["words"]}
        # the encoded request: the recorded options as the query, the body as the case's input
        sent = served.requests[0]
        assert (sent.method, sent.url.host, sent.url.path) == ("POST", "api.deepgram.com", "/v1/listen")
        query = dict(parse_qsl(urlsplit(str(sent.url)).query))
        expect = {"model": model, **{k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in options.items()}}
        if diarize:
            expect["diarize"] = "true"
        assert query == expect
        assert sent.headers["authorization"] == "Token dg-test-key"
        if isinstance(given, dict):
            assert json.loads(sent.content) == given
            assert sent.headers["content-type"] == "application/json"
        else:
            assert sent.content == audio
            assert sent.headers["content-type"] == "audio/wav"
    elif host == "openai":
        data = json.loads(raw)
        served = Served(raw)
        ears = WhisperTranscriber(OpenAIAudio("sk-test", transport=httpx.MockTransport(served)), "whisper-1")
        transcript = ears.transcribe(audio, timestamps="word")
        _check(transcript, data["text"], _expect_words(path, data), iso639_1(data["language"]))
        assert transcript.language == "en"  # recorded as "english"
        assert [w.text for w in transcript.words] == [w["word"] for w in data["words"]]
        assert transcript.duration == data["duration"]
        assert transcript.usage.audio_seconds == data["usage"]["seconds"]
        form = served.requests[0].content
        assert b'name="response_format"\r\n\r\nverbose_json' in form
        assert form.count(b'name="timestamp_granularities[]"') == 2
        assert b'filename="audio.wav"' in form
    elif host == "groq":
        envelope = json.loads(raw)  # vercel's envelope for a non-JSON reply: serve its body as text/plain
        assert envelope["status"] == 200
        served = Served(envelope["body"].encode(), envelope["headers"]["content-type"])
        ears = WhisperTranscriber(GroqAudio("gsk-test", transport=httpx.MockTransport(served)),
                                  "whisper-large-v3-turbo")
        transcript = ears.transcribe(audio, response_format="text")
        _check(transcript, envelope["body"], [], None)
        assert transcript.text == "Hello from the Versal AISDK."  # the leading space dropped, the mishearing kept
        assert b'name="model"\r\n\r\nwhisper-large-v3-turbo' in served.requests[0].content
    elif host == "mistral":
        data = json.loads(raw)
        served = Served(raw)
        ears = VoxtralTranscriber(MistralAudio("ms-test", transport=httpx.MockTransport(served)))
        transcript = ears.transcribe(audio, diarize=True)
        _check(transcript, data["text"], [], data["language"])
        assert [(s.start, s.end, s.speaker) for s in transcript.segments] == [
            (s["start"], s["end"], s["speaker_id"]) for s in data["segments"]]
        assert [s.text for s in transcript.segments] == [s["text"].strip() for s in data["segments"]]
        assert transcript.usage.audio_seconds == data["usage"]["prompt_audio_seconds"]
        assert transcript.usage.output_tokens == data["usage"]["completion_tokens"]
        assert b'name="diarize"\r\n\r\ntrue' in served.requests[0].content
    elif host == "elevenlabs":
        data = json.loads(raw)
        served = Served(raw)
        ears = ScribeTranscriber(ElevenLabs("xi-test", transport=httpx.MockTransport(served)))
        transcript = ears.transcribe(audio, diarize=True)
        _check(transcript, data["text"], _expect_words(path, data), iso639_1(data["language_code"]))
        assert transcript.language == "en"  # recorded as "eng"
        assert [w.text for w in transcript.words] == [w["text"] for w in data["words"] if w["type"] == "word"]
        assert all(w.confidence == 1.0 for w in transcript.words)  # logprob 0
        sent = served.requests[0]
        assert sent.url.path == "/v1/speech-to-text"
        assert sent.headers["xi-api-key"] == "xi-test"
        assert b'name="model_id"\r\n\r\nscribe_v1' in sent.content
    else:
        pytest.fail(f"no decoder test for audio host folder {host!r} ({path})")
