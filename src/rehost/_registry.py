"""The one table of what rehost knows: every host (its provider class, the kinds it serves, the real hostnames of
its default URLs, its emulator style) and every model family's client per kind.

Everything that lists hosts or clients reads this table rather than keeping its own list: ``rehost``'s lazy
exports, ``rehost.client("host/model")`` and ``rehost.entry.HOSTS`` / ``FAMILY_CLIENTS``, the CLI's host list
(``rehost hosts``), the emulator's ``provider(style)`` and ``rehost.testing.redirect``. A host added here is
therefore known everywhere at once, and a host missing here is known nowhere (tests check the provider files and
the explicit imports ``rehost/__init__`` keeps for type checkers against it).

The table is plain strings, so ``import rehost`` stays cheap: no provider or client module is imported until a
row is used (:func:`load`). A host of your own (an OpenAI-compatible gateway, say) is one provider class plus one
:func:`register_host` call; give it catalogue rows with ``rehost.catalog().register(..., new_host=True)``.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

__all__ = ["FAMILIES", "HOSTS", "KINDS", "Host", "SpecView", "exports", "host_for_style", "load", "register_host",
           "unregister_host"]

#: the kinds of model API a host can serve (issue 13: chat, embeddings; 14: speech; 15: realtime voice; 16: video
#: jobs)
KINDS: frozenset[str] = frozenset({"chat", "embed", "transcribe", "speak", "realtime", "video"})

#: (module, class name) of a class, imported on use
Spec = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Host:
    """One host: where its provider class lives and what the rest of rehost needs to know about it by name."""

    name: str
    module: str
    cls: str
    #: the kinds it serves (its provider class's endpoints: ``chat``, ``embed``)
    kinds: frozenset[str] = frozenset({"chat"})
    #: the real hostnames (``name`` or ``name:port``) of its default URLs, which ``testing.redirect`` points
    #: at the emulator; ``real_host_suffixes`` catch families of hostnames (Vertex's regional endpoints)
    real_hosts: tuple[str, ...] = ()
    real_host_suffixes: tuple[str, ...] = ()
    #: the emulator's host style for it, where the emulator has one
    style: str | None = None
    #: whether its provider class has a batch endpoint (``batch_endpoint``): chat requests sent as one job
    #: at the host's batch price. Not a kind: a batch is chat work sent another way
    batch: bool = False

    @property
    def spec(self) -> Spec:
        return (self.module, self.cls)


_CHAT = frozenset({"chat"})
_CHAT_EMBED = frozenset({"chat", "embed"})
_EMBED = frozenset({"embed"})
_CHAT_EMBED_VIDEO = frozenset({"chat", "embed", "video"})
_CHAT_VIDEO = frozenset({"chat", "video"})
_CHAT_EMBED_SPEECH = frozenset({"chat", "embed", "transcribe", "speak"})
_CHAT_SPEECH = frozenset({"chat", "transcribe", "speak"})
_CHAT_EMBED_SPEECH_REALTIME = _CHAT_EMBED_SPEECH | {"realtime"}
_CHAT_REALTIME = frozenset({"chat", "realtime"})
_CHAT_EMBED_VIDEO_REALTIME = frozenset({"chat", "embed", "video", "realtime"})


def _row(name: str, module: str, cls: str, *real_hosts: str, style: str | None = None,
         kinds: frozenset[str] = _CHAT, batch: bool = False) -> Host:
    return Host(name, f"rehost.providers.{module}", cls, kinds=kinds, real_hosts=real_hosts, style=style,
                batch=batch)


_SHIPPED: tuple[Host, ...] = (
    _row("anthropic", "anthropic", "Anthropic", "api.anthropic.com", style="anthropic", batch=True),
    # the runtime's regional hosts (and Mantle's) for the regions Bedrock's docs list; another region's host is
    # reached with base_url=, or Bedrock(region=...) and testing.redirect's own URL
    Host("bedrock", "rehost.providers.bedrock", "Bedrock", real_hosts=tuple(
        f"bedrock-{kind}.{region}.{domain}" for kind, domain in (("runtime", "amazonaws.com"), ("mantle", "api.aws"))
        for region in ("us-east-1", "us-east-2", "us-west-2", "eu-central-1", "eu-west-1", "eu-west-2",
                       "eu-north-1", "eu-south-1", "ap-northeast-1", "ap-south-1", "ap-southeast-3", "sa-east-1")),
         style="bedrock"),
    _row("baseten", "baseten", "Baseten", "inference.baseten.co", style="baseten"),
    _row("cerebras", "cerebras", "Cerebras", "api.cerebras.ai", style="cerebras"),
    _row("clova", "clova", "Clova", "clovastudio.stream.ntruss.com", "clovastudio.stream.gov-ntruss.com",
         style="clova"),
    _row("cloudflare", "cloudflare", "Cloudflare", "api.cloudflare.com", style="cloudflare"),
    _row("cohere", "cohere", "Cohere", "api.cohere.com", style="cohere", kinds=_CHAT_EMBED),
    _row("dashscope", "dashscope", "DashScope", "dashscope-intl.aliyuncs.com", "dashscope.aliyuncs.com",
         style="dashscope"),
    _row("deepinfra", "deepinfra", "DeepInfra", "api.deepinfra.com", style="deepinfra"),
    _row("deepseek", "deepseek", "DeepSeek", "api.deepseek.com", style="deepseek"),
    _row("fireworks", "fireworks", "Fireworks", "api.fireworks.ai", style="fireworks", kinds=_CHAT_EMBED),
    _row("google", "google", "Google", "generativelanguage.googleapis.com", style="google",
         kinds=_CHAT_EMBED_VIDEO_REALTIME, batch=True),
    _row("groq", "groq", "Groq", "api.groq.com", style="groq", kinds=_CHAT_SPEECH),
    _row("huggingface", "huggingface", "HuggingFace", "router.huggingface.co", style="huggingface"),
    _row("hyperbolic", "hyperbolic", "Hyperbolic", "api.hyperbolic.xyz", style="hyperbolic"),
    _row("lighton", "lighton", "LightOn", "paradigm.lighton.ai", style="lighton"),
    _row("llamacpp", "llamacpp", "LlamaCppServer", "localhost:8080", "127.0.0.1:8080", style="llamacpp",
         kinds=_CHAT_EMBED),
    _row("llamacpp-local", "llamacpp", "LlamaCpp"),  # in-process: no URL, no emulator style
    _row("maritaca", "maritaca", "Maritaca", "chat.maritaca.ai"),
    _row("mistral", "mistral", "Mistral", "api.mistral.ai", "api.eu.mistral.ai", "api.us.mistral.ai",
                 style="mistral", kinds=_CHAT_EMBED_SPEECH),
    _row("moonshot", "moonshot", "Moonshot", "api.moonshot.ai", style="moonshot"),
    _row("nebius", "nebius", "Nebius", "api.tokenfactory.nebius.com", style="nebius"),
    _row("novita", "novita", "Novita", "api.novita.ai", style="novita"),
    _row("ollama", "ollama", "Ollama", "localhost:11434", "127.0.0.1:11434", style="ollama", kinds=_CHAT_EMBED),
    _row("openai", "openai", "OpenAI", "api.openai.com", style="openai", kinds=_CHAT_EMBED_SPEECH_REALTIME,
         batch=True),
    _row("onnx", "onnx_embed", "OnnxEmbedder", kinds=_EMBED),  # in-process: no URL, no emulator style
    _row("openrouter", "openrouter", "OpenRouter", "openrouter.ai", style="openrouter", kinds=_CHAT_VIDEO),
    _row("perplexity", "perplexity", "Perplexity", "api.perplexity.ai", style="perplexity"),
    _row("sambanova", "sambanova", "SambaNova", "api.sambanova.ai", style="sambanova"),
    _row("sarvam", "sarvam", "Sarvam", "api.sarvam.ai"),
    _row("sealion", "sealion", "SeaLion", "api.sea-lion.ai", style="sealion"),
    _row("together", "together", "Together", "api.together.xyz", style="together", kinds=_CHAT_EMBED),
    _row("upstage", "upstage", "Upstage", "api.upstage.ai", style="upstage"),
    _row("xai", "xai", "XAI", "api.x.ai", style="xai", kinds=_CHAT_REALTIME),
    _row("zai", "zai", "ZAI", "api.z.ai", style="zai"),
    # a resource's hostname is its own: Azure OpenAI, Foundry (AI Services) and serverless per-model endpoints
    Host("azure", "rehost.providers.azure", "Azure", real_host_suffixes=(".openai.azure.com", ".services.ai.azure.com",
                                                                         ".models.ai.azure.com"), style="azure",
         kinds=_CHAT_EMBED | {"realtime"}),
    # global (aiplatform.googleapis.com), regional ({region}-aiplatform...) and multi-region (aiplatform.eu.rep...)
    Host("vertex", "rehost.providers.vertex", "Vertex", real_host_suffixes=("aiplatform.googleapis.com",
                                                                            ".rep.googleapis.com"), style="vertex",
         kinds=_CHAT_EMBED_VIDEO_REALTIME),
    _row("vllm", "vllm", "VLLM", "localhost:8000", "127.0.0.1:8000", style="vllm", kinds=_CHAT_EMBED),
    _row("voyage", "voyage", "Voyage", "api.voyageai.com", "ai.mongodb.com", style="voyage", kinds=_EMBED),
    Host("runware", "rehost.providers.runware", "Runware", kinds=frozenset({"video"}), real_hosts=("api.runware.ai",)),
    Host("replicate", "rehost.providers.replicate", "Replicate", kinds=frozenset({"video"}),
         real_hosts=("api.replicate.com",)),  # predictions as video jobs (testing/emulator_jobs.py)
    # speech hosts (issue 14): they serve no chat
    Host("deepgram", "rehost.providers.deepgram", "Deepgram", frozenset({"transcribe"}), ("api.deepgram.com",),
         style="deepgram"),
    Host("elevenlabs", "rehost.providers.elevenlabs", "ElevenLabs", frozenset({"speak", "transcribe"}),
         ("api.elevenlabs.io",), style="elevenlabs"),
    Host("whisper-local", "rehost.providers.whisper_local", "WhisperLocal", frozenset({"transcribe"})),  # in-process
    Host("piper-local", "rehost.providers.piper_local", "PiperLocal", frozenset({"speak"})),  # in-process
    # realtime voice hosts (issue 15): Azure AI Voice Live's resources are per customer, hence suffixes
    Host("azure-voice-live", "rehost.providers.azure_realtime", "AzureVoiceLive", frozenset({"realtime"}),
         real_host_suffixes=(".services.ai.azure.com", ".cognitiveservices.azure.com")),
)

_hosts: dict[str, Host] = {h.name: h for h in _SHIPPED}
_lock = threading.Lock()

#: host name -> its row; a live read-only view (``register_host`` adds to it)
HOSTS: Mapping[str, Host] = MappingProxyType(_hosts)


def _family(module: str, cls: str | None, embed: str | None = None, embed_module: str | None = None
            ) -> Mapping[str, Spec]:
    kinds: dict[str, Spec] = {}
    if cls is not None:
        kinds["chat"] = (f"rehost.clients.{module}", cls)
    if embed is not None:
        kinds["embed"] = (f"rehost.clients.{embed_module or module}", embed)
    return MappingProxyType(kinds)


#: catalogue family -> {kind: (module, client class)}: a family's chat client and its embedder, where it has
#: them (a catalogue row's ``kind`` picks which one ``rehost.client`` makes)
FAMILIES: Mapping[str, Mapping[str, Spec]] = MappingProxyType({
    "bge": _family("open_embed", None, "BGEEmbedder"),
    "claude": _family("claude", "ClaudeClient"),
    "cohere": _family("cohere", "CohereClient", "CohereEmbedder"),
    "deepseek": _family("deepseek", "DeepSeekClient"),
    "e5": _family("open_embed", None, "E5Embedder"),
    "gemini": _family("gemini", "GeminiClient", "GeminiEmbedder"),
    "gemma": _family("gemma", "GemmaClient"),
    "gpt": _family("gpt", "GPTClient", "OpenAIEmbedder"),
    "llama": _family("llama", "LlamaClient"),
    "minilm": _family("open_embed", None, "MiniLMEmbedder"),
    "mistral": _family("mistral", "MistralClient", "MistralEmbedder"),
    "nomic": _family("open_embed", None, "NomicEmbedder"),
    "qwen": _family("qwen", "QwenClient", "Qwen3Embedder", "open_embed"),
    "smollm": _family("smollm", "SmolLMClient"),
    "voyage": _family("voyage", None, "VoyageEmbedder"),
    # speech families (issue 14): a transcriber or a voice, made (host, model)
    "elevenlabs": MappingProxyType({"speak": ("rehost.clients.voices", "ElevenLabsSpeaker")}),
    "gpt-transcribe": MappingProxyType({"transcribe": ("rehost.clients.gpt_audio", "GPTTranscriber")}),
    "nova": MappingProxyType({"transcribe": ("rehost.clients.nova", "NovaTranscriber")}),
    "openai-tts": MappingProxyType({"speak": ("rehost.clients.voices", "OpenAISpeaker")}),
    "piper": MappingProxyType({"speak": ("rehost.clients.voices", "PiperSpeaker")}),
    "playai": MappingProxyType({"speak": ("rehost.clients.voices", "PlayAISpeaker")}),
    "scribe": MappingProxyType({"transcribe": ("rehost.clients.scribe", "ScribeTranscriber")}),
    "voxtral": MappingProxyType({"transcribe": ("rehost.clients.voxtral", "VoxtralTranscriber")}),
    "whisper": MappingProxyType({"transcribe": ("rehost.clients.whisper", "WhisperTranscriber")}),
    # realtime voice families (issue 15): a realtime client only, made (host, model)
    "gemini-live": MappingProxyType({"realtime": ("rehost.clients.gemini_live", "GeminiLive")}),
    "gpt-realtime": MappingProxyType({"realtime": ("rehost.clients.gpt_realtime", "GptRealtimeClient")}),
    "grok-voice": MappingProxyType({"realtime": ("rehost.clients.grok_voice", "GrokVoice")}),
    # video families (issue 16): a video client only
    "hailuo": MappingProxyType({"video": ("rehost.clients.video.hailuo", "HailuoClient")}),
    "kling": MappingProxyType({"video": ("rehost.clients.video.kling", "KlingClient")}),
    "pixverse": MappingProxyType({"video": ("rehost.clients.video.pixverse", "PixVerseClient")}),
    "runway": MappingProxyType({"video": ("rehost.clients.video.runway", "RunwayClient")}),
    "seedance": MappingProxyType({"video": ("rehost.clients.video.seedance", "SeedanceClient")}),
    "veo": MappingProxyType({"video": ("rehost.clients.video.veo", "VeoClient")}),
})


def load(spec: Spec) -> Any:
    """The class a row names, imported now."""
    module, name = spec
    return getattr(importlib.import_module(module), name)


def family_client(kind: str, model: str, host: Any) -> Any:
    """The ``kind`` client of a catalogued ``model``'s family, bound to ``host`` (what the per-kind benches make
    from a model name); a clear error when the model is not catalogued or its family has no such client."""
    from .shared.catalog import default_catalog
    from .shared.errors import ConfigurationError

    catalog = default_catalog()
    if model not in catalog:
        raise ConfigurationError(f"{model!r} is not a catalogued {kind} model")
    family = catalog.model(model).family
    kinds = FAMILIES.get(family or "", {})
    spec = kinds.get(kind)
    if spec is None:
        raise ConfigurationError(f"{model} ({family}) has no {kind} client; its family serves "
                                 f"{', '.join(kinds) or 'no kind rehost has a client for'}")
    return load(spec).for_host(model, host)


def host_for_style(style: str) -> Host | None:
    """The host whose emulator style is ``style``, or None."""
    return next((h for h in list(_hosts.values()) if h.style == style), None)


def register_host(name: str, module: str, cls: str, *, kinds: frozenset[str] | set[str] = _CHAT,
                  real_hosts: tuple[str, ...] = (), style: str | None = None) -> Host:
    """Make a host known to every part of rehost (``rehost.client("name/model")``, ``rehost hosts`` ...).

    ``module`` and ``cls`` name its provider class (imported only when the host is used, as for the shipped
    hosts); its models need catalogue rows (``rehost.catalog().register(model, name, id, new_host=True)``) or
    ``raw=True``. A name already taken is refused, so a typo cannot silently replace a shipped host; call
    :func:`unregister_host` first to replace one of your own."""
    from .shared.errors import ConfigurationError

    for what, value in (("name", name), ("module", module), ("cls", cls)):
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"register_host needs a {what} (a non-empty string), not {value!r:.40}")
    if "/" in name or name != name.strip():
        raise ConfigurationError(f"a host name cannot hold '/' or surrounding spaces ('host/model' is split at the "
                                 f"first '/'): {name!r}")
    unknown = set(kinds) - KINDS
    if not kinds or unknown:
        raise ConfigurationError(f"register_host: kinds must be some of {', '.join(sorted(KINDS))}, "
                                 f"not {sorted(kinds)!r}")
    row = Host(name, module, cls, kinds=frozenset(kinds), real_hosts=tuple(real_hosts), style=style)
    with _lock:
        if name in _hosts:
            raise ConfigurationError(f"host {name!r} is already registered ({_hosts[name].module}."
                                     f"{_hosts[name].cls}); unregister_host({name!r}) first to replace it")
        _hosts[name] = row
    return row


def unregister_host(name: str) -> None:
    """Forget a host added with :func:`register_host`; the shipped hosts cannot be removed."""
    from .shared.errors import ConfigurationError

    with _lock:
        if any(h.name == name for h in _SHIPPED):
            raise ConfigurationError(f"{name!r} is a shipped host and cannot be unregistered")
        if _hosts.pop(name, None) is None:
            raise ConfigurationError(f"no registered host {name!r}")


class SpecView(Mapping[str, Spec]):
    """A live read-only ``name -> (module, class)`` view over a table of this module, for the older names
    (``entry.HOSTS``, ``entry.FAMILY_CLIENTS``) that callers already use."""

    def __init__(self, rows: Mapping[str, Any], pick: Any) -> None:
        self._rows = rows
        self._pick = pick

    def __getitem__(self, key: str) -> Spec:
        spec: Spec | None = self._pick(self._rows[key])
        if spec is None:
            raise KeyError(key)
        return spec

    def __iter__(self) -> Iterator[str]:
        return iter([k for k, v in list(self._rows.items()) if self._pick(v) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


def exports() -> dict[str, str]:
    """Class name -> module for every shipped host's provider and every family's clients."""
    out = {h.cls: h.module for h in _SHIPPED}
    for kinds in FAMILIES.values():
        out.update({cls: module for module, cls in kinds.values()})
    return out

