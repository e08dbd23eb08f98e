"""httpx's async client on aiohttp's connection pool: the default async transport.

httpcore's async pool does per-request bookkeeping that grows with the number of requests in flight (every
request start and end scans every queued request against every connection), so at a thousand concurrent
streams it costs ten times what the streams themselves do (benchmarks/RESULTS.md). aiohttp's pool does not.
``AiohttpTransport`` puts aiohttp under httpx's ``AsyncBaseTransport`` interface, so everything above it
(rehost's Transport, retries, timeouts, users' own httpx transports) keeps httpx's API, as the
``httpx-aiohttp`` package does. rehost carries its own adapter rather than that package because the package maps
a dropped connection to ``ConnectTimeout``, loads the CA store when the transport is built, ignores env
proxies unless its client class is used, and drops httpx's trace hook; each of those is pinned by a test here.

What maps to what:

* timeouts: httpx's ``connect`` is aiohttp's ``sock_connect``; ``pool`` + ``connect`` bound aiohttp's
  ``connect`` (waiting for a place in the pool plus connecting); ``read`` is ``sock_read`` (every wait for bytes,
  headers included). aiohttp has no write timeout: a stalled upload is bounded by the read timeout, which runs
  from the moment the request starts, and by rehost's total deadline.
* errors: every aiohttp error becomes the httpx exception httpcore raises in the same situation (a timeout stays
  a timeout of the same phase, a dropped connection a ``ReadError`` / ``RemoteProtocolError``), with the
  aiohttp error as its ``__cause__``.
* limits: ``max_connections`` is the pool size (aiohttp's ``limit``), ``keepalive_expiry`` its keep-alive
  timeout; aiohttp has no separate cap on idle connections, so ``max_keepalive_connections`` is not enforced.
* proxies: ``http://`` proxies (given to ``AiohttpClient`` or found in ``HTTP(S)_PROXY``/``ALL_PROXY``, which
  httpx reads) go through aiohttp; any other proxy scheme (``https://``, ``socks5://``) falls back to httpx's
  own transport for that proxy.
* TLS: a lazily loaded, process-wide context (``rehost.shared.io.tls``); aiohttp is imported with its own two
  default contexts deferred the same way (``tls.deferred_default_contexts``).

aiohttp is imported when the first transport is built, never at ``import rehost``.
"""

from __future__ import annotations

import functools
import os
import ssl
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import ConfigurationError
from .tls import deferred_default_contexts, ssl_context

if TYPE_CHECKING:
    import aiohttp

__all__ = ["BACKEND_ENV", "AiohttpClient", "AiohttpTransport", "async_backend", "new_async_client"]

_DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
_SENT = "http11.send_request_body.complete"


def _map_error(exc: BaseException, *, reading: bool) -> httpx.TransportError | None:
    """The httpx exception for an aiohttp (or socket) error, or None for anything else (it propagates as is).

    ``reading`` is True once the response headers are in: the same aiohttp error means a different thing before
    (the request never got an answer) and after (the body was cut off)."""
    import aiohttp

    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message)
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):  # sock_read: a wait for bytes ran out
        return httpx.ReadTimeout(message)
    if isinstance(exc, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
        return httpx.ProxyError(message)
    if isinstance(exc, aiohttp.InvalidUrlClientError | aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol(message)
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ServerFingerprintMismatch):
        return httpx.ConnectError(message)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, aiohttp.ClientPayloadError):  # the body was cut off (a reset, a short chunked body)
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, aiohttp.ClientResponseError):  # a malformed status line or header
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, aiohttp.ClientError | OSError):  # resets, broken pipes, TLS failures mid-way
        return httpx.ReadError(message) if reading else httpx.ConnectError(message)
    return None


@functools.lru_cache(maxsize=64)
def _client_timeout(connect: float | None, read: float | None, pool: float | None) -> aiohttp.ClientTimeout:
    import aiohttp

    acquire = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(total=None, connect=acquire, sock_connect=connect, sock_read=read)


