"""Checks of the numbers that settings are made of (seconds, counts, rates).

A setting that makes no sense (``timeout="5"``, ``Timeouts(read=-1)``, ``RetryPolicy(max_retries=-1)``,
``RateLimit(requests_per_minute=0)``) is a ConfigurationError when it is made, saying what to pass: not a
TypeError deep in the transport, a retry loop that quietly never runs, or a sleep of minus one second after
the first request has already failed.
"""

from __future__ import annotations

import math
import numbers
from typing import cast

from .errors import ConfigurationError

__all__ = ["check_flag", "check_number", "check_timeout"]


def _hint(value: object, name: str) -> str:
    """A nudge for a number given as text (``timeout="5"``: pass ``timeout=5``)."""
    if isinstance(value, str | bytes):
        text = value.decode(errors="replace") if isinstance(value, bytes) else value
        try:
            number = float(text)
        except ValueError:
            return ""
        shown = int(number) if number.is_integer() else number
        return f" (pass {name}={shown!r}, a number, not a {type(value).__name__})"
    return ""


def check_number(value: object, what: str, *, expected: str, minimum: float = 0.0, above: bool = True,
                 optional: bool = False, whole: bool = False, name: str | None = None) -> None:
    """Raise ConfigurationError unless ``value`` is a finite real number (a whole one when ``whole``) greater
    than ``minimum`` (at least ``minimum`` when not ``above``), or None when ``optional``. ``expected`` says
    what to pass, in the error; ``name`` is the keyword a hint spells (default: ``what``)."""
    if value is None and optional:
        return
    ok = isinstance(value, numbers.Integral if whole else numbers.Real) and not isinstance(value, bool)
    if ok:
        number = float(value)  # type: ignore[arg-type]
        ok = math.isfinite(number) and (number > minimum if above else number >= minimum)
    if not ok:
        raise ConfigurationError(f"{what} must be {expected}, not {value!r}{_hint(value, name or what)}")


def check_flag(value: object, what: str) -> None:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{what} must be True or False, not {value!r}")


def check_timeout(value: object, what: str = "timeout") -> float | None:
    """A call's or a client's ``timeout=`` (the whole call's limit, retries included), checked; None means
    the provider's ``Timeouts.total``."""
    check_number(value, what, optional=True, expected="a positive number of seconds (the whole call's limit), or "
                 "None for the provider's Timeouts.total")
    return cast("float | None", value)
