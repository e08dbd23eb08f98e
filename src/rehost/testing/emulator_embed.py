"""The emulator's embeddings responder moved to ``rehost.testing.emulator.embed``; this name stays so existing
imports (``from rehost.testing.emulator_embed import vector_for``) keep working."""

from __future__ import annotations

from .emulator.embed import _OPENAI_STYLE, _packed, _tokens, _vector, embed_responder, vector_for

__all__ = ["embed_responder", "vector_for"]

_REEXPORTED = (_OPENAI_STYLE, _packed, _tokens, _vector)
