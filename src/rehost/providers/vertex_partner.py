"""Partner models on Vertex AI: Claude (publisher ``anthropic``) and Mistral (publisher ``mistralai``).

Both are called with ``:rawPredict`` (``:streamRawPredict`` when streaming) on
``.../projects/{project}/locations/{location}/publishers/{publisher}/models/{model}``, authorised like any
Vertex call; the body is the publisher's own:

* Claude: the Messages body without ``model`` (it is in the URL) and with
  ``"anthropic_version": "vertex-2023-10-16"`` (anthropic-sdk-python ``lib/vertex/_client.py``). Model ids
  carry a version after ``@`` (``claude-sonnet-4-5@20250929``). Native structured output on Vertex is
  UNCONFIRMED, so Claude on Vertex answers in a schema by forced tool or instruction.
* Mistral: the Mistral chat body with ``model`` set to the id without its ``@version`` (HOSTS.md §4.4,
  mistralai GCP client); answers are OpenAI-style chat completions. Whether its stream ends with
  ``data: [DONE]`` is UNCONFIRMED; the decoder accepts a stream that ends after the finishing chunk.

These classes hold the encoding and decoding; ``Vertex`` owns auth, transport and the URL, and hands each
call to the one its model's publisher needs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from ..shared.errors import ProtocolError
from ..shared.output import OutputMode
from ..shared.request import Request
from ..shared.tokens import TokenCount
from ..shared.transport import HttpCall
from .anthropic import Anthropic
from .dialects import anthropic as messages
from .mistral import Mistral

if TYPE_CHECKING:
    from .vertex import Vertex

__all__ = ["VERTEX_ANTHROPIC_VERSION", "ClaudeOnVertex", "MistralOnVertex", "publisher_for"]

VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16"

_MISTRAL_PREFIXES = ("mistral", "codestral", "ministral", "magistral", "mixtral", "pixtral")


def publisher_for(model_id: str) -> str:
    """The Vertex publisher of a model id: ``anthropic`` (Claude), ``mistralai`` or ``google``."""
    base = model_id.lower().rsplit("/", 1)[-1]
    if base.startswith("claude"):
        return "anthropic"
    if base.startswith(_MISTRAL_PREFIXES):
        return "mistralai"
    return "google"


def _method(request: Request) -> str:
    return "streamRawPredict" if request.stream else "rawPredict"


class ClaudeOnVertex(Anthropic):
    name: ClassVar[str] = "vertex"
    output_modes: tuple[OutputMode, ...] = ("tool", "prompt")

    def __init__(self, vertex: Vertex) -> None:
        super().__init__(None)
        self._vertex = vertex

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        body = self.encode(request, None)
        body["anthropic_version"] = VERTEX_ANTHROPIC_VERSION
        url = self._vertex.model_url(model_id, _method(request), publisher="anthropic")
        return HttpCall("POST", url, body=body, stream=request.stream)

    def count_call(self, request: Request, model_id: str) -> HttpCall:
        """Claude's token count on Vertex: ``publishers/anthropic/models/count-tokens:rawPredict``, one endpoint
        for every Claude model, so the model goes in the body (cloud.google.com vertex-ai partner-models
        claude-count-tokens; anthropic-sdk-python ``lib/vertex``)."""
        body = messages.count_tokens_body(self.encode(request, model_id))
        body["anthropic_version"] = VERTEX_ANTHROPIC_VERSION
        return HttpCall("POST", self._vertex.model_url("count-tokens", "rawPredict", publisher="anthropic"), body=body)

    def token_count(self, content: bytes) -> TokenCount:
        """``{"input_tokens": N}``."""
        try:
            total = json.loads(content).get("input_tokens")
        except (ValueError, AttributeError):
            total = None
        if not isinstance(total, int):
            raise ProtocolError("vertex count-tokens answered without input_tokens", host=self.name)
        return TokenCount(total, True, "vertex count-tokens (Claude)")


class MistralOnVertex(Mistral):
    name: ClassVar[str] = "vertex"
    accepts: ClassVar[frozenset[str]] = frozenset({"text", "image"})

    def __init__(self, vertex: Vertex) -> None:
        super().__init__(None)
        self._vertex = vertex

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        call = super().build_call(request, model_id.split("@", 1)[0])
        call.url = self._vertex.model_url(model_id, _method(request), publisher="mistralai")
        return call

    def auth_headers(self) -> dict[str, Any]:  # never used: Vertex sends the call
        return {}
