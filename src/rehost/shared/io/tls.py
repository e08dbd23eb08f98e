"""TLS contexts that load their certificate store on the first TLS handshake, once per process.

httpx builds an ``ssl.SSLContext`` and loads certifi's CA bundle (tens of milliseconds) when a client is created,
even when every request of that client goes to ``http://`` (the emulator, a local llama.cpp or Ollama server).
``ssl_context()`` returns a context whose certificates are loaded on its first ``wrap_socket`` / ``wrap_bio``,
the two calls through which every TLS connection is made (httpcore's sync and anyio backends, asyncio's
``SSLProtocol`` under aiohttp). One context per setting is shared by every pool in the process, so the bundle is
read once, not once per provider.

The context is configured as ``httpx.create_ssl_context`` would configure it (``ssl.create_default_context`` with
certifi's bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` from the environment), only later.
"""

from __future__ import annotations

import contextlib
import functools
import os
import ssl
import sys
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["LazySSLContext", "deferred_default_contexts", "ssl_context"]


class LazySSLContext(ssl.SSLContext):
    """An ``ssl.SSLContext`` for verifying servers that reads its CA certificates on the first handshake."""

    _cafile: str | None
    _capath: str | None
    _system_store: bool
    _loaded: bool
    _load_lock: threading.Lock

    def __new__(cls, cafile: str | None = None, capath: str | None = None, *,
                system_store: bool = False) -> LazySSLContext:
        """``cafile`` / ``capath`` as ``load_verify_locations`` takes them; neither: certifi's bundle, as httpx
        uses, or with ``system_store`` the system's default store, as ``ssl.create_default_context()`` loads."""
        ctx = super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)
        ctx._cafile = cafile
        ctx._capath = capath
        ctx._system_store = system_store
        ctx._loaded = False
        ctx._load_lock = threading.Lock()
        # what ssl.create_default_context does besides loading the store (PROTOCOL_TLS_CLIENT already sets
        # check_hostname and CERT_REQUIRED)
        if sys.version_info >= (3, 13):
            ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT
        keylog = os.environ.get("SSLKEYLOGFILE")
        if keylog and not sys.flags.ignore_environment:
            ctx.keylog_filename = keylog
        return ctx

    @property
    def loaded(self) -> bool:
        """Whether the certificate store has been read (a TLS connection has been made with this context)."""
        return self._loaded

    def load(self) -> None:
        """Read the certificate store now (done by the first handshake; idempotent and thread-safe)."""
        if self._loaded:
            return
        with self._load_lock:
            if self._loaded:
                return
            cafile, capath = self._cafile, self._capath
            if cafile is None and capath is None and self._system_store:
                self.load_default_certs(ssl.Purpose.SERVER_AUTH)
            else:
                if cafile is None and capath is None:
                    import certifi

                    cafile = certifi.where()
                self.load_verify_locations(cafile=cafile, capath=capath)
            self._loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self.load()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self.load()
        return super().wrap_bio(*args, **kwargs)


def ssl_context(verify: bool | str | ssl.SSLContext = True, *, trust_env: bool = True) -> ssl.SSLContext:
    """The process-wide TLS context for ``verify``, as httpx's ``verify=`` takes it.

    ``True`` verifies against certifi's bundle (or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when ``trust_env``),
    a string is a CA bundle file or directory, ``False`` turns verification off, and a context of the caller's
    is returned unchanged. Nothing is read from disk until the first TLS handshake."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is True and trust_env:
        return _cached(True, os.environ.get("SSL_CERT_FILE") or None,
                       None if os.environ.get("SSL_CERT_FILE") else os.environ.get("SSL_CERT_DIR") or None)
    if verify is True:
        return _cached(True, None, None)
    if verify is False:
        return _cached(False, None, None)
    return _cached(True, None, verify) if os.path.isdir(verify) else _cached(True, verify, None)


@functools.lru_cache(maxsize=16)
def _cached(verify: bool, cafile: str | None, capath: str | None) -> ssl.SSLContext:
    if not verify:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    return LazySSLContext(cafile, capath)


@contextlib.contextmanager
def deferred_default_contexts() -> Iterator[None]:
    """While importing a library that builds TLS contexts at import time, let those contexts read their
    certificates when they are first used instead.

    aiohttp's connector module builds two at import: ``ssl.create_default_context()`` (the system store) and an
    unverified one on which it calls ``set_default_verify_paths()``; together they are most of what
    ``import aiohttp`` costs (tens of milliseconds each), although rehost always hands aiohttp a context of its
    own. Inside this block ``ssl.create_default_context()`` with no arguments returns an equivalent context that
    loads the system store on its first handshake, and ``set_default_verify_paths()`` on a context that does not
    verify (where the paths cannot matter) does nothing. Both are restored on the way out."""
    real_default = ssl.create_default_context
    had_own_paths = "set_default_verify_paths" in vars(ssl.SSLContext)
    real_paths = ssl.SSLContext.set_default_verify_paths

    def create_default_context(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        if args or kwargs:
            return real_default(*args, **kwargs)
        return LazySSLContext(system_store=True)

    def set_default_verify_paths(self: ssl.SSLContext) -> None:
        if self.verify_mode != ssl.CERT_NONE:
            real_paths(self)

    ssl.create_default_context = create_default_context
    ssl.SSLContext.set_default_verify_paths = set_default_verify_paths  # type: ignore[method-assign]
    try:
        yield
    finally:
        ssl.create_default_context = real_default
        if had_own_paths:
            ssl.SSLContext.set_default_verify_paths = real_paths  # type: ignore[method-assign]
        else:
            del ssl.SSLContext.set_default_verify_paths
