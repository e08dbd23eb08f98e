"""The cascade realtime session (rehost/cascade) on scripted parts: a transcriber, a chat client and a voice
that answer at once, so the session's own behaviour is what is tested: the events of a host's session in the
order a host sends them, sentences spoken before the answer is whole, barge-in keeping only what was heard, tool
calls continued by their results, history and instructions across turns, usage and cost summed from the parts,
manual turns, text output, bad input refused, and no task left behind."""

from __future__ import annotations

import asyncio
import json
import math
from array import array
from decimal import Decimal
from typing import Any

import pytest

from rehost.cascade import Cascade, CascadeSession, SentenceSplitter
from rehost.clients.realtime import RealtimeClient
from rehost.errors import ConfigurationError, SessionClosed, UnsupportedFeature
from rehost.shared.audio.types import AudioChunk, Speech, SpeechDone, Transcript
from rehost.shared.audio.vad import EnergyVAD
from rehost.shared.chat.completion import Completion, Usage
from rehost.shared.chat.events import Done, TextDelta
from rehost.shared.chat.messages import Message, TextPart, ToolCall
from rehost.shared.pricing import Cost
from rehost.shared.realtime import (
    AudioOut,
    Closed,
    InputCommitted,
    InputTranscript,
    OutputTranscriptDelta,
    RealtimeError,
    ResponseDone,
    ResponseStarted,
    SessionConfig,
    SessionStarted,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    TextOut,
    ToolCallRequest,
    TurnDetection,
)
from rehost.shared.realtime.config import as_tools

IN_RATE = 16000
VOICE_RATE = 22050
MS_PER_CHAR = 20  # the scripted voice speaks 20 ms of audio a character


def cost(x: str) -> Cost:
    return Cost(total=Decimal(x), source="test")


def tone(ms: int, rate: int = IN_RATE) -> bytes:
    n = rate * ms // 1000
    return array("h", (int(9000 * math.sin(2 * math.pi * 200 * i / rate)) for i in range(n))).tobytes()


