"""Cohere's model family: its embedding models (chat comes with Cohere's v2 chat, a later issue)."""

from __future__ import annotations

from ..shared.errors import UnsupportedFeature
from . import embed_purpose
from .embed_base import EmbedClient, EmbedModel, embed_models

__all__ = ["CohereEmbedder"]

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
