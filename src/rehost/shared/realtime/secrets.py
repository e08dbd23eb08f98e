"""A short-lived client secret: what a server mints with its real key (OpenAI ``client_secrets``, Gemini
``auth_tokens``) and hands to a browser, which opens a realtime session with it and never sees the real key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ClientSecret"]


@dataclass(frozen=True, slots=True, repr=False)
class ClientSecret:
    """``value`` is the secret (a credential: kept out of ``repr``), ``expires_at`` its Unix expiry (None: the
    host did not say), ``session`` the session configuration the host bound to it, as the host echoed it."""

    value: str
    expires_at: int | None = None
    session: Mapping[str, Any] = field(default_factory=dict)
    host: str | None = None

    def __repr__(self) -> str:
        return f"ClientSecret(host={self.host!r}, expires_at={self.expires_at!r}, value=<hidden>)"
