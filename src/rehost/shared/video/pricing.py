"""What a video cost: the host's own figure where it reports one (Runware ``includeCost``, OpenRouter
``usage.cost``), else the catalogue's price for the host, per second of video or per video.

The catalogue rows of video models carry ``price_per_second`` (USD per second of video) and/or
``price_per_video`` (USD per video), with ``price_per_second_audio`` where sound costs more, and
``price_read`` / ``price_source`` (not the token rows' ``prices_*``, which the token price parser takes).
They are read here by name from the row's extra fields, tolerantly, until the catalogue's price units
(issue 13) give them a typed home.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..pricing import Cost, price

__all__ = ["video_cost"]


def video_cost(row_extra: dict[str, Any] | None, *, seconds: float | None, audio: bool | None,
               count: int = 1) -> Cost | None:
    """The catalogue's cost of ``count`` videos of ``seconds`` each (None when the row has no price, or the
    price is per second and the length is unknown)."""
    if not row_extra:
        return None
    source = str(row_extra.get("price_source") or "catalogue")
    per_video = price(row_extra.get("price_per_video"), "price per video", "USD per video")
    if per_video is not None:
        return Cost(total=per_video * count, source=f"catalogue ({source}): per video")
    per_second = None
    if audio:
        per_second = price(row_extra.get("price_per_second_audio"), "price per second with audio",
                           "USD per second of video")
    if per_second is None:
        per_second = price(row_extra.get("price_per_second"), "price per second", "USD per second of video")
    if per_second is None or seconds is None:
        return None
    notes: tuple[str, ...] = ()
    if audio and row_extra.get("price_per_second_audio") is None:
        notes = ("priced without audio: the row has no price with audio",)
    return Cost(total=per_second * Decimal(str(seconds)) * count, source=f"catalogue ({source}): per second",
                notes=notes)
