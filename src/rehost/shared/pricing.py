"""Prices and cost: exact decimal arithmetic over normalised usage, with the source of every number.

A host's price row (in the catalogue) gives USD per million tokens for uncached input, cached input and
output, the date it was read and where. Cost is computed from ``Usage`` alone, so a streamed call and the
same call unstreamed cost the same. How the hosts here bill, and so how this module bills:

* input: ``input_tokens - cached_input_tokens`` at the input price, the cached part at the cached price
  (at the input price, said in ``notes``, when the row has no cached price: an upper bound);
* output: ``output_tokens`` at the output price. Reasoning tokens are part of ``output_tokens`` and are billed
  as output by every host rehost speaks to (Gemini ``thoughtsTokenCount``, OpenAI-style
  ``reasoning_tokens``, DeepSeek, Mistral thinking chunks); ``Cost.reasoning`` shows their share, already
  inside ``Cost.output``, never added twice (LiteLLM #10567 left them out);
* DeepSeek bills half price outside its peak hours: a row may carry ``off_peak_factor`` and
  ``peak_hours_utc``, and the call's start time picks the rate.

A host that reports what it billed (OpenRouter's ``usage.cost``) is believed over the catalogue.

Not every kind bills by the token: a row's ``unit`` says what its price counts (``PRICE_UNITS``), and ``per``
how many of them the price is for (1M tokens by default; Vertex's classic embeddings bill per 1,000
characters). Embeddings have no output: their rows give an input price only (``input_only``).
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, get_args

from .errors import ConfigurationError

if TYPE_CHECKING:
    from .chat.types import Usage

__all__ = ["PRICE_UNITS", "Cost", "PriceUnit", "Prices", "cost_from_host", "cost_of", "embed_cost", "price",
           "updated_prices"]

_MILLION = Decimal(1_000_000)

#: what a price counts: tokens (chat, embeddings), characters (Vertex's classic embeddings), seconds or minutes
#: of audio (speech), images, seconds of video or whole videos (video jobs)
PriceUnit: TypeAlias = Literal["token", "character", "second_audio", "minute_audio", "image", "second_video",
                               "video"]
PRICE_UNITS: tuple[str, ...] = get_args(PriceUnit)
#: how many units a price is for when the row does not say (``price_per``): a million tokens or characters, one
#: of anything else
_DEFAULT_PER = {"token": _MILLION, "character": _MILLION}


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def price(value: Any, what: str, unit: str = "USD per million tokens (e.g. '0.22' or 0.22)") -> Decimal | None:
    """A price a caller or the catalogue file gives, as a Decimal; None (or blank) means "not known". Anything
    that is not a finite, non-negative number is a ConfigurationError: a typo would otherwise fail deep in
    ``Decimal``, and a negative or NaN price would give nonsense costs silently."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ConfigurationError(f"the {what} must be a number of {unit}, not {type(value).__name__}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ConfigurationError(f"the {what} {value!r:.40} is not a number: give {unit}") from None
    if not number.is_finite() or number < 0:
        raise ConfigurationError(f"the {what} {value!r:.40} must be a finite number, 0 or more, of {unit}")
    return number


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per million tokens on one host, with when and where they were read."""

    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None
    read: str | None = None
    source: str | None = None
    off_peak_factor: Decimal | None = None
    peak_hours_utc: tuple[tuple[int, int], ...] = ()
    #: what the prices count, and how many of it each price is for (USD per ``per`` ``unit``)
    unit: PriceUnit = "token"
    per: Decimal = _MILLION
    #: the kind has no output (embeddings): ``output`` is 0 and shown as unknown-free "-"
    input_only: bool = False
    #: the price of input written to the host's prompt cache (Anthropic's 5-minute write, 1.25x its input
    #: price); None: cache writes are billed as plain input (every host that bills no write premium)
    cache_write: Decimal | None = None

    @classmethod
    def from_fields(cls, fields: dict[str, Any], *, input_only: bool = False) -> Prices | None:
        """From catalogue keys (``input_price``, ``cached_input_price``, ``output_price``, ``prices_read``,
        ``prices_source``, ``off_peak_factor``, ``peak_hours_utc`` as ``["01-04", "06-10"]``, ``price_unit``,
        ``price_per``). ``input_only``: a row of a kind without output (embeddings) needs no output price."""
        inp, out = price(fields.get("input_price"), "input price"), price(fields.get("output_price"), "output price")
        cached = price(fields.get("cached_input_price"), "cached input price")
        write = price(fields.get("cache_write_price"), "cache write price")
        factor = price(fields.get("off_peak_factor"), "off-peak factor", "a multiplier of the price (e.g. 0.5)")
        unit = fields.get("price_unit", "token")
        if unit not in PRICE_UNITS:
            raise ConfigurationError(f"price_unit must be one of {', '.join(PRICE_UNITS)}, not {unit!r}")
        per = price(fields.get("price_per"), "price_per", "units the price is for (e.g. 1000)")
        if per is not None and per <= 0:
            raise ConfigurationError(f"price_per must be more than 0, not {per}")
        if inp is None or (out is None and not input_only):
            return None
        hours = tuple(tuple(int(h) for h in span.split("-")) for span in fields.get("peak_hours_utc") or ())
        return cls(input=inp, output=out if out is not None else Decimal(0), cached_input=cached,
                   read=fields.get("prices_read"), source=fields.get("prices_source"),
                   off_peak_factor=factor, peak_hours_utc=hours,  # type: ignore[arg-type]
                   unit=unit, per=per if per is not None else _DEFAULT_PER.get(unit, Decimal(1)),
                   input_only=input_only and out is None, cache_write=write)

    def factor_at(self, when: float | None) -> tuple[Decimal, str | None]:
        """The multiplier at a Unix time (1 at peak or without a time-of-day rule) and a note naming it."""
        if self.off_peak_factor is None or not self.peak_hours_utc:
            return Decimal(1), None
        if when is None:
            return Decimal(1), "time of call unknown: peak rate (an upper bound)"
        hour = time.gmtime(when).tm_hour
        if any(start <= hour < end for start, end in self.peak_hours_utc):
            return Decimal(1), "peak rate"
        return self.off_peak_factor, f"off-peak rate (x{self.off_peak_factor})"


@dataclass(frozen=True, slots=True)
class Cost:
    """What a call cost in USD. ``total = input + cached_input + cache_write + output`` (``cache_write``: the
    input written to the host's prompt cache at its write price, where the catalogue has one; else that input
    is inside ``input``); ``reasoning`` is the part of
    ``output`` spent on reasoning (already inside it). ``source`` says where the numbers come from."""

    total: Decimal
    source: str
    input: Decimal | None = None
    cached_input: Decimal | None = None
    output: Decimal | None = None
    reasoning: Decimal | None = None
    currency: str = "USD"
    notes: tuple[str, ...] = field(default=())
    cache_write: Decimal | None = None

    def __str__(self) -> str:
        return f"${self.total.normalize():f} ({self.source})"


def _amount(name: str, value: Any) -> Decimal:
    """A price (USD per million tokens) or a factor given by a user: ``price``'s checks, and it must be there."""
    what = f"{name.replace('_', ' ')} price" if name != "off_peak_factor" else "off-peak factor"
    number = price(value, what)
    if number is None:
        raise ConfigurationError(f"the {what} must be a number >= 0 (USD per million tokens), not {value!r}")
    return number


