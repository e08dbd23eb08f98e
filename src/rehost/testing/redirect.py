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
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from .. import _registry

__all__ = ["HOSTS", "redirect_to", "redirect_to_url", "style_for"]


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
def redirect_to_url(base: str) -> Iterator[None]:
    """Route requests for the known hosts to the emulator at ``base`` (``http://127.0.0.1:PORT``)."""
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
    try:
        yield
    finally:
        with _lock:
            httpx.HTTPTransport.handle_request = sync_send  # type: ignore[method-assign]
            httpx.AsyncHTTPTransport.handle_async_request = async_send  # type: ignore[method-assign]
            AiohttpTransport.handle_async_request = aio_send  # type: ignore[method-assign]
            if fake_adc is not None:
                fake_adc()


def redirect_to(emulator: Any) -> contextlib.AbstractContextManager[None]:
    """Route requests for the known hosts to a running ``Emulator``."""
    return redirect_to_url(emulator.url)


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
