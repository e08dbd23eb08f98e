"""The speech client bases: ``Transcriber`` (speech-to-text) and ``Speaker`` (text-to-speech).

A family file (``whisper.py``, ``nova.py``, ``voices.py`` ...) subclasses one and declares its models: the
languages, audio formats, sample rates and voices each takes, its prompt rules, the longest audio or text one
call may carry. That knowledge is checked here, before anything is sent, so bad input fails the same way on
every host: empty or undecodable audio, a format neither the model nor the host takes, a voice the model does
not have, a text over the limit. Where a host caps a file's size (OpenAI and Groq: 25 MB) or the model caps its
length, WAV / PCM audio is cut at quiet points and the pieces' transcripts are stitched back with their times
moved into place (``split=True``, the default); other formats over a cap are refused, since cutting them would
need a decoder. Long text is split at sentence ends when ``split=True`` is asked, else refused.

A client is bound to a host (a host object, or its name) and asks it for the sender of its kind
(``host.endpoint("transcribe")``); ``bind(other)`` swaps the host and keeps everything else.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

from ..shared.audio.formats import load, split_wav
from ..shared.audio.types import (
    Audio,
    AudioChunk,
    LiveEvent,
    SpeakRequest,
    Speech,
    SpeechDone,
    Timestamps,
    TranscribeRequest,
    TranscribeUsage,
    Transcript,
)
from ..shared.errors import ConfigurationError, UnsupportedFeature

__all__ = ["SpeakModel", "Speaker", "TranscribeModel", "Transcriber", "as_audio", "split_text"]

S = TypeVar("S", bound="_Bound")


@dataclass(frozen=True, slots=True)
class TranscribeModel:
    """What one speech-to-text model takes. None means "no rule" (any language, any format the host takes)."""

    languages: frozenset[str] | None = None
    formats: frozenset[str] | None = None
    #: the longest audio one call may carry (None: the host's cap only)
    max_seconds: float | None = None
    word_timestamps: bool = True
    segment_timestamps: bool = True
    diarize: bool = False
    prompt: bool = True
    #: the most characters of prompt the model reads (longer prompts keep their end: the words nearest the audio)
    max_prompt_chars: int | None = None
    streams: bool = False


@dataclass(frozen=True, slots=True)
class SpeakModel:
    """What one text-to-speech model takes. ``voices`` None: any voice id (a host with custom voices)."""

    voices: frozenset[str] | None = None
    formats: frozenset[str] = frozenset({"mp3", "wav", "pcm16"})
    #: the sample rates it makes per format (absent: the format's own fixed rate)
    sample_rates: Mapping[str, frozenset[int]] = dataclasses.field(default_factory=dict)
    max_chars: int | None = None
    instructions: bool = False
    speed: tuple[float, float] | None = (0.25, 4.0)
    languages: frozenset[str] | None = None


def as_audio(audio: Audio | bytes | str | Path, *, format: str | None = None, sample_rate: int | None = None) -> Audio:
    """An ``Audio`` of what a caller passed: an Audio, bytes (sniffed) or a path. Empty or undecodable audio is a
    ConfigurationError here."""
    if isinstance(audio, Audio):
        if not audio.data:
            raise ConfigurationError("the audio is empty (0 bytes)")
        return audio
    if isinstance(audio, str | Path):
        path = Path(audio)
        if not path.is_file():
            raise ConfigurationError(f"no audio file at {str(path)!r}")
        return load(path.read_bytes(), format=format, sample_rate=sample_rate, name=path.name)
    return load(audio, format=format, sample_rate=sample_rate)


_SENTENCE = re.compile("(?<=[.!?\u3002\uff01\uff1f])\\s+")  # . ! ? and their CJK forms


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at sentence ends (else at spaces)."""
    pieces: list[str] = []
    current = ""
    for whole in _SENTENCE.split(text.strip()):
        sentence = whole
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        candidate = f"{current} {sentence}".strip()
        if len(candidate) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        pieces.append(current)
    return [p for p in pieces if p]


