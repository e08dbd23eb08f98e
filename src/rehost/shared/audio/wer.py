"""Word error rate: how far a transcript is from a reference, in words (substitutions + deletions +
insertions over the reference's length), after normalising both: lower case, punctuation off, numbers and
words as they are. The bench reports it; the local round-trip test holds Whisper to it."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise", "word_errors", "wer"]

_PUNCT = re.compile(r"[^\w\s']|(?<!\w)'|'(?!\w)")


def normalise(text: str) -> list[str]:
    """The words of ``text``: NFKC, lower case, punctuation dropped (apostrophes inside words kept),
    hyphens and dashes split words."""
    text = unicodedata.normalize("NFKC", text).lower().replace("-", " ").replace("\u2014", " ")
    return _PUNCT.sub(" ", text).split()


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edits, reference words): the word-level Levenshtein distance, and the reference's length."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1], len(ref)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of ``hypothesis`` against ``reference`` (0.0 is perfect; can exceed 1.0)."""
    edits, words = word_errors(reference, hypothesis)
    if words == 0:
        return 0.0 if edits == 0 else float(edits)
    return edits / words
