"""PixVerse. Runware serves PixVerse models (its SDK's example uses ``pixverse:1@1``) but no stored source ties
an AIR id to a PixVerse version, so no catalogue row names a host for it yet: bind with
``host_model_id="pixverse:..."``. The limits below (5 or 8 s; 360p-1080p; five aspect ratios) are PixVerse's
commonly published ones: UNCONFIRMED.
"""

from __future__ import annotations

from typing import ClassVar

from .base import VideoClient, VideoRules

__all__ = ["PixVerseClient"]


class PixVerseClient(VideoClient):
    family: ClassVar[str] = "pixverse"
    models: ClassVar[dict[str, VideoRules]] = {
        "pixverse-v5": VideoRules(durations=(5, 8), aspect_ratios=("16:9", "4:3", "1:1", "3:4", "9:16"),
                                  resolutions=("360p", "540p", "720p", "1080p"), first_frame=True, last_frame=True,
                                  unconfirmed=frozenset({"durations", "aspect_ratios", "resolutions", "last_frame"}),
                                  source="secondary (no stored official page): UNCONFIRMED"),
    }
