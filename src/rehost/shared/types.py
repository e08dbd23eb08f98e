"""Neutral types that cross the client / provider boundary.

Inputs (messages, parts, tools, the thinking setting) are pydantic models: they validate what users hand us,
so bad input fails with a clear message before any request. Outputs that are built on the streaming hot path
(the stream events) are plain slotted dataclasses: one allocation per event, no validation, because the
decoder that builds them already knows their shape.

A message is a tuple of ordered parts. Order matters: Gemini wants thought parts and signed parts echoed back
exactly as received, and an assistant turn can hold reasoning, text and tool calls together.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ConfigurationError, RehostError
from .pricing import Cost

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "Attempt",
    "BuiltinTool",
    "Completion",
    "DocumentPart",
    "Done",
    "Effort",
    "FinishReason",
    "ImagePart",
    "Message",
    "MessageLike",
    "Part",
    "ReasoningDelta",
    "ReasoningPart",
    "Role",
    "StreamEvent",
    "TextDelta",
    "TextPart",
    "Thinking",
    "Timing",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoice",
    "ToolResult",
    "Usage",
    "WebSearch",
]

Role: TypeAlias = Literal["system", "user", "assistant", "tool"]
Effort: TypeAlias = Literal["minimal", "low", "medium", "high", "xhigh", "max"]
FinishReason: TypeAlias = Literal["stop", "length", "tool_calls", "content_filter", "error", "other"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

_M = TypeVar("_M", bound=BaseModel)
_PLAIN_DEFAULTS: dict[type[BaseModel], dict[str, Any] | None] = {}
_setattr = object.__setattr__


def construct(cls: type[_M], **values: Any) -> _M:
    """``cls.model_construct(**values)`` for values the caller already knows are valid, at a fraction of the
    cost: decoders build a few models per answer, and pydantic's ``model_construct`` walks every field of the
    class in Python each time (it was the largest item of the decode path in the profile). Classes whose
    defaults need a factory, or that have private attributes, fall back to ``model_construct``."""
    try:
        defaults = _PLAIN_DEFAULTS[cls]
    except KeyError:
        defaults = _PLAIN_DEFAULTS[cls] = _plain_defaults(cls)
    if defaults is None:
        return cls.model_construct(**values)
    model = cls.__new__(cls)
    fields = defaults.copy()
    fields.update(values)
    _setattr(model, "__dict__", fields)
    _setattr(model, "__pydantic_fields_set__", set(values))
    _setattr(model, "__pydantic_extra__", None)
    _setattr(model, "__pydantic_private__", None)
    return model


def _plain_defaults(cls: type[BaseModel]) -> dict[str, Any] | None:
    if cls.__private_attributes__ or cls.__pydantic_post_init__ or cls.model_config.get("extra") == "allow":
        return None
    out: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        if info.default_factory is not None or info.alias not in (None, name):
            return None
        # a required field has no default: it must be among the values (a placeholder keeps the field order)
        out[name] = None if info.is_required() else info.default
    return out


# ---------------------------------------------------------------------------------------------------- input


def validation_message(exc: ValidationError, what: str) -> str:
    """pydantic's errors as one line a caller can act on: which field, what is wrong, and what was given."""
    problems: list[str] = []
    for err in exc.errors(include_url=False):
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, RehostError):
            text = cause.message
        elif err["type"] == "value_error" and cause is not None:
            text = str(cause)
        else:
            text = err["msg"]
            given = err.get("input")
            if isinstance(given, str | int | float | bool) and not isinstance(cause, Exception):
                text += f" (got {given!r:.60})"
        where = ".".join(str(p) for p in err["loc"])
        problems.append(f"{where}: {text}" if where else text)
    return f"invalid {what}: {'; '.join(problems)}"


