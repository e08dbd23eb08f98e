"""Binding a client to the provider (host) that sends its requests, shared by every kind of client: what a
client may be bound to (``_as_provider``: a provider, or a host name), whether the bound host can count tokens
(``_host_counts``), and the swappable ``provider`` attribute itself (``Bound``). Every call reads
``self.provider`` once, at its start, so a provider swapped while a call is in flight takes effect from the next
call and the running one finishes on the host it started on."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from ...shared.chat.request import Request
from ...shared.errors import ConfigurationError

if TYPE_CHECKING:
    from ...shared.catalog import Catalog

__all__ = ["Bound", "check_catalog", "in_catalog"]

P = ParamSpec("P")
R = TypeVar("R")


class Bound:
    """The provider binding of a client: ``provider`` raises a ConfigurationError while unbound, and setting it
    checks the new provider the way the constructor does."""

    _provider: Any = None
    variant_name: str
    #: the catalogue this client and its bound host read ids, prices and context windows from during its
    #: calls (None: the process-wide one); see ``in_catalog``
    catalog: Catalog | None = None

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



def check_catalog(catalog: Any) -> Catalog | None:
    """``catalog=`` is a rehost Catalog or None; anything else would only fail at the first call."""
    if catalog is None:
        return None
    from ...shared.catalog import Catalog

    if not isinstance(catalog, Catalog):
        raise ConfigurationError(f"catalog must be a rehost Catalog (rehost.shared.catalog.Catalog.load(), then "
                                 f".register(...)), not {type(catalog).__name__}")
    return catalog


def in_catalog(method: Callable[P, R]) -> Callable[P, R]:
    """Run a client method with the client's own catalogue in use (``using_catalog``), so the bound host,
    whatever kind it is, reads that catalogue for this call only. A stream the method returns keeps it for
    each event it yields (they are read after the method returned). Without ``catalog=`` it changes nothing.
    The catalogue module is imported only by a client that has one (``import rehost`` stays light)."""
    if inspect.iscoroutinefunction(method):
        @functools.wraps(method)
        async def acall(*args: P.args, **kwargs: P.kwargs) -> Any:
            catalog = getattr(args[0], "catalog", None)
            if catalog is None:
                return await method(*args, **kwargs)
            from ...shared.catalog import using_catalog

            with using_catalog(catalog):
                return await method(*args, **kwargs)

        return acall  # type: ignore[return-value]

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        catalog = getattr(args[0], "catalog", None)
        if catalog is None:
            return method(*args, **kwargs)
        from ...shared.catalog import using_catalog

        with using_catalog(catalog):
            result = method(*args, **kwargs)
        scoped = getattr(result, "_scope_catalog", None)
        if scoped is not None:
            scoped(catalog)
        return result

    return call
