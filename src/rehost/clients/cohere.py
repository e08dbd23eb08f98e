"""Cohere's model family: the Command chat models (CohereClient) and the Embed models (CohereEmbedder).

Model knowledge (HOSTS-MORE §4.4, §4.6):
* Command A Reasoning (``command-a-reasoning-08-2025``) is hybrid: it reasons by default, is turned off with
  ``Thinking(enabled=False)``, and takes a token budget (``Thinking(budget=...)``, up to 32768: the cap vercel
  enforces) rather than an effort. Its thinking comes back as thinking blocks and may be sent back on later
  turns.
* Command A, Command R / R+ (08-2024) and Command R7B do not think.
* All read text only here (Command A Vision is not in the stored facts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from . import embed_purpose
from .base import ModelClient, Variant
from .embed_base import EmbedClient, EmbedModel, embed_models

__all__ = ["CohereClient", "CohereEmbedder"]

_TEXT = frozenset({"text"})


def _v(model: str, name: str, **kw: Any) -> Variant:
    kw.setdefault("inputs", _TEXT)
    return Variant(model=model, name=name, **kw)


class CohereClient(ModelClient):
    family: ClassVar[str] = "cohere"
    variants: ClassVar[Mapping[str, Variant]] = {
        "command-a": _v("command-a-03-2025", "Command A", aliases=("command-a",)),
        "command-a-reasoning": _v("command-a-reasoning-08-2025", "Command A Reasoning", thinking="budget",
                                  budget_range=(1, 32768), can_disable=True, max_output_tokens=32000,
                                  aliases=("command-a-reasoning",)),
        "command-r": _v("command-r-08-2024", "Command R (08-2024)", aliases=("command-r",)),
        "command-r-plus": _v("command-r-plus-08-2024", "Command R+ (08-2024)", aliases=("command-r-plus",)),
        "command-r7b": _v("command-r7b-12-2024", "Command R7B", aliases=("command-r7b", "r7b")),
    }

_V4_DIMENSIONS = (256, 512, 1024, 1536)


class CohereEmbedder(EmbedClient):
    """Cohere Embed v3 and v4: an input type is required (``purpose`` query | document | classification |
    clustering; none given: ``search_query``); embed-v4.0 makes 256, 512, 1024 or 1536 dimensions; at most 96
    texts a call [HOSTS-MEDIA §5.5]."""

    family = "cohere"
    models = embed_models(
        EmbedModel("embed-v4.0", 1536, allowed_dimensions=_V4_DIMENSIONS, max_inputs=96),
        EmbedModel("embed-english-v3.0", 1024, max_inputs=96),
        EmbedModel("embed-multilingual-v3.0", 1024, max_inputs=96),
        EmbedModel("embed-english-light-v3.0", 384, max_inputs=96),
        EmbedModel("embed-multilingual-light-v3.0", 384, max_inputs=96),
    )

    def condition(self, texts: tuple[str, ...], purpose: str | None, title: str | None) -> embed_purpose.Conditioning:
        if title is not None:
            raise UnsupportedFeature("Cohere embeddings take no title")
        return embed_purpose.cohere(texts, purpose)
