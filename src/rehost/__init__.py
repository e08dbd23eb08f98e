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

from . import _registry

__version__ = "0.1.0"

#: name -> module for the lazy exports. Every host's provider class and every family's client classes come from
#: the one registry (``rehost._registry``, plain strings: nothing is imported here); the rest are listed below.
#: ``__all__`` and the TYPE_CHECKING imports at the end are kept by hand for type checkers, and a test holds them
#: to this table.
_EXPORTS: dict[str, str] = {
    **_registry.exports(),
    # clients that are no family's, and the provider plumbing that is no host
    "ModelClient": "rehost.clients.base",
    "GenericClient": "rehost.clients.generic",
    "llama_server": "rehost.providers.llamacpp",
    "Provider": "rehost.providers.base",
    "OpenAICompatible": "rehost.providers.openai_compatible",
    "Fallback": "rehost.providers.fallback",
    "Breaker": "rehost.providers.fallback",
    # a host of the caller's own, known to rehost.client("host/model") and `rehost hosts`
    "register_host": "rehost._registry",
    # shared types
    "Message": "rehost.shared.types",
    "TextPart": "rehost.shared.types",
    "ImagePart": "rehost.shared.types",
    "DocumentPart": "rehost.shared.types",
    "WebSearch": "rehost.shared.types",
    "ReasoningPart": "rehost.shared.types",
    "ToolCall": "rehost.shared.types",
    "ToolResult": "rehost.shared.types",
    "Tool": "rehost.shared.types",
    "Thinking": "rehost.shared.types",
    "Usage": "rehost.shared.types",
    "Timing": "rehost.shared.types",
    "Completion": "rehost.shared.types",
    "Attempt": "rehost.shared.types",
    "TextDelta": "rehost.shared.types",
    "ReasoningDelta": "rehost.shared.types",
    "ToolCallDelta": "rehost.shared.types",
    "Done": "rehost.shared.types",
    "Output": "rehost.shared.output",
    "PromptCache": "rehost.shared.chat.caching",
    "Request": "rehost.shared.request",
    "ThinkingPlan": "rehost.shared.request",
    "Timeouts": "rehost.shared.transport",
    "RetryPolicy": "rehost.shared.transport",
    "RateLimit": "rehost.shared.ratelimit",
    "Catalog": "rehost.shared.catalog",
    "models_table": "rehost.shared.catalog",
    "Cost": "rehost.shared.pricing",
    "Prices": "rehost.shared.pricing",
    "TokenCount": "rehost.shared.tokens",
    # embeddings: the family embedders' base and the neutral types
    "EmbedClient": "rehost.clients.embed_base",
    "EmbedRequest": "rehost.shared.embed.types",
    "EmbedUsage": "rehost.shared.embed.types",
    "Embeddings": "rehost.shared.embed.types",
    "Vectors": "rehost.shared.embed.types",
    # speech (issue 14): the clients of each family, and the neutral audio types
    "WhisperTranscriber": "rehost.clients.whisper",
    "NovaTranscriber": "rehost.clients.nova",
    "ScribeTranscriber": "rehost.clients.scribe",
    "VoxtralTranscriber": "rehost.clients.voxtral",
    "GPTTranscriber": "rehost.clients.gpt_audio",
    "OpenAISpeaker": "rehost.clients.voices",
    "ElevenLabsSpeaker": "rehost.clients.voices",
    "PiperSpeaker": "rehost.clients.voices",
    "Audio": "rehost.shared.audio.types",
    "Transcript": "rehost.shared.audio.types",
    "Speech": "rehost.shared.audio.types",
    # realtime voice (issue 15): the GPT realtime family's client (hosts come from the registry)
    "GptRealtimeClient": "rehost.clients.gpt_realtime",
    # beyond one process (issue 19): shared state, the response cache, hooks
    "MemoryState": "rehost.shared.io.state",
    "RedisState": "rehost.shared.io.state_redis",
    "SqliteState": "rehost.shared.io.state_sqlite",
    "ResponseCache": "rehost.cache",
    "Hooks": "rehost.hooks",
    "HookEvent": "rehost.hooks",
    # the errors a caller meets in the README's examples (all of them are in rehost.errors)
    "OutputValidationError": "rehost.shared.errors",
    "ToolLoopLimit": "rehost.shared.errors",
    "errors": "rehost.errors",
    # the video kind (issue 16): the job, its result, the polling plan's knobs (Runware and the video families'
    # clients come from the registry)
    "VideoClient": "rehost.clients.video.base",
    "Job": "rehost.shared.video.job",
    "Video": "rehost.shared.video.video",
    "PollPolicy": "rehost.shared.io.polling",
    # realtime voice (issue 15): the family clients of Gemini Live and Grok Voice
    "GeminiLive": "rehost.clients.gemini_live",
    "GrokVoice": "rehost.clients.grok_voice",
    # cascade realtime: any transcriber + chat client + voice as one session; the offline voice agent
    "Cascade": "rehost.cascade",
    "local_voice_agent": "rehost.cascade",
    # batches (issue 19): chat requests sent as one job at a host's batch price
    "BatchItem": "rehost.shared.batch.request",
    "BatchRequest": "rehost.shared.batch.request",
    "BatchJob": "rehost.shared.batch.job",
    "BatchResults": "rehost.shared.batch.results",
    "submit_batch": "rehost.shared.batch.sender",
}

