"""Moved: the HTTP plumbing lives in ``rehost.shared.io`` now, one concern per module (``call``: what an
exchange is; ``retry``: the decision-only retry plan; ``http``: the Transport shells). This module re-exports
them so every existing import keeps working. ``asyncio`` and ``time`` stay reachable here because tests patch
``rehost.shared.transport.time.sleep`` (the same module objects the shells use); ``asyncio`` is imported when
it is first asked for (``__getattr__``), so importing rehost does not load it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .io.call import (
    WIRE_TIMING,
    ErrorMapper,
    HttpCall,
    HttpResult,
    RetryPolicy,
    Timeouts,
    dump_json,
    header_problem,
    header_request_id,
    is_credential_header,
    parse_retry_after,
    public_url,
    url_problem,
    value_problem,
    wire_timing,
)
from .io.http import Transport
from .io.retry import Pace, RetryPlan, Send, Sleep, Step

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "WIRE_TIMING",
    "ErrorMapper",
    "HttpCall",
    "HttpResult",
    "Pace",
    "RetryPlan",
    "RetryPolicy",
    "Send",
    "Sleep",
    "Step",
    "Timeouts",
    "Transport",
    "asyncio",
    "dump_json",
    "header_problem",
    "header_request_id",
    "is_credential_header",
    "parse_retry_after",
    "public_url",
    "time",
    "url_problem",
    "value_problem",
    "wire_timing",
]


def __getattr__(name: str) -> Any:
    """``rehost.shared.transport.asyncio``: the asyncio module, imported on first use (PEP 562)."""
    if name == "asyncio":
        import asyncio

        return asyncio
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
