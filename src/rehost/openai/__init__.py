"""An OpenAI-shaped facade: code written for the openai SDK runs on any host rehost reaches.

    from rehost.openai import OpenAI

    client = OpenAI()                                   # keys from each host's variable (GROQ_API_KEY, ...)
    answer = client.chat.completions.create(
        model="groq/llama-3.3-70b",                     # host/model, as rehost.client takes it
        messages=[{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
    )
    print(answer.choices[0].message.content, answer.usage.total_tokens)

``AsyncOpenAI`` is the async twin. Requests are rehost's: the model's client applies its family's rules
(R1's folded system prompt, sampling defaults, what a reasoning effort means) and the host's provider spells
them, so a parameter the model or host cannot honour raises a ``rehost.errors`` error before anything is sent,
as everywhere in rehost; nothing is silently dropped. Results are shaped like the SDK's (``rehost.openai.types``).

Accepted: the ``system``, ``developer`` (sent as system), ``user``, ``assistant`` (``tool_calls``) and ``tool``
(``tool_call_id``) roles; content as a string or a list of ``text``, ``image_url`` (data: or http(s) URLs)
and ``file`` (a PDF as a data: URL) parts; ``name`` on tool messages; ``stream``, ``stream_options``
(``include_usage``), ``tools``, ``tool_choice``, ``response_format`` (``json_object``, ``json_schema``),
``temperature``, ``top_p``, ``max_tokens`` / ``max_completion_tokens``, ``stop``, ``seed``, ``presence_penalty``,
``frequency_penalty``, ``reasoning_effort``, ``extra_body``, ``extra_headers``, ``timeout``.

Not built yet: ``client.embeddings.create`` and ``client.audio...create`` raise UnsupportedFeature until rehost
has those kinds.

This is not ``rehost.OpenAI`` (``rehost.providers.openai``), which is the provider for OpenAI's own host.
"""

from __future__ import annotations

from . import types
from ._client import AsyncOpenAI, AsyncStream, OpenAI, Stream

__all__ = ["AsyncOpenAI", "AsyncStream", "OpenAI", "Stream", "types"]
