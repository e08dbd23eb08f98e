"""Header and key hygiene shared by every host: keys cleaned and checked before anything is sent, caller
headers merged case-insensitively, JSON bodies deep-merged with ``extra_body``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...shared.errors import ConfigurationError, InvalidRequest
from ...shared.transport import header_problem, value_problem

__all__ = ["add_missing", "checked_headers", "clean_key", "deep_merge", "merge_headers"]


def clean_key(value: object, *, host: str, source: str) -> str | None:
    """A key (or token) as it will be sent: surrounding whitespace stripped (a key read from a file ends in a
    line break, a CRLF env file adds a carriage return), None when nothing is left.

    A key with a character no HTTP header can carry inside it is refused here, before anything is sent, and
    the error names where the key came from (``source``) but never shows it: h11 used to refuse it at send
    time with the whole key in its message, which was then retried and copied into Fallback attempts."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"{host}: the key in {source} must be a str, not {type(value).__name__}",
                                 host=host)
    key = value.strip()
    if not key:
        return None
    problem = value_problem(key)
    if problem is not None:
        raise ConfigurationError(
            f"{host}: the key in {source} contains {problem}, which no HTTP header can carry: pass the key "
            "alone (copied without a stray line break or hidden character)", host=host)
    return key


def checked_headers(headers: object, host: str, where: str,
                    error: type[ConfigurationError] | type[InvalidRequest]) -> Mapping[str, str]:
    """``headers`` when every one can be sent as it is; else ``error`` saying which cannot and why (before
    anything is sent: a line break in a value used to go out, or fail in h11 and be retried)."""
    if not isinstance(headers, Mapping):
        raise error(f"{host}: {where} takes a mapping of header names to values, not {type(headers).__name__}",
                    host=host)
    for name, value in headers.items():
        problem = header_problem(name, value)
        if problem is not None:
            raise error(f"{host}: {where} {problem}", host=host)
    return headers


def merge_headers(headers: dict[str, str], extra: Mapping[str, str]) -> None:
    """Set each of ``extra`` in ``headers``, replacing a header of the same name in any spelling: header names
    are case-insensitive, and a dict keyed by spelling sent ``Authorization`` and ``authorization`` both."""
    if not extra:
        return
    spelled = {name.lower(): name for name in headers}
    for name, value in extra.items():
        old = spelled.get(name.lower())
        if old is not None and old != name:
            del headers[old]
        headers[name] = value
        spelled[name.lower()] = name


def add_missing(headers: dict[str, str], extra: Mapping[str, str]) -> None:
    """Add each of ``extra`` whose name ``headers`` has in no spelling."""
    present = {name.lower() for name in headers}
    for name, value in extra.items():
        if name.lower() not in present:
            headers[name] = value


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = value
