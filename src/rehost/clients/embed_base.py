"""EmbedClient: what to ask one embedding model family, bound to a host that can be swapped at run time.

A family's embedder knows its models (``EmbedModel``: default and allowed dimensions, how many inputs and
tokens one call takes, whether vectors come back unit length) and what a caller's ``purpose`` means for it
(``embed_purpose``: a task type, an input type, or a prefix written into each text). It checks the input
before anything is sent, splits a long list into calls the model and the host both take, sends them through
the host's embed endpoint (async: concurrently, at most ``concurrency`` at once; each call waits for the host's
rate limiter in the transport), and puts the answers back together in input order as one ``Embeddings``.

The host only spells the request (``providers/``); nothing here knows a host.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, Self

from ..shared.embed.types import Embeddings, EmbedRequest, EmbedUsage, Truncate, Vectors
from ..shared.errors import ConfigurationError, InvalidRequest, UnsupportedFeature
from ..shared.pricing import Cost
from .embed_purpose import PURPOSES, Conditioning

__all__ = ["EmbedClient", "EmbedModel", "embed_models"]

_TRUNCATE = ("none", "start", "end")


@dataclass(frozen=True, slots=True)
class EmbedModel:
    """What a family knows about one of its embedding models (host-neutral)."""

    #: the catalogue id
    model: str
    #: the vector length when none is asked for
    dimensions: int | None = None
    #: the lengths the model can shorten its vectors to: a set, or an inclusive range (neither: it cannot)
    allowed_dimensions: tuple[int, ...] = ()
    dimension_range: tuple[int, int] | None = None
    #: the most inputs one call takes (the host may take fewer)
    max_inputs: int | None = None
    #: the most tokens one call takes, all inputs together (OpenAI: 300,000)
    max_tokens_per_call: int | None = None
    #: whether vectors come back unit length at the default dimensions (False: ``normalize=True`` scales them)
    unit_length: bool = True
    #: whether a shortened vector is still unit length (Gemini's are not; OpenAI's text-embedding-3 are)
    shortened_unit_length: bool = True
    aliases: tuple[str, ...] = ()

    def check_dimensions(self, dimensions: int | None) -> None:
        if dimensions is None:
            return
        if isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions <= 0:
            raise InvalidRequest(f"dimensions must be a whole number above 0, not {dimensions!r:.40}")
        if self.allowed_dimensions:
            if dimensions not in self.allowed_dimensions:
                allowed = ", ".join(map(str, self.allowed_dimensions))
                raise InvalidRequest(f"{self.model} makes vectors of {allowed} dimensions, not {dimensions}")
        elif self.dimension_range is not None:
            low, high = self.dimension_range
            if not low <= dimensions <= high:
                raise InvalidRequest(f"{self.model} makes vectors of {low} to {high} dimensions, not {dimensions}")
        elif dimensions != self.dimensions:
            raise InvalidRequest(f"{self.model} cannot shorten its vectors ({self.dimensions or 'fixed'} "
                                 f"dimensions): leave dimensions= out")


def embed_models(*models: EmbedModel) -> Mapping[str, EmbedModel]:
    """A family's model table, by catalogue id (read-only)."""
    return MappingProxyType({m.model: m for m in models})


