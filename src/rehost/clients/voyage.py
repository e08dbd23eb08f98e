"""Voyage AI's model family: its embedding models."""

from __future__ import annotations

from ..shared.errors import UnsupportedFeature
from . import embed_purpose
from .embed_base import EmbedClient, EmbedModel, embed_models

__all__ = ["VoyageEmbedder"]

_FLEXIBLE = (256, 512, 1024, 2048)


def _m(model: str, dimensions: int | None = 1024, flexible: bool = True) -> EmbedModel:
    return EmbedModel(model, dimensions, allowed_dimensions=_FLEXIBLE if flexible else (), max_inputs=1000)


class VoyageEmbedder(EmbedClient):
    """Voyage's models: ``input_type`` query | document (none for symmetric use: ``purpose="similarity"`` or
    none); the voyage-3.5 / 3-large / code-3 / 4 generation makes 256, 512, 1024 or 2048 dimensions; at most
    1000 texts a call [HOSTS-MEDIA §5.6]."""

    family = "voyage"
    models = embed_models(
        _m("voyage-4-large"),
        _m("voyage-4"),
        _m("voyage-4-lite"),
        _m("voyage-3-large"),
        _m("voyage-3.5"),
        _m("voyage-3.5-lite"),
        _m("voyage-code-3"),
        _m("voyage-finance-2", None, flexible=False),
        _m("voyage-law-2", None, flexible=False),
        _m("voyage-code-2", None, flexible=False),
    )

    def condition(self, texts: tuple[str, ...], purpose: str | None, title: str | None) -> embed_purpose.Conditioning:
        if title is not None:
            raise UnsupportedFeature("Voyage embeddings take no title")
        return embed_purpose.voyage(texts, purpose)
