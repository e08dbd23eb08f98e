"""Which speech client serves a catalogue family, per kind (the speech twin of the registry's ``FAMILIES``,
kept apart while the registry's family rows must each have a chat client)."""

from __future__ import annotations

from typing import Any

from ..shared.errors import ConfigurationError

__all__ = ["SPEECH_FAMILIES", "speech_client"]

#: catalogue family -> {kind: (module, class)}
SPEECH_FAMILIES: dict[str, dict[str, tuple[str, str]]] = {
    "whisper": {"transcribe": ("rehost.clients.whisper", "WhisperTranscriber")},
    "gpt-transcribe": {"transcribe": ("rehost.clients.gpt_audio", "GPTTranscriber")},
    "nova": {"transcribe": ("rehost.clients.nova", "NovaTranscriber")},
    "scribe": {"transcribe": ("rehost.clients.scribe", "ScribeTranscriber")},
    "voxtral": {"transcribe": ("rehost.clients.voxtral", "VoxtralTranscriber")},
    "openai-tts": {"speak": ("rehost.clients.voices", "OpenAISpeaker")},
    "elevenlabs": {"speak": ("rehost.clients.voices", "ElevenLabsSpeaker")},
    "piper": {"speak": ("rehost.clients.voices", "PiperSpeaker")},
    "playai": {"speak": ("rehost.clients.voices", "PlayAISpeaker")},
}


def speech_client(kind: str, model: str, host: Any) -> Any:
    """The family client of ``kind`` for a catalogued speech ``model``, bound to ``host``."""
    import importlib

    from ..shared.catalog import default_catalog

    catalog = default_catalog()
    if model not in catalog:
        raise ConfigurationError(f"{model!r} is not a catalogued speech model")
    family = catalog.model(model).family
    spec = SPEECH_FAMILIES.get(family, {}).get(kind)
    if spec is None:
        kinds = ", ".join(SPEECH_FAMILIES.get(family, {})) or "no speech kind"
        raise ConfigurationError(f"{model} ({family}) has no {kind} client; its family serves {kinds}")
    cls = getattr(importlib.import_module(spec[0]), spec[1])
    return cls(host, model)
