"""Sentences out of a chat stream, as they complete: a cascade speaks each one as soon as it is whole, so the
first audio comes after the first sentence, not after the whole answer.

A sentence ends at ``.``, ``!``, ``?`` (and their CJK forms), ``;`` or ``:`` followed by white space, or at a
line break. A full stop after a common abbreviation ("Dr.", "e.g.") or a single capital (an initial) does not
end one, and "3.5" never does (no space follows). Very short pieces ("Yes." stays whole) are not joined: a
short sentence is a fine thing to say first.
"""

from __future__ import annotations

import re

__all__ = ["SentenceSplitter"]

_END = re.compile(r"[.!?;:\u3002\uff01\uff1f](?:[\"')\]\u201d\u2019]*)\s+|\n+")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "no",
                            "fig", "approx", "inc", "ltd", "co", "mt", "u.s"})


class SentenceSplitter:
    """Feed text deltas; get back the sentences they complete; ``flush()`` the rest at the end."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> list[str]:
        self._buffer += text
        out: list[str] = []
        start = 0
        for match in _END.finditer(self._buffer):
            piece = self._buffer[start:match.end()]
            if match.group(0)[0] == "." and self._abbreviation(self._buffer[start:match.start()]):
                continue
            if piece.strip():
                out.append(piece.strip())
            start = match.end()
        self._buffer = self._buffer[start:]
        return out

    @staticmethod
    def _abbreviation(before: str) -> bool:
        words = before.split()
        if not words:
            return False
        word = words[-1].lower().lstrip("(\"'")
        return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())

    def flush(self) -> str | None:
        """What is left (an answer that ends without a full stop), or None."""
        rest, self._buffer = self._buffer.strip(), ""
        return rest or None
