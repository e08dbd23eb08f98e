"""Vertex AI's embed endpoint: ``:predict`` for the classic embedding models, ``:embedContent`` for the Gemini
embedding models after ``gemini-embedding-001`` [HOSTS-MEDIA §5.3].

Which surface a model takes is Vertex's (python-genai's ``t_is_vertex_embed_content_model`` draws the same
line), so it is decided here, per call, from the host's model id. ``:predict`` takes one instance for
``gemini-embedding-001`` and up to five for the others (the reference page; UNCONFIRMED against the quota
pages); ``:embedContent`` one content a call: ``inputs_per_call`` says so, and the embedder splits by it.
Classic models bill by character (``metadata.billableCharacterCount``).
"""

from __future__ import annotations

from typing import Any, cast

from ..shared.embed.types import EmbedRequest, EmbedUsage, Vectors
from ..shared.errors import RehostError
from ..shared.transport import HttpCall
from .base.embed import EmbedEndpoint
from .dialects import gemini_embed
from .dialects.common import CallInfo

__all__ = ["VertexEmbed", "uses_predict"]

#: model ids served by ``:predict`` (the rest of Google's embedding models take ``:embedContent``)
_PREDICT_PREFIXES = ("gemini-embedding-001", "text-embedding-", "text-multilingual-embedding-", "textembedding-gecko",
                     "multimodalembedding")


def uses_predict(model_id: str) -> bool:
    """Whether Vertex serves ``model_id`` by ``:predict`` (else ``:embedContent``)."""
    return model_id.rsplit("/", 1)[-1].startswith(_PREDICT_PREFIXES)


class VertexEmbed(EmbedEndpoint):
    """Vertex's embeddings: ``:predict`` or ``:embedContent`` by model."""

    max_inputs = 5

    def inputs_per_call(self, model: str, host_model_id: str | None = None) -> int | None:
        try:
            model_id = self.host.model_id(model, host_model_id)
        except RehostError:
            return 1  # unknown here: the one size every surface takes
        if uses_predict(model_id) and not model_id.startswith("gemini-embedding-001"):
            return self.max_inputs
        return 1

    def build_call(self, request: EmbedRequest, model_id: str) -> HttpCall:
        host = cast(Any, self.host)
        if uses_predict(model_id):
            return HttpCall("POST", host.model_url(model_id, "predict"),
                            body=gemini_embed.encode_predict(request, host=self.name))
        return HttpCall("POST", host.model_url(model_id, "embedContent"),
                        body=gemini_embed.encode_embed_content(request, host=self.name))

    def decode(self, body: Any, request: EmbedRequest, info: CallInfo) -> tuple[Vectors, EmbedUsage]:
        if "predictions" in body:
            return gemini_embed.decode_predict(body, host=self.name, expected=len(request.inputs))
        return gemini_embed.decode_embed_content(body, host=self.name)
