"""Azure OpenAI and Azure AI Foundry (HOSTS-MORE §3): chat completions and the Responses API on a resource.

**Where.** A resource is ``https://{resource}.openai.azure.com`` (Azure OpenAI) or
``https://{resource}.services.ai.azure.com`` (Foundry): pass ``resource=`` (the first form), ``endpoint=`` or
``base_url=`` (either form), or set ``AZURE_OPENAI_ENDPOINT``. Three URL styles, chosen by ``surface=``:

* ``"v1"`` (default, GA since Aug 2025): ``{endpoint}/openai/v1/chat/completions`` and ``/openai/v1/responses``,
  no ``api-version`` (one given as ``api_version=`` is sent: an older copy of the docs showed
  ``?api-version=preview``). It also serves Foundry's non-OpenAI models (DeepSeek, Grok, MAI-DS-R1, Mistral, Llama).
  A ``base_url`` that already ends in ``/v1`` (``.../openai/v1``, or a serverless ``*.models.ai.azure.com/v1``)
  is used as it is.
* ``"deployments"`` (legacy): ``{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...``
  and ``{endpoint}/openai/responses?api-version=...``; ``api_version`` defaults to ``$OPENAI_API_VERSION`` (the
  openai SDK's variable), else the latest GA / preview.
* ``"models"``: Foundry's "Azure AI model inference" endpoint, ``{endpoint}/models/chat/completions
  ?api-version=2024-05-01-preview``, with the deployment in the body's ``model``.

The model id is the **deployment name** everywhere (``models={"gpt-4o": "my-gpt4o"}`` or ``host_model_id=``).

**Auth.** The key travels as ``api-key`` (``AZURE_OPENAI_API_KEY``, or vercel's and any-llm's
``AZURE_API_KEY``). Entra ID instead: ``token_provider=`` (a callable giving a bearer token; an async one for
async calls), or ``entra=True`` to take ``DefaultAzureCredential`` from ``azure-identity`` (the ``azure``
extra) with the Cognitive Services scope. Tokens go out as ``Authorization: Bearer``.

**Embeddings** travel as OpenAI's (``/openai/v1/embeddings``, or the deployment's own URL).

**Answers.** Chat is OpenAI's shape; DeepSeek models return ``reasoning_content`` (2026) or, older R1
deployments, ``<think>`` in the content (the DeepSeek client asks for the tag split). Azure's content-filter
annotations (``prompt_filter_results``, ``choices[].content_filter_results``, Responses ``content_filters[]``)
become ``Completion.content_filters``; a ``content_filter`` finish with nothing written raises ContentBlocked
naming the filtered categories. Streams may open with a chunk of empty ``choices`` carrying only the prompt
filter results and close with filter chunks without ``delta``: both are read, neither is taken for the answer's
id. Errors: ``code: content_filter`` (or ``innererror.code: ResponsibleAIPolicyViolation``) is ContentBlocked,
``DeploymentNotFound`` is ModelNotFound, and a 429's "retry after N seconds" is its retry-after when no header
says.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar, Literal

import httpx

from ..shared.chat.annotations import ContentFilter
from ..shared.errors import ConfigurationError, ContentBlocked, HostError, ModelNotFound, UnsupportedFeature
from ..shared.output import OutputMode
from ..shared.request import Request, ThinkingPlan
from ..shared.transport import HttpCall
from ..shared.types import Completion, FinishReason, ReasoningPart, StreamEvent
from .base import ChatEndpoint, Kind
from .dialects import openai_chat, openai_responses
from .dialects.common import CallInfo
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["Azure", "AzureChat", "AzureEmbed", "AzureModelsChat", "AzureResponses", "content_filters"]

Surface = Literal["v1", "deployments", "models"]
AzureAPI = Literal["chat", "responses"]
TokenProvider = Callable[[], "str | Awaitable[str]"]

#: Entra ID scope of Azure OpenAI / Foundry tokens [AZ-LIFE; AZ-REASON]
SCOPE = "https://cognitiveservices.azure.com/.default"
#: the api-version each legacy URL gets when the caller names none: the latest GA for chat completions, the
#: preview the legacy Responses route needs, the one Foundry's inference endpoint documents [AZ-LIFE; AZ-EP]
API_VERSIONS: Mapping[str, str] = {"deployments": "2024-10-21", "responses": "2025-04-01-preview",
                                   "models": "2024-05-01-preview"}
#: every effort word OpenAI's reasoning models take; which model takes which is the GPT client's business
_EFFORTS = frozenset({"none", "minimal", "low", "medium", "high", "xhigh"})
_RETRY_AFTER = re.compile(r"retry after (\d+(?:\.\d+)?) seconds?", re.I)


# ---------------------------------------------------------------------------------------------- content filters
def _judgements(results: Any, source: Literal["prompt", "completion"], index: int) -> list[ContentFilter]:
    """``content_filter_results`` (``{category: {filtered, severity | detected}}``, or ``error``) as items."""
    if not isinstance(results, Mapping):
        return []
    out: list[ContentFilter] = []
    for category, verdict in results.items():
        if not isinstance(verdict, Mapping):
            continue
        if category == "error":
            out.append(ContentFilter(source=source, category="error", index=index,
                                     message=str(verdict.get("message") or verdict.get("code") or "")))
            continue
        detected = verdict.get("detected")
        out.append(ContentFilter(source=source, category=str(category), filtered=bool(verdict.get("filtered")),
                                 severity=None if verdict.get("severity") is None else str(verdict["severity"]),
                                 detected=None if detected is None else bool(detected), index=index))
    return out


def content_filters(body: Mapping[str, Any]) -> tuple[ContentFilter, ...]:
    """Every content-filter judgement in an Azure answer or stream chunk: chat's ``prompt_filter_results`` and
    ``choices[].content_filter_results``, and the Responses API's ``content_filters[]``."""
    out: list[ContentFilter] = []
    for entry in body.get("prompt_filter_results") or ():
        if isinstance(entry, Mapping):
            out += _judgements(entry.get("content_filter_results"), "prompt", int(entry.get("prompt_index") or 0))
    for choice in body.get("choices") or ():
        if isinstance(choice, Mapping):
            out += _judgements(choice.get("content_filter_results"), "completion", int(choice.get("index") or 0))
    for entry in body.get("content_filters") or ():
        if isinstance(entry, Mapping):
            source: Literal["prompt", "completion"] = (
                "prompt" if entry.get("source_type") == "prompt" else "completion")
            out += _judgements(entry.get("content_filter_results"), source, 0)
    return tuple(out)


