"""VideoRequest: one video to make, as a family client has checked it and a host's endpoint encodes it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .media import Media

__all__ = ["VideoRequest"]


@dataclass(frozen=True, slots=True)
class VideoRequest:
    """Everything a host may be asked for. ``None`` means "the host's default": never sent. A family client
    fills in what it derives (``size="1280x720"`` gives ``width``, ``height``, ``aspect_ratio`` and
    ``resolution`` together) so that each endpoint finds the spelling its host needs."""

    model: str
    prompt: str
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    fps: int | None = None
    seed: int | None = None
    negative_prompt: str | None = None
    first_frame: Media | None = None
    last_frame: Media | None = None
    reference_images: tuple[Media, ...] = ()
    #: generate a soundtrack (True), a silent video (False), or the model's default (None)
    audio: bool | None = None
    #: where the host is to write the video itself (a ``gs://`` prefix on Vertex), where it can
    output_uri: str | None = None
    #: a URL the host calls when the job ends (Runware ``webhookURL``, OpenRouter ``callback_url``)
    webhook_url: str | None = None
    host_model_id: str | None = None
    #: merged into the submit body last (a host's own fields rehost does not model)
    extra_body: Mapping[str, Any] | None = None
    #: the timeout of each HTTP call (submit, poll); the wait for the job has its own
    timeout: float | None = None
    #: anything a client wants an endpoint to see that has no field here
    options: Mapping[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The request's shape without its prompt or images (kept with a saved job, to price its result)."""
        keys = ("duration", "width", "height", "aspect_ratio", "resolution", "fps", "seed", "audio")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}