def quiet(ms: int, rate: int = IN_RATE) -> bytes:
    return b"\0\0" * (rate * ms // 1000)


class Ears:
    """Hears each utterance as the next scripted line."""

    model = "ears-1"

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        self.heard: list[Any] = []

    async def atranscribe(self, audio: Any, **options: Any) -> Transcript:
        self.heard.append((audio, options))
        return Transcript(self.lines.pop(0), cost=cost("0.001"))


class Brain:
    """Answers with scripted completions, text in the pieces given; records the messages it was sent. ``gate``
    (an Event) holds the stream after its first piece until the test sets it."""

    model = "brain-1"

    def __init__(self, *answers: Any, gate: asyncio.Event | None = None, fail: bool = False) -> None:
        self.answers = list(answers)
        self.seen: list[tuple[list[Message], dict[str, Any]]] = []
        self.gate = gate
        self.fail = fail
        self.closed = 0

    def astream(self, messages: Any, **options: Any) -> Any:
        self.seen.append((list(messages), options))
        answer = self.answers.pop(0)
        brain = self
        gate, self.gate = self.gate, None  # only the first answer is held

        async def events() -> Any:
            try:
                if brain.fail:
                    raise RuntimeError("the chat host is down")
                pieces, calls = (answer, ()) if isinstance(answer, list) else answer
                for i, piece in enumerate(pieces):
                    yield TextDelta(piece)
                    if i == 0 and gate is not None:
                        await gate.wait()
                    await asyncio.sleep(0)
                parts = ([TextPart(text="".join(pieces))] if pieces else []) + list(calls)
                yield Done(Completion(parts=tuple(parts), usage=Usage(input_tokens=10, output_tokens=5),
                                      cost=cost("0.002")))
            finally:
                brain.closed += 1

        return events()


class Mouth:
    """Speaks MS_PER_CHAR of a tone per character, in one chunk per sentence, at 22050 Hz."""

    model = "mouth-1"

    def __init__(self) -> None:
        self.said: list[tuple[str, dict[str, Any]]] = []
        self.closed = 0

    def request(self, text: str, **options: Any) -> None:
        if options.get("voice") == "nobody":
            raise ConfigurationError("mouth-1 has no voice 'nobody'")

    async def aspeak_stream(self, text: str, **options: Any) -> Any:
        self.said.append((text, options))
        try:
            pcm = tone(len(text) * MS_PER_CHAR, VOICE_RATE)
            half = len(pcm) // 2 - (len(pcm) // 2) % 2
            yield AudioChunk(pcm[:half], "pcm16", VOICE_RATE)
            await asyncio.sleep(0)
            yield AudioChunk(pcm[half:], "pcm16", VOICE_RATE)
            yield SpeechDone(Speech(pcm, "pcm16", VOICE_RATE, cost=cost("0.0001")))
        finally:
            self.closed += 1


def config(**kw: Any) -> SessionConfig:
    kw.setdefault("model", "cascade")
    kw.setdefault("input_format", "pcm16/16000")
    from rehost.shared.realtime import AudioFormat

    if isinstance(kw["input_format"], str):
        kw["input_format"] = AudioFormat.of(kw["input_format"], AudioFormat())
    return SessionConfig(**kw)


async def until(session: CascadeSession, kind: type, events: list[Any]) -> Any:
    async for event in session:
        events.append(event)
        if isinstance(event, kind):
            return event
    raise AssertionError(f"the session ended before a {kind.__name__}")


async def say(session: CascadeSession, audio: bytes, chunk_ms: int = 20) -> None:
    step = IN_RATE * 2 * chunk_ms // 1000
    for i in range(0, len(audio), step):
        await session.send_audio(audio[i:i + step])


UTTERANCE = quiet(200) + tone(600) + quiet(700)


async def test_a_spoken_turn_yields_a_host_sessions_events_in_order():
    ears, brain, mouth = Ears("what is the capital of france"), Brain(["Paris is. ", "It is in France."]), Mouth()
    cascade = Cascade(ears, brain, mouth)
    session = await cascade.connect(config(instructions="Be brief.", voice="joe"))
    events: list[Any] = []
    await say(session, UTTERANCE)
    done = await until(session, ResponseDone, events)
    await session.close()
    kinds = [type(e) for e in events if not isinstance(e, AudioOut)]
    assert kinds == [SessionStarted, SpeechStarted, SpeechStopped, InputCommitted, InputTranscript, ResponseStarted,
                     OutputTranscriptDelta, OutputTranscriptDelta, ResponseDone]
    assert events[0].model == "cascade"
    assert events[1].item_id == events[2].item_id == events[3].item_id == events[4].item_id
    assert events[4].text == "what is the capital of france"
    audio = [e for e in events if isinstance(e, AudioOut)]
    assert {(e.sample_rate, e.encoding) for e in audio} == {(24000, "pcm16")}  # 22050 Hz resampled to 24 kHz
    spoken_ms = sum(e.duration_ms for e in audio)
    assert spoken_ms == pytest.approx(len("Paris is.It is in France.") * MS_PER_CHAR, abs=2)
    deltas = [e.text for e in events if isinstance(e, OutputTranscriptDelta)]
    assert done.status == "completed"
    assert done.transcript == "".join(deltas) == "Paris is. It is in France."
    assert done.text == ""
    assert done.usage.input_tokens == 10
    assert done.usage.output_tokens == 5
    # priced parts: the transcription of the turn, the chat answer, and one speech call per sentence
    assert done.cost == pytest.approx(0.001 + 0.002 + 2 * 0.0001)
    assert [s for s, _ in mouth.said] == ["Paris is.", "It is in France."]
    assert mouth.said[0][1] == {"format": "pcm16", "voice": "joe"}
    messages, _ = brain.seen[0]
    assert [m.role for m in messages] == ["system", "user"]
    assert messages[0].text == "Be brief."
    clip = ears.heard[0][0]
    assert clip.format == "wav"
    assert clip.sample_rate == IN_RATE
    assert 0.9 <= clip.duration <= 1.5  # padding + the tone + the hangover


async def test_history_and_text_turns_carry_across_turns():
    brain = Brain(["First answer."], ["Second answer."])
    seeded = (Message.user("earlier"), Message.assistant("noted"))
    session = await Cascade(Ears(), brain, Mouth()).connect(config(instructions="Sys.", history=seeded))
    events: list[Any] = []
    await session.send_text("one", respond=True)
    await until(session, ResponseDone, events)
    await session.send_text("two")
    await session.respond(instructions="Now in French.")
    await until(session, ResponseDone, events)
    await session.close()
    messages, _ = brain.seen[1]
    assert [(m.role, m.text) for m in messages] == [("system", "Sys.\n\nNow in French."), ("user", "earlier"),
                                                    ("assistant", "noted"), ("user", "one"),
                                                    ("assistant", "First answer."), ("user", "two")]


async def test_the_first_sentence_is_spoken_before_the_answer_is_whole():
    gate = asyncio.Event()
    brain = Brain(["Hello there. ", "And the rest comes later."], gate=gate)
    session = await Cascade(Ears(), brain, Mouth()).connect(config())
    await session.send_text("hi", respond=True)
    events: list[Any] = []
    first = await until(session, AudioOut, events)
    assert first.response_id is not None
    assert not gate.is_set()  # the chat stream is still held after its first piece
    gate.set()
    done = await until(session, ResponseDone, events)
    assert done.transcript == "Hello there. And the rest comes later."
    await session.close()


async def test_barge_in_by_speech_cancels_and_keeps_only_what_was_heard():
    gate = asyncio.Event()
    brain = Brain(["Paris is the capital. ", "It has many museums and a tower."], ["Sure."], gate=gate)
    ears = Ears("where is paris", "stop")
    mouth = Mouth()
    session = await Cascade(ears, brain, mouth).connect(config())
    events: list[Any] = []
    await say(session, UTTERANCE)
    await until(session, ResponseStarted, events)
    # the user hears the first sentence whole, then speaks over the (held) rest
    heard = len("Paris is the capital.") * MS_PER_CHAR
    while sum(e.duration_ms for e in events if isinstance(e, AudioOut)) < heard - 1:
        await until(session, AudioOut, events)
    before = len(events)
    await say(session, quiet(100) + tone(300))
    cancelled = await until(session, ResponseDone, events)
    later = events[before:]
    assert isinstance(later[0], SpeechStarted)
    assert cancelled.status == "cancelled"
    assert cancelled.transcript == "Paris is the capital."
    assert brain.closed == 1  # the chat stream was closed, not left running
    assert mouth.closed == len(mouth.said)
    gate.set()
    await say(session, quiet(700))
    await until(session, ResponseDone, events)
    await session.close()
    messages, _ = brain.seen[1]
    assert [(m.role, m.text) for m in messages] == [("user", "where is paris"), ("assistant", "Paris is the capital."),
                                                    ("user", "stop")]


async def test_interrupt_with_played_ms_cuts_at_a_word_and_zero_keeps_nothing():
    for played, kept in ((0, ""), (len("One two") * MS_PER_CHAR + 5, "One two")):
        gate = asyncio.Event()
        brain = Brain(["One two three four five six. ", "Seven."], ["Next."], gate=gate)
        session = await Cascade(Ears(), brain, Mouth()).connect(config())
        await session.send_text("count", respond=True)
        events: list[Any] = []
        whole = len("One two three four five six.") * MS_PER_CHAR
        while sum(e.duration_ms for e in events if isinstance(e, AudioOut)) < whole - 1:  # the first sentence
            await until(session, AudioOut, events)
        await session.interrupt(played_ms=played)
        done = await until(session, ResponseDone, events)
        assert done.status == "cancelled"
        assert done.transcript == kept
        await session.send_text("again", respond=True)
        await until(session, ResponseDone, events)
        await session.close()
        roles = [(m.role, m.text) for m in brain.seen[1][0]]
        assert roles == ([("user", "count"), ("assistant", kept), ("user", "again")] if kept
                         else [("user", "count again")])


async def test_interrupt_with_no_response_under_way_does_nothing():
    session = await Cascade(Ears(), Brain(), Mouth()).connect(config())
    await session.interrupt()
    await session.close()


async def test_a_tool_call_is_bound_and_its_result_continues_the_turn():
    call = ToolCall(id=None, name="weather", arguments={"city": "Paris"}, raw_arguments='{"city": "Paris"}')
    brain = Brain(([], [call]), ["It is sunny in Paris."])

    def weather(city: str) -> dict[str, str]:
        return {"city": city, "sky": "sunny"}

    session = await Cascade(Ears(), brain, Mouth()).connect(config(tools=as_tools([weather])))
    await session.send_text("weather?", respond=True)
    events: list[Any] = []
    request = await until(session, ToolCallRequest, events)
    assert request.name == "weather"
    assert request.args == {"city": "Paris"}
    assert request.call_id
    first = await until(session, ResponseDone, events)
    assert first.tool_calls == (request,)
    assert await request.run([weather]) == json.dumps({"city": "Paris", "sky": "sunny"})
    second = await until(session, ResponseDone, events)
    assert second.transcript == "It is sunny in Paris."
    await session.close()
    assert brain.seen[0][1]["tools"][0].name == "weather"
    messages = brain.seen[1][0]
    assert [m.role for m in messages] == ["user", "assistant", "tool"]
    assert messages[1].tool_calls[0].id == request.call_id
    assert messages[2].parts[0].call_id == request.call_id
    with pytest.raises(ConfigurationError, match="no tool call"):
        await session.send_tool_result("call_nope", "{}")


async def test_manual_turns_wait_for_commit_and_respond():
    ears, brain = Ears("hello there"), Brain(["Hi."])
    session = await Cascade(ears, brain, Mouth()).connect(config(turn_detection=TurnDetection(mode="manual")))
    with pytest.raises(ConfigurationError, match="no audio"):
        await session.commit()
    await say(session, UTTERANCE)
    await session.commit()
    events: list[Any] = []
    await until(session, InputTranscript, events)
    assert not any(isinstance(e, (SpeechStarted, ResponseStarted)) for e in events)
    assert brain.seen == []
    await session.respond()
    done = await until(session, ResponseDone, events)
    assert done.transcript == "Hi."
    assert len(ears.heard[0][0].data) - 44 == len(UTTERANCE)  # the whole buffer, as a WAV
    await session.close()


async def test_server_vad_commit_ends_the_turn_under_way():
    ears = Ears("cut short")
    session = await Cascade(ears, Brain(["Ok."]), Mouth()).connect(config())
    with pytest.raises(ConfigurationError, match="no speech"):
        await session.commit()
    await say(session, quiet(100) + tone(300))
    await session.commit()
    events: list[Any] = []
    await until(session, ResponseDone, events)
    assert [type(e) for e in events][1:5] == [SpeechStarted, SpeechStopped, InputCommitted, InputTranscript]
    await session.close()


async def test_text_output_streams_text_and_speaks_nothing():
    mouth = Mouth()
    session = await Cascade(Ears(), Brain(["Pa", "ris."]), mouth).connect(config(output_modalities=("text",)))
    await session.send_text("capital?", respond=True)
    events: list[Any] = []
    done = await until(session, ResponseDone, events)
    assert [e.text for e in events if isinstance(e, TextOut)] == ["Pa", "ris."]
    assert not any(isinstance(e, (AudioOut, OutputTranscriptDelta)) for e in events)
    assert done.text == "Paris."
    assert done.transcript == ""
    assert done.cost == pytest.approx(0.002)
    assert mouth.said == []
    await session.close()


async def test_a_failing_part_is_an_error_event_and_the_session_goes_on():
    brain = Brain(["never"], ["Back."])
    session = await Cascade(Ears(), brain, Mouth()).connect(config())
    brain.fail = True
    await session.send_text("hi", respond=True)
    events: list[Any] = []
    done = await until(session, ResponseDone, events)
    assert done.status == "failed"
    error = next(e for e in events if isinstance(e, RealtimeError))
    assert "the chat host is down" in error.message
    assert not error.fatal
    brain.fail = False
    await session.send_text("again", respond=True)
    assert (await until(session, ResponseDone, events)).transcript == "Back."
    await session.close()


async def test_no_task_is_left_after_close_even_mid_answer():
    before = asyncio.all_tasks()
    gate = asyncio.Event()
    session = await Cascade(Ears("a"), Brain(["Held here. ", "never said"], gate=gate), Mouth()).connect(config())
    await say(session, UTTERANCE)
    events: list[Any] = []
    await until(session, AudioOut, events)
    assert len(asyncio.all_tasks()) > len(before)
    await session.close()
    rest = [e async for e in session]
    assert isinstance(rest[-1], Closed)
    assert any(isinstance(e, ResponseDone) and e.status == "cancelled" for e in rest)
    await asyncio.sleep(0)
    assert asyncio.all_tasks() == before
    with pytest.raises(SessionClosed):
        await session.send_audio(b"\0\0")
    await session.close()  # twice is harmless
    assert [e async for e in session] == []


async def test_update_changes_the_voice_and_the_vad():
    mouth = Mouth()
    session = await Cascade(Ears(), Brain(["Ok."]), mouth).connect(config())
    await session.update(voice="amy", turn_detection=TurnDetection(mode="manual"))
    events: list[Any] = []
    await until(session, SessionUpdated, events)
    await say(session, UTTERANCE)  # manual now: no VAD events
    await session.send_text("hi", respond=True)
    await until(session, ResponseDone, events)
    assert not any(isinstance(e, SpeechStarted) for e in events)
    assert mouth.said[0][1]["voice"] == "amy"
    with pytest.raises(ConfigurationError, match="no setting"):
        await session.update(colour="blue")
    await session.close()


async def test_bad_input_is_refused_before_anything_runs():
    cascade = Cascade(Ears(), Brain(), Mouth())
    with pytest.raises(ConfigurationError, match="transcriber"):
        Cascade(object(), Brain(), Mouth())
    with pytest.raises(ConfigurationError, match="vad="):
        Cascade(Ears(), Brain(), Mouth(), vad={"threshold": 1})  # type: ignore[arg-type]
    from rehost.shared.realtime import AudioFormat

    with pytest.raises(UnsupportedFeature, match="pcm16"):
        await cascade.connect(config(input_format=AudioFormat("g711_ulaw", 8000)))
    with pytest.raises(UnsupportedFeature, match="pcm16"):
        await cascade.connect(config(output_format=AudioFormat("g711_alaw", 8000)))
    with pytest.raises(UnsupportedFeature, match="semantic_vad"):
        await cascade.connect(config(turn_detection=TurnDetection(mode="semantic_vad")))
    with pytest.raises(UnsupportedFeature, match="resumed"):
        await cascade.connect(config(), resume="handle")
    with pytest.raises(ConfigurationError, match="no option"):
        await cascade.connect(config(), idle_timeout=3)
    with pytest.raises(ConfigurationError, match="nobody"):
        await cascade.connect(config(voice="nobody"))
    with pytest.raises(UnsupportedFeature, match="realtime sessions only"):
        cascade.endpoint("chat")
    session = await cascade.connect(config())
    with pytest.raises(ConfigurationError, match="bytes"):
        await session.send_audio("loud")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="non-empty"):
        await session.send_text("  ")
    with pytest.raises(ConfigurationError, match="played_ms"):
        await session.interrupt(played_ms=-1)
    with pytest.raises(ConfigurationError, match="call_id"):
        await session.send_tool_result("", "x")
    await session.close()


