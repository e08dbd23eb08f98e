"""Veo (Google DeepMind): on the Gemini API, Vertex AI, OpenRouter and Runware.

Limits from peers' typed settings (vercel/ai ``google-video-settings``, Google's sample apps): Veo 3 / 3.1
make 4, 6 or 8 s at 720p or 1080p, 16:9 or 9:16, with sound; Veo 2 makes 5-8 s at 720p, silent. No official
page is stored (HOSTS-MEDIA §4.3 gives the wire shapes only), so every limit here is UNCONFIRMED.
"""

from __future__ import annotations

from typing import ClassVar

from .base import VideoClient, VideoRules

__all__ = ["VeoClient"]

_ALL = frozenset({"durations", "duration_range", "aspect_ratios", "resolutions", "first_frame", "last_frame",
                  "audio", "reference_images"})
_VEO3 = VideoRules(durations=(4, 6, 8), aspect_ratios=("16:9", "9:16"), resolutions=("720p", "1080p"),
                   first_frame=True, last_frame=True, reference_images=3, audio=True, unconfirmed=_ALL,
                   source="peers: vercel/ai google-video-settings; Google sample apps (UNCONFIRMED)")


class VeoClient(VideoClient):
    family: ClassVar[str] = "veo"
    models: ClassVar[dict[str, VideoRules]] = {
        "veo-3.1": _VEO3,
        "veo-3.1-fast": _VEO3,
        "veo-3.0": VideoRules(durations=(4, 6, 8), aspect_ratios=("16:9", "9:16"), resolutions=("720p", "1080p"),
                              first_frame=True, audio=True, unconfirmed=_ALL, source=_VEO3.source),
        "veo-3.0-fast": VideoRules(durations=(4, 6, 8), aspect_ratios=("16:9", "9:16"),
                                   resolutions=("720p", "1080p"), first_frame=True, audio=True, unconfirmed=_ALL,
                                   source=_VEO3.source),
        "veo-2.0": VideoRules(duration_range=(5, 8), aspect_ratios=("16:9", "9:16"), resolutions=("720p",),
                              first_frame=True, last_frame=True, audio=False, unconfirmed=_ALL,
                              source=_VEO3.source),
    }
    aliases: ClassVar[dict[str, str]] = {"veo3.1": "veo-3.1", "veo3": "veo-3.0", "veo2": "veo-2.0"}