class _ResponseStream(httpx.AsyncByteStream):
    """The body of an aiohttp response, as httpx reads it; closing it early closes the connection."""

    __slots__ = ("_response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._response.content
        try:
            while True:
                chunk = await content.readany()
                if not chunk:
                    return
                yield chunk
        except Exception as exc:
            mapped = _map_error(exc, reading=True)
            if mapped is None:
                raise
            raise mapped from exc

    async def aclose(self) -> None:
        response = self._response
        if response.content.is_eof():
            response.release()  # back to the pool
        else:
            response.close()  # unread bytes: the connection cannot be reused


async def _traced_body(content: bytes, trace: Any, request: httpx.Request) -> AsyncIterator[bytes]:
    """The request body, reporting httpx's "body sent" trace event once aiohttp has written it."""
    yield content
    await trace(_SENT, {"request": request})


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` on one ``aiohttp.ClientSession`` (built on first use, in the running loop;
    like any async pool, one transport serves one event loop)."""

    def __init__(self, *, verify: bool | str | ssl.SSLContext = True, trust_env: bool = True,
                 limits: httpx.Limits = _DEFAULT_LIMITS, proxy: httpx.Proxy | None = None) -> None:
        if proxy is not None and proxy.url.scheme != "http":
            raise ValueError(f"AiohttpTransport takes http:// proxies, not {proxy.url.scheme}:// "
                             "(AiohttpClient sends those through httpx's own transport)")
        self._ssl = ssl_context(verify, trust_env=trust_env)
        self._limits = limits
        self._proxy_url = str(proxy.url) if proxy is not None else None
        self._proxy_headers = dict(proxy.headers) if proxy is not None and proxy.headers else None
        self._proxy_auth = proxy.auth if proxy is not None else None
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if "aiohttp" not in sys.modules:
            with deferred_default_contexts():  # aiohttp reads the system CA store at import otherwise
                import aiohttp
        import aiohttp

        connector = aiohttp.TCPConnector(
            limit=self._limits.max_connections or 0, limit_per_host=0,
            keepalive_timeout=self._limits.keepalive_expiry, ssl=self._ssl,
            resolver=aiohttp.ThreadedResolver(),  # getaddrinfo, as httpcore resolves (not aiodns if installed)
        )
        # httpx does cookies, redirects, decompression and status checks; aiohttp must do none of them twice
        self._session = aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False,
            raise_for_status=False, trust_env=False, max_line_size=65536, max_field_size=65536,
        )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        timeout = request.extensions.get("timeout") or {}
        trace = request.extensions.get("trace")
        data: Any
        try:
            data = request.content or None
        except httpx.RequestNotRead:
            data = request.stream  # an async byte stream; aiohttp frames it
        if trace is not None and isinstance(data, bytes):
            data = _traced_body(data, trace, request)
        proxy_auth = None
        if self._proxy_auth is not None:
            import aiohttp

            proxy_auth = aiohttp.BasicAuth(*self._proxy_auth)
        import yarl  # aiohttp's URL type; ``encoded=True`` sends httpx's encoded URL as it is: parsed again,
        # ``%3A`` in a path would go out as ``:``, and a SigV4 signature of the encoded path would not match

        try:
            response = await session.request(
                request.method, yarl.URL(str(request.url), encoded=True), headers=request.headers.multi_items(),
                data=data, allow_redirects=False,
                timeout=_client_timeout(timeout.get("connect"), timeout.get("read"), timeout.get("pool")),
                server_hostname=request.extensions.get("sni_hostname"),
                proxy=self._proxy_url, proxy_auth=proxy_auth, proxy_headers=self._proxy_headers,
            )
        except Exception as exc:
            mapped = _map_error(exc, reading=False)
            if mapped is None:
                raise
            raise mapped from exc
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("latin-1", "replace")
        return httpx.Response(response.status, headers=response.raw_headers, stream=_ResponseStream(response),
                              request=request, extensions=extensions)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def __del__(self) -> None:
        # A pool dropped without aclose (a provider never closed, or its event loop ended first): close its
        # sockets if the loop still runs, and spare users aiohttp's "Unclosed client session" error log, which
        # httpx's own pool does not write in the same case (both leave the sockets to the garbage collector once
        # the loop is gone).
        session = getattr(self, "_session", None)
        if session is None or session.closed:
            return
        connector = session.connector
        session.detach()
        if connector is not None:
            connector._close()  # the synchronous part of connector.close(); it does nothing once the loop is closed


class AiohttpClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` whose pools (the main one and one per ``http://`` proxy, including proxies from the
    environment) are aiohttp's; a ``transport=`` passed in is used as given."""

    def _init_transport(  # noqa: PLR0917 (httpx's signature)
        self,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = _DEFAULT_LIMITS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> httpx.AsyncBaseTransport:
        if transport is not None:
            return transport
        if cert is not None or http2 or not http1:
            return super()._init_transport(verify=verify, cert=cert, trust_env=trust_env, http1=http1,
                                           http2=http2, limits=limits)
        return AiohttpTransport(verify=verify, trust_env=trust_env, limits=limits)

    def _init_proxy_transport(  # noqa: PLR0917 (httpx's signature)
        self,
        proxy: httpx.Proxy,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = _DEFAULT_LIMITS,
    ) -> httpx.AsyncBaseTransport:
        if proxy.url.scheme != "http" or cert is not None or http2 or not http1:
            return super()._init_proxy_transport(proxy, verify=ssl_context(verify, trust_env=trust_env), cert=cert,
                                                 trust_env=trust_env, http1=http1, http2=http2, limits=limits)
        return AiohttpTransport(verify=verify, trust_env=trust_env, limits=limits, proxy=proxy)


#: ``REHOST_ASYNC_HTTP=httpx`` keeps the async pools on httpx's own transport (httpcore)
BACKEND_ENV = "REHOST_ASYNC_HTTP"


def async_backend() -> str:
    """``aiohttp`` (the default, when aiohttp is installed) or ``httpx``, read when a pool is built."""
    wanted = os.environ.get(BACKEND_ENV, "aiohttp").strip().lower() or "aiohttp"
    if wanted not in ("aiohttp", "httpx"):
        raise ConfigurationError(f"{BACKEND_ENV}={wanted!r}: use 'aiohttp' (the default) or 'httpx'")
    if wanted == "aiohttp":
        import importlib.util  # (an async pool is being built: not worth its import for every process)

        if importlib.util.find_spec("aiohttp") is None:
            return "httpx"
    return wanted


def new_async_client(*, transport: httpx.AsyncBaseTransport | None = None, **kwargs: Any) -> httpx.AsyncClient:
    """An async httpx client on aiohttp's pool, or on httpx's own when the caller passed a ``transport`` or chose
    ``REHOST_ASYNC_HTTP=httpx``."""
    if transport is None and async_backend() == "aiohttp":
        return AiohttpClient(**kwargs)
    return httpx.AsyncClient(transport=transport, **kwargs)