def _peak_hours(value: Any) -> tuple[tuple[int, int], ...]:
    """``["01-04", "06-10"]`` (or ``[(1, 4), (6, 10)]``): UTC hour spans, start included, end excluded."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ConfigurationError(f"peak_hours_utc must be a list of UTC hour spans such as ['01-04', '06-10'], "
                                 f"not {value!r}")
    spans: list[tuple[int, int]] = []
    for span in value:
        try:
            start, end = (int(h) for h in span.split("-")) if isinstance(span, str) else (int(h) for h in span)
        except (TypeError, ValueError):
            start, end = -1, -1
        if not 0 <= start < end <= 24:
            raise ConfigurationError(f"peak_hours_utc: {span!r} is not a span of UTC hours such as '01-04' "
                                     "(start before end, within 00-24)")
        spans.append((start, end))
    return tuple(spans)


_KEPT_NAMES = {"input": "input price", "output": "output price", "cached_input": "cached-input price",
               "off_peak": "off-peak rule"}


def updated_prices(current: Prices | None, *, input: Any = None, output: Any = None, cached_input: Any = None,
                   off_peak_factor: Any = None, peak_hours_utc: Any = None, read: str | None = None,
                   source: str | None = None, input_only: bool = False, cache_write: Any = None) -> Prices:
    """``current`` with what is given changed and the rest kept (``current`` None: only what is given).

    ``read`` defaults to today (UTC): the day these numbers were set. ``source`` defaults to "set by the
    user", naming what was kept and where it had been read, so no number loses its provenance. Every value
    is checked: a price is a number >= 0, an off-peak factor is in (0, 1] and comes with its peak hours.
    ``input_only``: the row's kind has no output (embeddings), so no output price is needed."""
    new_input = _amount("input", input) if input is not None else (current.input if current else None)
    new_output = _amount("output", output) if output is not None else (current.output if current else None)
    if new_output is None and input_only:
        new_output = Decimal(0)  # a kind without output (embeddings): nothing to price
    if new_input is None or new_output is None:
        missing = "input" if new_input is None else "output"
        raise ConfigurationError(f"there is no {missing} price to keep: give {missing}=... (USD per million tokens)")
    new_cached = _amount("cached_input", cached_input) if cached_input is not None \
        else (current.cached_input if current else None)
    new_write = _amount("cache_write", cache_write) if cache_write is not None \
        else (current.cache_write if current else None)
    factor = _amount("off_peak_factor", off_peak_factor) if off_peak_factor is not None \
        else (current.off_peak_factor if current else None)
    if factor is not None and not 0 < factor <= 1:
        raise ConfigurationError(f"off_peak_factor multiplies the price outside peak hours: give a number in "
                                 f"(0, 1], not {off_peak_factor!r}")
    hours = _peak_hours(peak_hours_utc) if peak_hours_utc is not None \
        else (current.peak_hours_utc if current else ())
    if (factor is None) != (not hours):
        raise ConfigurationError("an off-peak rule needs both off_peak_factor and peak_hours_utc (or neither)")
    if source is None:
        given = {"input": input, "output": output, "cached_input": cached_input,
                 "off_peak": off_peak_factor if off_peak_factor is not None else peak_hours_utc}
        had = {"input": True, "output": True, "cached_input": current is not None and current.cached_input is not None,
               "off_peak": current is not None and current.off_peak_factor is not None}
        kept = [_KEPT_NAMES[k] for k, value in given.items() if value is None and had[k]] if current else []
        source = "set by the user"
        if kept and current is not None and current.source:
            source += f"; {', '.join(kept)} as read {current.read or 'on an unknown date'} from {current.source}"
    if read is None:
        read = datetime.datetime.now(datetime.UTC).date().isoformat()
    return Prices(input=new_input, output=new_output, cached_input=new_cached, read=read, source=source,
                  off_peak_factor=factor, peak_hours_utc=hours,
                  unit=current.unit if current else "token", per=current.per if current else _MILLION,
                  input_only=output is None and (input_only or bool(current and current.input_only)),
                  cache_write=new_write)


