"""The embeddings kind: the neutral request a family's embedder hands to a host, and the vectors that come back."""

from .types import Embeddings, EmbedRequest, EmbedUsage, Truncate, Vectors

__all__ = ["EmbedRequest", "EmbedUsage", "Embeddings", "Truncate", "Vectors"]
