"""Video families' clients: each knows its models' durations, sizes, frame rates, frame images, sound and
prompt limits (``VideoRules``) and submits through whichever host it is bound to.

    from rehost import KlingClient, Runware
    job = KlingClient("kling-video-3-standard", provider=Runware()).generate("a cat", duration=5, size="1280x720")
    job.wait(on_progress=print).save("cat.mp4")
"""

from __future__ import annotations

from typing import Any

from .base import VideoClient, VideoRules

__all__ = ["VideoClient", "VideoRules", "video_client"]


def video_client(spec: str, **options: Any) -> VideoClient:
    """``"host/model"`` -> the model's family video client bound to that host (built with its defaults, the
    key from its environment variable), by the catalogue's family and the registry's video client for it."""
    from ... import _registry
    from ...shared.catalog import default_catalog
    from ...shared.errors import ConfigurationError

    host, sep, model = spec.partition("/")
    if not sep or not model:
        raise ConfigurationError(f"a video model is named 'host/model', such as 'runware/kling-video-3-standard', "
                                 f"not {spec!r}")
    entry = default_catalog().model(model)
    family = _registry.FAMILIES.get(entry.family, {})
    if "video" not in family:
        raise ConfigurationError(f"{model} is a {entry.family} model, not a video one")
    cls = _registry.load(family["video"])
    provider = options.pop("provider", None) or host
    client: VideoClient = cls(model, provider=provider, **options)
    return client