class _Bound:
    """A client bound to a host that serves its kind."""

    family: ClassVar[str] = "generic"
    kind: ClassVar[str]
    default_model: ClassVar[str]

    @classmethod
    def for_host(cls, model: str, host: Any, **options: Any) -> Self:
        """This client for ``model`` bound to ``host``: the one way ``rehost.client`` makes a client of any
        kind (a speech or realtime client's constructor takes the host first)."""
        return cls(host, model, **options)

    def __init__(self, provider: Any, model: str | None = None, *, host_model_id: str | None = None,
                 timeout: float | None = None) -> None:
        self.model = model or self.default_model
        self.host_model_id = host_model_id
        self.timeout = timeout
        self.provider = self._as_host(provider)
        self._check_model()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model!r}, host={getattr(getattr(self, 'provider', None), 'name', '?')!r})"

    def _check_model(self) -> None:
        raise NotImplementedError

    def _as_host(self, provider: Any) -> Any:
        if isinstance(provider, str):
            from ..entry import provider as by_name

            provider = by_name(provider)
        if callable(getattr(provider, "endpoint", None)):
            kinds = provider.kinds
        elif callable(getattr(provider, "send", None)):  # a chat provider not yet on Host (issue 13's transition)
            kinds = frozenset({"chat"})
        else:
            raise ConfigurationError(f"{type(self).__name__} needs a host (such as WhisperLocal() or 'openai'), not "
                                     f"{type(provider).__name__}")
        if self.kind not in kinds:
            served = ", ".join(sorted(kinds)) or "nothing"
            raise UnsupportedFeature(f"{provider.name} serves no {self.kind} endpoint (it serves {served})",
                                     host=provider.name)
        return provider

    @property
    def sender(self) -> Any:
        return self.provider.endpoint(self.kind)

    def bind(self: S, provider: Any, model: str | None = None) -> S:
        """The same client on another host (and, where that host serves the family under another model, such as
        Whisper large-v3 on Groq for OpenAI's whisper-1, that ``model``)."""
        other = type(self).__new__(type(self))
        other.__dict__.update(self.__dict__)
        other.provider = other._as_host(provider)
        if model is not None:
            other.model = model
            other._check_model()
        return other


