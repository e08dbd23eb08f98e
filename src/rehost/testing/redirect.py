"""Send the real hosts' URLs to a local emulator, so unchanged code runs offline.

``with redirect_to(emulator):`` makes every httpx request to a known host (``api.groq.com``,
``openrouter.ai``, ``generativelanguage.googleapis.com``, the local servers' default ports ...) go to the
emulator's path for that host style instead, over a real loopback socket. Code written for the real hosts
(the README's snippets, a user's script) then runs end to end without a key or a network: providers build
their real URLs, and only the last step, the socket, is pointed elsewhere.

Google's Application Default Credentials are faked inside the block (a fixed token), so a ``Vertex()`` with
no credentials of its own can reach the emulator too; nothing else about the code under test changes.

It patches httpx's own transports and rehost's aiohttp one at the class level, so it sees every client,
however it was built; it is meant for tests and demos, never for production code.

``realtime=`` (a running ``RealtimeEmulator``, or its ``ws://host:port`` root) does the same for realtime
websockets: a session opened to a known host (``wss://api.openai.com/v1/realtime``, an Azure resource, xAI,
Gemini Live) is opened to ``ws://host:port/{style}`` + the real path, where the realtime emulator's fronts
answer by the path.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from .. import _registry

__all__ = ["HOSTS", "realtime_url", "redirect_to", "redirect_to_url", "style_for"]


class _RealHosts(Mapping[str, str]):
    """Real host (``name`` or ``name:port``) -> emulator host style, read live from ``rehost._registry`` (each
    host's ``real_hosts`` and ``style``), so a host registered at run time is redirected too. The emulator serves
    each style under ``/{style}`` + the real host's own path, so the path needs no other change."""

    def _table(self) -> dict[str, str]:
        return {real: row.style for row in list(_registry.HOSTS.values()) if row.style for real in row.real_hosts}

    def __getitem__(self, key: str) -> str:
        return self._table()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


#: real host (``name`` or ``name:port``) -> emulator host style
HOSTS: Mapping[str, str] = _RealHosts()

_lock = threading.Lock()


def style_for(host: str, port: int | None) -> str | None:
    """The emulator style for a real host, or None when the host is not one rehost knows."""
    if port is not None and (style := HOSTS.get(f"{host}:{port}")):
        return style
    if style := HOSTS.get(host):
        return style
    for row in list(_registry.HOSTS.values()):  # Vertex's global, regional and multi-region hostnames
        if row.style and any(host.endswith(suffix) for suffix in row.real_host_suffixes):
            return row.style
    return None


class _FakeCredentials:
    """What google-auth's ``default()`` would return, with a fixed token and no refresh."""

    valid = True
    expired = False
    token = "emulator-token"

    def refresh(self, _request: Any) -> None:
        return None


@contextlib.contextmanager
def redirect_to_url(base: str, *, realtime: str | None = None) -> Iterator[None]:
    """Route requests for the known hosts to the emulator at ``base`` (``http://127.0.0.1:PORT``), and their
    realtime websockets to the realtime emulator at ``realtime`` (``ws://127.0.0.1:PORT``) when given."""
    target = urlsplit(base)
    if target.hostname is None or target.port is None:
        raise ValueError(f"the emulator URL needs a host and a port, not {base!r}")
    emu_host, emu_port = target.hostname, target.port

    def rewrite(request: httpx.Request) -> None:
        url = request.url
        style = style_for(url.host, url.port)
        if style is None:
            return
        request.url = url.copy_with(scheme="http", host=emu_host, port=emu_port,
                                    raw_path=f"/{style}".encode() + url.raw_path)
        request.headers["host"] = f"{emu_host}:{emu_port}"

    sync_send = httpx.HTTPTransport.handle_request
    async_send = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        rewrite(request)
        return sync_send(self, request)

    async def handle_async_request(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        rewrite(request)
        return await async_send(self, request)

    from ..shared.io.aio import AiohttpTransport  # rehost's async pools sit on aiohttp by default

    aio_send = AiohttpTransport.handle_async_request

    async def handle_aio_request(self: AiohttpTransport, request: httpx.Request) -> httpx.Response:
        rewrite(request)
        return await aio_send(self, request)

    with _lock:
        httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign]
        httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign]
        AiohttpTransport.handle_async_request = handle_aio_request  # type: ignore[method-assign]
        fake_adc = _patch_google_auth()
        undo_ws = _patch_websockets(realtime) if realtime is not None else None
    try:
        yield
    finally:
        with _lock:
            httpx.HTTPTransport.handle_request = sync_send  # type: ignore[method-assign]
            httpx.AsyncHTTPTransport.handle_async_request = async_send  # type: ignore[method-assign]
            AiohttpTransport.handle_async_request = aio_send  # type: ignore[method-assign]
            if fake_adc is not None:
                fake_adc()
            if undo_ws is not None:
                undo_ws()


def redirect_to(emulator: Any, *, realtime: Any = None) -> contextlib.AbstractContextManager[None]:
    """Route requests for the known hosts to a running ``Emulator`` (and their realtime websockets to a running
    ``RealtimeEmulator``, when given)."""
    root = None if realtime is None else realtime if isinstance(realtime, str) else realtime.url("openai")
    if root is not None:
        parts = urlsplit(root)
        root = f"{parts.scheme}://{parts.netloc}"
    return redirect_to_url(emulator.url, realtime=root)


def realtime_url(url: str, root: str) -> str:
    """``url`` (a real host's websocket) as the realtime emulator at ``root`` serves it; unchanged when the host
    is not one rehost knows."""
    parts = urlsplit(url)
    style = style_for(parts.hostname or "", parts.port)
    if style is None:
        return url
    query = f"?{parts.query}" if parts.query else ""
    return f"{root.rstrip('/')}/{style}{parts.path}{query}"


def _patch_websockets(root: str) -> Any:
    """Point the websocket shell's connects to known hosts at the realtime emulator; returns the undo."""
    target = urlsplit(root)
    if target.scheme not in ("ws", "wss") or target.hostname is None or target.port is None:
        raise ValueError(f"the realtime emulator URL is ws://host:port, not {root!r}")
    from ..shared.io.websocket import Session

    original = Session.__dict__["connect"]
    connect = original.__func__

    async def redirected(cls: type[Session], url: str, **options: Any) -> Session:
        return await connect(cls, realtime_url(url, root), **options)  # type: ignore[no-any-return]

    Session.connect = classmethod(redirected)  # type: ignore[method-assign, assignment, arg-type]

    def undo() -> None:
        Session.connect = original  # type: ignore[method-assign]

    return undo


def _patch_google_auth() -> Any:
    """Fake Application Default Credentials; returns the undo, or None when google-auth is not installed."""
    try:
        import google.auth
    except ImportError:
        return None
    real = google.auth.default

    def default(*_args: Any, **_kwargs: Any) -> tuple[_FakeCredentials, str | None]:
        return _FakeCredentials(), None

    google.auth.default = default  # type: ignore[assignment]

    def undo() -> None:
        google.auth.default = real

    return undo
