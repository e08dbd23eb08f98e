"""VideoClient: what every video family's client shares (checking a request against the model's rules,
deriving the size spellings, submitting through the bound host's video endpoint), and ``VideoRules``, the
model knowledge a family declares: durations, sizes / aspect ratios / resolutions, frame rates, frame images,
sound, prompt length.

A request outside a model's rules fails here, before anything is sent, with the allowed values in the
message. Rules taken from secondary sources or from one host's page only are marked UNCONFIRMED where they
are declared, and the message says so: a caller who knows better passes ``rules=`` (or ``check=False``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Self

from ...shared.errors import ConfigurationError, UnsupportedFeature
from ...shared.video.media import MediaLike, as_media
from ...shared.video.request import VideoRequest
from ...shared.video.size import aspect_of, parse_size, resolution_of

if TYPE_CHECKING:
    from ...shared.video.job import Job
    from ...shared.video.sender import VideoSender

__all__ = ["VideoClient", "VideoRules"]


@dataclass(frozen=True, slots=True)
class VideoRules:
    """What one video model takes. Empty tuples mean "not restricted here" (the host decides)."""

    #: allowed lengths in seconds, or an inclusive whole-second range
    durations: tuple[float, ...] = ()
    duration_range: tuple[int, int] | None = None
    #: allowed frame sizes ("1280x720"); aspect ratio and resolution follow from them
    sizes: tuple[str, ...] = ()
    aspect_ratios: tuple[str, ...] = ()
    resolutions: tuple[str, ...] = ()
    fps: tuple[int, ...] = ()
    text_to_video: bool = True
    first_frame: bool = False
    last_frame: bool = False
    reference_images: int = 0
    audio: bool = False
    negative_prompt: bool = True
    #: inclusive bounds on the prompt's length in characters
    prompt_chars: tuple[int, int] | None = None
    #: the names of the fields above that no official source confirms (said in every error about them)
    unconfirmed: frozenset[str] = field(default_factory=frozenset)
    source: str = ""

    def _fail(self, model: str, what: str, value: object, allowed: str, key: str) -> UnsupportedFeature:
        hint = (" (these limits are UNCONFIRMED: if the host takes more, pass rules=... or check=False)"
                if key in self.unconfirmed else "")
        return UnsupportedFeature(f"{model}: {what} {value!r} is not one it takes; allowed: {allowed}{hint}")

    def check(self, model: str, request: VideoRequest) -> None:
        """Raise UnsupportedFeature when ``request`` asks for something the model does not make."""
        if self.prompt_chars is not None:
            low, high = self.prompt_chars
            n = len(request.prompt)
            # a short (or no) prompt is fine when an image says what to animate
            if n > high or (n < low and request.first_frame is None):
                raise self._fail(model, "a prompt of", f"{n} characters", f"{low} to {high} characters",
                                 "prompt_chars")
        d = request.duration
        if d is not None:
            if self.durations and d not in self.durations:
                raise self._fail(model, "duration", d, ", ".join(f"{x:g}" for x in self.durations) + " seconds",
                                 "durations")
            if self.duration_range is not None:
                low, high = self.duration_range
                if not (low <= d <= high and float(d).is_integer()):
                    raise self._fail(model, "duration", d, f"whole seconds from {low} to {high}", "duration_range")
        if request.width is not None and self.sizes and f"{request.width}x{request.height}" not in self.sizes:
            raise self._fail(model, "size", f"{request.width}x{request.height}", ", ".join(self.sizes), "sizes")
        if request.aspect_ratio is not None and self.aspect_ratios and request.aspect_ratio not in self.aspect_ratios:
            raise self._fail(model, "aspect ratio", request.aspect_ratio, ", ".join(self.aspect_ratios),
                             "aspect_ratios")
        if request.resolution is not None and self.resolutions and request.resolution not in self.resolutions:
            raise self._fail(model, "resolution", request.resolution, ", ".join(self.resolutions), "resolutions")
        if request.fps is not None and self.fps and request.fps not in self.fps:
            raise self._fail(model, "fps", request.fps, ", ".join(map(str, self.fps)), "fps")
        for flag, given, what in (("first_frame", request.first_frame, "a first-frame image (image-to-video)"),
                                  ("last_frame", request.last_frame, "a last-frame image"),
                                  ("negative_prompt", request.negative_prompt, "a negative prompt")):
            if given is not None and not getattr(self, flag):
                raise UnsupportedFeature(f"{model} takes no {what}" + (
                    " (UNCONFIRMED: pass rules=... if it does)" if flag in self.unconfirmed else ""))
        if request.audio and not self.audio:
            raise UnsupportedFeature(f"{model} makes no sound (audio=True)" + (
                " (UNCONFIRMED: pass rules=... if it does)" if "audio" in self.unconfirmed else ""))
        if len(request.reference_images) > self.reference_images:
            raise UnsupportedFeature(f"{model} takes at most {self.reference_images} reference image(s), not "
                                     f"{len(request.reference_images)}")
        if not self.text_to_video and request.first_frame is None:
            raise UnsupportedFeature(f"{model} makes video from an image only: pass image=... (first frame)")

    def size_for(self, aspect_ratio: str | None, resolution: str | None) -> tuple[int, int] | None:
        """The one allowed size of this aspect ratio (and resolution), for hosts that want width and height."""
        found = [parse_size(s) for s in self.sizes
                 if (aspect_ratio is None or aspect_of(*parse_size(s)) == aspect_ratio)
                 and (resolution is None or resolution_of(*parse_size(s)) == resolution)]
        return found[0] if len(found) == 1 else None


def _number(value: object, what: str, *, whole: bool = False) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{what} must be a number > 0, not {value!r}")
    if whole and not float(value).is_integer():
        raise ConfigurationError(f"{what} must be a whole number, not {value!r}")
    return int(value) if whole else value


class VideoClient:
    """A video model family's client, bound to a host (anything with ``endpoint("video")``)."""

    family: ClassVar[str] = ""
    #: canonical model id (the catalogue's) -> what it takes
    models: ClassVar[Mapping[str, VideoRules]] = {}
    #: short names -> canonical ids
    aliases: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def for_host(cls, model: str, host: Any, **options: Any) -> Self:
        """This client for ``model`` bound to ``host``: the one way ``rehost.client`` makes a client of any
        kind, whatever order its constructor takes them in."""
        return cls(model, provider=host, **options)

    def __init__(self, model: str, *, provider: Any, rules: VideoRules | None = None, check: bool = True) -> None:
        canonical = self.aliases.get(model, model)
        if canonical not in self.models and rules is None:
            known = ", ".join(sorted({*self.models, *self.aliases}))
            raise ConfigurationError(f"{type(self).__name__} knows no model {model!r}; it knows: {known} (or pass "
                                     "rules=VideoRules(...) for one of your own)")
        self.model = canonical
        self.rules = rules or self.models[canonical]
        self.check = check
        self.provider = _as_host(provider)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model!r}, provider={getattr(self.provider, 'name', self.provider)!r})"

    @property
    def endpoint(self) -> VideoSender:
        """The bound host's video endpoint (UnsupportedFeature when it serves no video)."""
        from ...shared.video.sender import video_sender

        return video_sender(self.provider)

    def request(self, prompt: str, *, duration: float | None = None, size: str | None = None,
                aspect_ratio: str | None = None, resolution: str | None = None, fps: int | None = None,
                seed: int | None = None, image: MediaLike | None = None, first_frame: MediaLike | None = None,
                last_frame: MediaLike | None = None, reference_images: tuple[MediaLike, ...] | list[MediaLike] = (),
                negative_prompt: str | None = None, audio: bool | None = None, output_uri: str | None = None,
                webhook_url: str | None = None, host_model_id: str | None = None,
                extra_body: Mapping[str, Any] | None = None, timeout: float | None = None) -> VideoRequest:
        """The checked ``VideoRequest`` ``generate`` would submit (nothing is sent)."""
        if not isinstance(prompt, str):
            raise ConfigurationError(f"the prompt must be a str, not {type(prompt).__name__}")
        if image is not None and first_frame is not None:
            raise ConfigurationError("image= is first_frame=: pass one of them")
        for name, value in (("negative_prompt", negative_prompt), ("output_uri", output_uri),
                            ("webhook_url", webhook_url), ("aspect_ratio", aspect_ratio), ("resolution", resolution)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigurationError(f"{name} must be a non-empty str, not {value!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ConfigurationError(f"seed must be a whole number >= 0, not {seed!r}")
        if audio is not None and not isinstance(audio, bool):
            raise ConfigurationError(f"audio must be True or False, not {audio!r}")
        width = height = None
        if size is not None:
            width, height = parse_size(size)
            derived_aspect, derived_res = aspect_of(width, height), resolution_of(width, height)
            if aspect_ratio is not None and aspect_ratio != derived_aspect:
                raise ConfigurationError(f"size {size} is {derived_aspect}, not aspect_ratio {aspect_ratio}")
            aspect_ratio, resolution = derived_aspect, resolution or derived_res
        elif aspect_ratio is not None or resolution is not None:
            found = self.rules.size_for(aspect_ratio, resolution)
            if found is not None:
                width, height = found
        first = image if image is not None else first_frame
        request = VideoRequest(
            model=self.model, prompt=prompt, duration=_number(duration, "duration"), width=width, height=height,
            aspect_ratio=aspect_ratio, resolution=resolution, fps=_number(fps, "fps", whole=True),  # type: ignore[arg-type]
            seed=seed, negative_prompt=negative_prompt,
            first_frame=as_media(first, "image") if first is not None else None,
            last_frame=as_media(last_frame, "last_frame") if last_frame is not None else None,
            reference_images=tuple(as_media(m, "reference image") for m in reference_images),
            audio=audio, output_uri=output_uri, webhook_url=webhook_url, host_model_id=host_model_id,
            extra_body=extra_body, timeout=timeout)
        if self.check:
            self.rules.check(self.model, request)
        return self.adjust(request)

    def adjust(self, request: VideoRequest) -> VideoRequest:
        """A family's last word on a checked request (defaults it fills in); the request as it is here."""
        return request

    def generate(self, prompt: str, *, clock: Any = None, **options: Any) -> Job:
        """Submit the video and return its ``Job`` at once (``job.wait()`` for the ``Video``)."""
        return self.endpoint.submit(self.request(prompt, **options), clock=clock)

    async def agenerate(self, prompt: str, *, clock: Any = None, **options: Any) -> Job:
        return await self.endpoint.asubmit(self.request(prompt, **options), clock=clock)

    def with_rules(self, **changes: Any) -> VideoClient:
        """A client of the same model with some rules replaced (a limit a host has lifted, say)."""
        return type(self)(self.model, provider=self.provider, rules=replace(self.rules, **changes), check=self.check)


def _as_host(provider: Any) -> Any:
    """A host instance as given; a host name (``"runware"``) or class is built with its defaults (the key from
    its environment variable)."""
    if isinstance(provider, str):
        from ... import _registry

        row = _registry.HOSTS.get(provider)
        if row is None:
            raise ConfigurationError(f"unknown host {provider!r}; hosts: {', '.join(sorted(_registry.HOSTS))}")
        return _registry.load(row.spec)()
    if isinstance(provider, type):
        return provider()
    if provider is None:
        raise ConfigurationError("a video client needs provider=... (a host, such as rehost.Runware())")
    return provider
