"""RealtimeEndpoint: a host's realtime voice surface. The host's file says where the socket goes (``url``), how
it authenticates (``connect_headers``, ``subprotocols``), and which vocabulary it speaks (``codec``: one
``shared/realtime/codec.RealtimeCodec`` per session); this base opens the websocket through the shared shell
(typed handshake errors, connect retries, keep-alive pings, idle timeout) and hands back a ``WireSession``.

Prices: ``price(config)`` returns the function a session prices each finished response with, from the
catalogue row of the session's model on this host (None when the catalogue has no realtime prices for it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .endpoint import Endpoint

if TYPE_CHECKING:
    from ...shared.realtime.codec import RealtimeCodec
    from ...shared.realtime.config import SessionConfig
    from ...shared.realtime.events import RealtimeUsage
    from ...shared.realtime.session import Pricer, SyncRealtimeSession, WireSession

__all__ = ["RealtimeEndpoint"]


class RealtimeEndpoint(Endpoint):
    """One host's realtime surface: override ``url`` and ``codec`` (and ``connect_headers`` when auth is not
    the host's usual headers)."""

    #: seconds a session may go without a frame from the host before it is a RequestTimeout (None: no limit;
    #: a realtime user can be silent for long, and the host's own idle close arrives as a close code)
    idle_timeout: float | None = None
    #: websocket keep-alive pings (seconds between, seconds to wait for the pong)
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    open_timeout: float = 15.0
    #: the largest frame accepted (Gemini sends audio in big frames)
    max_size: int | None = 16 * 1024 * 1024

    def url(self, config: SessionConfig, *, resume: str | None = None) -> str:
        """The websocket URL for a session of ``config`` (``resume``: a handle to resume, where the host has it)."""
        raise NotImplementedError(f"{type(self).__name__} does not say where its realtime socket is")

    def connect_headers(self, config: SessionConfig) -> Mapping[str, str]:
        """The handshake headers: the host's configured headers and its auth."""
        return {**self.host._headers, **self.host.auth_headers()}

    def subprotocols(self, config: SessionConfig) -> Sequence[str]:
        return ()

    def codec(self, config: SessionConfig, *, resume: str | None = None) -> RealtimeCodec:
        """A fresh codec (this host's vocabulary) for one session."""
        raise NotImplementedError(f"{type(self).__name__} names no realtime codec")

    def check(self, config: SessionConfig) -> None:
        """Refuse, before any socket opens, what this host cannot do with ``config`` (default: nothing)."""

    def price(self, config: SessionConfig) -> Pricer | None:
        """How a finished response of ``config.model`` is priced on this host (None: no prices known)."""
        return None

    async def connect(self, config: SessionConfig, *, resume: str | None = None,
                      **options: Any) -> WireSession:
        """Open a session (``async with await endpoint.connect(cfg) as s`` or ``s = await ...``). ``options``
        go to the websocket shell (``idle_timeout=``, ``open_timeout=``, ``plan=`` ...)."""
        self.check(config)
        codec = self.codec(config, resume=resume)
        return await self.open(config, codec, url=self.url(config, resume=resume),
                               headers=await self.aconnect_headers(config), subprotocols=self.subprotocols(config),
                               **options)

    async def aconnect_headers(self, config: SessionConfig) -> Mapping[str, str]:
        """``connect_headers`` for the event loop: a host whose auth may block (an OAuth refresh) overrides this
        to use its async auth (default: ``connect_headers``)."""
        return self.connect_headers(config)

    async def open(self, config: SessionConfig, codec: RealtimeCodec, *, url: str, headers: Mapping[str, str],
                   subprotocols: Sequence[str] = (), **options: Any) -> WireSession:
        """Open the socket at ``url`` and start a session of ``codec`` on it: what ``connect`` does once the URL
        and auth are known, for hosts with a second way in (an ephemeral token, a client secret)."""
        from ...shared.errors import RehostError
        from ...shared.io.websocket import Session
        from ...shared.realtime.session import WireSession

        settings: dict[str, Any] = {
            "idle_timeout": self.idle_timeout, "ping_interval": self.ping_interval,
            "ping_timeout": self.ping_timeout, "open_timeout": self.open_timeout, "max_size": self.max_size,
        }
        settings.update(options)
        try:
            socket = await Session.connect(url, host=self.name, headers=headers, subprotocols=subprotocols,
                                           **settings)
        except RehostError as err:  # a refused handshake's body may echo the key (OpenAI quotes part of it)
            known = getattr(self.host, "_known_key", None)
            err.redact(known() if callable(known) else None)
            raise
        return await WireSession.start(socket, codec, config, name=self.name, price=self.price(config))

    def connect_sync(self, config: SessionConfig, *, resume: str | None = None,
                     **options: Any) -> SyncRealtimeSession:
        """The same session for sync code (a thread-backed wrapper)."""
        from ...shared.realtime.session import SyncRealtimeSession

        return SyncRealtimeSession(lambda: self.connect(config, resume=resume, **options), name=self.name)


def price_per_token(input_text: float | None, input_audio: float | None, output_text: float | None,
                    output_audio: float | None, cached: float | None = None, *,
                    cached_audio: float | None = None) -> Pricer:
    """A pricer from dollars per million tokens by modality (what realtime price sheets give); a modality the
    host did not split counts at its text price. Cached input bills at ``cached`` (at the input price when
    there is none); where the usage says how much of it was audio (``cached_audio_tokens``), that part bills at
    ``cached_audio`` (else ``cached``) and is taken off the audio tokens rather than the text ones."""

    def price(usage: RealtimeUsage) -> float | None:
        it = usage.input_text_tokens
        ia = usage.input_audio_tokens or 0
        ot = usage.output_text_tokens
        oa = usage.output_audio_tokens or 0
        if it is None:
            it = max(usage.input_tokens - ia, 0)
        if ot is None:
            ot = max(usage.output_tokens - oa, 0)
        cached_n = usage.cached_tokens or 0
        cached_a = min(usage.cached_audio_tokens or 0, ia, cached_n)
        cached_t = min(cached_n - cached_a, it)
        audio_rate = input_audio if input_audio is not None else input_text
        total = 0.0
        for n, rate in ((it - cached_t, input_text), (ia - cached_a, audio_rate), (ot, output_text),
                        (oa, output_audio if output_audio is not None else output_text),
                        (cached_t, cached if cached is not None else input_text),
                        (cached_a, cached_audio if cached_audio is not None else
                         cached if cached is not None else audio_rate)):
            if n and rate is None:
                return None
            total += n * (rate or 0.0) / 1e6
        return total

    return price
