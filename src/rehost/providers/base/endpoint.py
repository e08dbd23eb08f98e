"""Endpoint: what every kind's endpoint is before its codec hooks: bound to one host, reading the host's name,
URL and error bodies, so an endpoint's hooks read as they would on the host itself.

Each kind's base (``ChatEndpoint``, ``EmbedEndpoint``, ``TranscribeEndpoint``, ``SpeakEndpoint``,
``VideoEndpoint``) adds its hooks and its I/O on top; a host's endpoint for a kind subclasses that base.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from ...shared.errors import HostError, RehostError
    from .host import Host

__all__ = ["Endpoint"]


class Endpoint:
    """One host's surface for one kind of work (its codec hooks live in the kind's subclass)."""

    def __init__(self, host: Host) -> None:
        self.host = host

    def __repr__(self) -> str:
        return f"{type(self).__name__}(host={self.host!r})"

    @property
    def name(self) -> str:
        return self.host.name

    @property
    def base_url(self) -> str:
        return self.host.base_url

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        """This surface's error bodies: the host's, unless the surface has its own."""
        return self.host.error_from_body(status, headers, body)

    def map_http_error(self, status: int, headers: httpx.Headers, content: bytes) -> RehostError:
        return self.host.map_error_body(status, headers, content, self.error_from_body)
