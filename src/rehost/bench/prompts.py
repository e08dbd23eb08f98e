"""Prompt sets for benchmarks: built in (short chat, long input, a reasoning task, text for a base model to
continue) and JSONL files.

A JSONL file holds one prompt per line, either ``{"prompt": "..."}`` or ``{"messages": [...]}`` (or a bare JSON
string).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["BUILTIN", "load_prompts"]

_LONG_CONTEXT = " ".join(
    f"Section {i}: the committee reviewed item {i}, noted its cost, its owner and its due date, and asked for a "
    f"short status report before the next meeting." for i in range(1, 121)
)

BUILTIN: dict[str, list[Any]] = {
    "short": [
        "Say hello in one short sentence.",
        "Name three primary colours.",
        "What is the capital of Portugal? Answer in one word.",
        "Give one synonym for 'quick'.",
    ],
    "long": [
        f"{_LONG_CONTEXT}\n\nIn two sentences, summarise what the committee asked for.",
        f"{_LONG_CONTEXT}\n\nHow many sections are there? Answer with a number.",
    ],
    "completion": [  # text for a base model to continue
        "The capital of France is",
        "Once upon a time, in a small village by the sea,",
        "The three primary colours are",
        "To make a cup of tea, first",
    ],
    "reasoning": [
        "A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much does the ball "
        "cost? Think it through, then give the answer.",
        "If it takes 5 machines 5 minutes to make 5 widgets, how long would it take 100 machines to make 100 "
        "widgets? Reason step by step.",
        "What is the smallest positive integer that is divisible by every integer from 1 to 10? Show your "
        "reasoning briefly.",
    ],
}


def load_prompts(spec: str | Path | list[Any]) -> list[Any]:
    """A built-in set by name, a JSONL file by path, or a list as given."""
    if isinstance(spec, list):
        return spec
    if isinstance(spec, str) and spec in BUILTIN:
        return list(BUILTIN[spec])
    path = Path(spec)
    if not path.exists():
        raise ValueError(f"no prompt set named {spec!r} and no such file (built in: {', '.join(BUILTIN)})")
    prompts: list[Any] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: not JSON: {exc}") from None
        if isinstance(item, dict):
            item = item.get("messages") or item.get("prompt")
        if not item:
            raise ValueError(f"{path}:{number}: needs a 'prompt' or 'messages'")
        prompts.append(item)
    if not prompts:
        raise ValueError(f"{path} holds no prompts")
    return prompts