def _blocked(exc: ContentBlocked, found: tuple[ContentFilter, ...]) -> ContentBlocked:
    """A refusal, naming the categories Azure's filter stopped."""
    names = sorted({f.category for f in found if f.filtered})
    if not names:
        return exc
    blocked = ContentBlocked(f"{exc.message}; Azure's content filter flagged {', '.join(names)}", host=exc.host,
                             request_id=exc.request_id, code=exc.code)
    blocked.text = exc.text  # what had streamed before the cut
    return blocked


def _merged(found: list[ContentFilter]) -> tuple[ContentFilter, ...]:
    """One judgement per (source, index, category) out of a stream's many: the latest, unless an earlier one
    filtered, which is kept (Azure judges chunk after chunk as its filter catches up with the text, and a later
    clean segment does not undo an earlier cut)."""
    merged: dict[tuple[str, int, str], ContentFilter] = {}
    for item in found:
        key = (item.source, item.index, item.category)
        before = merged.get(key)
        if before is None or not before.filtered:
            merged[key] = item
    return tuple(merged.values())


class _FilteredStream(openai_chat.ChatStream):
    """Azure's chat stream: filter chunks (empty ``choices``, or a choice with no ``delta``) are kept as
    judgements, and an empty-id prompt-filter chunk is not taken for the answer's first chunk."""

    __slots__ = ("filters",)

    def __init__(self, info: CallInfo, on_error: Callable[[Mapping[str, Any]], HostError],
                 reading: openai_chat.Reading) -> None:
        super().__init__(info, on_error, reading)
        self.filters: list[ContentFilter] = []

    def on_chunk(self, chunk: dict[str, Any]) -> list[StreamEvent]:
        choices = chunk.get("choices")
        if "prompt_filter_results" in chunk or (choices and "content_filter_results" in choices[0]):
            self.filters.extend(content_filters(chunk))
            if not chunk.get("id") and not choices:
                return []  # the prompt-filter chunk Azure sends before the answer: no id, no model, no choices
        return super().on_chunk(chunk)


