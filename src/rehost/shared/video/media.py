"""An image (or other media) a video request carries: a URL the host fetches itself, or bytes we send inline.

Hosts take frames in different spellings (Runware a URL, a media UUID or a data URI; Veo base64 bytes with a
MIME type or a ``gs://`` URI; OpenRouter a URL), so the request keeps what the caller gave and each endpoint
asks for the form it needs; one it cannot send is an ``UnsupportedFeature`` naming the forms it takes.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from ..errors import ConfigurationError

__all__ = ["Media", "MediaLike", "as_media"]

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
               (b"RIFF", "image/webp"))
_SUFFIXES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
             ".gif": "image/gif"}


@dataclass(frozen=True, slots=True)
class Media:
    """Either ``url`` (fetched by the host) or ``data`` with its ``mime`` type (sent inline)."""

    url: str | None = None
    data: bytes | None = None
    mime: str | None = None

    def __repr__(self) -> str:  # never megabytes of bytes in a log line
        if self.url is not None:
            return f"Media(url={self.url[:80]!r})"
        return f"Media({self.mime}, {len(self.data or b'')} bytes)"

    @property
    def is_inline(self) -> bool:
        return self.data is not None

    def base64(self) -> str:
        if self.data is None:
            raise ConfigurationError("this image is a URL, not inline bytes")
        return base64.b64encode(self.data).decode("ascii")

    def data_uri(self) -> str:
        return f"data:{self.mime or 'application/octet-stream'};base64,{self.base64()}"

    def url_or_data_uri(self) -> str:
        """A URL as given, or the bytes as a ``data:`` URI (what Runware and OpenRouter take)."""
        return self.url if self.url is not None else self.data_uri()


#: what a caller may pass for an image: a URL (``https://``, ``gs://``, a host's media id) or ``data:`` URI,
#: raw bytes, or a local file
MediaLike: TypeAlias = str | bytes | Path | Media


def _sniff(data: bytes) -> str | None:
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    return None


def as_media(value: object, what: str = "image") -> Media:
    """``value`` as a ``Media``; anything else (or an unreadable file, a bad data URI) is a ConfigurationError
    naming ``what``."""
    if isinstance(value, Media):
        return value
    if isinstance(value, bytes | bytearray):
        if not value:
            raise ConfigurationError(f"{what}: the bytes are empty")
        return Media(data=bytes(value), mime=_sniff(bytes(value)) or "application/octet-stream")
    if isinstance(value, Path):
        try:
            data = value.read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"{what}: cannot read {value}: {exc.strerror or exc}") from None
        if not data:
            raise ConfigurationError(f"{what}: {value} is empty")
        return Media(data=data, mime=_sniff(data) or _SUFFIXES.get(value.suffix.lower(), "application/octet-stream"))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ConfigurationError(f"{what}: an empty string is no image: give a URL, a data: URI, bytes or a Path")
        if text.startswith("data:"):
            head, sep, payload = text.partition(",")
            if not sep or not head.endswith(";base64"):
                raise ConfigurationError(f"{what}: a data URI must be 'data:<mime>;base64,<data>'")
            try:
                data = base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError):
                raise ConfigurationError(f"{what}: the data URI's payload is not base64") from None
            return Media(data=data, mime=head[5:-7] or _sniff(data))
        return Media(url=text)
    raise ConfigurationError(f"{what} must be a URL or data: URI (str), bytes, or a pathlib.Path, not "
                             f"{type(value).__name__}")
