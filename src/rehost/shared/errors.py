"""The error taxonomy.

Every failure a caller can meet is one of these classes, whatever the host. Host errors carry what is needed
to act on them (host, HTTP status, the host's request id, the host's own message and code, and how long to
wait before retrying) so callers never parse host-specific bodies themselves.

Three families, and two outcomes of a call that ran:

* ``ConfigurationError``: caught before any request (missing key, a parameter the model or host cannot take,
  a model the host does not serve). Nothing was sent.
* ``HostError``: the host answered with an error (HTTP status, or an error inside a 200 stream).
* ``RequestTimeout`` / ``ConnectionFailed`` / ``ProtocolError``: the exchange itself failed, or the host's
  output could not be understood.
* ``OutputValidationError`` (the answer is not of the requested shape) and ``ToolLoopLimit`` (``run`` gave up
  after ``max_turns``): the host answered well, but not with what the call needed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .chat.types import Attempt

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConnectionFailed",
    "ContentBlocked",
    "ContextWindowExceeded",
    "HostError",
    "InvalidRequest",
    "JobLost",
    "MissingAPIKey",
    "ModelNotFound",
    "ModelNotServed",
    "NotFound",
    "OutputValidationError",
    "Overloaded",
    "PaymentRequired",
    "PermissionDenied",
    "ProtocolError",
    "RateLimited",
    "RehostError",
    "RequestTimeout",
    "ServerError",
    "SessionClosed",
    "ToolLoopLimit",
    "UnsupportedFeature",
]

#: longest host body and message an error keeps: a host gone wrong (an HTML page, a 5 MB echo of the request)
#: must not turn into an exception text of megabytes in a log line or a Fallback attempt
_BODY_LIMIT = 2000
_MESSAGE_LIMIT = 2000
_CUT = re.compile(r"… \[cut: [\d,]+ more characters\]$")
#: the shortest piece of a secret worth masking where a cut ends inside it
_MIN_PIECE = 4


def _cap(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with a note of how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [cut: {len(text) - limit:,} more characters]"


def _without(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` masked, and the start of one that a cut ran through."""
    cut = _CUT.search(text)
    head, tail = (text[:cut.start()], text[cut.start():]) if cut else (text, "")
    head = head.replace(secret, "***")
    if tail:
        for n in range(min(len(secret) - 1, len(head)), _MIN_PIECE - 1, -1):
            if head.endswith(secret[:n]):
                head = head[:-n] + "***"
                break
    return head + tail