__all__ = [
    "GeminiLive",
    "GrokVoice",
    "PlayAISpeaker",
    "Cascade",
    "local_voice_agent",
    "BGEEmbedder",
    "BatchItem",
    "BatchJob",
    "BatchRequest",
    "BatchResults",
    "Cohere",
    "CohereClient",
    "CohereEmbedder",
    "E5Embedder",
    "EmbedClient",
    "EmbedRequest",
    "EmbedUsage",
    "Embeddings",
    "GeminiEmbedder",
    "MiniLMEmbedder",
    "MistralEmbedder",
    "NomicEmbedder",
    "OnnxEmbedder",
    "OpenAIEmbedder",
    "Qwen3Embedder",
    "Vectors",
    "Voyage",
    "VoyageEmbedder",
    "GemmaClient",
    "LlamaCpp",
    "LlamaCppServer",
    "llama_server",
    "Anthropic",
    "Attempt",
    "Azure",
    "Breaker",
    "Catalog",
    "Bedrock",
    "Cerebras",
    "Cloudflare",
    "Clova",
    "DashScope",
    "Moonshot",
    "ZAI",
    "HuggingFace",
    "Perplexity",
    "Baseten",
    "Hyperbolic",
    "LightOn",
    "Novita",
    "DeepInfra",
    "Nebius",
    "SambaNova",
    "XAI",
    "ClaudeClient",
    "Completion",
    "Cost",
    "DeepSeek",
    "DeepSeekClient",
    "DocumentPart",
    "Done",
    "Fallback",
    "Fireworks",
    "GPTClient",
    "GeminiClient",
    "GenericClient",
    "Google",
    "HookEvent",
    "Hooks",
    "Groq",
    "ImagePart",
    "LlamaClient",
    "Maritaca",
    "MemoryState",
    "Message",
    "Mistral",
    "MistralClient",
    "ModelClient",
    "Ollama",
    "OpenAI",
    "OpenAICompatible",
    "OpenRouter",
    "Output",
    "OutputValidationError",
    "Prices",
    "PromptCache",
    "Provider",
    "QwenClient",
    "RateLimit",
    "ReasoningDelta",
    "ReasoningPart",
    "RedisState",
    "Request",
    "ResponseCache",
    "RetryPolicy",
    "Sarvam",
    "SeaLion",
    "SmolLMClient",
    "SqliteState",
    "TextDelta",
    "TextPart",
    "Thinking",
    "ThinkingPlan",
    "Timeouts",
    "Timing",
    "Together",
    "Upstage",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "TokenCount",
    "ToolLoopLimit",
    "ToolResult",
    "Usage",
    "VLLM",
    "Vertex",
    # speech (issue 14)
    "Audio",
    "Deepgram",
    "ElevenLabs",
    "ElevenLabsSpeaker",
    "GPTTranscriber",
    "NovaTranscriber",
    "OpenAISpeaker",
    "PiperLocal",
    "PiperSpeaker",
    "ScribeTranscriber",
    "Speech",
    "Transcript",
    "VoxtralTranscriber",
    "WhisperLocal",
    "WhisperTranscriber",
    "WebSearch",
    "catalog",
    "client",
    "errors",
    "models_table",
    "submit_batch",
    "register_host",
    # realtime voice (issue 15)
    "AzureVoiceLive", "GptRealtimeClient",
    # video (issue 16)
    "HailuoClient", "Job", "KlingClient", "PixVerseClient", "PollPolicy", "Replicate", "Runware",
    "RunwayClient", "SeedanceClient", "VeoClient", "Video", "VideoClient",
]


def catalog() -> Any:
    """The model x host catalogue in use (extend it with ``.register``)."""
    from .shared.catalog import default_catalog

    return default_catalog()