async def test_a_realtime_client_opens_a_cascade_as_it_opens_a_host():
    brain = Brain(["Bonjour."])
    cascade = Cascade(Ears(), brain, Mouth(), vad=EnergyVAD(silence_ms=300))
    client = cascade.client()
    assert isinstance(client, RealtimeClient)
    assert client.provider is cascade
    async with client.connect(instructions="Greet.", input_format="pcm16/16000",
                              turn_detection={"silence_ms": 200}) as session:
        assert isinstance(session, CascadeSession)
        assert session.config.model == "ears-1 + brain-1 + mouth-1"
        assert session.config.output_format.sample_rate == 24000
        await session.send_text("hello", respond=True)
        events: list[Any] = []
        assert (await until(session, ResponseDone, events)).transcript == "Bonjour."
    assert repr(cascade) == "Cascade('ears-1 + brain-1 + mouth-1')"
    bare = RealtimeClient(cascade)  # no model named: the cascade's own
    assert bare.config().model == "ears-1 + brain-1 + mouth-1"

    class Host:  # a realtime host with no model of its own: a model must be named
        name = "somehost"
        kinds = frozenset({"realtime"})

        def endpoint(self, kind: str) -> Any:
            return self

    with pytest.raises(ConfigurationError, match="needs a model name"):
        RealtimeClient(Host())
    assert RealtimeClient(Host(), "voice-1").model == "voice-1"


