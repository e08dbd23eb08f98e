"""The chat endpoints of Vertex AI, one per publisher: Gemini (``google``), Claude (``anthropic``) and Mistral
(``mistralai``), and ``VertexChat``, which hands each request to the one its model's publisher needs.

Partner models are called with ``:rawPredict`` (``:streamRawPredict`` when streaming) on
``.../projects/{project}/locations/{location}/publishers/{publisher}/models/{model}``, authorised like any
Vertex call; the body is the publisher's own:

* Claude: the Messages body without ``model`` (it is in the URL) and with
  ``"anthropic_version": "vertex-2023-10-16"`` (anthropic-sdk-python ``lib/vertex/_client.py``). Model ids
  carry a version after ``@`` (``claude-sonnet-4-5@20250929``). Native structured output on Vertex is
  UNCONFIRMED, so Claude on Vertex answers in a schema by forced tool or instruction.
* Mistral: the Mistral chat body with ``model`` set to the id without its ``@version`` (HOSTS.md §4.4,
  mistralai GCP client); answers are OpenAI-style chat completions. Whether its stream ends with
  ``data: [DONE]`` is UNCONFIRMED; the decoder accepts a stream that ends after the finishing chunk.

Which publisher a model belongs to is ``Vertex.publisher`` (its catalogue row's ``publisher``). Every endpoint
reads errors through the host's ``error_from_body``: Vertex itself (quota, auth) answers in Google's shape
whichever publisher's model was called.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..shared.errors import HostError, UnsupportedFeature
from ..shared.output import OutputMode
from ..shared.request import Request
from ..shared.tokens import TokenCount
from ..shared.transport import HttpCall
from .anthropic import AnthropicChat
from .base import ChatEndpoint, PreparedCall
from .base.counting import HostCounted
from .dialects import anthropic as messages
from .dialects.common import CallInfo
from .gemini_api import GeminiChat
from .mistral import Mistral, MistralChat

if TYPE_CHECKING:
    from .vertex import Vertex

__all__ = ["VERTEX_ANTHROPIC_VERSION", "ClaudeOnVertex", "GeminiOnVertex", "MistralOnVertex", "VertexChat",
           "mistral_error", "publisher_for"]

VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16"

_MISTRAL_PREFIXES = ("mistral", "codestral", "ministral", "magistral", "mixtral", "pixtral")


def publisher_for(model_id: str) -> str:
    """A guess at the Vertex publisher from a model id alone (``claude-*``: anthropic, Mistral's names:
    mistralai, else google), used only for a model the catalogue has no Vertex row for (one named by
    ``host_model_id=`` or ``models=``): a catalogued model's publisher is its row's."""
    base = model_id.lower().rsplit("/", 1)[-1]
    if base.startswith("claude"):
        return "anthropic"
    if base.startswith(_MISTRAL_PREFIXES):
        return "mistralai"
    return "google"


def _method(request: Request) -> str:
    return "streamRawPredict" if request.stream else "rawPredict"


class GeminiOnVertex(GeminiChat):
    """Gemini (publisher ``google``): ``generateContent`` and ``countTokens`` under the project's location."""

    host: Vertex

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        return self.host.error_from_body(status, headers, body)


class ClaudeOnVertex(HostCounted, AnthropicChat):
    """Claude (publisher ``anthropic``): the Messages body through rawPredict, and Claude's count-tokens."""

    host: Vertex
    output_modes: tuple[OutputMode, ...] = ("tool", "prompt")
    count_field = "input_tokens"  # ``{"input_tokens": N}``
    count_label = "count-tokens (Claude)"

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        body = self.encode(request, None)
        body["anthropic_version"] = VERTEX_ANTHROPIC_VERSION
        url = self.host.model_url(model_id, _method(request), publisher="anthropic")
        return HttpCall("POST", url, body=body, stream=request.stream)

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        return self.host.error_from_body(status, headers, body)

    # ------------------------------------------------------------------------------------------ count-tokens
    def counts_tokens(self, request: Request) -> bool:
        return True

    def count_call(self, request: Request) -> HttpCall:
        """Claude's token count on Vertex: ``publishers/anthropic/models/count-tokens:rawPredict``, one endpoint
        for every Claude model, so the model goes in the body (cloud.google.com vertex-ai partner-models
        claude-count-tokens; anthropic-sdk-python ``lib/vertex``)."""
        body = messages.count_tokens_body(self.encode(request, self.host_model_id(request)))
        body["anthropic_version"] = VERTEX_ANTHROPIC_VERSION
        url = self.host.model_url("count-tokens", "rawPredict", publisher="anthropic")
        headers = {"Content-Type": "application/json", "Accept": "application/json", **self.host._headers}
        return HttpCall("POST", url, body=body, headers=headers)

class MistralOnVertex(MistralChat):
    """Mistral (publisher ``mistralai``): Mistral's chat body through rawPredict, without the ``@version`` in
    the body's ``model``. No token counter."""

    host: Vertex
    accepts: frozenset[str] = frozenset({"text", "image"})

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        call = super().build_call(request, model_id.split("@", 1)[0])
        call.url = self.host.model_url(model_id, _method(request), publisher="mistralai")
        return call

    def map_inband_error(self, payload: Mapping[str, Any], info: CallInfo) -> HostError:
        """Vertex reads every error body (its own, or Mistral's)."""
        return self.host.map_inband_error(payload, info)


def mistral_error(host: str, status: int, headers: Mapping[str, str], body: Any) -> HostError:
    """Mistral's error bodies (``{"object": "error"}`` or FastAPI's ``{"detail"}``), read as Mistral's own API
    reads them (``Mistral.error_from_body``: context window, unknown model ...), named after ``host``."""
    err = _mistral_reader().error_from_body(status, headers, body)
    err.host = host
    return err


@functools.cache
def _mistral_reader() -> Mistral:
    return Mistral()  # only its error reading is used: no key, nothing sent


class VertexChat(ChatEndpoint):
    """Vertex's chat: each request goes to the endpoint of its model's publisher, which encodes it and (through
    ``PreparedCall.endpoint``) decodes its answer; auth, transport and retries are the host's."""

    host: Vertex

    def route(self, request: Request) -> ChatEndpoint:
        """The publisher endpoint serving ``request``'s model."""
        return self.host.publisher_endpoint(self.host.publisher(request))

    def prepare(self, request: Request) -> PreparedCall:
        """The publisher endpoint's call (it is recorded in ``PreparedCall.endpoint``, so ``send_prepared`` and
        the streams, inherited, hand the call on to it)."""
        return self.route(request).prepare(request)

    def counts_tokens(self, request: Request) -> bool:
        """Gemini and Claude have counters; Mistral on Vertex has none."""
        endpoint = self.route(request)
        check = getattr(endpoint, "counts_tokens", None)
        return callable(getattr(endpoint, "count_tokens", None)) and (check is None or bool(check(request)))

    def _counter(self, request: Request, method: str) -> Any:
        counter = getattr(self.route(request), method, None)
        if counter is None:
            raise UnsupportedFeature(f"vertex has no token-counting endpoint for {self.host_model_id(request)}; "
                                     "count offline (count_tokens without exact=True)", host=self.name)
        return counter

    def count_tokens(self, request: Request) -> TokenCount:
        result: TokenCount = self._counter(request, "count_tokens")(request)
        return result

    async def acount_tokens(self, request: Request) -> TokenCount:
        result: TokenCount = await self._counter(request, "acount_tokens")(request)
        return result
