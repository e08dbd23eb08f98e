"""TRANSITIONAL: the embed endpoint of a host that is still an old ``Provider`` (deleted with ``_old.py``).

While issue 13's conversion is under way, some hosts (OpenAI, Mistral, Google, Vertex ...) are still the old
``Provider`` class, which has no ``endpoint(kind)``. Such a host names its embed endpoint exactly as a
converted ``Host`` does (``embed_endpoint = "OpenAIEmbed"``); ``embed_sender`` builds that endpoint over a thin
view of the old provider that answers what an ``EmbedEndpoint`` asks of its host. Once every provider is a
``Host``, ``embed_sender(target)`` is ``target.endpoint("embed")`` and this module goes.
"""

from __future__ import annotations

import weakref
from typing import Any

from ...shared.errors import UnsupportedFeature
from .kinds import endpoint_attribute

__all__ = ["embed_sender", "serves"]

_built: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


class _OldHostView:
    """An old ``Provider`` answering as a ``Host`` for one endpoint: everything is the provider's own, plus
    the three things the old class spells otherwise (``model_id``, ``catalog``, ``map_error_body``)."""

    def __init__(self, provider: Any) -> None:
        self._provider = provider

    def __getattr__(self, name: str) -> Any:
        return getattr(self._provider, name)

    def __repr__(self) -> str:
        return repr(self._provider)

    @property
    def catalog(self) -> Any:
        from ...shared.catalog import default_catalog

        return default_catalog()

    def model_id(self, model: str, host_model_id: str | None = None) -> str:
        p = self._provider
        if host_model_id:
            return host_model_id
        if model in p._models:
            return str(p._models[model])
        if p.serves_any_model:
            return self.catalog.local_id(model, p.name, provider=type(p).__name__)  # type: ignore[no-any-return]
        return self.catalog.host_entry(model, p.name).id  # type: ignore[no-any-return]

    def map_error_body(self, status: int, headers: Any, content: bytes, reader: Any) -> Any:
        return self._provider.map_http_error(status, headers, content)


def serves(target: Any, kind: str) -> bool:
    """Whether ``target`` (a Host, an old Provider, an in-process engine) serves ``kind``."""
    kinds = getattr(target, "kinds", None)
    if isinstance(kinds, frozenset | set):
        return kind in kinds
    if kind == "chat" and callable(getattr(target, "send", None)):
        return True  # an old Provider is a chat host
    return endpoint_attribute(type(target), f"{kind}_endpoint") is not None


def embed_sender(target: Any) -> Any:
    """What an embedder sends one batch through on ``target``: its embed endpoint (UnsupportedFeature when it
    serves no embeddings)."""
    endpoint = getattr(target, "endpoint", None)
    if callable(endpoint):
        return endpoint("embed")
    found = _built.get(target)
    if found is not None:
        return found
    cls = endpoint_attribute(type(target), "embed_endpoint")
    name = getattr(target, "name", type(target).__name__)
    if cls is None:
        raise UnsupportedFeature(f"{name} serves no embed endpoint", host=name)
    found = _built[target] = cls(_OldHostView(target))
    return found