class Transcriber(_Bound):
    """Speech-to-text for one family. ``transcribe(audio, language=, prompt=, timestamps=, diarize=)``."""

    kind: ClassVar[str] = "transcribe"
    models: ClassVar[Mapping[str, TranscribeModel]] = {}

    def _check_model(self) -> None:
        if self.models and self.model not in self.models:
            raise ConfigurationError(f"{type(self).__name__} knows {', '.join(sorted(self.models))}, not "
                                     f"{self.model!r}")

    @property
    def spec(self) -> TranscribeModel:
        return self.models.get(self.model) or TranscribeModel()

    def request(self, audio: Audio | bytes | str | Path | None = None, *, url: str | None = None,
                language: str | None = None, prompt: str | None = None, timestamps: Timestamps | None = None,
                diarize: bool = False, temperature: float | None = None, format: str | None = None,
                sample_rate: int | None = None, **options: Any) -> TranscribeRequest:
        """The checked request (nothing is sent): the model's rules applied, the host's formats checked."""
        spec, sender = self.spec, self.sender
        extra_body = options.pop("extra_body", None)
        extra_query = options.pop("extra_query", None)
        clip = None
        if url is not None:
            if audio is not None:
                raise ConfigurationError("give audio or url=, not both")
        elif audio is None:
            raise ConfigurationError("transcribe needs audio (bytes, a path or an Audio) or url=")
        else:
            clip = as_audio(audio, format=format, sample_rate=sample_rate)
            if spec.formats is not None and clip.format not in spec.formats:
                raise UnsupportedFeature(f"{self.model} takes {', '.join(sorted(spec.formats))} audio, not "
                                         f"{clip.format}")
            if clip.format not in sender.formats:
                raise UnsupportedFeature(f"{sender.name} does not take {clip.format} audio; it takes "
                                         f"{', '.join(sorted(sender.formats))}", host=sender.name)
        if language is not None:
            language = language.lower()
            if spec.languages is not None and language not in spec.languages:
                raise ConfigurationError(f"{self.model} does not know the language {language!r}")
        if prompt is not None:
            if not spec.prompt:
                raise UnsupportedFeature(f"{self.model} takes no prompt")
            if spec.max_prompt_chars is not None and len(prompt) > spec.max_prompt_chars:
                prompt = prompt[-spec.max_prompt_chars:]  # the model reads only the end of a long prompt
        if timestamps == "word" and not spec.word_timestamps:
            raise UnsupportedFeature(f"{self.model} gives no word timings (timestamps='segment' or None)")
        if timestamps == "segment" and not spec.segment_timestamps:
            raise UnsupportedFeature(f"{self.model} gives no segment timings")
        if timestamps not in (None, "word", "segment"):
            raise ConfigurationError(f"timestamps must be 'word', 'segment' or None, not {timestamps!r}")
        if diarize and not spec.diarize:
            raise UnsupportedFeature(f"{self.model} does not tell speakers apart (diarize=)")
        return TranscribeRequest(model=self.model, audio=clip, url=url, language=language, prompt=prompt,
                                 timestamps=timestamps, diarize=diarize, temperature=temperature, options=options,
                                 host_model_id=self.host_model_id, timeout=self.timeout, extra_body=extra_body,
                                 extra_query=extra_query)

    def _pieces(self, request: TranscribeRequest, split: bool) -> list[tuple[float, TranscribeRequest]]:
        audio, sender, spec = request.audio, self.sender, self.spec
        if audio is None:
            return [(0.0, request)]
        cap_bytes = sender.max_upload_bytes
        over_bytes = cap_bytes is not None and len(audio.data) > cap_bytes
        over_time = spec.max_seconds is not None and (audio.duration or 0) > spec.max_seconds
        if not (over_bytes or over_time):
            return [(0.0, request)]
        if not split or audio.format not in ("wav", "pcm16"):
            why = (f"{sender.name} takes files up to {cap_bytes:,} bytes" if over_bytes
                   else f"{self.model} takes up to {spec.max_seconds:g} s of audio")
            raise ConfigurationError(f"{why}; this audio is {len(audio.data):,} bytes / "
                                     f"{audio.duration or 0:.1f} s: pass WAV or PCM16 (split here at quiet points) "
                                     "or split it yourself")
        seconds = spec.max_seconds or 600.0
        pieces = split_wav(audio, seconds * 0.98, max_bytes=int(cap_bytes * 0.98) if cap_bytes else None)
        return [(offset, dataclasses.replace(request, audio=piece)) for offset, piece in pieces]

    @staticmethod
    def _stitch(parts: list[tuple[float, Transcript]]) -> Transcript:
        if len(parts) == 1:
            return parts[0][1]
        shifted = [t.shifted(offset) for offset, t in parts]
        first = shifted[0]
        cost = _sum_costs([t.cost for t in shifted])
        audio_seconds = [t.usage.audio_seconds for t in shifted]
        return dataclasses.replace(
            first, text=" ".join(t.text.strip() for t in shifted if t.text.strip()),
            words=tuple(w for t in shifted for w in t.words), segments=tuple(s for t in shifted for s in t.segments),
            duration=sum(t.duration or 0 for t in shifted), seconds=sum(t.seconds for t in shifted), cost=cost,
            usage=TranscribeUsage(audio_seconds=None if None in audio_seconds else sum(
                a for a in audio_seconds if a is not None)),
            extra={**first.extra, "pieces": len(parts)})

    def transcribe(self, audio: Audio | bytes | str | Path | None = None, *, split: bool = True,
                   **kwargs: Any) -> Transcript:
        """The transcript of ``audio`` (or ``url=``). ``split``: cut audio over the host's or model's cap."""
        request = self.request(audio, **kwargs)
        parts: list[tuple[float, Transcript]] = []
        for offset, cut in self._pieces(request, split):
            piece = self._with_context(cut, parts)
            parts.append((offset, self.sender.transcribe(piece)))
        return self._stitch(parts)

    async def atranscribe(self, audio: Audio | bytes | str | Path | None = None, *, split: bool = True,
                          **kwargs: Any) -> Transcript:
        request = self.request(audio, **kwargs)
        parts: list[tuple[float, Transcript]] = []
        for offset, cut in self._pieces(request, split):
            piece = self._with_context(cut, parts)
            parts.append((offset, await self.sender.atranscribe(piece)))
        return self._stitch(parts)

    def _with_context(self, piece: TranscribeRequest, done: list[tuple[float, Transcript]]) -> TranscribeRequest:
        """A later piece of a split file, prompted with the end of the previous piece's text (keeps spelling and
        context across the cut) where the model takes a prompt and the caller gave none."""
        if not done or not self.spec.prompt or piece.prompt is not None:
            return piece
        limit = self.spec.max_prompt_chars or 800
        return dataclasses.replace(piece, prompt=done[-1][1].text[-limit:] or None)

    def transcribe_stream(self, audio: Audio | bytes | str | Path | None = None, **kwargs: Any) -> Iterator[LiveEvent]:
        """Live events (text deltas, finals) as the host makes the transcript, then ``TranscriptDone``."""
        if not (self.spec.streams or self.sender.streams):
            raise UnsupportedFeature(f"{self.model} on {self.sender.name} does not stream transcripts")
        request = dataclasses.replace(self.request(audio, **kwargs), stream=True)
        return iter(self.sender.transcribe_stream(request))

    async def atranscribe_stream(self, audio: Audio | bytes | str | Path | None = None,
                                 **kwargs: Any) -> AsyncIterator[LiveEvent]:
        if not (self.spec.streams or self.sender.streams):
            raise UnsupportedFeature(f"{self.model} on {self.sender.name} does not stream transcripts")
        request = dataclasses.replace(self.request(audio, **kwargs), stream=True)
        async for event in self.sender.atranscribe_stream(request):
            yield event


    async def atranscribe_live(self, chunks: AsyncIterable[bytes] | Iterable[bytes], *, format: str = "pcm16",
                               sample_rate: int | None = 16000, language: str | None = None, diarize: bool = False,
                               interim: bool = True, keepalive: float | None = 5.0, finalize: bool = False,
                               **options: Any) -> AsyncIterator[LiveEvent]:
        """Transcribe audio as it comes (a microphone, a call): ``chunks`` of raw audio in ``format`` at
        ``sample_rate`` (or a container's bytes), sent as they arrive; yields partial words, finals, ends of
        utterance, then ``TranscriptDone``. ``keepalive``: seconds of silence after which the host is told the
        stream is alive (None: never)."""
        sender = self.sender
        if not getattr(sender, "live", False):
            raise UnsupportedFeature(f"{sender.name} has no live transcription (a websocket) for {self.model}",
                                     host=sender.name)
        if format not in sender.formats:
            raise UnsupportedFeature(f"{sender.name} does not take {format} audio live", host=sender.name)
        spec = self.spec
        if language is not None and spec.languages is not None and language.lower() not in spec.languages:
            raise ConfigurationError(f"{self.model} does not know the language {language!r}")
        if diarize and not spec.diarize:
            raise UnsupportedFeature(f"{self.model} does not tell speakers apart (diarize=)")
        request = TranscribeRequest(model=self.model, language=language.lower() if language else None,
                                    diarize=diarize, options=options, host_model_id=self.host_model_id)
        async for event in sender.atranscribe_live(request, chunks, format=format, sample_rate=sample_rate,
                                                   interim=interim, keepalive=keepalive, finalize=finalize):
            yield event

    def transcribe_live(self, chunks: Iterable[bytes], **kwargs: Any) -> Iterator[LiveEvent]:
        """``atranscribe_live`` for sync code: the session runs on a private event loop in a worker thread and
        the events are handed over as they come; leaving the loop early closes the session."""
        return in_worker_loop(lambda: self.atranscribe_live(chunks, **kwargs))


