"""Binding a client to the provider (host) that sends its requests, shared by every kind of client: what a
client may be bound to (``_as_provider``: a provider, or a host name), whether the bound host can count tokens
(``_host_counts``), and the swappable ``provider`` attribute itself (``Bound``). Every call reads
``self.provider`` once, at its start, so a provider swapped while a call is in flight takes effect from the next
call and the running one finishes on the host it started on."""

from __future__ import annotations

from typing import Any

from ...shared.chat.request import Request
from ...shared.errors import ConfigurationError

__all__ = ["Bound"]


class Bound:
    """The provider binding of a client: ``provider`` raises a ConfigurationError while unbound, and setting it
    checks the new provider the way the constructor does."""

    _provider: Any = None
    variant_name: str

    @property
    def provider(self) -> Any:
        if self._provider is None:
            raise ConfigurationError(f"{type(self).__name__}({self.variant_name!r}) is not bound to a provider: "
                                     "pass provider=... or set client.provider")
        return self._provider

    @provider.setter
    def provider(self, provider: Any) -> None:
        self._provider = _as_provider(provider)


def _host_counts(provider: Any, request: Request, method: str) -> bool:
    """Whether the bound host can count this request's tokens: it has the method, a key, and (where one host
    serves models of several publishers, as Vertex does) a counter for this model."""
    if provider is None or not hasattr(provider, method) or not provider.has_key:
        return False
    counts = getattr(provider, "counts_tokens", None)
    return counts is None or bool(counts(request))


def _as_provider(provider: Any) -> Any:
    """The provider a client is bound to. A host name (``provider="groq"``) is that host's provider with its
    defaults, as ``rehost.client("groq/...")`` makes it (the key from the environment); a provider class is
    refused with a hint to make one (it is a likely slip, and some need arguments); anything that cannot send
    a request is refused here rather than with an AttributeError at the first call."""
    if provider is None:
        return None
    if isinstance(provider, str):
        from ...entry import provider as by_name

        try:
            return by_name(provider)
        except ConfigurationError as exc:
            raise ConfigurationError(f"provider={provider!r}: {exc.message}", host=exc.host) from None
    if isinstance(provider, type):
        raise ConfigurationError(f"provider={provider.__name__} is the class: pass a provider, "
                                 f"provider={provider.__name__}() (or a host name, provider='groq')")
    if not (callable(getattr(provider, "send", None)) and callable(getattr(provider, "prepare", None))):
        raise ConfigurationError(f"provider must be a provider such as Groq() or a host name such as 'groq', not "
                                 f"{type(provider).__name__} {provider!r:.40}")
    return provider