class RehostError(Exception):
    """Base class of every error rehost raises on purpose."""

    retryable: bool = False
    #: when a routing provider (``Fallback``) gave up: every host it tried or passed over, in order
    attempts: tuple[Attempt, ...] | None = None

    def __init__(
        self,
        message: str,
        *,
        host: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        retry_after: float | None = None,
        body: str | None = None,
    ) -> None:
        message = _cap(message, _MESSAGE_LIMIT)
        super().__init__(message)
        self.message = message
        self.host = host
        self.status = status
        self.request_id = request_id
        self.code = code
        self.retry_after = retry_after
        self.body = _cap(body, _BODY_LIMIT) if body else body

    def __str__(self) -> str:
        head = []
        if self.host:
            head.append(self.host)
        if self.status is not None:
            head.append(str(self.status))
        text = f"[{' '.join(head)}] {self.message}" if head else self.message
        tail = []
        if self.code:
            tail.append(f"code {self.code}")
        if self.request_id:
            tail.append(f"request {self.request_id}")
        if self.retry_after is not None:
            tail.append(f"retry after {self.retry_after:g}s")
        return f"{text} ({', '.join(tail)})" if tail else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle (and copy) by state, not by calling ``__init__`` again: subclasses take keyword-only
        arguments (``OutputValidationError(text=...)``) that ``Exception``'s default, ``cls(*args)``, cannot
        give, so an error crossing a process pool or a task queue failed to unpickle there."""
        return _rebuild, (type(self), self.args), self.__dict__

    def redact(self, secret: str | None, *, min_length: int = 8) -> None:
        """Remove a secret from every text this error carries (hosts sometimes echo part of a key).

        A secret shorter than ``min_length`` is left alone: a key that short is not a real key, and replacing
        it would garble ordinary words (a shorter ``min_length`` suits a secret written with its context, such
        as a URL's ``:password@``)."""
        if not secret or len(secret) < min_length:
            return
        for attr in ("message", "body", "code", "request_id"):
            value = getattr(self, attr)
            if isinstance(value, str):
                setattr(self, attr, _without(value, secret))
        self.args = (self.message,)


def _rebuild(cls: type[RehostError], args: tuple[Any, ...]) -> RehostError:
    """An error of ``cls`` with ``args`` and no ``__init__`` run: pickle then restores its attributes."""
    exc = cls.__new__(cls)
    exc.args = args  # set here: OSError's __new__ (RequestTimeout, ConnectionFailed) leaves args to __init__
    return exc


# ---------------------------------------------------------------------------------------------- configuration


class ConfigurationError(RehostError, ValueError):
    """Raised before any request: the call cannot be made as asked."""


class MissingAPIKey(ConfigurationError):
    """No API key was given and the conventional environment variable is not set."""


class UnsupportedFeature(ConfigurationError):
    """A parameter or feature the model or the host cannot take (never silently dropped)."""


class ModelNotServed(ConfigurationError, LookupError):
    """The catalogue knows the model but not on this host; the message names the hosts that serve it."""

    def __init__(self, message: str, *, host: str | None = None, serving_hosts: tuple[str, ...] = ()) -> None:
        super().__init__(message, host=host)
        self.serving_hosts = serving_hosts


# ---------------------------------------------------------------------------------------------- host answers


class HostError(RehostError):
    """The host answered with an error."""


class AuthenticationError(HostError):
    """401: the key is missing, wrong or expired."""


class PermissionDenied(HostError):
    """403: the key is valid but may not use this model or feature."""


class PaymentRequired(HostError):
    """402: out of credits or over a spending limit."""


class NotFound(HostError):
    """404: the endpoint or resource does not exist."""


class JobLost(NotFound):
    """A long-running job (a video, a batch) the host no longer knows: its status poll answered 404. Not
    retried and not resubmitted (a resubmission would be billed again): ``job_id`` says which job it was."""

    def __init__(self, message: str, *, job_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.job_id = job_id


class ModelNotFound(NotFound):
    """The host does not know the model id it was sent."""


class InvalidRequest(HostError):
    """400 / 413 / 422: the host rejected the request as malformed or invalid."""


class ContextWindowExceeded(InvalidRequest):
    """Input plus requested output does not fit the model's context window."""

    def __init__(
        self,
        message: str,
        *,
        input_tokens: int | None = None,
        max_output_tokens: int | None = None,
        context_window: int | None = None,
        count_method: str | None = None,
        exact: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.count_method = count_method
        self.exact = exact
        self.input_tokens = input_tokens
        self.max_output_tokens = max_output_tokens
        self.context_window = context_window


class ContentBlocked(HostError):
    """The host refused to answer for safety / moderation reasons (sometimes with HTTP 200). ``code`` is the
    host's reason; ``text`` is what the model had written before the block (streamed already, in a stream)."""

    text: str = ""


class RateLimited(HostError):
    """429: too many requests or tokens; ``retry_after`` says how long to wait when the host said."""

    retryable = True


class Overloaded(HostError):
    """503 / 529 / capacity errors: the host is busy or unavailable right now."""

    retryable = True


class ServerError(HostError):
    """500 / 502 / 504 and other 5xx: the host failed."""

    retryable = True


# ---------------------------------------------------------------------------------------------- the exchange


class RequestTimeout(RehostError, TimeoutError):
    """A connect, read, stream-idle or total timeout expired."""

    retryable = True


class ConnectionFailed(RehostError, ConnectionError):
    """The connection could not be made or was dropped."""

    retryable = True


class ProtocolError(RehostError):
    """The host's output could not be understood (malformed JSON, truncated stream, wrong content type)."""


#: websocket close codes after which reconnecting cannot help: a normal close, a refusal by policy, a message
#: too big, a missing extension (RFC 6455 7.4.1)
_FINAL_CLOSE_CODES = frozenset({1000, 1001, 1003, 1007, 1008, 1009, 1010})


class SessionClosed(ConnectionFailed):
    """A session's connection (a websocket) closed: ``close_code`` and ``close_reason`` are what the peer sent
    (1006: dropped with no close frame at all). Retryable (a new session may work) unless the code says the
    peer closed on purpose (normal close, policy refusal, message too big)."""

    def __init__(self, message: str, *, close_code: int | None = None, close_reason: str = "",
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.close_code = close_code
        self.close_reason = close_reason
        self.retryable = close_code not in _FINAL_CLOSE_CODES


# ---------------------------------------------------------------------------------------------- the answer


class OutputValidationError(RehostError):
    """The model's answer is not valid JSON of the requested shape; ``text`` holds what it wrote, ``errors``
    pydantic's list of what is wrong, ``completion`` the whole answer when there was one."""

    def __init__(self, message: str, *, text: str, errors: Any = None, host: str | None = None) -> None:
        super().__init__(message, host=host)
        self.text = text
        self.errors = errors
        self.completion: Any = None


class ToolLoopLimit(RehostError):
    """``run`` stopped: the model kept calling tools for ``max_turns`` turns."""