class Speaker(_Bound):
    """Text-to-speech for one family. ``speak(text, voice=, format=, speed=)`` -> ``Speech``."""

    kind: ClassVar[str] = "speak"
    models: ClassVar[Mapping[str, SpeakModel]] = {}
    default_voice: ClassVar[str] = ""
    default_format: ClassVar[str] = "mp3"

    def _check_model(self) -> None:
        if self.models and self.model not in self.models:
            raise ConfigurationError(f"{type(self).__name__} knows {', '.join(sorted(self.models))}, not "
                                     f"{self.model!r}")

    @property
    def spec(self) -> SpeakModel:
        return self.models.get(self.model) or SpeakModel()

    def request(self, text: str, *, voice: str | None = None, format: str | None = None, speed: float | None = None,
                sample_rate: int | None = None, instructions: str | None = None, language: str | None = None,
                latency: int | None = None, **options: Any) -> SpeakRequest:
        """The checked request (nothing is sent)."""
        spec, sender = self.spec, self.sender
        if not isinstance(text, str) or not text.strip():
            raise ConfigurationError("speak needs some text (it is empty)")
        voice = voice or self.default_voice
        if not voice:
            raise ConfigurationError(f"{self.model} needs a voice= (a voice id)")
        if spec.voices is not None and voice not in spec.voices:
            raise ConfigurationError(f"{self.model} has no voice {voice!r}; it has {', '.join(sorted(spec.voices))}")
        engine_voices = getattr(sender, "voices", None)  # an in-process engine has the voices it loaded
        if isinstance(engine_voices, tuple | frozenset) and voice not in engine_voices:
            raise ConfigurationError(f"{sender.name} has no voice {voice!r}; it has {', '.join(sorted(engine_voices))}",
                                     host=sender.name)
        fmt = format or self.default_format
        if fmt not in spec.formats:
            raise UnsupportedFeature(f"{self.model} makes {', '.join(sorted(spec.formats))}, not {fmt}")
        if fmt not in sender.formats:
            raise UnsupportedFeature(f"{sender.name} cannot produce {fmt} audio; it makes "
                                     f"{', '.join(sorted(sender.formats))}", host=sender.name)
        rates = spec.sample_rates.get(fmt)
        if sample_rate is not None and rates is not None and sample_rate not in rates:
            raise ConfigurationError(f"{self.model} makes {fmt} at {', '.join(map(str, sorted(rates)))} Hz, not "
                                     f"{sample_rate}")
        if speed is not None:
            if spec.speed is None:
                raise UnsupportedFeature(f"{self.model} takes no speed=")
            low, high = spec.speed
            if not low <= speed <= high:
                raise ConfigurationError(f"{self.model} takes speed {low:g} to {high:g}, not {speed}")
        if instructions is not None and not spec.instructions:
            raise UnsupportedFeature(f"{self.model} takes no instructions= (gpt-4o-mini-tts does)")
        if latency is not None and (isinstance(latency, bool) or latency not in range(5)):
            raise ConfigurationError(f"latency must be an optimisation tier 0 to 4, not {latency!r}")
        return SpeakRequest(model=self.model, text=text, voice=voice, format=fmt, sample_rate=sample_rate, speed=speed,
                            instructions=instructions, language=language, latency=latency,
                            options={k: v for k, v in options.items() if k not in ("extra_body", "extra_query")},
                            host_model_id=self.host_model_id, timeout=self.timeout,
                            extra_body=options.get("extra_body"), extra_query=options.get("extra_query"))

    def _limit(self) -> int | None:
        limits = [n for n in (self.spec.max_chars, self.sender.max_chars) if n is not None]
        return min(limits) if limits else None

    def _texts(self, request: SpeakRequest, split: bool) -> list[SpeakRequest]:
        limit = self._limit()
        if limit is None or len(request.text) <= limit:
            return [request]
        if not split:
            raise ConfigurationError(f"{self.model} on {self.sender.name} takes at most {limit:,} characters a call; "
                                     f"this text has {len(request.text):,}: pass split=True to speak it in "
                                     "sentence-sized calls, or shorten it")
        if request.format not in ("pcm16", "mp3"):
            raise ConfigurationError(f"a long text is spoken in pieces, which join only as pcm16 or mp3, not "
                                     f"{request.format}")
        return [dataclasses.replace(request, text=piece) for piece in split_text(request.text, limit)]

    @staticmethod
    def _join(parts: list[Speech], request: SpeakRequest) -> Speech:
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        durations = [p.duration for p in parts]
        return dataclasses.replace(first, data=b"".join(p.data for p in parts), characters=len(request.text),
                                   duration=None if None in durations else sum(d for d in durations if d),
                                   seconds=sum(p.seconds for p in parts), cost=_sum_costs([p.cost for p in parts]))

    def speak(self, text: str, *, split: bool = False, **kwargs: Any) -> Speech:
        """``text`` spoken. ``split=True`` speaks a text over the limit in sentence-sized calls and joins them."""
        request = self.request(text, **kwargs)
        return self._join([self.sender.speak(r) for r in self._texts(request, split)], request)

    async def aspeak(self, text: str, *, split: bool = False, **kwargs: Any) -> Speech:
        request = self.request(text, **kwargs)
        return self._join([await self.sender.aspeak(r) for r in self._texts(request, split)], request)

    def _live(self, text: Any, live: bool) -> bool:
        return live and not isinstance(text, str) and bool(getattr(self.sender, "live", False))

    def speak_stream(self, text: str | Iterable[str], *, live: bool = True,
                     **kwargs: Any) -> Iterator[AudioChunk | SpeechDone]:
        """Audio chunks as they come. ``text`` may be pieces (an LLM's stream): on a host with a text-in
        websocket (ElevenLabs) they go over one socket as they come (``live=False``: not); elsewhere each is
        spoken in turn as it arrives; one ``SpeechDone`` ends the whole."""
        if self._live(text, live):
            request = self.request("-", **kwargs)  # checked now; the text comes in pieces
            return in_worker_loop(lambda: self.sender.aspeak_live(request, text))
        return self._speak_pieces(text, **kwargs)

    def _speak_pieces(self, text: str | Iterable[str], **kwargs: Any) -> Iterator[AudioChunk | SpeechDone]:
        pieces = [text] if isinstance(text, str) else text
        spoken: list[Speech] = []
        whole: list[str] = []
        for piece in pieces:
            if not piece.strip():
                continue
            whole.append(piece)
            for event in self.sender.speak_stream(self.request(piece, **kwargs)):
                if isinstance(event, SpeechDone):
                    spoken.append(event.speech)
                else:
                    yield event
        if not spoken:
            raise ConfigurationError("speak_stream needs some text (it is empty)")
        yield SpeechDone(self._join(spoken, dataclasses.replace(self.request(" ".join(whole), **kwargs))))

    async def aspeak_stream(self, text: str | Iterable[str] | AsyncIterator[str], *, live: bool = True,
                            **kwargs: Any) -> AsyncIterator[AudioChunk | SpeechDone]:
        if self._live(text, live):
            async for event in self.sender.aspeak_live(self.request("-", **kwargs), text):
                yield event
            return

        async def pieces() -> AsyncIterator[str]:
            if isinstance(text, str):
                yield text
            elif hasattr(text, "__aiter__"):
                async for piece in text:
                    yield piece
            else:
                for piece in text:
                    yield piece

        spoken: list[Speech] = []
        whole: list[str] = []
        async for piece in pieces():
            if not piece.strip():
                continue
            whole.append(piece)
            async for event in self.sender.aspeak_stream(self.request(piece, **kwargs)):
                if isinstance(event, SpeechDone):
                    spoken.append(event.speech)
                else:
                    yield event
        if not spoken:
            raise ConfigurationError("speak_stream needs some text (it is empty)")
        yield SpeechDone(self._join(spoken, self.request(" ".join(whole), **kwargs)))


def in_worker_loop(make: Any) -> Iterator[Any]:
    """The items of the async iterator ``make()`` returns, for sync code: it runs on a private event loop in a
    worker thread and hands each item over as it comes; leaving early stops it at its next item."""
    import asyncio
    import queue
    import threading

    handed: queue.Queue[tuple[str, Any]] = queue.Queue()
    stop = threading.Event()

    async def pump() -> None:
        try:
            async for item in make():
                handed.put(("item", item))
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the reader, which raises it
            handed.put(("error", exc))
        else:
            handed.put(("end", None))

    worker = threading.Thread(target=lambda: asyncio.run(pump()), name="rehost-speech-loop", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = handed.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join(10)


def _sum_costs(costs: list[Any]) -> Any:
    if not costs or any(c is None for c in costs):
        return None
    from ..shared.pricing import Cost

    total = sum((c.total for c in costs[1:]), start=costs[0].total)
    return Cost(total=total, source=costs[0].source, input=total, notes=(f"{len(costs)} calls",))