# ---------------------------------------------------------------------------------------------- chat completions
class AzureChat(OpenAIChat):
    """Chat completions on a resource, at the URL its ``surface`` names."""

    completion_path: ClassVar[str | None] = None  # no plain text completions on the v1 surface
    #: Foundry's DeepSeek models (2026) answer with ``reasoning_content``; OpenAI models return no reasoning text
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)
    finish_reasons: ClassVar[Mapping[str, FinishReason]] = openai_chat.OPENAI_FINISH_REASONS
    #: OpenAI's reasoning models refuse ``max_tokens`` (``max_completion_tokens`` since 2024-09-01-preview)
    sampling_fields: ClassVar[Mapping[str, str | None]] = {
        **openai_chat.DEFAULT_SAMPLING_FIELDS, "max_tokens": "max_completion_tokens"}
    #: PDFs on Azure's chat completions are not in the stored facts: refused before the network, not guessed
    accepts: frozenset[str] = frozenset({"text", "image"})

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        host = self._azure()
        call = super().build_call(request, model_id)
        call.url = host.chat_url(model_id)
        return call

    def _azure(self) -> Azure:
        host = self.host
        assert isinstance(host, Azure)
        host.check_endpoint()
        return host

    def encode_thinking(self, plan: ThinkingPlan, body: dict[str, Any], model_id: str) -> None:
        """``reasoning_effort`` (since api-version 2024-12-01-preview); no budget on Azure."""
        if plan.budget is not None:
            raise UnsupportedFeature("azure has no thinking budget; ask for an effort (reasoning_effort)",
                                     host=self.name)
        if plan.always_on and plan.effort is None:
            return
        if not plan.enabled:
            body["reasoning_effort"] = "none"
        elif plan.effort is not None:
            if plan.effort not in _EFFORTS:
                raise UnsupportedFeature(f"azure does not take reasoning_effort {plan.effort!r}", host=self.name)
            body["reasoning_effort"] = plan.effort

    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        found = content_filters(body)
        try:
            done = super().decode(body, headers, info)
        except ContentBlocked as exc:
            raise _blocked(exc, found) from None
        return done.model_copy(update={"content_filters": found}) if found else done

    def open_stream(self, info: CallInfo) -> _FilteredStream:
        return _FilteredStream(info, lambda payload: self.map_inband_error(payload, info), self.reading)

    def finish_stream(self, state: openai_chat.ChatStream, info: CallInfo) -> Completion:
        assert isinstance(state, _FilteredStream)
        try:
            done = super().finish_stream(state, info)
        except ContentBlocked as exc:
            raise _blocked(exc, _merged(state.filters)) from None
        return done.model_copy(update={"content_filters": _merged(state.filters)}) if state.filters else done


class AzureModelsChat(AzureChat):
    """Foundry's model inference endpoint: its gateway answers 422 to ``max_completion_tokens`` for Mistral
    [PAI-AZ, from #6593], so ``max_tokens`` goes out, as every model it serves takes."""

    sampling_fields: ClassVar[Mapping[str, str | None]] = openai_chat.DEFAULT_SAMPLING_FIELDS


# ---------------------------------------------------------------------------------------------- Responses
class AzureResponses(ChatEndpoint):
    """The Responses API (``/openai/v1/responses``, or the legacy ``/openai/responses?api-version=``).

    Calls are stateless: ``include: ["reasoning.encrypted_content"]`` asks for each reasoning item encrypted,
    and an assistant turn sends that item back whole (id, summary, ``encrypted_content``) so a reasoning model
    keeps its chain of thought across turns without the host storing the conversation."""

    accepts: frozenset[str] = frozenset({"text"})
    output_modes: tuple[OutputMode, ...] = ("prompt", "tool")

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        host = self.host
        assert isinstance(host, Azure)
        host.check_endpoint()
        body = openai_responses.encode_body(request, model_id, host=self.name, reasoning_item=self._reasoning_item)
        body["include"] = ["reasoning.encrypted_content"]
        if request.thinking is not None:
            effort = self._effort(request.thinking)
            if effort is not None:
                body["reasoning"] = {"effort": effort}
        return HttpCall("POST", host.responses_url(), body=body, stream=request.stream)

    def _reasoning_item(self, part: ReasoningPart) -> dict[str, Any] | None:
        """Only this host's encrypted item goes back (another host's reasoning means nothing to Azure)."""
        if part.source != self.name or not part.details:
            return None
        item = {k: v for k, v in part.details[0].items() if k in ("type", "id", "summary", "encrypted_content")}
        item.setdefault("summary", [])
        return item

    def _effort(self, plan: ThinkingPlan) -> str | None:
        if plan.budget is not None:
            raise UnsupportedFeature("azure has no thinking budget; ask for an effort", host=self.name)
        if not plan.enabled:
            return "none"
        if plan.effort is not None and plan.effort not in _EFFORTS:
            raise UnsupportedFeature(f"azure does not take reasoning effort {plan.effort!r}", host=self.name)
        return plan.effort

    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        done = openai_responses.decode_response(body, info)
        found = content_filters(body)
        return done.model_copy(update={"content_filters": found}) if found else done

    def open_stream(self, info: CallInfo) -> openai_responses.ResponsesStream:
        return openai_responses.ResponsesStream(info, lambda payload: self.map_inband_error(payload, info))

    def finish_stream(self, state: openai_responses.ResponsesStream, info: CallInfo) -> Completion:
        done = state.completion()
        found = content_filters(state.final)
        return done.model_copy(update={"content_filters": found}) if found else done


