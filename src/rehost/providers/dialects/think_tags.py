"""Split ``<think>...</think>`` reasoning out of text, incrementally.

Some hosts return a reasoning model's thoughts inline in ``content`` (R1 on raw-mode Groq, several serverless
R1 deployments, llama.cpp with ``reasoning_format=none``). The client says which tags its model uses; this
splitter separates reasoning from answer while the text streams in, holding back only the few characters
that could be the start of a tag cut across two chunks. Only a block at the very start of the answer is
reasoning; a tag later in the text is ordinary text.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["ThinkSplitter", "split_think"]

Kind = Literal["reasoning", "text"]


def _partial_suffix(buf: str, tag: str) -> int:
    """Length of the longest suffix of ``buf`` that is a proper prefix of ``tag``."""
    for n in range(min(len(tag) - 1, len(buf)), 0, -1):
        if buf.endswith(tag[:n]):
            return n
    return 0


class ThinkSplitter:
    __slots__ = ("_buf", "_close", "_open", "_state", "_strip_next")

    def __init__(self, open_tag: str = "<think>", close_tag: str = "</think>", *, implicit_open: bool = False) -> None:
        self._open = open_tag
        self._close = close_tag
        self._state: Literal["start", "reasoning", "text"] = "reasoning" if implicit_open else "start"
        self._buf = ""
        self._strip_next = implicit_open  # strip whitespace that starts the reasoning or the answer

    @property
    def in_reasoning(self) -> bool:
        return self._state == "reasoning"

    def feed(self, text: str) -> list[tuple[Kind, str]]:
        if self._state == "text" and not self._strip_next:
            return [("text", text)] if text else []
        out: list[tuple[Kind, str]] = []
        self._buf += text
        while self._buf:
            if self._state == "start":
                head = self._buf.lstrip()
                if head.startswith(self._open):
                    self._buf = head[len(self._open):]
                    self._state = "reasoning"
                    self._strip_next = True
                    continue
                if not head or self._open.startswith(head):
                    return out  # could still become the opening tag
                self._state = "text"
                continue
            if self._strip_next:
                self._buf = self._buf.lstrip()
                if not self._buf:
                    return out
                self._strip_next = False
            if self._state == "text":
                out.append(("text", self._buf))
                self._buf = ""
                return out
            idx = self._buf.find(self._close)
            if idx >= 0:
                reasoning = self._buf[:idx].rstrip()
                if reasoning:
                    out.append(("reasoning", reasoning))
                self._buf = self._buf[idx + len(self._close):]
                self._state = "text"
                self._strip_next = True
                continue
            keep = _partial_suffix(self._buf, self._close)
            body = self._buf[: len(self._buf) - keep]
            stripped = body.rstrip()  # trailing blanks wait: they may sit just before the closing tag
            keep += len(body) - len(stripped)
            if stripped:
                out.append(("reasoning", stripped))
            self._buf = self._buf[len(self._buf) - keep:] if keep else ""
            return out
        return out

    def flush(self) -> list[tuple[Kind, str]]:
        """End of text: whatever is held back belongs to the current block."""
        buf, self._buf = self._buf, ""
        if not buf:
            return []
        if self._state == "reasoning":
            buf = buf.rstrip()
            return [("reasoning", buf)] if buf else []
        if self._state == "text" and self._strip_next:
            buf = buf.lstrip()
        return [("text", buf)] if buf else []


def split_think(text: str, open_tag: str = "<think>", close_tag: str = "</think>", *,
                implicit_open: bool = False) -> tuple[str, str]:
    """(reasoning, text) of a whole answer."""
    splitter = ThinkSplitter(open_tag, close_tag, implicit_open=implicit_open)
    reasoning: list[str] = []
    answer: list[str] = []
    for kind, piece in splitter.feed(text) + splitter.flush():
        (reasoning if kind == "reasoning" else answer).append(piece)
    return "".join(reasoning), "".join(answer)