def unencodable_at(text: str) -> int | None:
    """Where ``text`` holds a character UTF-8 cannot encode (a lone surrogate), or None (the usual case, and a
    cheap one: ASCII text is known at once)."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


class _Input(BaseModel):
    """Base of the types callers build (messages, parts, tools, the thinking setting): a value that does not
    validate raises ``ConfigurationError`` (a rehost error, and a ValueError as pydantic's own error is)
    naming the field and the problem, so ``except RehostError`` covers bad input too. Decoders build these
    types with ``construct``, which validates nothing and so never comes here."""

    model_config = _FROZEN

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ConfigurationError(validation_message(exc, type(self).__name__)) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            cause = (errors[0].get("ctx") or {}).get("error") if len(errors) == 1 else None
            if isinstance(cause, ConfigurationError) and not errors[0]["loc"]:
                raise cause from None  # our own __init__ already said it, validating the same object
            raise ConfigurationError(validation_message(exc, cls.__name__)) from None


# ---------------------------------------------------------------------------------------------------- parts


class TextPart(_Input):
    """Visible text. ``signature`` holds an opaque host token attached to it (Gemini ``thoughtSignature``)."""

    model_config = _FROZEN
    type: Literal["text"] = "text"
    text: str
    signature: str | None = None


class ReasoningPart(_Input):
    """Reasoning the model produced, kept so it can be sent back when the family needs it.

    ``source`` names the dialect or host that produced it; opaque data (``signature``, ``redacted``,
    ``details``) is only meaningful to that source and is never sent to another.
    """

    model_config = _FROZEN
    type: Literal["reasoning"] = "reasoning"
    text: str = ""
    signature: str | None = None
    redacted: str | None = None
    source: str | None = None
    details: tuple[dict[str, Any], ...] | None = None


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
#: ISO base media "ftyp" brands of HEIC / HEIF stills (Gemini reads both)
_HEIF_BRANDS: dict[bytes, str] = {b"heic": "image/heic", b"heix": "image/heic", b"heim": "image/heic",
                                  b"heis": "image/heic", b"mif1": "image/heif", b"msf1": "image/heif"}
#: the image formats the hosts here read (OpenAI, Anthropic: PNG, JPEG, GIF, WebP; Gemini adds HEIC / HEIF)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/heic", "image/heif"})
_IMAGE_NAMES = "PNG, JPEG, GIF, WebP, HEIC or HEIF"
#: inline images larger than this are refused: the largest inline image any host here documents taking is
#: 20 MB (the Gemini API's limit for inline data; Anthropic takes 5 MB an image, Groq 4 MB as base64, Vertex 7
#: MB inline), and base64 makes it a third larger still. Larger images go by URL (or a host's file API).
MAX_IMAGE_BYTES = 20_000_000
_MEDIA_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
_B64_HEAD = re.compile(rb"^[A-Za-z0-9+/\-_=\s]{16,}")


def _sniff(data: bytes) -> str | None:
    """The media type the bytes' magic number says, or None for a format rehost does not recognise."""
    for magic, media_type in _SIGNATURES:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return _HEIF_BRANDS[data[8:12]]
    if b"%PDF-" in data[:1024]:  # readers accept the header anywhere in the first 1 KiB
        return "application/pdf"
    return None


def _base64_text_of(data: bytes) -> str | None:
    """The media type of the file that ``data`` is base64 text of (or a ``data:`` URL of), else None: the
    classic slip of passing ``base64.b64encode(image)`` as the bytes, which hosts would receive encoded twice."""
    head = data[:4096]
    if head[:5].lower() == b"data:":
        return (head[5:].split(b";")[0].split(b",")[0].decode("ascii", "replace") or "a file") + " (a data: URL)"
    if not _B64_HEAD.match(head):
        return None
    text = b"".join(head.split())
    text = text[: len(text) // 4 * 4][:96]
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            kind = _sniff(decode(text))
        except (binascii.Error, ValueError):
            continue
        if kind is not None:
            return kind
    return None


def _url_problem(url: str, kind: str) -> str | None:
    if not url.strip():
        return f"an empty url: give the {kind}'s URL, or its bytes as data="
    scheme = urlsplit(url.strip()).scheme
    if len(scheme) <= 1 or scheme.lower() == "file":  # no scheme, or a Windows drive letter: a local path
        path = url.removeprefix("file://")
        return (f"url={url!r:.80} is a local file, not a URL a host can fetch (rehost never reads files): pass "
                f"its bytes, data=Path({path!r:.60}).read_bytes()")
    return None


def _require_json(value: Any, what: str) -> None:
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON-serialisable: {exc}") from None


class _MediaPart(_Input):
    """Bytes or a URL, with its media type (sniffed from the bytes or the URL when not given).

    URLs are passed to the host as they are: rehost never downloads them, so a host that cannot fetch URLs
    needs the bytes. ``base64=`` takes base64 text (or a ``data:`` URL) and keeps the decoded bytes. Bytes
    that cannot be what they claim (empty, base64 text rather than the file, not the format named) are
    refused here, before any request.
    """

    model_config = _FROZEN
    url: str | None = None
    data: bytes | None = Field(default=None, repr=False)
    media_type: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_base64(cls, values: Any) -> Any:
        if not isinstance(values, Mapping) or "base64" not in values:
            return values
        values = dict(values)
        text = values.pop("base64")
        if values.get("data") is not None:
            raise ValueError("give the bytes as data= or their base64 text as base64=, not both")
        if not isinstance(text, str):
            raise ValueError(f"base64= takes base64 text (a str), not {type(text).__name__}; bytes go in data=")
        if text[:5].lower() == "data:":
            header, _, text = text.partition(",")
            if ";base64" not in header:
                raise ValueError("base64= got a data: URL whose data is not base64")
            if values.get("media_type") is None and header[5:].split(";")[0]:
                values["media_type"] = header[5:].split(";")[0]
        try:
            values["data"] = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"base64= is not valid base64 text ({exc})") from None
        return values

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        kind: str = self.type  # type: ignore[attr-defined]
        article = "an" if kind[0] in "aeiou" else "a"
        if (self.url is None) == (self.data is None):
            raise ValueError(f"{article} {kind} part needs either url=... or data=... (one, not both)")
        if self.media_type is not None:
            normal = self.media_type.strip().lower()
            object.__setattr__(self, "media_type", _MEDIA_ALIASES.get(normal, normal))
        if self.url is not None:
            problem = _url_problem(self.url, kind)
            if problem is not None:
                raise ValueError(problem)
            if self.media_type is None:
                guessed = mimetypes.guess_type(self.url)[0]
                if guessed is not None:
                    object.__setattr__(self, "media_type", _MEDIA_ALIASES.get(guessed, guessed))
            return self
        data = self.data or b""
        if not data:
            raise ValueError(f"empty {kind}: data= holds no bytes (did reading the file fail?)")
        encoded = _base64_text_of(data)
        if encoded is not None:
            raise ValueError(f"these bytes are base64 text of {encoded}, not the {kind} itself (it would reach the "
                             "host encoded twice): pass the decoded bytes, data=base64.b64decode(text), or the "
                             "text as base64=text")
        return self

    @property
    def base64(self) -> str:
        return base64.b64encode(self.data or b"").decode()

    @property
    def data_url(self) -> str:
        """``data:`` URL of the bytes, or the URL itself."""
        if self.url is not None:
            return self.url
        if self.media_type is None:
            raise ValueError("the media type of these bytes is unknown: give media_type=...")
        return f"data:{self.media_type};base64,{self.base64}"


class ImagePart(_MediaPart):
    """An image the model should look at: PNG, JPEG, GIF, WebP, HEIC or HEIF bytes (up to ``MAX_IMAGE_BYTES``),
    or a URL. Bytes of another format are taken only with an explicit ``media_type`` (the host decides)."""

    type: Literal["image"] = "image"

    @model_validator(mode="after")
    def _is_image(self) -> Self:
        sniffed = _sniff(self.data) if self.data is not None else None
        if sniffed == "application/pdf" or (self.media_type is not None and not self.media_type.startswith("image/")):
            raise ValueError(f"an image part cannot hold {self.media_type or sniffed}: PDFs go in DocumentPart")
        if self.data is None:
            return self
        if sniffed is None and (self.media_type is None or self.media_type in IMAGE_TYPES):
            said = f" though media_type says {self.media_type}" if self.media_type else ""
            raise ValueError(f"these bytes are not a {_IMAGE_NAMES} image{said} (they start {self.data[:12]!r}): "
                             "pass the image file's bytes; for another format name it with media_type=")
        if sniffed is not None and self.media_type is not None and self.media_type != sniffed \
                and {sniffed, self.media_type} != {"image/heic", "image/heif"}:
            raise ValueError(f"media_type says {self.media_type} but the bytes are {sniffed}: leave media_type "
                             "out (it is read from the bytes) or correct it")
        if self.media_type is None:
            object.__setattr__(self, "media_type", sniffed)
        if len(self.data) > MAX_IMAGE_BYTES:
            raise ValueError(f"the image is {len(self.data) / 1e6:.1f} MB; hosts take inline images of at most 20 MB "
                             "(Gemini API; Anthropic 5 MB, Groq 4 MB): resize or recompress it, or pass a URL "
                             "the host can fetch")
        return self


class DocumentPart(_MediaPart):
    """A document (PDF) the model should read."""

    type: Literal["document"] = "document"
    name: str | None = None

    @model_validator(mode="after")
    def _is_pdf(self) -> Self:
        if self.media_type not in (None, "application/pdf"):
            raise ValueError(f"document parts take PDFs, not {self.media_type}")
        if self.data is not None:
            sniffed = _sniff(self.data)
            if sniffed is not None and sniffed.startswith("image/"):
                raise ValueError(f"these bytes are {sniffed}, not a PDF: images go in ImagePart")
            if sniffed != "application/pdf":
                raise ValueError(f"these bytes are not a PDF (no %PDF- header; they start {self.data[:12]!r}): "
                                 "pass the PDF file's bytes")
        if self.media_type is None:
            object.__setattr__(self, "media_type", "application/pdf")
        return self


class ToolCall(_Input):
    """A call the model asked for. ``arguments`` is parsed JSON; ``raw_arguments`` keeps the host's text."""

    model_config = _FROZEN
    type: Literal["tool_call"] = "tool_call"
    id: str | None = None
    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)
    raw_arguments: str | None = None
    signature: str | None = None

    @model_validator(mode="after")
    def _json_arguments(self) -> Self:
        _require_json(self.arguments, f"the arguments of tool call {self.name!r}")
        return self


