"""The quickstart, run offline: real answers recorded from real hosts, replayed over a local HTTP server.

Every call below goes through the whole library (client rules, provider encoding, HTTP, SSE decoding) and
is answered with the exchange that host really gave to the same request (see ../shared/conformance). No key
and no network are needed. With keys, drop the `base_url=` arguments and the same code talks to the hosts.
"""

from __future__ import annotations

import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

from rehost import (
    DeepSeek,
    DeepSeekClient,
    GeminiClient,
    GenericClient,
    Google,
    Mistral,
    MistralClient,
    OpenRouter,
    ReasoningDelta,
    TextDelta,
    Thinking,
    Vertex,
)
from rehost.errors import ModelNotServed
from rehost.testing.replay import ReplayServer

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = Path(os.environ.get("REHOST_CASSETTES") or ROOT.parent / "shared" / "conformance" / "cassettes")
OFFLINE_KEY = "offline-demo-key"


@contextmanager
def recorded(name: str):
    with ReplayServer.from_cassettes([CASSETTES / name], chunk_size=24, chunk_delay=0.002) as server:
        yield server.url


def show(title: str) -> None:
    print(f"\n\033[1m== {title}\033[0m")


def stream_out(stream) -> None:
    mode = None
    for event in stream:
        if isinstance(event, ReasoningDelta | TextDelta):
            kind = "thinking" if isinstance(event, ReasoningDelta) else "answer"
            if kind != mode:
                print(f"\n  [{kind}] ", end="")
                mode = kind
            print(event.text, end="", flush=True)
    done = stream.final()
    print(f"\n  finish={done.finish_reason} usage={done.usage}")


def main() -> None:
    if not CASSETTES.is_dir():
        sys.exit(f"recorded exchanges not found at {CASSETTES} (set REHOST_CASSETTES)")

    show("Gemini 2.5 Flash on Google AI Studio")
    with recorded("gemini/text_basic_25_flash.yaml") as url:
        flash = GeminiClient("2.5-flash", provider=Google(OFFLINE_KEY, base_url=url + "/v1beta"))
        done = flash.complete("Hello!", system="You are a chatbot.")
        print(f"  {done.text!r}  ({done.usage.output_tokens} output tokens, {done.usage.reasoning_tokens} of them "
              f"thinking, {done.timing.total * 1000:.0f} ms)")

    show("Same client, thinking turned off (Gemini 2.5 Flash: thinkingBudget 0)")
    with recorded("gemini/reasoning_thinking_budget_zero_25_flash.yaml") as url:
        flash.provider = Google(OFFLINE_KEY, base_url=url + "/v1beta")  # (a new replay server: a new address)
        done = flash.complete("What is 2+2? Reply with just the number.", thinking=False)
        print(f"  {done.text!r}  usage={done.usage}")

    show("Swap the provider at run time: the catalogue knows who serves what")
    flash.provider = Vertex("my-project", "global", access_token="offline")
    try:
        flash.complete("Hello!")
    except ModelNotServed as exc:
        print(f"  ModelNotServed: {exc}")

    show("Mistral Small with reasoning (thinking chunks in content)")
    with recorded("mistral/reasoning_effort_high_thinking_chunk_small.yaml") as url:
        small = MistralClient("small", provider=Mistral(OFFLINE_KEY, base_url=url + "/v1"))
        done = small.complete("What is 2+2? Reply with just the number.", thinking=Thinking(effort="high"))
        print(f"  thinking: {done.reasoning!r}\n  answer:   {done.text!r}")

    show("DeepSeek reasoner streamed from DeepSeek's own API (reasoning_content deltas)")
    with recorded("deepseek/chat_stream_reasoning_content_reasoner.yaml") as url:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the alias this exchange was recorded with
            reasoner = DeepSeekClient("reasoner", provider=DeepSeek(OFFLINE_KEY, base_url=url))
        stream_out(reasoner.stream("Hello"))

    show("Claude through OpenRouter, streamed with reasoning (any model, by its host id)")
    with recorded("openrouter/stream_reasoning_claude.yaml") as url:
        openrouter = OpenRouter(OFFLINE_KEY, base_url=url + "/api/v1")
        claude = GenericClient("anthropic/claude-sonnet-4.5", provider=openrouter)
        stream_out(claude.stream("What is 2+2?", thinking=True))

    print("\nWith keys set (GEMINI_API_KEY, MISTRAL_API_KEY, DEEPSEEK_API_KEY, OPENROUTER_API_KEY, GROQ_API_KEY),")
    print("drop the base_url= arguments and the same code talks to the real hosts.")


if __name__ == "__main__":
    main()