class EmbedClient:
    """An embedding model of one family, bound to a host (``provider=`` a host or a host name)."""

    #: the catalogue family
    family: ClassVar[str] = ""
    #: the family's models by catalogue id
    models: ClassVar[Mapping[str, EmbedModel]] = {}

    @classmethod
    def for_host(cls, model: str, host: Any, **options: Any) -> Self:
        """This client for ``model`` bound to ``host``: the one way ``rehost.client`` makes a client of any
        kind, whatever order its constructor takes them in."""
        return cls(model, provider=host, **options)

    def __init__(self, model: str, *, provider: Any = None, host_model_id: str | None = None,
                 concurrency: int = 4, timeout: float | None = None) -> None:
        """``concurrency``: how many calls ``aembed`` has in flight at once when a list is split into several.
        ``host_model_id`` names the model on the host when its catalogue row does not (a self-hosted server
        started from another copy)."""
        self.spec = self._spec(model)
        self.model = self.spec.model
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigurationError(f"concurrency must be a whole number of 1 or more, not {concurrency!r:.40}")
        self.concurrency = concurrency
        self.host_model_id = host_model_id
        self.timeout = timeout
        self._provider = _as_embed_host(provider)

    @classmethod
    def _spec(cls, model: str) -> EmbedModel:
        found = cls.models.get(model) or next((m for m in cls.models.values() if model in m.aliases), None)
        if found is None:
            raise ConfigurationError(f"{cls.__name__} has no model {model!r}; its models: {', '.join(cls.models)}")
        return found

    @property
    def provider(self) -> Any:
        if self._provider is None:
            raise ConfigurationError(f"{type(self).__name__}({self.model!r}) is not bound to a host: pass "
                                     "provider=... or set client.provider")
        return self._provider

    @provider.setter
    def provider(self, provider: Any) -> None:
        self._provider = _as_embed_host(provider)

    def __repr__(self) -> str:
        host = getattr(self._provider, "name", None) or "unbound"
        return f"{type(self).__name__}({self.model!r}, provider={host})"

    # ------------------------------------------------------------------------------------------ family rules
    def condition(self, texts: tuple[str, ...], purpose: str | None, title: str | None) -> Conditioning:
        """What ``purpose`` means for this family (default: nothing: the model is symmetric)."""
        if title is not None:
            raise UnsupportedFeature(f"{self.model} takes no document title")
        return Conditioning(texts)

    # ------------------------------------------------------------------------------------------ calls
    def embed(self, texts: str | Sequence[str], *, purpose: str | None = None, dimensions: int | None = None,
              truncate: Truncate | None = None, normalize: bool | None = None, title: str | None = None,
              timeout: float | None = None, extra_body: dict[str, Any] | None = None) -> Embeddings:
        """The vectors of ``texts`` (one string: one vector), in order. ``purpose``: what they are for
        (``query``, ``document``, ``similarity`` ...: see ``embed_purpose``); ``dimensions``: shorter
        vectors where the model can; ``truncate``: ``none`` (refuse an over-long input), ``start`` or
        ``end`` (None: the host's default); ``normalize=True`` scales vectors the model does not return
        at unit length."""
        sender = self._sender()  # read once: a host swapped meanwhile takes the next call
        requests, do_normalize = self._plan(sender, texts, purpose, dimensions, truncate, normalize, title,
                                            timeout, extra_body)
        started = time.perf_counter()
        results = [sender.embed(request) for request in requests]
        return self._join(results, started, do_normalize)

    async def aembed(self, texts: str | Sequence[str], *, purpose: str | None = None, dimensions: int | None = None,
                     truncate: Truncate | None = None, normalize: bool | None = None, title: str | None = None,
                     timeout: float | None = None, extra_body: dict[str, Any] | None = None) -> Embeddings:
        """``embed`` with the calls in flight together (at most ``concurrency`` at once), answers in order."""
        sender = self._sender()  # read once: a host swapped meanwhile takes the next call
        requests, do_normalize = self._plan(sender, texts, purpose, dimensions, truncate, normalize, title,
                                            timeout, extra_body)
        started = time.perf_counter()
        gate = asyncio.Semaphore(self.concurrency)

        async def one(request: EmbedRequest) -> Embeddings:
            async with gate:
                result: Embeddings = await sender.aembed(request)
                return result

        results = list(await asyncio.gather(*(one(r) for r in requests)))
        return self._join(results, started, do_normalize)

    # ------------------------------------------------------------------------------------------ steps
    def _sender(self) -> Any:
        return self.provider.endpoint("embed")

    def _plan(self, sender: Any, texts: str | Sequence[str], purpose: str | None,  # noqa: PLR0917
              dimensions: int | None, truncate: Truncate | None, normalize: bool | None, title: str | None,
              timeout: float | None, extra_body: dict[str, Any] | None) -> tuple[list[EmbedRequest], bool]:
        """Every check, the family's purpose rule, and the calls to make; nothing is sent."""
        inputs = _checked_texts(texts)
        if purpose is not None and purpose not in PURPOSES:
            raise InvalidRequest(f"purpose must be one of {', '.join(PURPOSES)}, not {purpose!r:.40}")
        if title is not None and not isinstance(title, str):
            raise InvalidRequest(f"title must be a string, not {type(title).__name__}")
        if truncate is not None and truncate not in _TRUNCATE:
            raise InvalidRequest(f"truncate must be one of {', '.join(_TRUNCATE)} (or None), not {truncate!r:.40}")
        if normalize is not None and not isinstance(normalize, bool):
            raise InvalidRequest(f"normalize must be True, False or None, not {normalize!r:.40}")
        self.spec.check_dimensions(dimensions)
        try:
            conditioned = self.condition(inputs, purpose, title)
        except UnsupportedFeature as exc:
            raise InvalidRequest(exc.message) from None
        per_call = [n for n in (self.spec.max_inputs, _inputs_per_call(sender, self.model, self.host_model_id))
                    if n is not None]
        batches = _batches(conditioned.texts, min(per_call) if per_call else None, self.spec.max_tokens_per_call)
        wanted = dimensions if dimensions is not None and dimensions != self.spec.dimensions else None
        fixed = not self.spec.allowed_dimensions and self.spec.dimension_range is None
        sent = None if fixed else dimensions  # a model that cannot shorten is sent no dimensions (hosts refuse it)
        requests = [EmbedRequest(model=self.model, inputs=batch, input_type=conditioned.input_type,
                                 title=conditioned.title, dimensions=sent, truncate=truncate,
                                 host_model_id=self.host_model_id, timeout=timeout or self.timeout,
                                 extra_body=extra_body) for batch in batches]
        unit = self.spec.unit_length if wanted is None else self.spec.shortened_unit_length
        return requests, bool(normalize) and not unit

    def _join(self, results: list[Embeddings], started: float, normalize: bool) -> Embeddings:
        vectors = Vectors.concat([r.vectors for r in results])
        if normalize:
            vectors = vectors.normalized()
        first = results[0]
        return Embeddings(vectors=vectors, model=self.model, host=first.host, host_model_id=first.host_model_id,
                          usage=_sum_usage([r.usage for r in results]), cost=_sum_cost([r.cost for r in results]),
                          request_id=results[-1].request_id, seconds=time.perf_counter() - started,
                          calls=sum(r.calls for r in results))


