"""LlamaClient: Meta's Llama 3.1, 3.3 and 4 instruction-tuned models.

Model knowledge (Meta model cards): none of them think; Llama 3.x reads text only, Llama 4 Scout and Maverick
read images too. The system prompt is supported. No sampling defaults are imposed (hosts' defaults apply).
Each 3.x model also answers to its short name without ``-instruct`` (``llama-3.3-70b``), the name most
hosts' docs and users write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from .base import ModelClient, Variant

__all__ = ["LlamaClient"]

_TEXT = frozenset({"text"})
_VISION = frozenset({"text", "image"})


def _v(model: str, name: str, **kw: Any) -> Variant:
    kw.setdefault("inputs", _TEXT)
    return Variant(model=model, name=name, **kw)


class LlamaClient(ModelClient):
    family: ClassVar[str] = "llama"
    variants: ClassVar[Mapping[str, Variant]] = {
        "3.1-8b": _v("llama-3.1-8b-instruct", "Llama 3.1 8B Instruct", aliases=("llama-3.1-8b",)),
        "3.1-70b": _v("llama-3.1-70b-instruct", "Llama 3.1 70B Instruct", aliases=("llama-3.1-70b",)),
        "3.1-405b": _v("llama-3.1-405b-instruct", "Llama 3.1 405B Instruct", aliases=("llama-3.1-405b",)),
        "3.3-70b": _v("llama-3.3-70b-instruct", "Llama 3.3 70B Instruct", aliases=("llama-3.3-70b",)),
        "4-scout": _v("llama-4-scout-17b-16e-instruct", "Llama 4 Scout 17B-16E Instruct", inputs=_VISION,
                      aliases=("scout",)),
        "4-maverick": _v("llama-4-maverick-17b-128e-instruct", "Llama 4 Maverick 17B-128E Instruct",
                         inputs=_VISION, aliases=("maverick",)),
    }