class ToolResult(_Input):
    """The answer to a tool call, sent back in a ``tool`` message. ``parts`` carries images or documents the
    tool returned, for hosts that take them in tool results (Gemini 3)."""

    model_config = _FROZEN
    type: Literal["tool_result"] = "tool_result"
    call_id: str | None = None
    name: str = Field(min_length=1)
    content: str
    is_error: bool = False
    parts: tuple[ImagePart | DocumentPart, ...] = ()


Part: TypeAlias = Annotated[
    TextPart | ImagePart | DocumentPart | ReasoningPart | ToolCall | ToolResult, Field(discriminator="type")
]

_ALLOWED_PARTS: dict[str, tuple[type[BaseModel], ...]] = {
    "system": (TextPart,),
    "user": (TextPart, ImagePart, DocumentPart),
    "assistant": (TextPart, ReasoningPart, ToolCall),
    "tool": (ToolResult,),
}


class Message(_Input):
    """One turn of a conversation.

    Accepts the familiar ``{"role": ..., "content": "..."}`` form as well as explicit parts, and refuses
    turns no host would accept (an empty user turn, a tool call in a user turn) before anything is sent.
    """

    model_config = _FROZEN
    role: Role
    parts: tuple[Part, ...]

    @model_validator(mode="before")
    @classmethod
    def _from_content(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or "content" not in data:
            return data
        data = dict(data)
        content = data.pop("content")
        parts: list[Any] = []
        if isinstance(content, str):
            if content:
                parts.append(TextPart(text=content))
        elif isinstance(content, Sequence):
            for item in content:
                parts.append(TextPart(text=item) if isinstance(item, str) else item)
        elif content is not None:
            raise ValueError(f"content must be a string or a list of parts, not {type(content).__name__}")
        data["parts"] = tuple(parts) + tuple(data.get("parts", ()))
        return data

    @model_validator(mode="after")
    def _check_parts(self) -> Self:
        allowed = _ALLOWED_PARTS[self.role]
        for part in self.parts:
            if not isinstance(part, allowed):
                raise ValueError(f"a {self.role} message cannot hold {part.type} parts")
        if not self.parts:
            raise ValueError(f"empty {self.role} message: give it some content")
        if self.role in ("system", "user") and not any(
            (p.text.strip() if isinstance(p, TextPart) else True) for p in self.parts
        ):
            raise ValueError(f"empty {self.role} message: its text is blank")
        return self

    # -- constructors ------------------------------------------------------------------------------------
    @classmethod
    def system(cls, text: str) -> Message:
        return cls(role="system", parts=(TextPart(text=text),))

    @classmethod
    def user(cls, text: str = "", *parts: ImagePart | DocumentPart) -> Message:
        """A user turn: text, and any images or documents that go with it."""
        head: tuple[Part, ...] = (TextPart(text=text),) if text else ()
        return cls(role="user", parts=head + tuple(parts))

    @classmethod
    def assistant(cls, text: str = "", *, parts: Iterable[Part] = ()) -> Message:
        head: tuple[Part, ...] = (TextPart(text=text),) if text else ()
        return cls(role="assistant", parts=head + tuple(parts))

    @classmethod
    def tool(cls, call: ToolCall | str, content: Any, *, name: str | None = None, is_error: bool = False,
             parts: Iterable[ImagePart | DocumentPart] = ()) -> Message:
        """The result of a tool call; non-string content is sent as JSON."""
        call_id = call.id if isinstance(call, ToolCall) else call
        tool_name = name or (call.name if isinstance(call, ToolCall) else None)
        if not tool_name:
            raise ValueError("Message.tool needs the tool's name (pass the ToolCall, or name=...)")
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        return cls(
            role="tool",
            parts=(ToolResult(call_id=call_id, name=tool_name, content=text, is_error=is_error, parts=tuple(parts)),),
        )

    # -- views -------------------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def reasoning(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, ReasoningPart))

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        return tuple(p for p in self.parts if isinstance(p, ToolCall))


MessageLike: TypeAlias = Message | Mapping[str, Any] | str


# ---------------------------------------------------------------------------------------------------- tools


class Tool(_Input):
    """A function the model may call, described by a JSON schema."""

    model_config = _FROZEN
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool | None = None

    @model_validator(mode="after")
    def _json_schema(self) -> Self:
        _require_json(self.parameters, f"the parameter schema of tool {self.name!r}")
        if not _is_object_schema(self.parameters):
            raise ValueError(
                f"the parameters of tool {self.name!r} must be a JSON schema of type 'object' (its properties are "
                f"the arguments), not {json.dumps(self.parameters)[:80]}: wrap the value in an object, e.g. "
                "{'type': 'object', 'properties': {'value': ...}, 'required': ['value']}")
        return self


def _is_object_schema(schema: Mapping[str, Any]) -> bool:
    """Every host takes a tool's arguments as one JSON object. ``{}`` (no arguments, as hosts' own recordings
    have it), an object type, or a schema with properties (or a root reference) all describe one."""
    kind = schema.get("type")
    if kind is None:
        return not schema or "properties" in schema or "$ref" in schema
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


class WebSearch(_Input):
    """A search the host runs itself (Gemini ``googleSearch``, OpenRouter's ``web`` plugin), given to the model
    beside the caller's own tools."""

    model_config = _FROZEN
    type: Literal["web_search"] = "web_search"


BuiltinTool: TypeAlias = WebSearch

ToolChoice: TypeAlias = Literal["auto", "none", "required"] | str


# ---------------------------------------------------------------------------------------------------- thinking


_EFFORTS: tuple[str, ...] = Effort.__args__  # type: ignore[attr-defined]
_THINKING_HELP = (f"give True or 'on', False or 'off', an effort ({'|'.join(_EFFORTS)}), a token budget (an "
                  "int >= 0), or Thinking(...)")


class Thinking(_Input):
    """What the caller wants from the model's thinking, in one setting.

    ``Thinking()`` or ``Thinking.on()``: think, at the model's default depth. ``Thinking.off()``: do not.
    ``Thinking(effort="high")``: an effort level. ``Thinking(budget=2048)``: a token budget.
    ``include=False`` asks for the reasoning text not to be returned (the model may still think).
    What each of these means for a model family is decided by its client, and how it is spelled on the wire
    by the provider; a setting the model or host cannot honour raises before any request.
    """

    model_config = _FROZEN
    enabled: bool = True
    effort: Effort | None = None
    budget: int | None = Field(default=None, ge=0)
    include: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.effort is not None and self.budget is not None:
            raise ValueError("give either an effort or a budget, not both")
        if not self.enabled and (self.effort is not None or self.budget is not None):
            raise ValueError("thinking is off: an effort or budget makes no sense")
        return self

    @classmethod
    def on(cls, *, include: bool = True) -> Thinking:
        return cls(enabled=True, include=include)

    @classmethod
    def off(cls) -> Thinking:
        return cls(enabled=False)

    @classmethod
    def coerce(cls, value: Thinking | bool | str | int | None) -> Thinking | None:
        """Accept the shorthands wherever a Thinking is taken: ``True`` / ``"on"``, ``False`` / ``"off"`` /
        ``"none"``, an effort name (``"high"``; words in any case), a token budget (``1024``)."""
        if value is None or isinstance(value, Thinking):
            return value
        if isinstance(value, bool):
            return cls(enabled=value)
        if isinstance(value, int):
            if value < 0:
                raise ConfigurationError(f"a thinking budget is a number of tokens, not {value}: {_THINKING_HELP}")
            return cls(budget=value)
        if isinstance(value, str):
            word = value.strip().lower()
            if word in ("none", "off"):
                return cls.off()
            if word == "on":
                return cls.on()
            if word in _EFFORTS:
                return cls(effort=word)
        raise ConfigurationError(f"thinking={value!r:.60} is not a thinking setting: {_THINKING_HELP}")


# ---------------------------------------------------------------------------------------------------- results


class Usage(BaseModel):
    """Token counts, normalised across hosts.

    ``output_tokens`` counts everything generated, reasoning included (that is how every host bills it);
    ``reasoning_tokens`` is the part of it spent thinking. ``input_tokens`` includes cached input;
    ``cached_input_tokens`` is the part served from the host's cache. ``None`` means the host did not say.
    """

    model_config = ConfigDict(frozen=True)
    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int | None = None
    cached_input_tokens: int | None = None
    cache_write_tokens: int | None = None

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class Timing(BaseModel):
    """Client-side timings of one call, in seconds (``started_at`` is a Unix time)."""

    model_config = ConfigDict(frozen=True)
    started_at: float
    time_to_first_byte: float | None = None
    time_to_first_token: float | None = None
    total: float = 0.0
    #: when the request was fully written to the socket (recorded under ``wire_timing()``, else None): the
    #: host's own latency is ``time_to_first_token - request_sent``, free of the client's work before sending
    request_sent: float | None = None


class Attempt(BaseModel):
    """One step of a routed call (``rehost.Fallback``): a host tried, or passed over, and what came of it.

    ``outcome`` is ``"ok"``, ``"skipped"`` (nothing was sent: the host cannot serve the request, has no key,
    its circuit is open or it asked to be left alone for a while; ``detail`` says which), or the class name of
    the error the host answered with (``"RateLimited"``, ``"ServerError"``, ...). ``seconds`` is how long
    the attempt took (to the first event, for a stream)."""

    model_config = ConfigDict(frozen=True)
    host: str
    outcome: str
    seconds: float = 0.0
    detail: str | None = None


class Completion(BaseModel):
    """The final result of a call: what the model said, thought and asked for, and what it cost."""

    model_config = ConfigDict(frozen=True)
    parts: tuple[Part, ...] = ()
    finish_reason: FinishReason = "stop"
    native_finish_reason: str | None = None
    #: the host's own words on why the answer ended, when it gives them (Gemini ``finishMessage``)
    finish_message: str | None = None
    usage: Usage | None = None
    host: str = ""
    model: str = ""
    host_model_id: str = ""
    served_model: str | None = None
    response_id: str | None = None
    request_id: str | None = None
    timing: Timing | None = None
    host_timing: dict[str, float] | None = None
    host_cost: float | None = None
    cost: Cost | None = None
    output: Any = None
    #: what a routing provider (``Fallback``) tried before this answer, in order, ending with the host that
    #: answered; None when the call went straight to one host
    attempts: tuple[Attempt, ...] | None = None
    #: served from a response cache (``rehost.cache``): no request was sent, nothing was billed for it
    cached: bool = False
    raw: Any = Field(default=None, repr=False, exclude=True)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def reasoning(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, ReasoningPart))

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        return tuple(p for p in self.parts if isinstance(p, ToolCall))

    @property
    def message(self) -> Message:
        """This answer as an assistant turn, ready to append to the conversation."""
        return Message.model_construct(role="assistant", parts=self.parts)


# ---------------------------------------------------------------------------------------------------- events


@dataclass(slots=True, frozen=True)
class TextDelta:
    text: str


@dataclass(slots=True, frozen=True)
class ReasoningDelta:
    text: str


@dataclass(slots=True, frozen=True)
class ToolCallDelta:
    """A piece of a tool call: ``name``/``id`` on its first piece, then argument text fragments."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(slots=True, frozen=True)
class Done:
    """The last event of every stream."""

    completion: Completion

    @property
    def finish_reason(self) -> FinishReason:
        return self.completion.finish_reason


StreamEvent: TypeAlias = TextDelta | ReasoningDelta | ToolCallDelta | Usage | Done