# ---------------------------------------------------------------------------------------------- helpers
def _checked_texts(texts: Any) -> tuple[str, ...]:
    if isinstance(texts, str):
        texts = (texts,)
    if not isinstance(texts, Sequence):
        raise InvalidRequest(f"texts must be a string or a list of strings, not {type(texts).__name__}")
    if not texts:
        raise InvalidRequest("texts is empty: give at least one string to embed")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidRequest(f"texts[{i}] is a {type(text).__name__}, not a string")
        if not text.strip():
            raise InvalidRequest(f"texts[{i}] is empty: hosts refuse an empty input (or embed nothing)")
    return tuple(texts)


def _inputs_per_call(sender: Any, model: str, host_model_id: str | None) -> int | None:
    ask = getattr(sender, "inputs_per_call", None)
    if callable(ask):
        value = ask(model, host_model_id)
        return value if isinstance(value, int) else None
    value = getattr(sender, "max_inputs", None)
    return value if isinstance(value, int) else None


def _batches(texts: tuple[str, ...], per_call: int | None, token_budget: int | None) -> list[tuple[str, ...]]:
    """``texts`` in calls of at most ``per_call`` inputs and ``token_budget`` tokens, in order. Tokens are
    bounded by UTF-8 bytes (no tokenizer gives more tokens than bytes), so a call never goes over the
    budget; an input over the budget by itself goes alone (the host truncates or refuses it)."""
    out: list[tuple[str, ...]] = []
    current: list[str] = []
    used = 0
    for text in texts:
        cost = len(text.encode("utf-8")) if token_budget is not None else 0
        full = per_call is not None and len(current) >= per_call
        over = token_budget is not None and current and used + cost > token_budget
        if full or over:
            out.append(tuple(current))
            current, used = [], 0
        current.append(text)
        used += cost
    if current:
        out.append(tuple(current))
    return out


def _sum_usage(usages: list[EmbedUsage]) -> EmbedUsage:
    def total(name: str) -> int | None:
        values = [getattr(u, name) for u in usages]
        return None if any(v is None for v in values) else sum(values)

    images = [u.image_tokens for u in usages if u.image_tokens is not None]
    return EmbedUsage(input_tokens=total("input_tokens"), billable_characters=total("billable_characters"),
                      image_tokens=sum(images) if images else None)


def _sum_cost(costs: list[Cost | None]) -> Cost | None:
    if not costs or any(c is None for c in costs):
        return None
    known = [c for c in costs if c is not None]
    inputs = [c.input for c in known if c.input is not None]
    return Cost(total=sum((c.total for c in known), Decimal(0)), source=known[0].source,
                input=sum(inputs, Decimal(0)) if inputs else None)


def _as_embed_host(provider: Any) -> Any:
    """A host that serves embeddings: given, or by name (``"openai"``); refused here, not at the first call."""
    if provider is None:
        return None
    if isinstance(provider, str):
        from ..entry import provider as by_name

        try:
            provider = by_name(provider)
        except ConfigurationError as exc:
            raise ConfigurationError(f"provider={provider!r}: {exc.message}", host=exc.host) from None
    if isinstance(provider, type):
        raise ConfigurationError(f"provider={provider.__name__} is the class: pass a host, "
                                 f"provider={provider.__name__}() (or a host name, provider='openai')")
    kinds = getattr(provider, "kinds", None)
    if not callable(getattr(provider, "endpoint", None)) or not isinstance(kinds, frozenset | set) \
            or "embed" not in kinds:
        name = getattr(provider, "name", type(provider).__name__)
        raise ConfigurationError(f"{name} serves no embeddings: bind an embedder to a host that does (OpenAI, "
                                 "Google, Vertex, Mistral, Cohere, Voyage, Together, Fireworks, Ollama, vLLM, "
                                 "llama.cpp, the in-process OnnxEmbedder)", host=name)
    return provider
