"""rehost: any model on any host.

Bind a model client (what to ask a model family) to a provider (how to reach a host), swap the provider at
run time, and compare hosts serving the same model::

    from rehost import DeepSeekClient, OpenRouter, Thinking
    r1 = DeepSeekClient("r1", provider=OpenRouter())
    print(r1.complete("Why is the sky blue?").text)

Names are imported on first use, so ``import rehost`` stays cheap: no provider, client, tokenizer or HTTP
module is loaded until it is asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # clients
    "ModelClient": "rehost.clients.base",
    "GenericClient": "rehost.clients.generic",
    "DeepSeekClient": "rehost.clients.deepseek",
    "GeminiClient": "rehost.clients.gemini",
    "MistralClient": "rehost.clients.mistral",
    # providers
    "Provider": "rehost.providers.base",
    "OpenAICompatible": "rehost.providers.openai_compatible",
    "Groq": "rehost.providers.groq",
    "OpenRouter": "rehost.providers.openrouter",
    "DeepSeek": "rehost.providers.deepseek",
    "Mistral": "rehost.providers.mistral",
    "Together": "rehost.providers.together",
    "Google": "rehost.providers.google",
    "Vertex": "rehost.providers.vertex",
    # shared types
    "Message": "rehost.shared.types",
    "TextPart": "rehost.shared.types",
    "ReasoningPart": "rehost.shared.types",
    "ToolCall": "rehost.shared.types",
    "ToolResult": "rehost.shared.types",
    "Tool": "rehost.shared.types",
    "Thinking": "rehost.shared.types",
    "Usage": "rehost.shared.types",
    "Timing": "rehost.shared.types",
    "Completion": "rehost.shared.types",
    "TextDelta": "rehost.shared.types",
    "ReasoningDelta": "rehost.shared.types",
    "ToolCallDelta": "rehost.shared.types",
    "Done": "rehost.shared.types",
    "Request": "rehost.shared.request",
    "ThinkingPlan": "rehost.shared.request",
    "Timeouts": "rehost.shared.transport",
    "RetryPolicy": "rehost.shared.transport",
    "Catalog": "rehost.shared.catalog",
    "models_table": "rehost.shared.catalog",
    "Cost": "rehost.shared.pricing",
    "Prices": "rehost.shared.pricing",
    "TokenCount": "rehost.shared.tokens",
    "errors": "rehost.errors",
}

__all__ = [
    "Catalog",
    "Completion",
    "Cost",
    "DeepSeek",
    "DeepSeekClient",
    "Done",
    "GeminiClient",
    "GenericClient",
    "Google",
    "Groq",
    "Message",
    "Mistral",
    "MistralClient",
    "ModelClient",
    "OpenAICompatible",
    "OpenRouter",
    "Prices",
    "Provider",
    "ReasoningDelta",
    "ReasoningPart",
    "Request",
    "RetryPolicy",
    "TextDelta",
    "TextPart",
    "Thinking",
    "ThinkingPlan",
    "Timeouts",
    "Timing",
    "Together",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "TokenCount",
    "ToolResult",
    "Usage",
    "Vertex",
    "catalog",
    "errors",
    "models_table",
]


def catalog() -> Any:
    """The model x host catalogue in use (extend it with ``.register``)."""
    from .shared.catalog import default_catalog

    return default_catalog()


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'rehost' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if name == "errors" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from . import errors
    from .clients.base import ModelClient
    from .clients.deepseek import DeepSeekClient
    from .clients.gemini import GeminiClient
    from .clients.generic import GenericClient
    from .clients.mistral import MistralClient
    from .providers.base import Provider
    from .providers.deepseek import DeepSeek
    from .providers.google import Google
    from .providers.groq import Groq
    from .providers.mistral import Mistral
    from .providers.openai_compatible import OpenAICompatible
    from .providers.openrouter import OpenRouter
    from .providers.together import Together
    from .providers.vertex import Vertex
    from .shared.catalog import Catalog, models_table
    from .shared.pricing import Cost, Prices
    from .shared.request import Request, ThinkingPlan
    from .shared.tokens import TokenCount
    from .shared.transport import RetryPolicy, Timeouts
    from .shared.types import (
        Completion,
        Done,
        Message,
        ReasoningDelta,
        ReasoningPart,
        TextDelta,
        TextPart,
        Thinking,
        Timing,
        Tool,
        ToolCall,
        ToolCallDelta,
        ToolResult,
        Usage,
    )
