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
(vLLM answers 404 for a name it does not serve). ``VertexEndpoint`` is a chat endpoint: the OpenAI
dialect with the deployed endpoint's URL; ``Vertex`` (its host) owns auth, transport, retries and errors, as
for its partner models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..shared.errors import HostError
from ..shared.request import Request
from ..shared.transport import HttpCall
from .dialects.common import CallInfo
from .openai_compatible import OpenAIChat

__all__ = ["VertexEndpoint", "endpoint_resource"]


def endpoint_resource(project: str, location: str, endpoint: str) -> str:
    """``projects/{p}/locations/{l}/endpoints/{id}``; a full resource name is taken as it is."""
    if endpoint.startswith("projects/"):
        return endpoint.strip("/")
    return f"projects/{project}/locations/{location}/endpoints/{endpoint}"


class VertexEndpoint(OpenAIChat):
    """The chat endpoint of a model deployed on Vertex AI (``Vertex(endpoint=...)``); ``host`` is the Vertex
    host, which gives ``endpoint_url``."""

    completion_path: ClassVar[str | None] = None  # chat completions only
    accepts: frozenset[str] = frozenset({"text", "image"})
    #: Model Garden's containers are vLLM or TGI: whichever spelling of the reasoning field they use
    #: (HOSTS.md 11.2, "Vertex MaaS ... reasoning_content"; vLLM ``reasoning``)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning", "reasoning_content")

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        call = super().build_call(request, model_id)
        call.url = self.host.endpoint_url("chat/completions")  # type: ignore[attr-defined]
        return call

    def map_inband_error(self, payload: Mapping[str, Any], info: CallInfo) -> HostError:
        """Vertex reads every error body (its own, or a container's OpenAI-shaped one)."""
        err: HostError = self.host.map_inband_error(payload, info)
        return err
