"""String entry points: ``rehost.client("groq/qwen3-32b")``, ``rehost.client("openrouter/deepseek/deepseek-r1")``.

The part before the first ``/`` is the host; the rest is the model, given as any of: a canonical catalogue id
(``deepseek-r1``), the host's own id for a catalogued model (``deepseek/deepseek-r1`` on OpenRouter), its
open-weights id (``Qwen/Qwen3-32B``, what a vLLM server serves it by), or a family variant name
(``sonnet-4.5``, ``r1``). The model's catalogue family picks the client class (the
family client, or GenericClient for a family rehost has no client for); the host name picks the provider
class. Whether the host serves the model is checked at the first call, as for any client (``ModelNotServed``
then names the hosts that do). A model rehost does not know is refused with the closest known names; pass
``raw=True`` to send it to the host as its own id, through GenericClient.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from . import _registry
from .shared.catalog import default_catalog
from .shared.errors import ConfigurationError

__all__ = ["FAMILY_CLIENTS", "HOSTS", "client", "provider"]

#: host name -> provider class (module, class name), imported on use; a live view of ``rehost._registry``
HOSTS: Mapping[str, tuple[str, str]] = _registry.SpecView(_registry.HOSTS, lambda row: row.spec)

#: catalogue family -> chat client class (module, class name); a view of ``rehost._registry.FAMILIES``
FAMILY_CLIENTS: Mapping[str, tuple[str, str]] = _registry.SpecView(_registry.FAMILIES,
                                                                   lambda kinds: kinds.get("chat"))


def _load(spec: tuple[str, str]) -> Any:
    return _registry.load(spec)


def _hint(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    return f" Did you mean {', '.join(close)}?" if close else ""


def provider(host: str, **options: Any) -> Any:
    """A provider instance by host name (``groq``, ``openrouter``, ...)."""
    spec = HOSTS.get(host)
    if spec is None:
        raise ConfigurationError(f"unknown host {host!r}.{_hint(host, sorted(HOSTS))} "
                                 f"Hosts: {', '.join(sorted(HOSTS))}")
    return _load(spec)(**options)


def _canonical(host: str, model: str) -> str | None:
    """The canonical id of ``model`` given as a canonical id, the host's id, or a family variant name."""
    catalog = default_catalog()
    if model in catalog:
        return model
    for entry in catalog.models():
        row = entry.hosts.get(host)
        if row is not None and row.id == model:
            return entry.id
    for entry in catalog.models():  # Hugging Face repo ids are case-insensitive
        if entry.open_weights is not None and entry.open_weights.casefold() == model.casefold():
            return entry.id
    found: set[str] = set()
    for spec in FAMILY_CLIENTS.values():
        cls = _load(spec)
        variant = cls.variants.get(model)
        if variant is None:
            variant = next((v for v in cls.variants.values() if model in v.aliases), None)
        if variant is not None:
            found.add(str(variant.model))
    if len(found) == 1:
        return found.pop()
    return None


def _known_names(host: str) -> list[str]:
    names: set[str] = set()
    for entry in default_catalog().models():
        names.add(entry.id)
        if entry.open_weights is not None:
            names.add(entry.open_weights)
        row = entry.hosts.get(host)
        if row is not None:
            names.add(row.id)
    for spec in FAMILY_CLIENTS.values():
        names.update(_load(spec).variants)
    return sorted(names)


def client(spec: str, *, raw: bool = False, provider_options: Mapping[str, Any] | None = None,
           bound_to: Any = None, **options: Any) -> Any:
    """A model client bound to a provider, from ``"host/model"``: the family's chat client, or its embedder
    for an embedding model (a catalogue row of kind ``embed``: ``rehost.client("openai/text-embedding-3-small")``).

    ``provider_options`` go to the provider (``api_key``, ``base_url``, ``project`` ...); other options go to
    the client (``thinking``, ``system``, ``tools``, sampling settings, ``catalog``). ``bound_to`` is a provider
    already built for the host, to share one (and its connections) between several clients; it excludes
    ``provider_options``. With ``catalog=`` the model is looked up in that catalogue, as the client's calls
    will be.
    """
    from .shared.catalog import using_catalog

    with using_catalog(options.get("catalog")):
        return _client(spec, raw=raw, provider_options=provider_options, bound_to=bound_to, **options)


def _client(spec: str, *, raw: bool, provider_options: Mapping[str, Any] | None, bound_to: Any,
            **options: Any) -> Any:
    host, sep, model = spec.partition("/")
    if not sep or not host or not model:
        raise ConfigurationError(f"give a model as 'host/model' (for example 'groq/qwen3-32b'), not {spec!r}")
    if host not in HOSTS:
        raise ConfigurationError(f"unknown host {host!r} in {spec!r}.{_hint(host, sorted(HOSTS))} "
                                 f"Hosts: {', '.join(sorted(HOSTS))}")
    if bound_to is not None and provider_options:
        raise ConfigurationError("give either a provider (bound_to=...) or provider_options, not both")
    bound = bound_to if bound_to is not None else provider(host, **dict(provider_options or {}))
    canonical = _canonical(host, model)
    if canonical is None:
        if raw:
            from .clients.generic import GenericClient

            return GenericClient(model, provider=bound, host_model_id=model, **options)
        raise ConfigurationError(
            f"unknown model {model!r} for {host}.{_hint(model, _known_names(host))} Give a catalogue id, {host}'s "
            f"own id of a catalogued model, or a client variant; or pass raw=True to send {model!r} to {host} as is"
        )
    family = default_catalog().model(canonical).family if canonical in default_catalog() else None
    kind = default_catalog().model(canonical).kind if canonical in default_catalog() else "chat"
    if kind != "chat":  # an embedding model (or a later kind): its family's client of that kind
        kind_spec = _registry.FAMILIES.get(family or "", {}).get(kind)
        if kind_spec is None:
            raise ConfigurationError(f"{canonical} is a {kind} model, and its family {family!r} has no {kind} client")
        made: Any = _load(kind_spec).for_host(canonical, bound, **options)
        return made
    client_spec = FAMILY_CLIENTS.get(family or "")
    if client_spec is None:
        from .clients.generic import GenericClient

        return GenericClient(canonical, provider=bound, **options)
    chat: Any = _load(client_spec).for_host(canonical, bound, **options)
    return chat
