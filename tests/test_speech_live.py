"""Issue 14, live transcription: Deepgram's ``/v1/listen`` websocket against a real websocket server on loopback
(``rehost.testing.emulator_live``): interim words, finals, ends of utterance, the whole transcript at the close;
KeepAlive sent while no audio goes out (and the socket closed by the host when it is not), Finalize and
CloseStream; a dropped socket, an error close frame and a refused handshake as typed errors."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from rehost.clients.nova import NovaTranscriber
from rehost.clients.voices import ElevenLabsSpeaker
from rehost.clients.voxtral import VoxtralTranscriber
from rehost.clients.whisper import WhisperTranscriber
from rehost.errors import (
    ConfigurationError,
    ConnectionFailed,
    HostError,
    PaymentRequired,
    RateLimited,
    SessionClosed,
    UnsupportedFeature,
)
from rehost.providers.deepgram import Deepgram
from rehost.providers.elevenlabs import ElevenLabs
from rehost.shared.audio import FinalTranscript, PartialTranscript, TranscriptDelta, TranscriptDone, UtteranceEnd
from rehost.shared.audio.types import AudioChunk, SpeechDone
from rehost.testing.emulator_live import LiveEmulator

CHUNK = b"\x00\x00" * 1600  # 100 ms of 16 kHz PCM16


def ears(live: LiveEmulator) -> NovaTranscriber:
    return NovaTranscriber(Deepgram("dg-live-key", base_url=live.base_url))


def test_interim_words_finals_and_the_whole_transcript():
    with LiveEmulator(text="the quick brown fox jumps over", words_per_utterance=3) as live:
        events = list(ears(live).transcribe_live([CHUNK] * 6, language="en", smart_format=True))
    partials = [e for e in events if isinstance(e, PartialTranscript)]
    finals = [e for e in events if isinstance(e, FinalTranscript)]
    assert [p.text for p in partials] == ["the", "the quick", "fox", "fox jumps"]
    assert [f.text for f in finals] == ["the quick brown", "fox jumps over"]
    assert all(f.speech_final for f in finals)
    assert sum(isinstance(e, UtteranceEnd) for e in events) == 2
    done = events[-1]
    assert isinstance(done, TranscriptDone)
    assert done.transcript.text == "the quick brown fox jumps over"
    assert [w.start for w in done.transcript.words] == [0.0, 0.3, 0.6, 0.9, 1.2, 1.5]
    assert done.transcript.request_id == "emu-live-req"
    assert done.transcript.duration == pytest.approx(1.8)
    assert done.transcript.host == "deepgram"
    query = live.queries[0]
    assert query == {"model": "nova-3", "language": "en", "smart_format": "true", "encoding": "linear16",
                     "sample_rate": "16000", "channels": "1", "interim_results": "true"}
    assert live.headers[0]["authorization"] == "Token dg-live-key"
    assert live.seen[-1] == "CloseStream"
    assert live.seen.count(("audio", len(CHUNK))) == 6


def test_keepalive_is_sent_while_no_audio_goes_out():
    async def slow() -> AsyncIterator[bytes]:
        yield CHUNK
        await asyncio.sleep(1.0)  # a pause longer than the host's silence limit
        yield CHUNK

    async def go(keepalive: float | None) -> list[object]:
        return [e async for e in ears(live).atranscribe_live(slow(), keepalive=keepalive)]

    with LiveEmulator(text="one two", idle_close=0.5) as live:
        events = asyncio.run(go(0.2))
        assert isinstance(events[-1], TranscriptDone)
        assert events[-1].transcript.text == "one two"
        assert "KeepAlive" in live.seen
    with LiveEmulator(text="one two", idle_close=0.5) as live, pytest.raises(SessionClosed) as caught:
        asyncio.run(go(None))  # no KeepAlive: the host closes the socket, as Deepgram does after 10 s
    assert caught.value.close_code == 1011
    assert "NET-0001" in caught.value.close_reason


def test_finalize_flushes_before_closing():
    with LiveEmulator(text="alpha beta", words_per_utterance=5) as live:
        events = list(ears(live).transcribe_live([CHUNK, CHUNK], finalize=True, interim=False))
    assert live.seen[-2:] == ["Finalize", "CloseStream"]
    assert live.queries[0]["interim_results"] == "false"
    assert [e.text for e in events if isinstance(e, FinalTranscript)] == ["alpha beta"]


@pytest.mark.parametrize(("fault", "code"), [("drop", 1006), ("error_frame", 1008)])
def test_a_dropped_socket_and_an_error_frame_are_session_closed(fault: str, code: int):
    with LiveEmulator(fault=fault, fault_after=2) as live:
        got: list[object] = []
        with pytest.raises(SessionClosed) as caught:
            for event in ears(live).transcribe_live([CHUNK] * 10):
                got.append(event)
    assert caught.value.close_code == code
    assert got  # the events before the fault arrived
    if fault == "error_frame":
        assert "DATA-0000" in caught.value.close_reason


def test_a_refused_handshake_is_its_http_error_and_the_key_stays_out():
    with LiveEmulator(fault="429") as live, pytest.raises(RateLimited) as caught:
        list(ears(live).transcribe_live([CHUNK]))
    assert caught.value.status == 429
    assert "dg-live-key" not in str(caught.value)


def test_live_input_is_checked_before_connecting():
    with LiveEmulator() as live:
        with pytest.raises(UnsupportedFeature, match="live"):
            list(WhisperTranscriber(live_whisper_host(), "whisper-1").transcribe_live([CHUNK]))
        with pytest.raises(ConfigurationError, match="sample_rate"):
            list(ears(live).transcribe_live([CHUNK], sample_rate=None))
        assert live.queries == []


def live_whisper_host() -> object:
    from tests.speech_hosts import OpenAIAudio

    return OpenAIAudio("k")


def test_leaving_a_sync_live_loop_early_closes_the_session():
    def endless() -> Iterator[bytes]:
        while True:
            yield CHUNK
            time.sleep(0.01)

    with LiveEmulator(text=" ".join(["w"] * 50)) as live:
        t0 = time.monotonic()
        for event in ears(live).transcribe_live(endless()):
            if isinstance(event, PartialTranscript):
                break
        assert time.monotonic() - t0 < 5


# ---------------------------------------------------------------------------------------------- ElevenLabs stream-input


def eleven(live: LiveEmulator) -> ElevenLabsSpeaker:
    return ElevenLabsSpeaker(ElevenLabs("xi-live-key", base_url=live.base_url))


def test_text_in_pieces_goes_over_one_socket_and_audio_comes_back_aligned():
    async def pieces() -> AsyncIterator[str]:
        for piece in ("Hello ", "there", " world."):
            yield piece
            await asyncio.sleep(0.01)

    async def go() -> list[object]:
        return [e async for e in eleven(live).aspeak_stream(pieces(), format="pcm16", sample_rate=16000, speed=1.1)]

    with LiveEmulator() as live:
        events = asyncio.run(go())
    chunks = [e for e in events if isinstance(e, AudioChunk)]
    assert len(chunks) == 3
    assert all(c.sample_rate == 16000 and c.format == "pcm16" for c in chunks)
    assert [c for c, _s, _d in chunks[1].alignment] == list("there ")  # each piece ends with a space
    assert chunks[0].alignment[1] == ("e", 0.05, 0.05)  # both key spellings read (frames alternate them)
    assert chunks[1].alignment[1] == ("h", 0.05, 0.05)
    done = events[-1]
    assert isinstance(done, SpeechDone)
    assert done.speech.data == b"".join(c.data for c in chunks)
    assert done.speech.characters == len("Hello there world.")
    assert done.speech.time_to_first_byte is not None
    assert [t for kind, t in live.seen] == [" ", "Hello ", "there ", " world. ", ""]
    assert live.queries[0] == {"model_id": "eleven_flash_v2_5", "output_format": "pcm_16000"}
    assert live.headers[0]["xi-api-key"] == "xi-live-key"
    assert "/text-to-speech/21m00Tcm4TlvDq8ikWAM/stream-input" in live.paths[0]


def test_sync_pieces_and_faults_on_the_text_socket():
    with LiveEmulator() as live:
        events = list(eleven(live).speak_stream(iter(["One. ", "Two."]), format="pcm16"))
        assert isinstance(events[-1], SpeechDone)
        assert live.seen[0] == ("text", " ")
    with LiveEmulator(fault="error_frame", fault_after=1) as live, pytest.raises(PaymentRequired):
        list(eleven(live).speak_stream(iter(["One. ", "Two. ", "Three."]), format="pcm16"))
    with LiveEmulator(fault="drop", fault_after=1) as live, pytest.raises(SessionClosed) as caught:
        list(eleven(live).speak_stream(iter(["One. ", "Two. ", "Three."]), format="pcm16"))
    assert caught.value.close_code == 1006
    with LiveEmulator(fault="429") as live, pytest.raises(RateLimited):
        list(eleven(live).speak_stream(iter(["One."])))
    with LiveEmulator() as live:  # live=False: one HTTP call per piece instead (here refused: no HTTP server)
        with pytest.raises(ConnectionFailed):
            list(eleven(live).speak_stream(iter(["One."]), live=False))
        assert live.queries == []


# ---------------------------------------------------------------------------------------------- Mistral realtime


def voxtral(live: LiveEmulator) -> VoxtralTranscriber:
    from tests.speech_hosts import MistralAudio

    return VoxtralTranscriber(MistralAudio("ms-live-key", base_url=live.base_url),
                              "voxtral-mini-transcribe-realtime-2602")


def test_voxtral_realtime_deltas_and_done():
    with LiveEmulator(text="bonjour tout le monde") as live:
        events = list(voxtral(live).transcribe_live([CHUNK] * 4, target_streaming_delay_ms=240))
    assert [e.text for e in events if isinstance(e, TranscriptDelta)] == ["bonjour", " tout", " le", " monde"]
    done = events[-1]
    assert isinstance(done, TranscriptDone)
    assert done.transcript.text == "bonjour tout le monde"
    assert done.transcript.language == "en"
    assert done.transcript.segments[0].end == pytest.approx(1.2)
    assert live.queries[0] == {"model": "voxtral-mini-transcribe-realtime-2602"}
    assert live.headers[0]["authorization"] == "Bearer ms-live-key"
    assert live.seen[0] == "session.update"
    assert live.seen[-1] == "input_audio.end"


def test_voxtral_realtime_faults_and_checks():
    with LiveEmulator(fault="error_frame", fault_after=1) as live, pytest.raises(HostError, match="bad audio"):
        list(voxtral(live).transcribe_live([CHUNK] * 4))
    with LiveEmulator(fault="drop", fault_after=1) as live, pytest.raises(SessionClosed):
        list(voxtral(live).transcribe_live([CHUNK] * 4))
    with LiveEmulator() as live:
        with pytest.raises(UnsupportedFeature, match="speakers"):
            list(voxtral(live).transcribe_live([CHUNK], diarize=True))
        with pytest.raises(UnsupportedFeature, match="only live"):
            VoxtralTranscriber(voxtral(live).provider).transcribe(b"\x00\x00" * 100, format="pcm16",
                                                                  sample_rate=16000)
        assert live.queries == []


def test_deepgram_flux_turns_on_v2_listen():
    with LiveEmulator(text="is anyone there hello", words_per_utterance=3) as live:
        ears_flux = NovaTranscriber(Deepgram("dg-live-key", base_url=live.base_url), "flux-general-en")
        events = list(ears_flux.transcribe_live([CHUNK] * 4, eot_threshold=0.8))
    assert live.paths[0] == "/v2/listen"
    assert live.queries[0] == {"model": "flux-general-en", "encoding": "linear16", "sample_rate": "16000",
                               "eot_threshold": "0.8"}
    assert [e.text for e in events if isinstance(e, FinalTranscript)] == ["is anyone there", "hello"]
    assert [e.text for e in events if isinstance(e, PartialTranscript)][:3] == ["is", "is anyone", "is anyone there"]
    assert sum(isinstance(e, UtteranceEnd) for e in events) == 2
    done = events[-1]
    assert isinstance(done, TranscriptDone)
    assert done.transcript.text == "is anyone there hello"
    assert live.seen[-1] == "CloseStream"
    assert "KeepAlive" not in live.seen  # Flux takes only CloseStream
    with LiveEmulator(fault="error_frame", fault_after=1) as live, pytest.raises(HostError, match="emulated Flux"):
        list(NovaTranscriber(Deepgram("k", base_url=live.base_url), "flux-general-en").transcribe_live([CHUNK] * 3))
