"""A model you deployed yourself on Vertex AI (Model Garden: MedGemma, Gemma, Llama ... on a vLLM or HF TGI
container), reached through the endpoint's OpenAI-compatible chat completions.

Google documents ``POST https://{service-endpoint}/v1beta1/{endpoint}/chat/completions`` (and the same under
``v1``) with ``{endpoint} = projects/{project}/locations/{location}/endpoints/{endpoint-id}``, authorised like
any Vertex call (an OAuth access token), and the body of OpenAI's chat completions, which Model Garden's vLLM and
TGI containers answer (Vertex docs "Call Vertex AI models by using the OpenAI library", self-deployed models;
REST reference ``projects.locations.endpoints.chat.completions``). A dedicated endpoint has its own DNS name
(``https://{id}.{region}-{number}.prediction.vertexai.goog``): pass it as ``base_url``.

The body's ``model`` is the client's model id, or ``host_model_id=`` / ``Vertex(models={...})`` when the
container serves it under another name; whether Model Garden's containers check that name is UNCONFIRMED
(vLLM answers 404 for a name it does not serve). This class holds the encoding; ``Vertex`` owns auth, transport
and retries, as for its partner models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..shared.request import Request
from ..shared.transport import HttpCall
from .openai_compatible import OpenAICompatible

if TYPE_CHECKING:
    from .vertex import Vertex

__all__ = ["VertexEndpoint", "endpoint_resource"]


def endpoint_resource(project: str, location: str, endpoint: str) -> str:
    """``projects/{p}/locations/{l}/endpoints/{id}``; a full resource name is taken as it is."""
    if endpoint.startswith("projects/"):
        return endpoint.strip("/")
    return f"projects/{project}/locations/{location}/endpoints/{endpoint}"


class VertexEndpoint(OpenAICompatible):
    name: ClassVar[str] = "vertex"
    completion_path: ClassVar[str | None] = None  # chat completions only
    accepts: ClassVar[frozenset[str]] = frozenset({"text", "image"})

    def __init__(self, vertex: Vertex) -> None:
        super().__init__(None)
        self._vertex = vertex

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        call = super().build_call(request, model_id)
        call.url = self._vertex.endpoint_url("chat/completions")
        return call

    def auth_headers(self) -> dict[str, Any]:  # never used: Vertex sends the call
        return {}