def client(spec: str, **options: Any) -> Any:
    """A model client bound to a provider from ``"host/model"``: ``rehost.client("groq/qwen3-32b")``,
    ``rehost.client("openrouter/deepseek/deepseek-r1", thinking=True)``. See ``rehost.entry.client``."""
    from .entry import client as make

    return make(spec, **options)


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
    from ._registry import register_host
    from .cache import ResponseCache
    from .cascade import Cascade, local_voice_agent
    from .clients.base import ModelClient
    from .clients.claude import ClaudeClient
    from .clients.cohere import CohereClient, CohereEmbedder
    from .clients.deepseek import DeepSeekClient
    from .clients.embed_base import EmbedClient
    from .clients.gemini import GeminiClient, GeminiEmbedder
    from .clients.gemini_live import GeminiLive
    from .clients.gemma import GemmaClient
    from .clients.generic import GenericClient
    from .clients.gpt import GPTClient, OpenAIEmbedder
    from .clients.gpt_audio import GPTTranscriber
    from .clients.gpt_realtime import GptRealtimeClient
    from .clients.grok_voice import GrokVoice
    from .clients.llama import LlamaClient
    from .clients.mistral import MistralClient, MistralEmbedder
    from .clients.nova import NovaTranscriber
    from .clients.open_embed import BGEEmbedder, E5Embedder, MiniLMEmbedder, NomicEmbedder, Qwen3Embedder
    from .clients.qwen import QwenClient
    from .clients.scribe import ScribeTranscriber
    from .clients.smollm import SmolLMClient
    from .clients.video.base import VideoClient
    from .clients.video.hailuo import HailuoClient
    from .clients.video.kling import KlingClient
    from .clients.video.pixverse import PixVerseClient
    from .clients.video.runway import RunwayClient
    from .clients.video.seedance import SeedanceClient
    from .clients.video.veo import VeoClient
    from .clients.voices import ElevenLabsSpeaker, OpenAISpeaker, PiperSpeaker, PlayAISpeaker
    from .clients.voxtral import VoxtralTranscriber
    from .clients.voyage import VoyageEmbedder
    from .clients.whisper import WhisperTranscriber
    from .hooks import HookEvent, Hooks
    from .providers.anthropic import Anthropic
    from .providers.azure import Azure
    from .providers.azure_realtime import AzureVoiceLive
    from .providers.base import Provider
    from .providers.baseten import Baseten
    from .providers.bedrock import Bedrock
    from .providers.cerebras import Cerebras
    from .providers.cloudflare import Cloudflare
    from .providers.clova import Clova
    from .providers.cohere import Cohere
    from .providers.dashscope import DashScope
    from .providers.deepgram import Deepgram
    from .providers.deepinfra import DeepInfra
    from .providers.deepseek import DeepSeek
    from .providers.elevenlabs import ElevenLabs
    from .providers.fallback import Breaker, Fallback
    from .providers.fireworks import Fireworks
    from .providers.google import Google
    from .providers.groq import Groq
    from .providers.huggingface import HuggingFace
    from .providers.hyperbolic import Hyperbolic
    from .providers.lighton import LightOn
    from .providers.llamacpp import LlamaCpp, LlamaCppServer, llama_server
    from .providers.maritaca import Maritaca
    from .providers.mistral import Mistral
    from .providers.moonshot import Moonshot
    from .providers.nebius import Nebius
    from .providers.novita import Novita
    from .providers.ollama import Ollama
    from .providers.onnx_embed import OnnxEmbedder
    from .providers.openai import OpenAI
    from .providers.openai_compatible import OpenAICompatible
    from .providers.openrouter import OpenRouter
    from .providers.perplexity import Perplexity
    from .providers.piper_local import PiperLocal
    from .providers.replicate import Replicate
    from .providers.runware import Runware
    from .providers.sambanova import SambaNova
    from .providers.sarvam import Sarvam
    from .providers.sealion import SeaLion
    from .providers.together import Together
    from .providers.upstage import Upstage
    from .providers.vertex import Vertex
    from .providers.vllm import VLLM
    from .providers.voyage import Voyage
    from .providers.whisper_local import WhisperLocal
    from .providers.xai import XAI
    from .providers.zai import ZAI
    from .shared.audio.types import Audio, Speech, Transcript
    from .shared.batch.job import BatchJob
    from .shared.batch.request import BatchItem, BatchRequest
    from .shared.batch.results import BatchResults
    from .shared.batch.sender import submit_batch
    from .shared.catalog import Catalog, models_table
    from .shared.chat.caching import PromptCache
    from .shared.embed.types import Embeddings, EmbedRequest, EmbedUsage, Vectors
    from .shared.errors import OutputValidationError, ToolLoopLimit
    from .shared.io.polling import PollPolicy
    from .shared.io.state import MemoryState
    from .shared.io.state_redis import RedisState
    from .shared.io.state_sqlite import SqliteState
    from .shared.output import Output
    from .shared.pricing import Cost, Prices
    from .shared.ratelimit import RateLimit
    from .shared.request import Request, ThinkingPlan
    from .shared.tokens import TokenCount
    from .shared.transport import RetryPolicy, Timeouts
    from .shared.types import (
        Attempt,
        Completion,
        DocumentPart,
        Done,
        ImagePart,
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
        WebSearch,
    )
    from .shared.video.job import Job
    from .shared.video.video import Video
