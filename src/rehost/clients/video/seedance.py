"""Seedance (ByteDance), through Runware.

From Runware's model pages (read 2026-12-01): Seedance 1.0 Pro (``bytedance:2@1``) makes 5 to 10 s clips
from text or a first frame, at the sizes its page lists (480p and 1080p families; no sound); Seedance 1.0
Pro Fast (``bytedance:2@2``) is priced at 480p, 720p and 1080p for 5 and 10 s in six aspect ratios (its
exact sizes are not listed: UNCONFIRMED that they match Pro's).
"""

from __future__ import annotations

from typing import ClassVar

from .base import VideoClient, VideoRules

__all__ = ["SeedanceClient"]

_PRO_SIZES = ("864x480", "736x544", "640x640", "544x736", "480x864", "416x960", "960x416",
              "1920x1088", "1664x1248", "1440x1440", "1248x1664", "1088x1920", "928x2176", "2176x928")


class SeedanceClient(VideoClient):
    family: ClassVar[str] = "seedance"
    models: ClassVar[dict[str, VideoRules]] = {
        "seedance-1.0-pro": VideoRules(duration_range=(5, 10), sizes=_PRO_SIZES, first_frame=True, audio=False,
                                       source="runware.ai/docs/models/bytedance-seedance-1-0-pro (2026-12-01)"),
        "seedance-1.0-pro-fast": VideoRules(durations=(5, 10), aspect_ratios=("16:9", "9:16", "4:3", "3:4", "1:1",
                                                                             "21:9"),
                                            resolutions=("480p", "720p", "1080p"), first_frame=True, audio=False,
                                            unconfirmed=frozenset({"aspect_ratios"}),
                                            source="runware.ai/docs/models/bytedance-seedance-1-0-pro-fast "
                                                   "(2026-12-01)"),
    }
