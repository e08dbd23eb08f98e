"""``OpenAIEmbed``: the embed endpoint of every host that takes OpenAI's ``POST {base_url}/embeddings``.

OpenAI itself, Together, Fireworks, vLLM, the llama.cpp server, Mistral and Voyage all take this shape; what
differs is a host's field names (``EmbedFields``: Mistral and Voyage say ``output_dimension``, Voyage has
``input_type`` and a boolean ``truncation``), whether it is asked for base64 and how many inputs one call
takes. Each host sets those in its own file, on a subclass named by its ``embed_endpoint``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..shared.embed.types import EmbedRequest, EmbedUsage, Vectors
from ..shared.transport import HttpCall
from .base.embed import EmbedEndpoint
from .dialects.common import CallInfo
from .dialects.openai_embed import EmbedFields, decode_embeddings, encode_embed_body

__all__ = ["OpenAIEmbed"]


class OpenAIEmbed(EmbedEndpoint):
    """``POST {base_url}/embeddings`` in OpenAI's shape, spelt by ``fields``."""

    #: the host's field names, and whether it is asked for base64 (packed float32) vectors
    fields: ClassVar[EmbedFields] = EmbedFields(encoding_format=None)
    #: the path under the host's base URL
    path: ClassVar[str] = "/embeddings"

    def build_call(self, request: EmbedRequest, model_id: str) -> HttpCall:
        body = encode_embed_body(request, model_id, host=self.name, fields=self.fields)
        return HttpCall("POST", self.base_url + self.path, body=body)

    def decode(self, body: Any, request: EmbedRequest, info: CallInfo) -> tuple[Vectors, EmbedUsage]:
        vectors, usage, _model = decode_embeddings(body, host=self.name, expected=len(request.inputs))
        return vectors, usage