def test_sync_code_gets_the_same_session():
    cascade = Cascade(Ears(), Brain(["Sync answer."]), Mouth())
    with RealtimeClient(cascade, "cascade").connect_sync(input_format="pcm16/16000") as session:
        session.send_text("hi", respond=True)
        for event in session:
            if isinstance(event, ResponseDone):
                assert event.transcript == "Sync answer."
                break


@pytest.mark.parametrize(("pieces", "sentences", "rest"), [
    (["Hello", " there. How", " are you? I am", " fine"], ["Hello there.", "How are you?"], "I am fine"),
    (["Dr. Smith met Mr. Jones at 3.5 km. ", "Done! "], ["Dr. Smith met Mr. Jones at 3.5 km.", "Done!"], None),
    (["Line one\nLine two\n\n", "e.g. this"], ["Line one", "Line two"], "e.g. this"),
    (["J. R. R. Tolkien wrote it. Yes."], ["J. R. R. Tolkien wrote it."], "Yes."),
])
def test_sentences_come_out_as_they_complete(pieces, sentences, rest):
    splitter = SentenceSplitter()
    out: list[str] = []
    for piece in pieces:
        out += splitter.feed(piece)
    assert out == sentences
    assert splitter.flush() == rest
    assert splitter.flush() is None


async def test_awarm_loads_each_parts_host_once():
    warmed: list[str] = []

    class Host:
        def __init__(self, name: str) -> None:
            self.name = name

        async def awarm(self) -> None:
            warmed.append(self.name)

    ears, brain, mouth = Ears(), Brain(), Mouth()
    ears.provider, mouth.provider = Host("ears-host"), Host("mouth-host")  # type: ignore[attr-defined]
    await Cascade(ears, brain, mouth).awarm()  # the brain has no provider: nothing to warm
    assert warmed == ["ears-host", "mouth-host"]


