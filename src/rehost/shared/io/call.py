"""What one HTTP exchange is, apart from how it is sent: ``HttpCall`` (method, URL, headers, body; its
redaction), ``HttpResult``, ``Timeouts`` and ``RetryPolicy``, ``parse_retry_after``, and the hygiene of what a
call carries (header and URL checks that keep keys out of errors). Neutral and I/O-free: the retry plan and
the shells in ``rehost.shared.io`` read these."""

from __future__ import annotations

import contextvars
import email.utils
import functools
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..checks import check_flag, check_number
from ..errors import ConfigurationError, RehostError

__all__ = [
    "WIRE_TIMING",
    "ErrorMapper",
    "HttpCall",
    "HttpResult",
    "RetryPolicy",
    "Timeouts",
    "dump_json",
    "header_problem",
    "header_request_id",
    "is_credential_header",
    "parse_retry_after",
    "public_url",
    "url_problem",
    "value_problem",
    "wire_timing",
]

log = logging.getLogger("rehost.transport")

#: set (``WIRE_TIMING.set(True)``, or ``with wire_timing():``) to record when each request leaves the client,
#: through httpx's trace hook; off by default, as it costs a callback per HTTP event
WIRE_TIMING: contextvars.ContextVar[bool] = contextvars.ContextVar("rehost_wire_timing", default=False)


@contextmanager
def wire_timing() -> Iterator[None]:
    token = WIRE_TIMING.set(True)
    try:
        yield
    finally:
        WIRE_TIMING.reset(token)

ErrorMapper = Callable[[int, httpx.Headers, bytes], RehostError]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds. ``read`` bounds any single wait for bytes (the whole answer of a non-streamed call may be one
    long wait on a reasoning model); ``stream_idle`` bounds the silence between two chunks of a stream
    (defaults to ``read``); ``total`` bounds the whole call including retries."""

    connect: float = 10.0
    read: float = 600.0
    write: float = 60.0
    pool: float = 60.0
    stream_idle: float | None = None
    total: float | None = 900.0
    #: largest answer body (or single stream event) accepted; a host gone wrong cannot exhaust memory
    max_body_bytes: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        for name in ("connect", "read", "write", "pool"):
            check_number(getattr(self, name), f"Timeouts({name}=...)", name=name,
                         expected="a positive number of seconds")
        for name in ("stream_idle", "total"):
            check_number(getattr(self, name), f"Timeouts({name}=...)", name=name, optional=True,
                         expected="a positive number of seconds, or None for no such limit")
        check_number(self.max_body_bytes, "Timeouts(max_body_bytes=...)", name="max_body_bytes", whole=True,
                     expected="a positive whole number of bytes")

    def for_httpx(self, *, stream: bool = False, remaining: float | None = None) -> httpx.Timeout:
        """The httpx timeouts of one attempt, each capped by the ``remaining`` seconds of the total deadline.

        While the deadline is further away than every limit, no cap applies and the one httpx.Timeout built
        for these settings is reused (building one per request showed up in the profile of a small call)."""
        read = self.stream_idle if (stream and self.stream_idle is not None) else self.read
        if remaining is None or (remaining >= max(self.connect, read, self.write, self.pool)
                                 and min(self.connect, read, self.write, self.pool) >= 0.001):
            return _uncapped_timeout(self, stream)

        def cap(value: float) -> float:
            return max(0.001, min(value, remaining))

        return httpx.Timeout(connect=cap(self.connect), read=cap(read), write=cap(self.write), pool=cap(self.pool))


@functools.lru_cache(maxsize=64)
def _uncapped_timeout(timeouts: Timeouts, stream: bool) -> httpx.Timeout:
    read = timeouts.stream_idle if (stream and timeouts.stream_idle is not None) else timeouts.read
    return httpx.Timeout(connect=timeouts.connect, read=read, write=timeouts.write, pool=timeouts.pool)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter. ``max_retries`` counts retries, not attempts."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 20.0
    multiplier: float = 2.0
    jitter: bool = True
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        check_number(self.max_retries, "RetryPolicy(max_retries=...)", name="max_retries", whole=True, above=False,
                     expected="a whole number of retries, 0 or more")
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            check_number(getattr(self, name), f"RetryPolicy({name}=...)", name=name, above=False,
                         expected="a number of seconds, 0 or more")
        check_number(self.multiplier, "RetryPolicy(multiplier=...)", name="multiplier", minimum=1.0, above=False,
                     expected="a number of at least 1 (each wait that many times the last)")
        check_flag(self.jitter, "RetryPolicy(jitter=...)")

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.max_delay, self.initial_delay * self.multiplier**attempt)
        return random.uniform(0.0, ceiling) if self.jitter else ceiling


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def dump_json(body: Any) -> bytes:
    """The body as compact UTF-8 JSON; text UTF-8 cannot carry (a lone surrogate, say in ``extra_body``) is a
    ConfigurationError before anything is sent, not a UnicodeEncodeError from deep in the transport."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError as exc:
        raise ConfigurationError(
            f"the request holds a lone surrogate ({text[exc.start]!a}), which UTF-8 cannot carry: fix the "
            "text it came from, e.g. text.encode('utf-8', 'replace').decode('utf-8')"
        ) from None


