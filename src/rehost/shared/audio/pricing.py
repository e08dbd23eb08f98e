"""Cost of speech calls, by the catalogue's audio prices.

Speech is billed by the minute of audio (speech-to-text) or by the character (text-to-speech), not by token.
Until the catalogue has price units of its own, a speech row carries them as its own keys, read here:

* ``price_per_audio_minute``: USD per minute of input audio (OpenAI, Groq, Deepgram, Mistral, ElevenLabs STT);
* ``price_per_1k_chars``: USD per 1,000 characters of input text (OpenAI tts-1, ElevenLabs, ...).

Local engines have price 0. Hosts that bill a minimum per call (Groq: 10 s) say so in ``min_billed_seconds``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..pricing import Cost, price

if TYPE_CHECKING:
    from ..catalog import Catalog

__all__ = ["speak_cost", "transcribe_cost"]


def _row(catalog: Catalog, model: str, host: str) -> Any:
    try:
        return catalog.host_entry(model, host)
    except Exception:  # an uncatalogued model or host: cost unknown, not an error
        return None


def transcribe_cost(catalog: Catalog, model: str, host: str, audio_seconds: float | None) -> Cost | None:
    """USD for ``audio_seconds`` of audio at the row's per-minute price (None when either is unknown)."""
    row = _row(catalog, model, host)
    if row is None or audio_seconds is None:
        return None
    per_minute = price(row.extra.get("price_per_audio_minute"), "price per audio minute", "USD per minute")
    if per_minute is None:
        return None
    billed = max(float(audio_seconds), float(row.extra.get("min_billed_seconds") or 0))
    amount = per_minute * Decimal(str(round(billed, 3))) / 60
    notes = (f"billed at least {row.extra['min_billed_seconds']} s a call",) if row.extra.get("min_billed_seconds") \
        else ()
    return Cost(total=amount, source=f"catalogue ({row.read or 'date unknown'})", input=amount, notes=notes)


def speak_cost(catalog: Catalog, model: str, host: str, characters: int) -> Cost | None:
    """USD for ``characters`` of text at the row's per-1k-character price (None when unknown)."""
    row = _row(catalog, model, host)
    if row is None:
        return None
    per_k = price(row.extra.get("price_per_1k_chars"), "price per 1k characters", "USD per 1,000 characters")
    if per_k is None:
        return None
    amount = per_k * Decimal(characters) / 1000
    return Cost(total=amount, source=f"catalogue ({row.read or 'date unknown'})", input=amount)
