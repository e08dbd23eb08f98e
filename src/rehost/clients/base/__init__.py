"""The base every model-family client stands on, one concern per module:

- ``binding``: the swappable provider a client is bound to (``Bound``, ``_as_provider``, ``_host_counts``),
  shared by every kind of client;
- ``chat``: ``ModelClient``, the chat client (prepare, complete, stream, token counts);
- ``variant``: ``Variant`` and the thinking styles (``plan_for_style``, ``fold_system``);
- ``sampling``: ``SamplingOptions``, the caller's sampling settings;
- ``checks``: the checks of a call's arguments (``coerce_messages`` ...);
- ``context``: the context-window check before sending;
- ``toolloop``: ``run`` / ``arun`` (``RunResult``);
- ``streams``: ``CompletionStream`` / ``AsyncCompletionStream``.

``from rehost.clients.base import ModelClient, Variant, ...`` keeps working as it did with one module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...shared.errors import ToolLoopLimit
from .binding import Bound, _as_provider, _host_counts
from .chat import ModelClient, _structured
from .checks import coerce_messages
from .context import _surely_fits
from .streams import AsyncCompletionStream, CompletionStream
from .variant import ALL_INPUTS, ReasoningHistory, ThinkingLike, ThinkingStyle, Variant, fold_system, plan_for_style

if TYPE_CHECKING:
    from .sampling import SamplingOptions

__all__ = [
    "ALL_INPUTS",
    "AsyncCompletionStream",
    "Bound",
    "CompletionStream",
    "ModelClient",
    "ReasoningHistory",
    "RunResult",
    "SamplingOptions",
    "ThinkingLike",
    "ThinkingStyle",
    "ToolLoopLimit",
    "Variant",
    "coerce_messages",
    "fold_system",
    "plan_for_style",
]

# private names kept importable from here for code that reached them through the one-module base
_PRIVATE = (_as_provider, _host_counts, _structured, _surely_fits)


def __getattr__(name: str) -> object:
    """``RunResult`` and ``_sort_calls`` live in the tool loop, imported when first asked for (a client that
    never runs tools does not load it); ``SamplingOptions`` and ``_sampling_from`` are pydantic's, loaded by a
    client's constructor, not by this import (issue 18)."""
    if name in ("RunResult", "_sort_calls"):
        from . import toolloop

        return getattr(toolloop, name)
    if name in ("SamplingOptions", "_sampling_from"):
        from . import sampling

        return getattr(sampling, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