# ---------------------------------------------------------------------------------------------- the host
class Azure(OpenAICompatible):
    """An Azure OpenAI or Foundry resource (see the module docstring for URLs, auth and quirks)."""

    name: ClassVar[str] = "azure"
    #: a placeholder: a call without ``resource=``, ``endpoint=``, ``base_url=`` or $AZURE_OPENAI_ENDPOINT is
    #: refused before the network, naming them
    default_base_url: ClassVar[str] = "https://{resource}.openai.azure.com"
    api_key_env: ClassVar[tuple[str, ...]] = ("AZURE_OPENAI_API_KEY", "AZURE_API_KEY")
    endpoint_env: ClassVar[tuple[str, ...]] = ("AZURE_OPENAI_ENDPOINT",)
    request_id_headers: ClassVar[tuple[str, ...]] = ("apim-request-id", "x-request-id", "x-ms-request-id")
    auth_header_names: ClassVar[tuple[str, ...]] = ("api-key", "authorization")
    chat_endpoint: ClassVar[type[Any] | None] = AzureChat
    embed_endpoint = "AzureEmbed"  # (defined at the end of this file)
    #: the GA realtime websocket on the same resource (azure_realtime.py, imported when first asked for)
    realtime_endpoint = ".azure_realtime:AzureRealtime"

    def __init__(self, api_key: str | None = None, *, resource: str | None = None, endpoint: str | None = None,
                 surface: Surface = "v1", api: AzureAPI = "chat", api_version: str | None = None,
                 token_provider: TokenProvider | None = None, entra: bool = False, **kwargs: Any) -> None:
        if surface not in ("v1", "deployments", "models"):
            raise ConfigurationError(f"azure: surface must be 'v1', 'deployments' or 'models', not {surface!r}",
                                     host=self.name)
        if api not in ("chat", "responses"):
            raise ConfigurationError(f"azure: api must be 'chat' or 'responses', not {api!r}", host=self.name)
        if api == "responses" and surface == "models":
            raise ConfigurationError("azure: Foundry's model inference endpoint has no Responses API; use "
                                     "surface='v1'", host=self.name)
        if token_provider is not None and not callable(token_provider):
            raise ConfigurationError("azure: token_provider must be a callable returning a bearer token",
                                     host=self.name)
        if resource is not None and not (resource.replace("-", "").isalnum() and resource.isascii()):
            raise ConfigurationError(f"azure: resource must be an Azure resource name (letters, digits, hyphens), "
                                     f"not {resource!r}", host=self.name)
        if entra and token_provider is None:
            token_provider = _default_credential()
        if not kwargs.get("base_url"):
            kwargs["base_url"] = endpoint or (f"https://{resource}.openai.azure.com" if resource else None) or next(
                (os.environ[v] for v in self.endpoint_env if os.environ.get(v)), None)
        super().__init__(api_key, **kwargs)
        self.surface: Surface = surface
        self.api: AzureAPI = api
        self.api_version = api_version
        self._token_provider = token_provider

    def endpoint_class(self, kind: Kind) -> type[Any] | None:
        """Chat is chat completions or the Responses API, as ``api=`` chose."""
        if kind == "chat" and self.api == "responses":
            return AzureResponses
        if kind == "chat" and self.surface == "models":
            return AzureModelsChat
        return super().endpoint_class(kind)

    # ------------------------------------------------------------------------------------------ URLs
    def check_endpoint(self) -> None:
        if "{resource}" in self.base_url:
            raise ConfigurationError(
                "azure: no resource endpoint: pass resource='name', endpoint='https://name.openai.azure.com' "
                "(or .services.ai.azure.com) or base_url=, or set AZURE_OPENAI_ENDPOINT", host=self.name)

    def _root(self) -> str:
        """The resource root, without a ``/openai/v1`` or ``/v1`` the caller gave."""
        return re.sub(r"(/openai)?/v1$", "", self.base_url)

    def _v1(self) -> str:
        return self.base_url if self.base_url.endswith("/v1") else self.base_url + "/openai/v1"

    def _versioned(self, url: str, default: str) -> str:
        # the SDK's variable applies to the legacy styles only: v1 refuses an api-version it was not built for
        version = self.api_version or os.environ.get("OPENAI_API_VERSION") or default
        return f"{url}?api-version={version}"

    def chat_url(self, deployment: str) -> str:
        if self.surface == "deployments":
            return self._versioned(f"{self._root()}/openai/deployments/{deployment}/chat/completions",
                                   API_VERSIONS["deployments"])
        if self.surface == "models":
            return self._versioned(f"{self._root()}/models/chat/completions", API_VERSIONS["models"])
        url = self._v1() + "/chat/completions"
        return self._versioned(url, "") if self.api_version else url

    def embeddings_url(self, deployment: str) -> str:
        if self.surface == "deployments":
            return self._versioned(f"{self._root()}/openai/deployments/{deployment}/embeddings",
                                   API_VERSIONS["deployments"])
        if self.surface == "models":
            return self._versioned(f"{self._root()}/models/embeddings", API_VERSIONS["models"])
        url = self._v1() + "/embeddings"
        return self._versioned(url, "") if self.api_version else url

    def responses_url(self) -> str:
        if self.surface == "deployments":
            return self._versioned(f"{self._root()}/openai/responses", API_VERSIONS["responses"])
        url = self._v1() + "/responses"
        return self._versioned(url, "") if self.api_version else url

    # ------------------------------------------------------------------------------------------ auth
    @property
    def has_key(self) -> bool:
        return self._token_provider is not None or super().has_key

    def auth_headers(self) -> dict[str, str]:
        if self._token_provider is not None:
            token = self._token_provider()
            if inspect.isawaitable(token):
                if inspect.iscoroutine(token):
                    token.close()
                raise ConfigurationError("azure: the token_provider is async; use the async methods, or pass a "
                                         "sync one", host=self.name)
            return {"Authorization": f"Bearer {_checked_token(token)}"}
        return {"api-key": self._key()}

    async def aauth_headers(self) -> dict[str, str]:
        if self._token_provider is not None:
            token = self._token_provider()
            if inspect.isawaitable(token):
                token = await token
            return {"Authorization": f"Bearer {_checked_token(token)}"}
        return {"api-key": self._key()}

    # ------------------------------------------------------------------------------------------ errors
    def classify_error(self, status: int, message: str, etype: str | None, code: str | None) -> type[HostError]:
        if code in ("DeploymentNotFound", "ModelNotFound"):
            return ModelNotFound
        return super().classify_error(status, message, etype, code)

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        err = super().error_from_body(status, headers, body)
        inner = body.get("error", {}).get("innererror") if isinstance(body, Mapping) and isinstance(
            body.get("error"), Mapping) else None
        if isinstance(inner, Mapping) and inner.get("code") == "ResponsibleAIPolicyViolation" and not isinstance(
                err, ContentBlocked):
            blocked = ContentBlocked(err.message, host=self.name, status=status, code=str(inner["code"]),
                                     request_id=err.request_id, body=err.body)
            return blocked
        return err

    def retry_after_from_body(self, body: Any) -> float | None:
        """Azure's 429 names the wait in its message ("Please retry after N seconds")."""
        message, _t, _c, _p = openai_chat.error_fields(body)
        found = _RETRY_AFTER.search(message or "")
        return float(found.group(1)) if found else None


