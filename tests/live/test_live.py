"""Opt-in live tests against the real hosts: each runs only when its key is set (never in CI).

    GROQ_API_KEY=... make test        # or: .venv/bin/pytest tests/live -m live
"""

from __future__ import annotations

import os

import pytest

from rehost import (
    Cohere,
    CohereClient,
    DeepSeek,
    DeepSeekClient,
    GeminiClient,
    GenericClient,
    Google,
    Groq,
    Mistral,
    MistralClient,
    OpenRouter,
    TextDelta,
    Thinking,
)

CASES = [
    ("GROQ_API_KEY", lambda: GenericClient("llama-3.1-8b-instant", provider=Groq()), None),
    ("GROQ_API_KEY", lambda: GenericClient("openai/gpt-oss-20b", provider=Groq()), Thinking(effort="low")),
    ("OPENROUTER_API_KEY", lambda: DeepSeekClient("r1-0528", provider=OpenRouter()), Thinking()),
    ("DEEPSEEK_API_KEY", lambda: DeepSeekClient("v4-flash", provider=DeepSeek()), Thinking(effort="high")),
    ("MISTRAL_API_KEY", lambda: MistralClient("small", provider=Mistral()), Thinking()),
    ("GEMINI_API_KEY", lambda: GeminiClient("2.5-flash", provider=Google()), Thinking(budget=512)),
    ("COHERE_API_KEY", lambda: CohereClient("command-r7b", provider=Cohere()), None),
    ("COHERE_API_KEY", lambda: CohereClient("command-a-reasoning", provider=Cohere()), Thinking(budget=512)),
]


@pytest.mark.live
@pytest.mark.parametrize(("env", "make", "thinking"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_live_complete_and_stream(env, make, thinking):
    if not os.environ.get(env):
        pytest.skip(f"live test: set {env} to run it")
    client = make()
    done = client.complete("Reply with the single word: ok", thinking=thinking, max_tokens=2000)
    assert done.text.strip()
    assert done.usage is not None
    assert done.usage.output_tokens > 0
    stream = client.stream("Count from 1 to 5.", thinking=thinking, max_tokens=2000)
    text = "".join(e.text for e in stream if isinstance(e, TextDelta))
    final = stream.final()
    assert text == final.text
    assert "3" in text
