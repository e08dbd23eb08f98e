"""HTTP statuses to the error taxonomy, for hosts whose error body says nothing more precise."""

from __future__ import annotations

from ...shared.errors import (
    AuthenticationError,
    HostError,
    InvalidRequest,
    NotFound,
    Overloaded,
    PaymentRequired,
    PermissionDenied,
    RateLimited,
    ServerError,
)

__all__ = ["SHAPE_ERRORS", "error_class_for_status"]

_STATUS_CLASSES: dict[int, type[HostError]] = {
    400: InvalidRequest,
    401: AuthenticationError,
    402: PaymentRequired,
    403: PermissionDenied,
    404: NotFound,
    408: ServerError,
    409: ServerError,
    413: InvalidRequest,
    422: InvalidRequest,
    429: RateLimited,
    498: Overloaded,
    500: ServerError,
    502: ServerError,
    503: Overloaded,
    504: ServerError,
    529: Overloaded,
}

#: what a decoder trips on when a host's JSON has an unexpected shape (turned into a ProtocolError)
SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError)


def error_class_for_status(status: int) -> type[HostError]:
    cls = _STATUS_CLASSES.get(status)
    if cls is not None:
        return cls
    if status >= 500:
        return ServerError
    return InvalidRequest if status >= 400 else HostError
