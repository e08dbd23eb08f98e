"""Frame sizes: ``"1280x720"`` <-> width and height <-> a resolution name (``"720p"``) and aspect ratio.

Neutral arithmetic only. Which sizes a model makes is the family client's; how a host spells them (Runware's
``width``/``height``, Veo's ``aspectRatio`` + ``resolution``, OpenRouter's ``resolution`` + ``aspect_ratio``)
is the endpoint's.
"""

from __future__ import annotations

import math
import re

from ..errors import ConfigurationError

__all__ = ["aspect_of", "parse_size", "resolution_of"]

_SIZE = re.compile(r"^\s*(\d{2,5})\s*[xX\u00d7:]\s*(\d{2,5})\s*$")


def parse_size(size: str) -> tuple[int, int]:
    """``"1280x720"`` (or ``1280:720``) -> ``(1280, 720)``."""
    if not isinstance(size, str):
        raise ConfigurationError(f"size must be 'WIDTHxHEIGHT' such as '1280x720', not {size!r}")
    match = _SIZE.match(size)
    if match is None:
        raise ConfigurationError(f"size must be 'WIDTHxHEIGHT' such as '1280x720', not {size!r}")
    return int(match[1]), int(match[2])


def aspect_of(width: int, height: int) -> str:
    """The reduced aspect ratio, ``"16:9"``; near-standard sizes (1366x768, 1920x1088) are named by the
    standard ratio they round to."""
    ratio = width / height
    for name in ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21", "3:2", "2:3"):
        w, h = (int(x) for x in name.split(":"))
        if abs(ratio - w / h) / (w / h) < 0.02:
            return name
    g = math.gcd(width, height)
    return f"{width // g}:{height // g}"


def resolution_of(width: int, height: int) -> str:
    """The resolution name of a size: its shorter side, ``"720p"`` (``"4k"`` for 2160)."""
    short = min(width, height)
    return "4k" if short == 2160 else f"{short}p"