def _checked_token(token: Any) -> str:
    if not isinstance(token, str) or not token.strip():
        raise ConfigurationError("azure: the token_provider gave no token (it must return a non-empty string)",
                                 host="azure")
    return token.strip()


def _default_credential() -> TokenProvider:
    """``DefaultAzureCredential`` from ``azure-identity`` (the ``azure`` extra), as a cached token provider."""
    try:
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
    except ImportError as exc:
        raise ConfigurationError("azure: entra=True needs azure-identity: pip install 'rehost[azure]'",
                                 host="azure") from exc
    provider: TokenProvider = get_bearer_token_provider(DefaultAzureCredential(), SCOPE)
    return provider



# --- embeddings
from ..shared.embed.types import EmbedRequest  # noqa: E402
from .dialects.openai_embed import OPENAI_FIELDS  # noqa: E402
from .openai_embed import OpenAIEmbed  # noqa: E402


class AzureEmbed(OpenAIEmbed):
    """OpenAI's embeddings on a resource (``/openai/v1/embeddings``, or the legacy deployment URL), the
    deployment as ``model``; vectors as base64 and at most 2048 inputs a call, as OpenAI's own [AZ-LIFE]."""

    fields = OPENAI_FIELDS
    max_inputs = 2048

    def build_call(self, request: EmbedRequest, model_id: str) -> HttpCall:
        call = super().build_call(request, model_id)
        host = self.host
        assert isinstance(host, Azure)
        host.check_endpoint()
        call.url = host.embeddings_url(model_id)
        return call
