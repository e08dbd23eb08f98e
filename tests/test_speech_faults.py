"""Issue 14, the fault matrix for the speech endpoints, as tests/test_reliability.py has it for chat: every
emulator fault, once, on every kind of speech call (a whole transcription on OpenAI's shape and on Deepgram's, a
streamed transcription, streamed audio as raw bytes and as SSE events), each ending in its documented outcome (a
retry that succeeds, or the right typed error) within a bound, with no connection left open. A fault a speech
dialect has no form for (raw audio has no in-band error frame) is answered by the emulator as an error naming it,
never as an ordinary answer."""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from rehost import RetryPolicy, Timeouts
from rehost.clients.gpt_audio import GPTTranscriber
from rehost.clients.nova import NovaTranscriber
from rehost.clients.voices import ElevenLabsSpeaker, OpenAISpeaker
from rehost.clients.whisper import WhisperTranscriber
from rehost.errors import (
    AuthenticationError,
    ConnectionFailed,
    HostError,
    ProtocolError,
    RateLimited,
    RequestTimeout,
)
from rehost.shared.audio import TranscriptDone
from rehost.shared.audio.types import SpeechDone
from rehost.testing.emulator import FAULTS, Emulator
from tests.speech_hosts import OpenAIAudio, tone_wav

WAV = tone_wav(0.3)
BOUND = 20
OPENED: list[Any] = []


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh(emu: Emulator) -> Iterator[None]:
    emu.reset()
    emu.script(text="one two three four five six seven eight")
    yield
    while OPENED:
        OPENED.pop().close()
    end = time.monotonic() + 3
    while emu.open_connections and time.monotonic() < end:
        time.sleep(0.02)
    assert emu.open_connections == 0, "a test left sockets open"


@contextlib.contextmanager
def no_hang(seconds: int = BOUND) -> Iterator[None]:
    def fail(*_: object) -> None:
        raise AssertionError(f"hung for more than {seconds}s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _host(emu: Emulator, style: str, retries: int = 2) -> Any:
    options: dict[str, Any] = {"timeouts": Timeouts(read=1, stream_idle=0.5, total=10),
                               "retry": RetryPolicy(max_retries=retries, initial_delay=0.01, max_delay=0.05)}
    host = OpenAIAudio("emu-key", base_url=emu.base_url("openai"), **options) if style == "openai" else \
        emu.provider(style, **options)
    OPENED.append(host)
    return host


def transcribe_whole(emu: Emulator) -> Any:
    return WhisperTranscriber(_host(emu, "openai"), "whisper-1").transcribe(WAV).text


def deepgram_whole(emu: Emulator) -> Any:
    return NovaTranscriber(_host(emu, "deepgram")).transcribe(WAV).text


def transcribe_stream(emu: Emulator) -> Any:
    events = list(GPTTranscriber(_host(emu, "openai")).transcribe_stream(WAV))
    assert isinstance(events[-1], TranscriptDone)
    return events[-1].transcript.text


def speak_bytes(emu: Emulator) -> Any:
    events = list(ElevenLabsSpeaker(_host(emu, "elevenlabs")).speak_stream("Hello.", format="pcm16"))
    assert isinstance(events[-1], SpeechDone)
    return events[-1].speech.data


def speak_sse(emu: Emulator) -> Any:
    events = list(OpenAISpeaker(_host(emu, "openai"), "gpt-4o-mini-tts").speak_stream(
        "Hello.", format="pcm16", stream_format="sse"))
    assert isinstance(events[-1], SpeechDone)
    return events[-1].speech.data


CALLS: dict[str, Callable[[Emulator], Any]] = {
    "transcribe": transcribe_whole, "deepgram": deepgram_whole, "transcribe_stream": transcribe_stream,
    "speak_bytes": speak_bytes, "speak_sse": speak_sse,
}
WHOLE = ("transcribe", "deepgram")
NO_FORM = "no form"  # the emulator refuses the fault for this dialect (an error naming it)

# fault -> outcome per call, once; "ok" means a retry (or nothing) fixed it
ONCE: dict[str, dict[str, Any]] = {
    **{f: dict.fromkeys(CALLS, "ok") for f in ("429", "500", "502", "503", "529", "reset_before")},
    "401": dict.fromkeys(CALLS, AuthenticationError),
    "400": dict.fromkeys(CALLS, HostError),
    "reset_mid_stream": {"transcribe": "ok", "deepgram": "ok", "transcribe_stream": ConnectionFailed,
                         "speak_bytes": ConnectionFailed, "speak_sse": ConnectionFailed},
    # raw audio has no end marker: a clean early close is shorter audio, not an error (said in speak.py)
    "truncated": {"transcribe": "ok", "deepgram": "ok", "transcribe_stream": ProtocolError, "speak_bytes": "short",
                  "speak_sse": "short"},
    "malformed_chunk": {"transcribe": ProtocolError, "deepgram": ProtocolError, "transcribe_stream": ProtocolError,
                        "speak_bytes": NO_FORM, "speak_sse": ProtocolError},
    "inband_error": {"transcribe": HostError, "deepgram": HostError, "transcribe_stream": HostError,
                     "speak_bytes": NO_FORM, "speak_sse": HostError},
    "keepalive": {"transcribe": "ok", "deepgram": "ok", "transcribe_stream": "ok", "speak_bytes": NO_FORM,
                  "speak_sse": "ok"},
    "stall": {"transcribe": "ok", "deepgram": "ok", "transcribe_stream": RequestTimeout,
              "speak_bytes": RequestTimeout, "speak_sse": RequestTimeout},
    "blocked": dict.fromkeys(CALLS, NO_FORM),
    "wrong_content_type": dict.fromkeys(CALLS, ProtocolError),
    "oversize": dict.fromkeys(CALLS, ProtocolError),
}


def test_the_matrix_covers_every_fault():
    assert set(ONCE) == set(FAULTS)


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("fault", sorted(ONCE))
def test_each_fault_once_ends_in_its_outcome(emu: Emulator, fault: str, call: str):
    expected = ONCE[fault][call]
    if fault == "oversize":
        emu.script(oversize_bytes=70 * 1024 * 1024)  # past the 64 MB body cap
    # (a refusal is an HTTP 501, which a retry would try again: inject it for every try)
    emu.inject(fault, times=5 if expected == NO_FORM else 1, retry_after="0" if fault == "429" else None)
    with no_hang():
        if expected == "ok":
            assert CALLS[call](emu)
        elif expected == "short":
            assert 0 < len(CALLS[call](emu)) < len(_clean(emu, call))
        elif expected == NO_FORM:
            with pytest.raises(HostError) as caught:
                CALLS[call](emu)
            assert caught.value.status == 501  # the emulator's refusal (read by each host's own error reader)
        else:
            with pytest.raises(expected):
                CALLS[call](emu)


def _clean(emu: Emulator, call: str) -> Any:
    emu.reset()
    emu.script(text="one two three four five six seven eight")
    return CALLS[call](emu)


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_persistent_429_is_rate_limited_after_the_retries(emu: Emulator, call: str):
    emu.inject("429", times=10, retry_after="0")
    with no_hang(), pytest.raises(RateLimited):
        CALLS[call](emu)
    assert len(emu.requests) == 3  # the first try and two retries
