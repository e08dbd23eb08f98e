"""Messages and their parts: text, reasoning, images, documents, tool calls and tool results.

A message is a tuple of ordered parts. Order matters: Gemini wants thought parts and signed parts echoed back
exactly as received, and an assistant turn can hold reasoning, text and tool calls together. Parts are pydantic
models: they validate what users hand us, so bad input fails with a clear message before any request."""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, model_validator

if TYPE_CHECKING:
    from typing import Self

from ._input import _FROZEN, Role, _Input

__all__ = [
    "DocumentPart",
    "IMAGE_TYPES",
    "ImagePart",
    "MAX_IMAGE_BYTES",
    "Message",
    "MessageLike",
    "Part",
    "ReasoningPart",
    "TextPart",
    "ToolCall",
    "ToolResult",
]

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