async def test_a_live_transcribers_own_endpointing_ends_the_turn():
    from rehost.clients.nova import NovaTranscriber
    from rehost.providers.deepgram import Deepgram
    from rehost.testing.emulator_live import LiveEmulator

    before = asyncio.all_tasks()
    brain = Brain(["It is Paris."])
    with LiveEmulator(text="what is the capital of france", words_per_utterance=6) as live:
        ears = NovaTranscriber(Deepgram("dg-live-key", base_url=live.base_url))
        cascade = Cascade(ears, brain, Mouth(), endpointing="transcriber", transcribe_options={"language": "en"})
        session = await cascade.connect(config())
        for _ in range(6):
            await session.send_audio(quiet(100))
        events: list[Any] = []
        done = await until(session, ResponseDone, events)
        await session.close()
        seen = list(live.seen)
    kinds = [type(e) for e in events if not isinstance(e, (AudioOut, OutputTranscriptDelta))]
    assert kinds[:2] == [SessionStarted, SpeechStarted]
    assert kinds[-5:] == [SpeechStopped, InputCommitted, InputTranscript, ResponseStarted, ResponseDone]
    final = next(e for e in events if isinstance(e, InputTranscript))
    assert final.text == "what is the capital of france"
    from rehost.shared.realtime import InputTranscriptDelta

    assert "".join(e.text for e in events if isinstance(e, InputTranscriptDelta)) == final.text
    assert done.transcript == "It is Paris."
    assert [(m.role, m.text) for m in brain.seen[0][0]] == [("user", "what is the capital of france")]
    assert seen.count(("audio", len(quiet(100)))) == 6
    assert seen[-1] == "CloseStream"  # the live stream was ended cleanly at close
    await asyncio.sleep(0)
    assert asyncio.all_tasks() == before


def test_transcriber_endpointing_needs_a_live_transcriber():
    with pytest.raises(UnsupportedFeature, match="live transcriber"):
        Cascade(Ears(), Brain(), Mouth(), endpointing="transcriber")
    with pytest.raises(ConfigurationError, match="endpointing"):
        Cascade(Ears(), Brain(), Mouth(), endpointing="psychic")  # type: ignore[arg-type]


def test_importing_the_cascade_loads_no_engine_socket_or_numpy():
    import subprocess
    import sys

    heavy = ("websockets", "numpy", "llama_cpp", "piper", "faster_whisper", "rehost.providers.llamacpp")
    code = f"import sys, rehost.cascade; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
