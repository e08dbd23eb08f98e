"""The context-window check a client makes before sending: a request whose counted input plus ``max_tokens``
cannot fit the model's window on the bound host is refused with ContextWindowExceeded, before any network call.
The window is the host's (``provider.context_window``, from the catalogue it reads); the count is the client's
offline one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...shared.chat.request import Request
from ...shared.errors import ContextWindowExceeded
from .checks import _check_context

if TYPE_CHECKING:
    from ...shared.chat.types import MessageLike
    from .chat import ModelClient

__all__ = ["checked_request"]


def checked_request(client: ModelClient, provider: Any, messages: MessageLike | Sequence[MessageLike], *,
                    check_context: bool | None = None, **options: Any) -> Request:
    """The prepared request, refused with ContextWindowExceeded when it cannot fit the model's context
    window on this host: counted input + ``max_tokens`` (0 when unset) > window. Skipped when the window is
    unknown, or when turned off (``check_context=False`` per call or per client). The count is the offline
    one (never a request); an estimate errs high on tool declarations, so a request near the limit may be
    refused that the host would take: turn the check off for it."""
    request = client.prepare(messages, **options)
    enabled = client.check_context if check_context is None else _check_context(check_context)
    window = provider.context_window(request) if enabled and hasattr(provider, "context_window") else None
    if window is None:
        return request
    wanted = request.sampling.max_tokens or 0
    if _surely_fits(request, window - wanted):
        return request
    counted = client.count_request(request)
    if counted.count + wanted > window:
        kind = "exactly" if counted.exact else "an estimated"
        raise ContextWindowExceeded(
            f"{request.model} on {provider.name}: {kind} {counted.count} input tokens + {wanted} max output "
            f"tokens = {counted.count + wanted} > the context window of {window} ({counted.method}). "
            "Shorten the input or max_tokens, or pass check_context=False to send it anyway",
            host=provider.name, input_tokens=counted.count, max_output_tokens=wanted, context_window=window,
            count_method=counted.method, exact=counted.exact,
        )
    return request


def _surely_fits(request: Request, room: int) -> bool:
    """A cheap bound that spares counting most requests: no tokenizer here makes more tokens than the text
    has UTF-8 bytes, plus a few template tokens per message (and none counts images, which this skips)."""
    from ...shared.tokens import render_text

    size = sum(len(p.encode("utf-8")) for p in render_text(request.messages, request.tools))
    return size + 16 * (len(request.messages) + 4) <= room
