"""One registry of families for every kind: each catalogued model's family has a client of the model's kind in
``rehost._registry.FAMILIES`` (or is served by the generic chat client), and ``rehost.client("host/model")``
makes that client, bound to the host, for speech and realtime models too (those clients take the host first)."""

from __future__ import annotations

import pytest

import rehost
from rehost import _registry
from rehost.shared.catalog import default_catalog


def test_every_catalogued_model_of_a_non_chat_kind_has_a_family_client_of_that_kind():
    catalog = default_catalog()
    missing = []
    for entry in catalog.models():
        model = entry.id
        if entry.kind == "chat":
            continue
        spec = _registry.FAMILIES.get(entry.family or "", {}).get(entry.kind)
        if spec is None:
            missing.append(f"{model} ({entry.family}, {entry.kind})")
        else:
            assert _registry.load(spec).__name__ == spec[1]
    assert not missing, missing


@pytest.mark.parametrize(("spec", "cls", "host"), [
    ("openai/whisper-1", "WhisperTranscriber", "openai"),
    ("groq/whisper-large-v3-turbo", "WhisperTranscriber", "groq"),
    ("openai/tts-1", "OpenAISpeaker", "openai"),
    ("openai/gpt-realtime", "GptRealtimeClient", "openai"),
    ("google/gemini-2.5-flash-native-audio-preview-12-2025", "GeminiLive", "google"),
    ("xai/grok-voice-fast-1.0", "GrokVoice", "xai"),
])
def test_rehost_client_makes_the_family_client_of_a_speech_or_realtime_model(spec, cls, host, monkeypatch):
    for var in ("OPENAI_API_KEY", "GROQ_API_KEY", "GEMINI_API_KEY", "XAI_API_KEY"):
        monkeypatch.setenv(var, "test-key-not-real")
    client = rehost.client(spec)
    assert type(client).__name__ == cls
    assert client.provider.name == host
    assert client.model == spec.split("/", 1)[1]
