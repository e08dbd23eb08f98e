"""Issue 14, the speech hosts over the emulator: what each sends (multipart fields, query, JSON body, auth), what
comes back (transcripts, audio, streams), the faults every host meets (429 then success, an error body, a dropped
stream, an in-band error), and bad input refused before anything is sent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

from rehost import RetryPolicy
from rehost.clients.gpt_audio import GPTTranscriber
from rehost.clients.nova import NovaTranscriber
from rehost.clients.scribe import ScribeTranscriber
from rehost.clients.voices import ElevenLabsSpeaker, OpenAISpeaker
from rehost.clients.voxtral import VoxtralTranscriber
from rehost.clients.whisper import WhisperTranscriber
from rehost.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    HostError,
    NotFound,
    ProtocolError,
    RateLimited,
    UnsupportedFeature,
)
from rehost.providers.deepgram import Deepgram
from rehost.providers.elevenlabs import ElevenLabs
from rehost.shared.audio import Audio, SpeakRequest, TranscriptDelta, TranscriptDone
from rehost.shared.audio.types import AudioChunk
from rehost.testing.emulator import Emulator, Seen
from rehost.testing.emulator_audio import parse_form
from tests.speech_hosts import GroqAudio, MistralAudio, OpenAIAudio, tone_wav

FAST = RetryPolicy(max_retries=2, initial_delay=0.0, jitter=False)
WAV = tone_wav(0.6)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh(emu: Emulator) -> None:
    emu.reset()


def _last(emu: Emulator) -> Seen:
    return emu.requests[-1]


def _form(seen: Seen) -> dict[str, list[object]]:
    return parse_form(seen.headers["content-type"], seen.body)


def openai(emu: Emulator, **kw: object) -> OpenAIAudio:
    kw.setdefault("retry", FAST)
    return OpenAIAudio("sk-emu-secret-key", base_url=emu.base_url("openai"), **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- OpenAI


def test_openai_transcription_uploads_a_form_and_reads_words(emu: Emulator):
    emu.script(text="the rain in spain")
    ears = WhisperTranscriber(openai(emu), "whisper-1")
    transcript = ears.transcribe(WAV, language="en", prompt="Spain", timestamps="word", temperature=0)
    assert transcript.text == "the rain in spain"
    assert [w.text for w in transcript.words] == ["the", "rain", "in", "spain"]
    assert transcript.words[-1].end == pytest.approx(0.6, abs=0.01)  # spread over the uploaded WAV's length
    assert transcript.language == "en"
    assert transcript.host == "openai"
    assert transcript.model == "whisper-1"
    seen = _last(emu)
    assert seen.path == "/openai/v1/audio/transcriptions"
    assert seen.headers["authorization"] == "Bearer sk-emu-secret-key"
    form = _form(seen)
    assert form["model"] == ["whisper-1"]
    assert form["language"] == ["en"]
    assert form["prompt"] == ["Spain"]
    assert form["response_format"] == ["verbose_json"]
    assert form["timestamp_granularities[]"] == ["word", "segment"]
    assert form["file"] == [("audio.wav", WAV)]


def test_openai_plain_json_has_no_timings_and_gpt_models_refuse_them(emu: Emulator):
    host = openai(emu)
    transcript = GPTTranscriber(host, "gpt-4o-mini-transcribe").transcribe(WAV)
    assert transcript.text == "hello from the emulator"
    assert transcript.words == ()
    assert _form(_last(emu))["response_format"] == ["json"]
    before = len(emu.requests)
    with pytest.raises(UnsupportedFeature, match="word timings"):
        GPTTranscriber(host, "gpt-4o-transcribe").transcribe(WAV, timestamps="word")
    assert len(emu.requests) == before


def test_openai_streamed_transcript_deltas_then_done(emu: Emulator):
    emu.script(text="one two three")
    events = list(GPTTranscriber(openai(emu)).transcribe_stream(WAV))
    assert [e.text for e in events if isinstance(e, TranscriptDelta)] == ["one", " two", " three"]
    done = events[-1]
    assert isinstance(done, TranscriptDone)
    assert done.transcript.text == "one two three"
    assert done.transcript.usage.output_tokens == 3
    assert _form(_last(emu))["stream"] == ["true"]

    async def go() -> list[object]:
        return [e async for e in GPTTranscriber(openai(emu)).atranscribe_stream(WAV)]

    assert isinstance(asyncio.run(go())[-1], TranscriptDone)


def test_openai_speech_streams_bytes_and_sse(emu: Emulator):
    voice = OpenAISpeaker(openai(emu), "gpt-4o-mini-tts")
    events = list(voice.speak_stream("Hello there, world.", voice="coral", format="pcm16", instructions="warmly"))
    chunks = [e for e in events if isinstance(e, AudioChunk)]
    assert len(chunks) >= 2
    speech = events[-1].speech  # type: ignore[union-attr]
    assert speech.data == b"".join(c.data for c in chunks)
    assert speech.sample_rate == 24000
    assert speech.duration == pytest.approx(len(speech.data) / 48000)
    assert speech.time_to_first_byte is not None
    assert speech.characters == len("Hello there, world.")
    body = _last(emu).json()
    assert body == {"model": "gpt-4o-mini-tts", "input": "Hello there, world.", "voice": "coral",
                    "response_format": "pcm", "instructions": "warmly"}
    sse = voice.speak("Hi.", format="mp3", stream_format="sse")
    assert _last(emu).json()["stream_format"] == "sse"
    assert sse.data.startswith(b"ID3")


def test_openai_speech_refuses_bad_input_before_sending(emu: Emulator):
    voice = OpenAISpeaker(openai(emu), "tts-1")
    with pytest.raises(ConfigurationError, match="no voice 'marin'"):
        voice.speak("Hi.", voice="marin")  # a gpt-4o-mini-tts voice, not tts-1's
    with pytest.raises(UnsupportedFeature, match="instructions"):
        voice.speak("Hi.", instructions="whisper")
    with pytest.raises(ConfigurationError, match="4,096 characters"):
        voice.speak("word " * 1000)
    with pytest.raises(ConfigurationError, match="speed"):
        voice.speak("Hi.", speed=9)
    with pytest.raises(UnsupportedFeature, match="ulaw"):
        voice.speak("Hi.", format="ulaw")
    assert emu.requests == []


def test_a_text_over_the_limit_is_split_at_sentences_when_asked(emu: Emulator):
    voice = OpenAISpeaker(openai(emu), "tts-1")
    text = " ".join(f"Sentence number {i} is here." for i in range(200))  # ~5,400 characters
    speech = voice.speak(text, format="pcm16", split=True)
    sent = [s.json()["input"] for s in emu.requests]
    assert len(sent) == 2
    assert all(len(t) <= 4096 for t in sent)
    assert " ".join(sent) == text
    assert all(t.endswith(".") for t in sent)
    assert speech.characters == len(text)


def test_429_is_retried_and_an_error_body_is_typed_without_the_key(emu: Emulator):
    ears = WhisperTranscriber(openai(emu), "whisper-1")
    emu.inject("429", retry_after="0")
    assert ears.transcribe(WAV).text == "hello from the emulator"
    assert len(emu.requests) == 2
    emu.inject("401", times=5)
    with pytest.raises(AuthenticationError) as caught:
        ears.transcribe(WAV)
    assert "sk-emu-secret-key" not in str(caught.value)
    emu.reset()  # (the 401s not used: a 401 is not retried)
    emu.inject("429", times=5, retry_after="0")
    with pytest.raises(RateLimited):
        ears.transcribe(WAV)


def test_stream_faults_dropped_socket_and_in_band_error(emu: Emulator):
    voice = OpenAISpeaker(openai(emu, retry=RetryPolicy(max_retries=0)))
    emu.script(text="a b c d e f g h")
    emu.inject("reset_mid_stream")
    with pytest.raises((ConnectionFailed, ProtocolError)):
        list(voice.speak_stream("Hello.", format="pcm16"))
    emu.inject("inband_error")
    with pytest.raises(HostError, match="in-band"):
        list(GPTTranscriber(openai(emu)).transcribe_stream(WAV))
    emu.inject("truncated")
    with pytest.raises(ProtocolError, match=r"transcript\.text\.done"):
        list(GPTTranscriber(openai(emu)).transcribe_stream(WAV))


# ---------------------------------------------------------------------------------------------- Groq, Mistral


def test_groq_takes_a_url_and_refuses_srt_before_sending(emu: Emulator):
    host = GroqAudio("gsk-emu", base_url=emu.base_url("groq"), retry=FAST)
    ears = WhisperTranscriber(host, "whisper-large-v3-turbo")
    assert ears.transcribe(url="https://example.com/talk.mp3").text == "hello from the emulator"
    form = _form(_last(emu))
    assert form["url"] == ["https://example.com/talk.mp3"]
    assert "file" not in form
    count = len(emu.requests)
    with pytest.raises(UnsupportedFeature, match="srt"):
        ears.transcribe(WAV, response_format="srt")
    with pytest.raises(UnsupportedFeature, match="stream"):
        list(ears.transcribe_stream(WAV))
    assert len(emu.requests) == count
    with pytest.raises(UnsupportedFeature, match="URL"):
        WhisperTranscriber(openai(emu), "whisper-1").transcribe(url="https://example.com/a.mp3")


def test_mistral_voxtral_segments_stream_and_speech(emu: Emulator):
    host = MistralAudio("ms-emu", base_url=emu.base_url("mistral"), retry=FAST)
    ears = VoxtralTranscriber(host)
    transcript = ears.transcribe(WAV, context_bias=["Voxtral"], diarize=True)
    assert transcript.segments[0].text == "hello from the emulator"
    assert transcript.usage.audio_seconds == 1
    form = _form(_last(emu))
    assert form["context_bias[]"] == ["Voxtral"]
    assert form["diarize"] == ["true"]
    events = list(ears.transcribe_stream(WAV))
    assert "".join(e.text for e in events if isinstance(e, TranscriptDelta)) == "hello from the emulator"
    assert events[-1].transcript.language == "en"  # type: ignore[union-attr]
    speech = host.endpoint("speak").speak(
        SpeakRequest(model="voxtral-mini-tts-latest", text="Hi.", voice="v1", format="pcm16", options={"stream": True},
                     host_model_id="voxtral-mini-tts-latest"))
    assert _last(emu).json() == {"model": "voxtral-mini-tts-latest", "input": "Hi.", "voice_id": "v1",
                                 "response_format": "pcm", "stream": True}
    assert len(speech.data) > 0  # decoded from the events' audio_data


# ---------------------------------------------------------------------------------------------- Deepgram


def test_deepgram_sends_raw_audio_with_query_options(emu: Emulator):
    host = emu.provider("deepgram", retry=FAST)
    assert isinstance(host, Deepgram)
    ears = NovaTranscriber(host)
    transcript = ears.transcribe(WAV, language="en", diarize=True, smart_format=True, keyterm=["rehost", "Nova"])
    seen = _last(emu)
    assert seen.path.startswith("/deepgram/v1/listen?")
    assert parse_qsl(urlsplit(seen.path).query) == [("model", "nova-3"), ("language", "en"), ("diarize", "true"),
                                                    ("smart_format", "true"), ("keyterm", "rehost"),
                                                    ("keyterm", "Nova")]
    assert seen.body == WAV
    assert seen.headers["content-type"] == "audio/wav"
    assert seen.headers["authorization"] == "Token emulator-key"
    assert transcript.text == "hello from the emulator"
    assert len(transcript.words) == 4
    assert transcript.words[0].speaker == "0"
    assert transcript.request_id == "emu-dg-req"
    assert transcript.duration == pytest.approx(0.6)


def test_deepgram_raw_pcm_names_its_encoding_and_rate(emu: Emulator):
    pcm = Audio.from_bytes(b"\x00\x00" * 8000, "pcm16", sample_rate=8000)
    NovaTranscriber(emu.provider("deepgram")).transcribe(pcm)
    query = dict(parse_qsl(urlsplit(_last(emu).path).query))
    assert query["encoding"] == "linear16"
    assert query["sample_rate"] == "8000"
    assert query["channels"] == "1"


def test_deepgram_errors_read_both_shapes_and_refuse_prompts(emu: Emulator):
    host = emu.provider("deepgram", retry=RetryPolicy(max_retries=0))
    emu.inject("429", retry_after="3")
    with pytest.raises(RateLimited) as caught:
        NovaTranscriber(host).transcribe(WAV)
    assert caught.value.code == "RATE_LIMIT"
    assert caught.value.retry_after == 3
    assert caught.value.request_id == "emu-dg-req"
    err = host.error_from_body(400, {}, {"category": "INVALID_JSON", "message": "Invalid JSON submitted.",
                                         "request_id": "r1"})
    assert err.code == "INVALID_JSON"
    assert "Invalid JSON submitted." in str(err)
    assert err.request_id == "r1"
    with pytest.raises(UnsupportedFeature, match="prompt"):
        NovaTranscriber(host).transcribe(WAV, prompt="hello")
    with pytest.raises(UnsupportedFeature, match="no option"):
        NovaTranscriber(host).transcribe(WAV, colour="blue")


# ---------------------------------------------------------------------------------------------- ElevenLabs


def test_elevenlabs_speech_output_format_and_latency_only_when_asked(emu: Emulator):
    host = emu.provider("elevenlabs", retry=FAST)
    assert isinstance(host, ElevenLabs)
    voice = ElevenLabsSpeaker(host)
    speech = voice.speak("Hello.", format="pcm16", sample_rate=16000, speed=1.1)
    seen = _last(emu)
    assert seen.path == "/elevenlabs/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/stream?output_format=pcm_16000"
    assert seen.headers["xi-api-key"] == "emulator-key"
    assert "authorization" not in seen.headers
    assert seen.json() == {"text": "Hello.", "model_id": "eleven_flash_v2_5", "voice_settings": {"speed": 1.1}}
    assert speech.sample_rate == 16000
    assert speech.format == "pcm16"
    voice.speak("Hello.", latency=3)
    query = dict(parse_qsl(urlsplit(_last(emu).path).query))
    assert query == {"output_format": "mp3_44100_128", "optimize_streaming_latency": "3"}
    with pytest.raises(ConfigurationError, match="0 to 4"):
        voice.speak("Hello.", latency=5)
    with pytest.raises(ConfigurationError, match="22050, 24000, 44100"):
        voice.speak("Hello.", format="mp3", sample_rate=16000)


def test_elevenlabs_errors_by_status_word_and_scribe(emu: Emulator):
    host = emu.provider("elevenlabs", retry=RetryPolicy(max_retries=0))
    err = host.error_from_body(400, {}, {"detail": {"status": "voice_not_found", "message": "no such voice"}})
    assert isinstance(err, NotFound)
    assert err.code == "voice_not_found"
    err = host.error_from_body(422, {}, {"detail": [{"loc": ["body", "text"], "msg": "field required"}]})
    assert "body.text: field required" in str(err)
    emu.inject("429")
    with pytest.raises(RateLimited) as caught:
        ElevenLabsSpeaker(host).speak("Hi.")
    assert caught.value.code == "too_many_concurrent_requests"
    transcript = ScribeTranscriber(host).transcribe(WAV, diarize=True, num_speakers=2)
    assert [w.text for w in transcript.words] == ["hello", "from", "the", "emulator"]
    assert transcript.language == "en"
    assert transcript.words[0].speaker == "speaker_0"
    form = _form(_last(emu))
    assert form["model_id"] == ["scribe_v1"]
    assert form["num_speakers"] == ["2"]
    assert form["diarize"] == ["true"]


# ---------------------------------------------------------------------------------------------- any host


@pytest.mark.parametrize(("audio", "words"), [(b"", "empty"), (b"\x00\x01\x02junk", "cannot tell the format"),
                                          (b"RIFF\x24\x00\x00\x00WAVEfmt ", "not a readable WAV")])
def test_bad_audio_is_refused_before_any_host_is_called(emu: Emulator, audio: bytes, words: str):
    for ears in (WhisperTranscriber(openai(emu), "whisper-1"), NovaTranscriber(emu.provider("deepgram")),
                 ScribeTranscriber(emu.provider("elevenlabs"))):
        with pytest.raises(ConfigurationError, match=words):
            ears.transcribe(audio)
    assert emu.requests == []


def test_a_format_the_host_cannot_take_and_an_oversize_file(emu: Emulator):
    ulaw = Audio.from_bytes(b"\xff" * 800, "ulaw")
    with pytest.raises(UnsupportedFeature, match="does not take ulaw"):
        WhisperTranscriber(openai(emu), "whisper-1").transcribe(ulaw)
    NovaTranscriber(emu.provider("deepgram")).transcribe(ulaw)  # Deepgram takes it (encoding=mulaw)
    assert dict(parse_qsl(urlsplit(_last(emu).path).query))["encoding"] == "mulaw"
    big = Audio(b"ID3" + b"\x00" * (26 * 1024 * 1024), "mp3")
    count = len(emu.requests)
    with pytest.raises(ConfigurationError, match="takes files up to"):
        WhisperTranscriber(openai(emu), "whisper-1").transcribe(big)
    assert len(emu.requests) == count


def test_a_wav_over_the_hosts_cap_is_split_and_stitched(emu: Emulator):
    from rehost.providers.openai_audio import OpenAITranscribe

    class Tiny(OpenAITranscribe):
        max_upload_bytes = 40_000  # about 1.2 s of 16 kHz PCM16

    class TinyOpenAI(OpenAIAudio):
        transcribe_endpoint = Tiny

    emu.script(text="one two")
    host = TinyOpenAI("sk-emu", base_url=emu.base_url("openai"))
    transcript = WhisperTranscriber(host, "whisper-1").transcribe(tone_wav(3.0), timestamps="word")
    assert len(emu.requests) >= 3
    assert transcript.extra["pieces"] == len(emu.requests)
    assert all(len(s.body) < 41_000 for s in emu.requests)
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    assert transcript.words[-1].end == pytest.approx(3.0, abs=0.05)
    assert transcript.duration == pytest.approx(3.0, abs=0.05)
    prompts = [_form(s).get("prompt") for s in emu.requests]
    assert prompts[0] is None
    assert prompts[1] == ["one two"]


def test_groq_playai_speech_names_mulaw_and_a_sample_rate(emu: Emulator):
    from rehost.clients.voices import PlayAISpeaker
    from rehost.providers.groq_audio import GroqSpeak

    class GroqSpeech(GroqAudio):
        speak_endpoint = GroqSpeak

    host = GroqSpeech("gsk-emu", base_url=emu.base_url("groq"))
    PlayAISpeaker(host).speak("Hello.", format="ulaw", sample_rate=8000)
    assert _last(emu).path == "/groq/openai/v1/audio/speech"
    assert _last(emu).json() == {"model": "playai-tts", "input": "Hello.", "voice": "Fritz-PlayAI",
                                 "response_format": "mulaw", "sample_rate": 8000}
    count = len(emu.requests)
    with pytest.raises(ConfigurationError, match="8000 to 48000"):
        PlayAISpeaker(host).speak("Hello.", sample_rate=96000)
    with pytest.raises(UnsupportedFeature, match="pcm16"):
        PlayAISpeaker(host).speak("Hello.", format="pcm16")
    assert len(emu.requests) == count
