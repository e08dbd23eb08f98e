"""AI Studio's ephemeral tokens for Gemini Live (``POST https://generativelanguage.googleapis.com/v1alpha/
auth_tokens``): a plain HTTP call on the Google host, so a server can hand a browser a short-lived token
instead of its key. Facts: ../shared/HOSTS-MEDIA.md §1.5 (python-genai ``tokens.py`` / ``live.py``, vercel/ai).

Body: ``uses`` (1 by default; 0 allows reconnects), ``expireTime`` and ``newSessionExpireTime`` (RFC 3339;
``expireTime`` must not be before ``newSessionExpireTime``), and optionally ``bidiGenerateContentSetup`` (the
Live ``setup`` the sessions are locked to). Answer: ``{"name": "auth_tokens/...", "expireTime": ...}``; a
session connects with the name (``GoogleLive.connect(..., token=)``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..shared.errors import ConfigurationError, ProtocolError
from ..shared.transport import HttpCall

if TYPE_CHECKING:
    from ..shared.realtime.config import SessionConfig
    from .gemini_live import GoogleLive, LiveToken

__all__ = ["create_token", "token_call"]


def token_call(endpoint: GoogleLive, *, uses: int = 1, expire_time: str | None = None,
               new_session_expire_time: str | None = None, setup: SessionConfig | None = None) -> HttpCall:
    """The ``auth_tokens`` request (checked before anything is sent; auth added by the host)."""
    from .gemini_live import _ws_root

    if isinstance(uses, bool) or not isinstance(uses, int) or uses < 0:
        raise ConfigurationError(f"uses must be a whole number, 0 (any) or more, not {uses!r}", host=endpoint.name)
    for name, value in (("expire_time", expire_time), ("new_session_expire_time", new_session_expire_time)):
        if value is not None and (not isinstance(value, str) or "T" not in value):
            raise ConfigurationError(f"{name} is an RFC 3339 time such as '2026-12-01T15:00:00Z', not {value!r}",
                                     host=endpoint.name)
    body: dict[str, Any] = {"uses": uses}
    if expire_time is not None:
        body["expireTime"] = expire_time
    if new_session_expire_time is not None:
        body["newSessionExpireTime"] = new_session_expire_time
    if setup is not None:
        endpoint.check(setup)
        body["bidiGenerateContentSetup"] = endpoint.codec(setup).setup(setup)
    root, prefix, _version = _ws_root(endpoint.base_url)
    http_root = root.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
    return HttpCall("POST", f"{http_root}{prefix}/v1alpha/auth_tokens", body=body,
                    headers={"Content-Type": "application/json", "Accept": "application/json",
                             **endpoint.host._headers})


def read_token(content: bytes, host: str) -> LiveToken:
    from .gemini_live import LiveToken

    try:
        body = json.loads(content)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        raise ProtocolError(f"{host} auth_tokens answered without a token name", host=host)
    uses = body.get("uses")
    return LiveToken(body["name"], body.get("expireTime"), body.get("newSessionExpireTime"),
                     uses if isinstance(uses, int) else None)


async def create_token(endpoint: GoogleLive, **options: Any) -> LiveToken:
    """Mint one token (see the module docstring)."""
    call = token_call(endpoint, **options)
    await endpoint.host.aauthorize(call)
    result = await endpoint.host._transport.arequest(call, endpoint.map_http_error)
    return read_token(result.content, endpoint.name)
