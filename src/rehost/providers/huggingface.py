"""The Hugging Face Inference Providers router (``router.huggingface.co/v1``): one OpenAI chat-completions surface
in front of many inference providers, which it picks per call.
Facts: ../shared/HOSTS-MORE.md §9 (HF docs ``index.md`` / ``guides/gpt-oss.md`` / ``pricing.md``, huggingface_hub
``_common.py`` / ``constants.py``, pydantic-ai's recordings through the router).

Which provider serves a call is said in the model id: ``org/model`` lets the router pick the fastest,
``org/model:fastest`` / ``:cheapest`` / ``:preferred`` name a policy, ``org/model:groq`` a provider. ``provider=``
on the host adds that suffix to every model id that has none; an id that already carries one is sent as it is.
A suffix that is neither a policy nor a provider the router lists is refused before any network call (a typo
would otherwise be an answer from a provider the caller did not choose, or a 400 after a round trip).

``proxy=`` uses the per-provider proxy instead (``router.huggingface.co/{provider}`` + that provider's own route,
as huggingface_hub does for ``hf_`` tokens): ids are then the provider's, with no suffix. ``bill_to=`` sends
``X-HF-Bill-To`` so an organisation pays.

Reasoning comes back as the serving provider sends it: vLLM-style ``reasoning_content`` (observed, nebius) or
``reasoning`` (gpt-oss providers), or inline ``<think>`` in ``content`` (observed, DeepSeek-R1 through together;
the model's client gives the tags). The router documents no thinking control, so an effort or a budget is
refused before the network. ``retry-after`` appears even on 200 answers (observed); it is not read as a limit.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..shared.errors import ConfigurationError, InvalidRequest
from ..shared.request import Request
from ..shared.transport import HttpCall
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["HuggingFace", "HuggingFaceChat"]

_ROUTER = "https://router.huggingface.co"
_POLICIES = frozenset({"fastest", "cheapest", "preferred"})
#: the providers huggingface_hub lists (2026-08), and hyperbolic / nebius / sambanova, whose docs pages remain
_PROVIDERS = frozenset({
    "baseten", "cerebras", "cohere", "deepinfra", "fal-ai", "featherless-ai", "fireworks-ai", "groq",
    "hf-inference", "novita", "nscale", "openai", "ovhcloud", "publicai", "replicate", "scaleway", "together",
    "wavespeed", "zai-org", "hyperbolic", "nebius", "sambanova",
})
#: the per-provider proxy's route to each provider's chat completions, less ``/chat/completions`` (HF-HUB);
#: a provider not listed takes ``/v1``
_PROXY_ROUTES = {
    "groq": "/openai/v1",
    "cohere": "/compatibility/v1",
    "novita": "/v3/openai",
    "deepinfra": "/v1/openai",
    "zai-org": "/api/paas/v4",
    "fireworks-ai": "/inference/v1",
}


def _checked_suffix(suffix: str, what: str, error: type[ConfigurationError] | type[InvalidRequest]) -> str:
    if suffix not in _POLICIES and suffix not in _PROVIDERS:
        raise error(f"{what} {suffix!r} is neither a router policy ({', '.join(sorted(_POLICIES))}) nor a provider "
                    f"the Hugging Face router lists ({', '.join(sorted(_PROVIDERS))})", host="huggingface")
    return suffix


class HuggingFaceChat(OpenAIChat):
    """The router's chat completions."""

    completion_path: ClassVar[str | None] = None  # the router serves chat completions and responses only
    #: each provider's own field comes through: vLLM ``reasoning_content`` (observed) or ``reasoning``
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content", "reasoning")

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        host = self.host
        assert isinstance(host, HuggingFace)
        base, sep, suffix = model_id.rpartition(":")
        if sep and base:
            if host.proxy is not None:
                raise InvalidRequest(f"{model_id!r} picks a provider with ':{suffix}', but this host goes through "
                                     f"the {host.proxy} proxy, which takes {host.proxy}'s own ids", host=self.name)
            _checked_suffix(suffix, f"the model suffix of {model_id!r},", InvalidRequest)
        elif host.provider is not None:
            model_id = f"{model_id}:{host.provider}"
        return super().build_call(request, model_id)


class HuggingFace(OpenAICompatible):
    name: ClassVar[str] = "huggingface"
    default_base_url: ClassVar[str] = f"{_ROUTER}/v1"
    #: huggingface_hub's and any-llm's name first, then vercel's
    api_key_env: ClassVar[tuple[str, ...]] = ("HF_TOKEN", "HUGGINGFACE_API_KEY")
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-request-id",)
    chat_endpoint: ClassVar[type[Any] | None] = HuggingFaceChat

    def __init__(self, api_key: str | None = None, *, provider: str | None = None, proxy: str | None = None,
                 bill_to: str | None = None, **kwargs: Any) -> None:
        if provider is not None and proxy is not None:
            raise ConfigurationError("give provider= (a suffix for the router) or proxy= (a provider's own "
                                     "proxy), not both", host="huggingface")
        self.provider = None if provider is None else _checked_suffix(provider, "provider=", ConfigurationError)
        self.proxy = None if proxy is None else _checked_suffix(proxy, "proxy=", ConfigurationError)
        if self.proxy in _POLICIES:
            raise ConfigurationError(f"proxy= names a provider, not the policy {self.proxy!r}", host="huggingface")
        if self.proxy is not None and not kwargs.get("base_url"):
            kwargs["base_url"] = f"{_ROUTER}/{self.proxy}{_PROXY_ROUTES.get(self.proxy, '/v1')}"
        if bill_to is not None:
            if not bill_to.strip() or any(c in bill_to for c in "\r\n"):
                raise ConfigurationError("bill_to= needs an organisation or resource-group id", host="huggingface")
            kwargs["headers"] = {**(kwargs.get("headers") or {}), "X-HF-Bill-To": bill_to}
        super().__init__(api_key, **kwargs)