# ---------------------------------------------------------------------------------------------- secrets in calls

#: header names whose values are credentials (never shown in an error or a log)
_CREDENTIAL_NAME = re.compile(r"auth|key|token|secret|cookie|credential|signature|password", re.IGNORECASE)


def is_credential_header(name: str) -> bool:
    """Whether a header's value is a credential (``Authorization``, ``x-api-key``, ``x-goog-api-key`` ...)."""
    return _CREDENTIAL_NAME.search(name) is not None


def value_problem(value: str) -> str | None:
    """What stops ``value`` from going into an HTTP header as it is, or None when nothing does.

    httpx sends header values as ASCII, and h11 refuses control characters (a line break would end the
    header): both used to fail only once the request was being sent, h11's refusal quoting the value."""
    if value.isascii() and value.isprintable():
        return None
    for char in value:
        if char == "\t":
            continue
        if not char.isascii():
            return "a character that is not ASCII (a pasted typographic character?)"
        if not char.isprintable():
            what = "a line break" if char in "\r\n" else "a control character"
            return f"{what} (U+{ord(char):04X})"
    return None


#: an HTTP header name (RFC 9110 token)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def header_problem(name: object, value: object) -> str | None:
    """What stops this header from being sent as it is (never quoting the value: it may be a credential)."""
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        return f"header name {name!r} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~)"
    if not isinstance(value, str):
        return f"header {name!r} has a {type(value).__name__} value, not a str"
    problem = value_problem(value)
    if problem is not None:
        return f"header {name!r} has {problem} in its value (a header value is one line of ASCII)"
    return None


def url_problem(url: str) -> str | None:
    """What makes ``url`` unusable as a host's base URL (the text never shows a password), or None."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return f"{public_url(url)!r} has a space or a control character in it"
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        return f"{public_url(url)!r} is not a URL ({exc})"
    if parsed.scheme not in ("http", "https"):
        hint = f"; did you mean 'http://{url}'?" if parsed.scheme and "://" not in url else ""
        return f"{public_url(url)!r} is not an http:// or https:// URL{hint}"
    if not parsed.host:
        return f"{public_url(url)!r} names no host"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"{public_url(url)!r} has port {parsed.port}, beyond 1-65535"
    return None


def public_url(url: str) -> str:
    """``url`` with the password of any ``user:password@`` in it masked (for reprs, logs and errors)."""
    if "@" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(slots=True)
class HttpCall:
    """One HTTP request as a provider wants it sent (auth headers are added by the provider)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    stream: bool = False
    #: most output tokens the call may produce (counted against a tokens-per-minute limit)
    max_output_tokens: int = 0
    #: httpx trace callback (set only under WIRE_TIMING)
    trace: Callable[..., Any] | None = None
    _encoded: bytes | None = None

    def content(self) -> bytes | None:
        if self.body is None:
            return None
        if self._encoded is None:
            self._encoded = dump_json(self.body)
        return self._encoded

    def token_cost(self) -> int:
        """A rough token count of the call for rate limiting (about four bytes a token, plus the output)."""
        content = self.content()
        return (len(content) // 4 if content else 0) + self.max_output_tokens

    def redact(self, err: RehostError) -> RehostError:
        """``err`` without this call's credentials: its auth headers' values (and the key after a scheme
        word such as ``Bearer``) and its URL's password. Worked out only when an error needs it."""
        for name, value in self.headers.items():
            if value and is_credential_header(name):
                err.redact(value)
                scheme, _, credential = value.partition(" ")
                if credential and scheme.isalpha():
                    err.redact(credential.strip())
        if "@" in self.url:
            password = urlsplit(self.url).password
            if password:
                err.redact(f":{password}@", min_length=3)
        return err


@dataclass(slots=True)
class HttpResult:
    status: int
    headers: httpx.Headers
    content: bytes
    started_at: float
    time_to_first_byte: float
    elapsed: float
    attempts: int


class _Deadline:
    __slots__ = ("at",)

    def __init__(self, total: float | None) -> None:
        self.at = None if total is None else time.monotonic() + total

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at


def header_request_id(headers: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = headers.get(name)
        if value:
            return value
    return None
