"""Scripting the emulator: what a request does (``Script``), what it received (``Seen``), the faults it plays, and
the checks that refuse a typo'd field, fault or host style when scripted rather than ignore it when answering."""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

from .quirks import STYLES

FAULTS = (
    "400", "401", "429", "500", "502", "503", "529",
    "reset_before", "reset_mid_stream", "truncated", "malformed_chunk", "inband_error", "keepalive",
    "stall", "blocked", "wrong_content_type", "oversize",
)


@dataclass(frozen=True, slots=True)
class Script:
    """What the emulated host does with one request."""

    output_tokens: int = 8
    reasoning_tokens: int = 0
    ttft: float = 0.0
    inter_token: float = 0.0
    prompt_tokens: int | None = None
    tool_call: tuple[str, dict[str, Any]] | None = None
    fault: str | None = None
    retry_after: str | None = None
    oversize_bytes: int = 80 * 1024 * 1024
    #: answer with the last user message (load tests check no answer is lost or swapped)
    echo: bool = False
    #: answer with this text (streamed word by word, each word counted as one output token)
    text: str | None = None
    #: the length of an embedding when the request asks for none
    dimensions: int = 8

    def tokens(self, echo: str | None = None) -> list[str]:
        """The answer, piece by piece (one piece per streamed delta)."""
        if echo is not None:
            return [echo]
        if self.text is not None:
            return _WORDS.findall(self.text)
        return ["Hello" if i == 0 else f" w{i}" for i in range(self.output_tokens)]

    def output_count(self, pieces: list[str]) -> int:
        """The output tokens the host reports: a scripted text counts its pieces, else ``output_tokens``."""
        return len(pieces) if self.text is not None and self.echo is False else self.output_tokens

    def thoughts(self) -> list[str]:
        return ["Thinking" if i == 0 else f" t{i}" for i in range(self.reasoning_tokens)]


@dataclass(slots=True)
class Seen:
    """A request the emulator received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    host: str
    #: when it arrived (``time.monotonic()``), so a test can check what waited and what did not
    at: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class _Injection:
    script: Script
    times: int
    host: str | None


@dataclass
class _State:
    defaults: dict[str | None, Script] = field(default_factory=lambda: {None: Script()})
    queue: deque[_Injection] = field(default_factory=deque)
    seen: list[Seen] = field(default_factory=list)
    record: bool = True
    open_connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script_for(self, host: str, header_fault: str | None) -> Script:
        with self.lock:
            base = self.defaults.get(host) or self.defaults[None]
            for item in self.queue:
                if item.host in (None, host):
                    item.times -= 1
                    if item.times <= 0:
                        self.queue.remove(item)
                    base = replace(base, **{k: v for k, v in _diff(item.script).items()})
                    break
        if header_fault:
            base = replace(base, fault=header_fault)
        return base


def _diff(script: Script) -> dict[str, Any]:
    default = Script()
    return {k: getattr(script, k) for k in script.__dataclass_fields__ if getattr(script, k) != getattr(default, k)}


#: a word and the space before it, and trailing space (so the pieces of a text always join back to it)
_WORDS = re.compile(r"\s*\S+|\s+$")

#: what each script field holds, so a typo or a wrong value is refused when scripted, not ignored when answering
_FIELD_KINDS: dict[str, str] = {
    "output_tokens": "count", "reasoning_tokens": "count", "prompt_tokens": "count?", "oversize_bytes": "count",
    "ttft": "seconds", "inter_token": "seconds", "tool_call": "tool_call?", "fault": "fault?",
    "retry_after": "text?", "echo": "flag", "text": "text?", "dimensions": "count",
}


def _checked(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` if every one is a script field with a value of the right kind; else a ConfigurationError
    that names the field and what it takes."""
    from ...shared.errors import ConfigurationError

    for key, value in fields.items():
        kind = _FIELD_KINDS.get(key)
        if kind is None:
            raise ConfigurationError(f"the emulator has no script field {key!r}; fields: {', '.join(_FIELD_KINDS)}")
        if value is None and kind.endswith("?"):
            continue
        kind = kind.rstrip("?")
        problem = None
        if kind == "count":
            if isinstance(value, bool) or not isinstance(value, int):
                problem = "a whole number"
            elif value < 0:
                problem = "a whole number, not negative"
        elif kind == "seconds":
            if isinstance(value, bool) or not isinstance(value, int | float):
                problem = "a number of seconds"
            elif value < 0:
                problem = "a number of seconds, not negative"
        elif kind == "flag" and not isinstance(value, bool):
            problem = "True or False"
        elif kind == "text" and not isinstance(value, str):
            problem = "a string"
        elif kind == "fault" and value not in FAULTS:
            raise ConfigurationError(f"unknown fault {value!r}; faults: {', '.join(FAULTS)}")
        elif kind == "tool_call" and not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)
                                          and isinstance(value[1], dict)):
            problem = "a (name, arguments) pair, e.g. ('get_weather', {'city': 'Paris'})"
        if problem is not None:
            raise ConfigurationError(f"the emulator's {key} takes {problem}, not {value!r}")
    return fields


def _checked_style(host: str | None) -> str | None:
    from ...shared.errors import ConfigurationError

    if host is not None and host not in STYLES:
        raise ConfigurationError(f"unknown host style {host!r}; styles: {', '.join(STYLES)}")
    return host
