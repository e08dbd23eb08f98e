"""Cloudflare Workers AI, OpenAI-compatible (``api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1``):
chat completions for the ``@cf/...`` models on Cloudflare's network. Facts: ../shared/HOSTS-MORE.md §11
(developers.cloudflare.com "OpenAI compatibility" and the SEA-LION model page; LibreChat and TanStack for
the variable names).

The URL holds the account: ``Cloudflare(account_id=...)`` or ``CLOUDFLARE_ACCOUNT_ID``; without either a call
fails before the network with a ConfigurationError naming both (``base_url=`` given in full needs neither,
e.g. an AI Gateway URL ``https://gateway.ai.cloudflare.com/v1/{account}/{gateway}/workers-ai/v1``). The key is
an API token as a Bearer: peers read ``CLOUDFLARE_API_TOKEN`` or ``CLOUDFLARE_API_KEY``, both are read here.

Thinking: no stored source documents a request field, so every setting but the model's default is refused.
The model pages' output schema lists ``message.reasoning_content``, so that field is read as reasoning. The
error envelope and rate-limit headers are UNCONFIRMED: errors are read through the common OpenAI-style
reader and mapped by status. A third party reports gpt-oss failing on this surface (UNCONFIRMED).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from ..shared.errors import ConfigurationError
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Cloudflare", "CloudflareChat"]

_TEMPLATE = "https://api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1"
_ACCOUNT_ENV = "CLOUDFLARE_ACCOUNT_ID"


class CloudflareChat(OpenAIChat):
    """Workers AI's OpenAI-compatible chat completions."""

    completion_path: ClassVar[str | None] = None  # chat, responses and embeddings are listed, no /completions
    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: the model pages' output schema (CF-SEALION)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)


class Cloudflare(OpenAICompatible):
    name: ClassVar[str] = "cloudflare"
    default_base_url: ClassVar[str] = _TEMPLATE
    api_key_env: ClassVar[tuple[str, ...]] = ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY")
    chat_endpoint: ClassVar[type[Any] | None] = CloudflareChat

    def __init__(self, api_key: str | None = None, *, account_id: str | None = None, **kwargs: Any) -> None:
        account = account_id or os.environ.get(_ACCOUNT_ENV) or None
        if account is not None:
            account = account.strip()
            if not account or "/" in account or "{" in account:
                raise ConfigurationError(f"cloudflare: account_id must be the account's id, not {account!r:.40}",
                                         host="cloudflare")
        #: whether the URL names an account (given in full, or built from the account id)
        self._has_account = bool(kwargs.get("base_url")) or account is not None
        if not kwargs.get("base_url") and account is not None:
            kwargs["base_url"] = _TEMPLATE.format(account_id=account)
        super().__init__(api_key, **kwargs)

    @property
    def missing_key_reason(self) -> str | None:
        """No key, or no account for the URL: either way a call cannot go out (``rehost hosts`` says which)."""
        reason = super().missing_key_reason
        if reason is None and not self._has_account:
            return f"cloudflare: no account id: pass account_id=... or set {_ACCOUNT_ENV}"
        return reason

    def auth_headers(self) -> dict[str, str]:
        if not self._has_account:
            raise ConfigurationError(f"cloudflare: the URL needs your account id: pass account_id=... or set "
                                     f"{_ACCOUNT_ENV} (or give base_url= in full)", host=self.name)
        return super().auth_headers()
