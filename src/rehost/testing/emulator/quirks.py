"""What differs from host to host inside one dialect: where reasoning goes, how errors inside a stream look,
the rate-limit headers a host sends, each error shape's status names. The responders read these tables rather than
knowing hosts by name, so a new host style is a row here."""

from __future__ import annotations

from typing import Any

#: host styles and their quirks: ``prefix`` (the path the host serves under), ``reasoning`` (where it puts
#: reasoning: a message field, ``mistral_chunks`` or ``thought``), ``inband`` (an error inside a 200 stream as a
#: named ``event`` or as a ``chunk`` with ``error``), ``keepalive`` (a keep-alive before the first frame) and
#: ``keepalive_frame`` (its text), ``rate_limit_headers`` (``_RL_HEADERS`` on every chat answer), ``x_groq``
#: (Groq's ``x_groq`` object and timing fields in usage), ``usage_cost`` (OpenRouter's ``usage.cost``),
#: ``billable_characters`` (Vertex's ``countTokens`` field), ``content_filter`` (Azure's ``prompt_filter_results`` /
#: ``content_filter_results`` on answers, and its filter-only stream chunks)
STYLES: dict[str, dict[str, Any]] = {
    "openai": {"prefix": "/v1", "reasoning": None},
    "groq": {"prefix": "/openai/v1", "reasoning": "reasoning", "inband": "event", "rate_limit_headers": True,
             "x_groq": True},
    "openrouter": {"prefix": "/api/v1", "reasoning": "reasoning", "inband": "chunk", "keepalive": True,
                   "keepalive_frame": b": OPENROUTER PROCESSING\n\n", "usage_cost": True},
    "deepseek": {"prefix": "", "reasoning": "reasoning_content"},
    "mistral": {"prefix": "/v1", "reasoning": "mistral_chunks"},
    "together": {"prefix": "/v1", "reasoning": "reasoning"},
    "cerebras": {"prefix": "/v1", "reasoning": "reasoning"},
    "dashscope": {"prefix": "/compatible-mode/v1", "reasoning": "reasoning_content"},
    "moonshot": {"prefix": "/v1", "reasoning": "reasoning_content"},
    "zai": {"prefix": "/api/paas/v4", "reasoning": "reasoning_content"},
    "huggingface": {"prefix": "/v1", "reasoning": "reasoning_content"},
    # a resource root: /openai/v1/..., /openai/deployments/{d}/..., /models/chat/completions
    "azure": {"prefix": "", "reasoning": "reasoning_content", "content_filter": True},
    "perplexity": {"prefix": "", "reasoning": None},
    "baseten": {"prefix": "/v1", "reasoning": None},
    "hyperbolic": {"prefix": "/v1", "reasoning": None},
    "novita": {"prefix": "/v3/openai", "reasoning": None},
    "deepinfra": {"prefix": "/v1/openai", "reasoning": None},
    "nebius": {"prefix": "/v1", "reasoning": "reasoning_content"},
    "sambanova": {"prefix": "/v1", "reasoning": None},
    "xai": {"prefix": "/v1", "reasoning": "reasoning_content"},
    # the regional hosts: only a reasoning field a source confirms is emulated (HOSTS-MORE §11-13, §18)
    "sealion": {"prefix": "/v1", "reasoning": None},
    "lighton": {"prefix": "/api/v2", "reasoning": None},
    "upstage": {"prefix": "/v1", "reasoning": "reasoning"},
    "clova": {"prefix": "/v1/openai", "reasoning": None},
    "cloudflare": {"prefix": "/client/v4/accounts/emulator-account/ai/v1", "reasoning": "reasoning_content"},
    "fireworks": {"prefix": "/inference/v1", "reasoning": "reasoning_content"},
    "llamacpp": {"prefix": "/v1", "reasoning": "reasoning_content"},
    "vllm": {"prefix": "/v1", "reasoning": "reasoning"},
    "ollama": {"prefix": "/v1", "reasoning": "reasoning"},
    "google": {"prefix": "/v1beta", "reasoning": "thought"},
    # Cohere's v2 API: chat (its own dialect, emulator/cohere.py: thinking content items) and embed
    "cohere": {"prefix": "", "reasoning": "thinking_items"},
    # embeddings only (its chat is not emulated): Voyage
    "voyage": {"prefix": "/v1", "reasoning": None},
    "vertex": {"prefix": "", "reasoning": "thought", "billable_characters": True},
    "anthropic": {"prefix": "/v1", "reasoning": "thinking"},
    # Converse (``/model/{id}/converse``, binary event streams) and, under the same root, the runtime's
    # OpenAI-compatible ``/openai/v1/chat/completions`` (reasoning in ``message.reasoning``, as Mantle sends it)
    "bedrock": {"prefix": "", "reasoning": "reasoning"},
    "deepgram": {"prefix": "/v1", "reasoning": None},  # speech only (testing/emulator_audio.py)
    "elevenlabs": {"prefix": "/v1", "reasoning": None},  # speech only (testing/emulator_audio.py)
}
_RL_HEADERS = {"x-ratelimit-limit-requests": "14400", "x-ratelimit-remaining-requests": "14399",
               "x-ratelimit-reset-requests": "6s", "x-ratelimit-limit-tokens": "6000",
               "x-ratelimit-remaining-tokens": "5900", "x-ratelimit-reset-tokens": "1s"}

#: the status name Google's APIs give each HTTP code (google.rpc.Code, as ai.google.dev's troubleshooting
#: page and Vertex's error docs list them)
_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                  409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED", 500: "INTERNAL", 501: "UNIMPLEMENTED",
                  503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}



#: Anthropic's error type for each HTTP status (docs.anthropic.com, "Errors"); 502 and 503 are not on that
#: list and are answered as the API's generic and overload errors
_ANTHROPIC_ERRORS = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
                     403: "permission_error", 404: "not_found_error", 413: "request_too_large",
                     429: "rate_limit_error", 500: "api_error", 502: "api_error", 503: "overloaded_error",
                     504: "timeout_error", 529: "overloaded_error"}
