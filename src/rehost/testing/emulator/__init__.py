"""A host emulator: a real HTTP server on loopback that speaks like the hosts rehost talks to.

It answers the OpenAI chat-completions dialect (as Groq, OpenRouter, DeepSeek, Mistral, Together, Fireworks
and local servers do, each with reasoning in that host's own place), every style's embeddings endpoint
(``emulator_embed``: OpenAI-style ``/embeddings``, ``batchEmbedContents``, Vertex's ``predict`` /
``embedContent``, Cohere's ``/v2/embed``, Voyage, Ollama's ``/api/embed``, with deterministic vectors), the
Gemini dialect (AI Studio and
Vertex URL forms, ``countTokens`` too), Anthropic's Messages API (``/anthropic/v1/messages``; Claude on
Vertex's ``:rawPredict``), AWS Bedrock's Converse and ConverseStream (``/bedrock/model/{id}/converse``, binary
event streams; CountTokens), the Responses API (``.../responses``, as DeepSeek's ``api="responses"`` uses it)
and Ollama's native API (``/ollama/api/chat`` and ``/api/generate``, JSON or NDJSON lines), streamed or not.
It can be scripted per host or per request: time to first token, time between tokens, how much it says or
exactly what (``text``), and faults (a 400 invalid request, rate limits with Retry-After, 5xx, connections
reset before or during a stream, truncated or malformed streams, errors inside a 200 stream, keep-alive
comments, a stalled stream, a blocked answer with HTTP 200, a wrong content type, an oversize body), each in
the host's own shape. A fault a host has no form for is answered with HTTP 501 naming it, and an unknown
field, fault or host style is a ConfigurationError when scripted: never an ordinary answer that lets a test
pass for the wrong reason.

Each host is served under its own path prefix on one port (``emulator.base_url("groq")``). It is written on
bare asyncio (no framework, no per-request task unless a request must wait) so that it is never the
bottleneck of the tests and benchmarks that stand on it.

The package: ``server`` (the asyncio protocol, ``Emulator``, routing), ``script`` (``Script``, ``Seen``, faults
and their checks), ``wire`` (HTTP bytes and pacing), ``responder`` (the base responder and the fault logic), one
module per dialect (``chat``: OpenAI chat and text completions and Gemini's generateContent; ``gemini``:
countTokens; ``messages``: Anthropic; ``converse``: Bedrock's Converse; ``responses``: the Responses API;
``ollama``: Ollama native; ``embed``: every style's embeddings), ``quirks`` (what differs between hosts of one
dialect) and ``command`` (the CLI and ``emulator_process``). Everything that was importable from the single
module still is, from here.

    with Emulator() as emu:
        emu.script("groq", ttft=0.05, inter_token=0.005, output_tokens=40)
        emu.script("anthropic", text="Hello from Claude.")
        emu.inject("429", times=1, retry_after="1")
        client = GenericClient("m", provider=emu.provider("groq"))
"""


from __future__ import annotations

from .chat import _Answer
from .command import _cli_value, _parse_script, _port, emulator_process
from .command import main as main
from .embed import embed_responder, vector_for
from .gemini import _CountTokens
from .messages import _SIGNATURE, _Messages
from .ollama import _OllamaNative
from .quirks import _ANTHROPIC_ERRORS, _GOOGLE_STATUS, _RL_HEADERS, STYLES
from .responder import _CREATED, _HTML, _STATUS_FAULTS, _last_user_text, _Responder, _text_of
from .responses import _Responses
from .script import _FIELD_KINDS, _WORDS, FAULTS, Script, Seen, _checked, _checked_style, _diff, _Injection, _State
from .server import Emulator, _Protocol, _route
from .wire import (
    _END,
    _REASONS,
    _SPIN,
    _chunk,
    _emulator_error,
    _head,
    _json_response,
    _ndjson,
    _no_route,
    _paced,
    _sleep_until,
    _sse_event,
)

__all__ = ["FAULTS", "STYLES", "Emulator", "Script", "Seen", "emulator_process"]

# the private names stay importable from here, as they were from the single module (tests and tools reach some)
_REEXPORTED = (_Answer, _cli_value, _parse_script, _port, embed_responder, vector_for, _CountTokens,
               _SIGNATURE, _Messages, _OllamaNative, _ANTHROPIC_ERRORS, _GOOGLE_STATUS, _RL_HEADERS, _CREATED,
               _HTML, _STATUS_FAULTS, _last_user_text, _Responder, _text_of, _Responses, _FIELD_KINDS, _WORDS,
               _checked, _checked_style, _diff, _Injection, _State, _Protocol, _route, _END, _REASONS, _SPIN,
               _chunk, _emulator_error, _head, _json_response, _ndjson, _no_route, _paced, _sleep_until,
               _sse_event)