def cost_of(usage: Usage, prices: Prices, *, when: float | None = None) -> Cost:
    """The cost of ``usage`` at ``prices`` (``when``: the call's Unix start time, for time-of-day rates)."""
    factor, rate_note = prices.factor_at(when)
    notes: list[str] = [rate_note] if rate_note else []
    cached = min(usage.cached_input_tokens or 0, usage.input_tokens)
    cached_price = prices.cached_input
    if cached and cached_price is None:
        cached_price = prices.input
        notes.append("no cached-input price known: cached input billed at the input price (an upper bound)")
    per_token = factor / _MILLION
    # cache writes are part of input_tokens; with a write price they are billed at it instead
    written = 0
    if prices.cache_write is not None:
        written = min(usage.cache_write_tokens or 0, usage.input_tokens - cached)
    inp = Decimal(usage.input_tokens - cached - written) * prices.input * per_token
    cac = Decimal(cached) * (cached_price or Decimal(0)) * per_token
    wri = None if prices.cache_write is None else Decimal(written) * prices.cache_write * per_token
    out = Decimal(usage.output_tokens) * prices.output * per_token
    rea = Decimal(usage.reasoning_tokens or 0) * prices.output * per_token
    read = f"read {prices.read}" if prices.read else "date unknown"
    return Cost(total=inp + cac + (wri or Decimal(0)) + out, source=f"catalogue ({read})", input=inp,
                cached_input=cac, output=out, reasoning=rea, notes=tuple(notes), cache_write=wri)


def cost_from_host(amount: float | str | Decimal, host: str) -> Cost:
    """The amount a host says it billed (kept as the decimal it wrote, never through a float's binary)."""
    return Cost(total=_dec(amount) or Decimal(0), source=f"host-reported ({host})")


def embed_cost(prices: Prices | None, usage: Any, *, host: str) -> Cost | None:
    """The cost of an embeddings call: what it counted in the row's unit (input tokens, or billable characters
    on Vertex's classic models) at the input price (None when either is unknown)."""
    if prices is None:
        return None
    field_name = {"token": "input_tokens", "character": "billable_characters"}.get(prices.unit)
    counted = getattr(usage, field_name, None) if field_name else None
    if counted is None:
        return None
    amount = Decimal(counted) * prices.input / prices.per
    read = f"read {prices.read}" if prices.read else "date unknown"
    return Cost(total=amount, source=f"catalogue ({read})", input=amount)
