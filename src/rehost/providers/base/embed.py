"""EmbedEndpoint: one host's embeddings surface, a codec of one embeddings dialect plus this host's hooks,
sent through the host's transport (retries, rate limit, pools) in sync and async twins.

An endpoint subclass fills in ``build_call`` (one batch of an ``EmbedRequest`` -> HTTP call) and ``decode``
(the answer -> vectors and usage). Splitting a long input list into batches is the embedder client's (it
knows the model's limits; ``max_inputs`` says the host's); an endpoint sends exactly one batch.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from ...shared.embed.types import Embeddings, EmbedRequest, EmbedUsage, Vectors
from ...shared.errors import InvalidRequest, ProtocolError
from ...shared.transport import HttpCall, header_request_id
from ..dialects.common import CallInfo
from .endpoint import Endpoint
from .headers import checked_headers, deep_merge, merge_headers
from .status import SHAPE_ERRORS

if TYPE_CHECKING:
    pass

__all__ = ["EmbedEndpoint"]


class EmbedEndpoint(Endpoint):
    """A host's embeddings surface. Subclasses fill in ``build_call`` and ``decode``."""

    #: the most inputs one call takes on this host (None: no documented cap)
    max_inputs: ClassVar[int | None] = None

    def inputs_per_call(self, model: str, host_model_id: str | None = None) -> int | None:
        """The most inputs one call takes for ``model`` here: ``max_inputs``, unless the host's cap depends on
        the model (Vertex: one text a call for the Gemini embedding models, five for the classic ones)."""
        return self.max_inputs

    # ------------------------------------------------------------------------------------------ hooks
    def build_call(self, request: EmbedRequest, model_id: str) -> HttpCall:
        """The HTTP request (without auth) for one batch; raise UnsupportedFeature for what the host lacks."""
        raise NotImplementedError

    def decode(self, body: Any, request: EmbedRequest, info: CallInfo) -> tuple[Vectors, EmbedUsage]:
        """The vectors (in input order) and usage of one answer."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------------ steps
    def prepare(self, request: EmbedRequest) -> tuple[HttpCall, CallInfo]:
        """Resolve the model and encode one batch; nothing is sent."""
        model_id = self.host.model_id(request.model, request.host_model_id)
        call = self.build_call(request, model_id)
        if request.extra_body:
            if not isinstance(call.body, dict):
                raise InvalidRequest("extra_body needs a JSON object body", host=self.name)
            deep_merge(call.body, request.extra_body)
        headers = {"Accept": "application/json"}
        if call.body is not None:
            headers["Content-Type"] = "application/json"
        merge_headers(headers, self.host._headers)
        merge_headers(headers, checked_headers(call.headers, self.name, "headers", InvalidRequest))
        call.headers = headers
        return call, CallInfo(host=self.name, model=request.model, host_model_id=model_id)

    def _result(self, request: EmbedRequest, info: CallInfo, content: bytes, headers: httpx.Headers) -> Embeddings:
        info.request_id = header_request_id(headers, self.host.request_id_headers)
        try:
            body = json.loads(content)
        except ValueError as exc:
            raise ProtocolError(f"{self.name} answered with a body that is not JSON: {content[:200]!r}",
                                host=self.name, request_id=info.request_id) from exc
        try:
            vectors, usage = self.decode(body, request, info)
        except SHAPE_ERRORS as exc:
            raise ProtocolError(f"{self.name} answered with JSON of an unexpected shape "
                                f"({type(exc).__name__}: {exc})", host=self.name,
                                request_id=info.request_id) from exc
        if vectors.count != len(request.inputs):
            raise ProtocolError(f"{self.name} answered {vectors.count} vectors for {len(request.inputs)} inputs",
                                host=self.name, request_id=info.request_id)
        return Embeddings(vectors=vectors, model=request.model, host=self.name, host_model_id=info.host_model_id,
                          usage=usage, cost=self.cost(request, usage), request_id=info.request_id,
                          seconds=time.perf_counter() - info.t0)

    def cost(self, request: EmbedRequest, usage: EmbedUsage) -> Any:
        """What the batch cost by the catalogue's prices for this host (None when they are unknown)."""
        from ...shared.pricing import embed_cost

        return embed_cost(self.host.catalog.prices(request.model, self.name), usage, host=self.name)

    # ------------------------------------------------------------------------------------------ I/O
    def embed(self, request: EmbedRequest) -> Embeddings:
        call, info = self.prepare(request)
        self.host.authorize(call)
        info.t0 = time.perf_counter()
        result = self.host._transport.request(call, self.map_http_error, total=request.timeout)
        return self._result(request, info, result.content, result.headers)

    async def aembed(self, request: EmbedRequest) -> Embeddings:
        call, info = self.prepare(request)
        await self.host.aauthorize(call)
        info.t0 = time.perf_counter()
        result = await self.host._transport.arequest(call, self.map_http_error, total=request.timeout)
        return self._result(request, info, result.content, result.headers)
