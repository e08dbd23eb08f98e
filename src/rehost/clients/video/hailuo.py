"""Hailuo (MiniMax), through Runware.

From Runware's model page (MiniMax Hailuo 2.3, ``minimax:4@1``, read 2026-12-01): text or image to video,
6 or 10 s, at 768p or 1080p; its example asks for 1920x1080 at 25 fps. That 10 s is made at 768p only is
stated for Hailuo 02 (Replicate's schema) and assumed here for 2.3: UNCONFIRMED. The 768p size (1366x768)
is MiniMax 01's on Runware: UNCONFIRMED for 2.3.
"""

from __future__ import annotations

from typing import ClassVar

from ...shared.errors import UnsupportedFeature
from ...shared.video.request import VideoRequest
from .base import VideoClient, VideoRules

__all__ = ["HailuoClient"]


class HailuoClient(VideoClient):
    family: ClassVar[str] = "hailuo"
    models: ClassVar[dict[str, VideoRules]] = {
        "hailuo-2.3": VideoRules(durations=(6, 10), sizes=("1920x1080", "1366x768"), fps=(25,), first_frame=True,
                                 audio=False, unconfirmed=frozenset({"sizes", "fps"}),
                                 source="runware.ai/docs/models/minimax-hailuo-2-3 (2026-12-01)"),
    }
    aliases: ClassVar[dict[str, str]] = {"hailuo": "hailuo-2.3", "minimax-hailuo-2.3": "hailuo-2.3"}

    def adjust(self, request: VideoRequest) -> VideoRequest:
        if self.check and request.duration == 10 and request.height == 1080:
            raise UnsupportedFeature(f"{self.model}: 10 s videos are made at 768p (1366x768) only; at 1080p the "
                                     "allowed duration is 6 s (UNCONFIRMED for 2.3: pass check=False if the host "
                                     "takes it)")
        return request
