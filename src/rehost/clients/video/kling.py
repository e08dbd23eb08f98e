"""Kling (Kuaishou), through Runware.

Sizes, prompt length and sound from Runware's model pages (Kling VIDEO 3.0 Standard / Pro, read 2026-12-01:
``klingai:kling-video@3-standard`` makes 1280x720, 960x960, 720x1280; ``@3-pro`` 1920x1080, 1440x1440,
1080x1920; both with native audio). Durations (5 or 10 s, as every Kling generation on Runware's KlingAI
page) and the 2-2500 character prompt (the KlingAI 1.0 page) are UNCONFIRMED for 3.0.
"""

from __future__ import annotations

from typing import ClassVar

from .base import VideoClient, VideoRules

__all__ = ["KlingClient"]

_HINTS = frozenset({"durations", "prompt_chars", "last_frame"})
_SOURCE = "runware.ai/docs/models/klingai-video-3-0-{standard,pro}; providers/klingai (2026-12-01)"


class KlingClient(VideoClient):
    family: ClassVar[str] = "kling"
    models: ClassVar[dict[str, VideoRules]] = {
        "kling-video-3-standard": VideoRules(durations=(5, 10), sizes=("1280x720", "960x960", "720x1280"),
                                             first_frame=True, audio=True, prompt_chars=(2, 2500),
                                             unconfirmed=_HINTS, source=_SOURCE),
        "kling-video-3-pro": VideoRules(durations=(5, 10), sizes=("1920x1080", "1440x1440", "1080x1920"),
                                        first_frame=True, audio=True, prompt_chars=(2, 2500), unconfirmed=_HINTS,
                                        source=_SOURCE),
    }
    aliases: ClassVar[dict[str, str]] = {"kling-3-standard": "kling-video-3-standard",
                                         "kling-3-pro": "kling-video-3-pro"}
