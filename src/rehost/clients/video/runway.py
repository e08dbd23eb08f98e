"""Runway. Its models are not yet on a host rehost speaks to (no ``runway:`` AIR id in any stored Runware
source, and Runway's own task API is not a rehost host yet), so the catalogue names no host for them: bind
with ``host_model_id=`` where a host serves one. Limits from a secondary summary of Runway's API docs
(gen4.5: 2-10 s, six ``ratio`` sizes; gen4_turbo: image to video only): UNCONFIRMED.
"""

from __future__ import annotations

from typing import ClassVar

from .base import VideoClient, VideoRules

__all__ = ["RunwayClient"]

_SIZES = ("1280x720", "720x1280", "1104x832", "960x960", "832x1104", "1584x672")
_HINTS = frozenset({"duration_range", "sizes", "text_to_video"})


class RunwayClient(VideoClient):
    family: ClassVar[str] = "runway"
    models: ClassVar[dict[str, VideoRules]] = {
        "runway-gen4.5": VideoRules(duration_range=(2, 10), sizes=_SIZES, first_frame=True, unconfirmed=_HINTS,
                                    source="secondary summary of docs.dev.runwayml.com: UNCONFIRMED"),
        "runway-gen4-turbo": VideoRules(duration_range=(2, 10), sizes=_SIZES, first_frame=True, text_to_video=False,
                                        unconfirmed=_HINTS,
                                        source="secondary summary of docs.dev.runwayml.com: UNCONFIRMED"),
    }
