"""Google Vertex AI: Gemini, Claude and Mistral through ``aiplatform.googleapis.com``, authorised by an OAuth
access token.

The token comes from, in order: ``access_token=`` (a string, or a callable returning one, called per request
so the caller may refresh it), ``credentials=`` (google-auth credentials), or Application Default
Credentials through google-auth (the optional ``vertex`` extra). Locations: ``global`` (the default, and the
only home of the Gemini 3 previews), a region such as ``europe-west4`` (``{region}-aiplatform...``), or the
data-residency multi-regions ``us`` / ``eu`` (``aiplatform.{us|eu}.rep.googleapis.com``).

Partner models are served here too: Claude and Mistral models are reached through ``:rawPredict`` with their
publisher's own body. Each publisher has its chat endpoint (``vertex_partner``); which one a model needs is its
catalogue row's ``publisher`` (``google`` when the row names none). A model the catalogue has no Vertex row for
(named by ``host_model_id=`` or ``models=``) keeps the older rule: the publisher is guessed from the id
(``claude-*``, ``mistral-*`` ...). Auth, transport and retries stay here.

A model you deployed yourself (Model Garden) is reached with ``Vertex(project, location, endpoint="123...")``:
every call then goes to that endpoint's OpenAI-compatible chat completions (``vertex_endpoint``), whatever the
model, and the catalogue is not asked whether Vertex serves it (your endpoint does).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from ..shared.errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    HostError,
    MissingAPIKey,
    ModelNotServed,
)
from ..shared.request import Request
from .base import ChatEndpoint, Host, clean_key, error_class_for_status
from .dialects import anthropic as messages
from .gemini_api import google_error
from .vertex_embed import VertexEmbed
from .vertex_endpoint import VertexEndpoint, endpoint_resource
from .vertex_partner import (
    ClaudeOnVertex,
    GeminiOnVertex,
    MistralOnVertex,
    VertexChat,
    mistral_error,
    publisher_for,
)
from .vertex_video import VertexVeo

__all__ = ["Vertex"]

_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
_HOW_TO_AUTH = ("pass access_token=... (a string, or a callable returning one) or credentials=..., or set up "
                "Application Default Credentials: run `gcloud auth application-default login`, or point "
                "GOOGLE_APPLICATION_CREDENTIALS at a service-account key file")


def endpoint_for(location: str) -> str:
    if location == "global":
        return "https://aiplatform.googleapis.com"
    if location in ("us", "eu"):
        return f"https://aiplatform.{location}.rep.googleapis.com"
    return f"https://{location}-aiplatform.googleapis.com"


class Vertex(Host):
    name: ClassVar[str] = "vertex"
    embed_endpoint = VertexEmbed  # (vertex_embed.py)
    video_endpoint = VertexVeo  # (vertex_video.py)
    realtime_endpoint = ".gemini_live:VertexLive"  # Gemini Live (gemini_live.py, imported when first asked for)
    default_base_url: ClassVar[str] = "https://aiplatform.googleapis.com"
    request_id_headers: ClassVar[tuple[str, ...]] = ("x-goog-request-id", "x-request-id")
    chat_endpoint: ClassVar[type[Any] | None] = VertexChat
    #: the chat endpoint of each publisher a catalogue row may name
    publisher_endpoints: ClassVar[dict[str, type[ChatEndpoint]]] = {
        "google": GeminiOnVertex, "anthropic": ClaudeOnVertex, "mistralai": MistralOnVertex,
    }

    def __init__(
        self,
        project: str | None = None,
        location: str | None = None,
        *,
        access_token: str | Callable[[], str] | None = None,
        credentials: Any = None,
        api_version: str = "v1beta1",
        quota_project: str | None = None,
        base_url: str | None = None,
        endpoint: str | None = None,
        **kwargs: Any,
    ) -> None:
        for what, value, give in (("project", project, "your Google Cloud project id, or leave it out to read "
                                   "GOOGLE_CLOUD_PROJECT"),
                                  ("location", location, "'global', a region such as 'europe-west4', 'us' or 'eu', "
                                   "or leave it out to read GOOGLE_CLOUD_LOCATION (default global)")):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigurationError(f"vertex: {what}={value!r:.40} is not a {what}: give {give}", host=self.name)
        #: the deployed endpoint (``endpoint=``), or None (``endpoint`` itself is the per-kind lookup every Host has)
        self.deployed_endpoint = endpoint
        self.project = project or os.environ.get("GOOGLE_CLOUD_PROJECT")
        self.location = location or os.environ.get("GOOGLE_CLOUD_LOCATION") or "global"
        self.api_version = api_version
        self.quota_project = quota_project
        self._token = (clean_key(access_token, host=self.name, source="access_token=")
                       if isinstance(access_token, str) else access_token)
        self._credentials = credentials
        self._cred_lock = threading.Lock()
        super().__init__(None, base_url=base_url or endpoint_for(self.location), **kwargs)
        self._publishers: dict[str, ChatEndpoint] = {}

    def __repr__(self) -> str:
        auth = "token" if self._token is not None else ("credentials" if self._credentials else "adc")
        where = f", endpoint={self.deployed_endpoint!r}" if self.deployed_endpoint else ""
        return f"Vertex(project={self.project!r}, location={self.location!r}{where}, auth={auth})"

    def model_url(self, model_id: str, method: str, *, publisher: str = "google") -> str:
        if not self.project:
            raise ConfigurationError("vertex: no project: pass project=... or set GOOGLE_CLOUD_PROJECT",
                                     host=self.name)
        return (f"{self.base_url}/{self.api_version}/projects/{self.project}/locations/{self.location}"
                f"/publishers/{publisher}/models/{model_id}:{method}")

    def endpoint_url(self, method: str) -> str:
        """URL of ``method`` on the deployed endpoint (``endpoint=``)."""
        if not self.project or not self.deployed_endpoint:
            raise ConfigurationError("vertex: a deployed endpoint needs project=... and endpoint=...", host=self.name)
        resource = endpoint_resource(self.project, self.location, self.deployed_endpoint)
        return f"{self.base_url}/{self.api_version}/{resource}/{method}"

    def host_model_id(self, request: Request) -> str:
        if self.deployed_endpoint:  # the model is whatever the endpoint serves
            return request.host_model_id or self._models.get(request.model) or request.model
        return super().host_model_id(request)

    # ------------------------------------------------------------------------------------------ publishers
    def endpoint_class(self, kind: Any) -> type[Any] | None:
        """With ``endpoint=``, chat goes to the deployed endpoint; otherwise to each model's publisher."""
        if kind == "chat" and self.deployed_endpoint:
            return VertexEndpoint
        return super().endpoint_class(kind)

    def publisher(self, request: Request) -> str:
        """The Vertex publisher serving the request's model: its catalogue row's ``publisher`` (``google`` when
        the row names none). A model without a Vertex row (named by ``host_model_id=`` / ``models=``) is
        guessed from the id it is sent by, as before the catalogue had publishers."""
        try:
            row = self.catalog.host_entry(request.model, self.name)
        except ModelNotServed:
            return publisher_for(self.host_model_id(request))
        return row.publisher or "google"

    def publisher_endpoint(self, publisher: str) -> ChatEndpoint:
        """The chat endpoint of ``publisher`` (made once per host)."""
        found = self._publishers.get(publisher)
        if found is None:
            cls = self.publisher_endpoints.get(publisher)
            if cls is None:
                raise ConfigurationError(
                    f"vertex: the catalogue names publisher {publisher!r}, which rehost cannot call on Vertex "
                    f"(it calls {', '.join(sorted(self.publisher_endpoints))})", host=self.name)
            found = self._publishers[publisher] = cls(self)
        return found

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        """Errors come in the shape of whoever raised them: Anthropic's for Claude, Mistral's (or OpenAI-like)
        for Mistral models, Google's for Vertex itself (quota, auth) and Gemini."""
        if messages.is_error_body(body):
            return messages.error_from_body(self.name, status, body, error_class_for_status)
        if isinstance(body, Mapping) and (body.get("object") == "error" or "detail" in body):
            return mistral_error(self.name, status, headers, body)
        return google_error(self.name, status, body)

    # ------------------------------------------------------------------------------------------ auth
    @property
    def has_key(self) -> bool:
        if self._token is not None or self._credentials is not None:
            return True
        adc_file = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
        if adc_file and Path(adc_file).exists():
            return True
        return (Path.home() / ".config/gcloud/application_default_credentials.json").exists()

    @property
    def missing_key_reason(self) -> str | None:
        if not self.project:
            return "vertex: no project: pass project=... or set GOOGLE_CLOUD_PROJECT"
        if not self.has_key:
            return f"vertex: no credentials: {_HOW_TO_AUTH} (with the vertex extra: pip install 'rehost[vertex]')"
        return None

    def _resolve_key(self) -> str | None:
        return self._token if isinstance(self._token, str) else None

    def _adc(self) -> Any:
        try:
            import google.auth
            import google.auth.transport.requests
        except ImportError as exc:
            raise MissingAPIKey(
                "vertex: no access token given and google-auth is not installed: pip install 'rehost[vertex]', "
                "or pass access_token=...", host=self.name,
            ) from exc
        from google.auth.exceptions import DefaultCredentialsError

        try:
            credentials, _project = google.auth.default(scopes=[_SCOPE])
        except DefaultCredentialsError as exc:
            raise MissingAPIKey(f"vertex: no credentials found ({str(exc).split('. ')[0]}): {_HOW_TO_AUTH}",
                                host=self.name) from None
        return credentials

    def _current_token(self) -> str:
        if isinstance(self._token, str):
            return self._token
        if callable(self._token):
            token = clean_key(self._token(), host=self.name, source="what the access_token callable returned")
            if not token:
                raise MissingAPIKey("vertex: the access_token callable returned nothing", host=self.name)
            return token
        with self._cred_lock:
            if self._credentials is None:
                self._credentials = self._adc()
            creds = self._credentials
            if not getattr(creds, "valid", False) or getattr(creds, "expired", False):
                self._refresh(creds)
            token = creds.token
        token = clean_key(str(token), host=self.name, source="the credentials' token") if token else None
        if not token:
            raise MissingAPIKey("vertex: the credentials gave no access token", host=self.name)
        return token

    def _refresh(self, creds: Any) -> None:
        """Refresh google-auth credentials, turning google-auth's errors into rehost's: refused credentials
        (a revoked or expired grant) are an AuthenticationError, an unreachable token server ConnectionFailed."""
        import google.auth.transport.requests
        from google.auth.exceptions import RefreshError, TransportError

        try:
            creds.refresh(google.auth.transport.requests.Request())
        except RefreshError as exc:
            raise AuthenticationError(f"vertex: the credentials could not be refreshed ({exc}): {_HOW_TO_AUTH}",
                                      host=self.name) from None
        except TransportError as exc:
            raise ConnectionFailed(f"vertex: the token server could not be reached to refresh the credentials "
                                   f"({exc})", host=self.name) from None

    def auth_headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._current_token()}"}
        if self.quota_project:
            headers["x-goog-user-project"] = self.quota_project
        return headers

    async def aauth_headers(self) -> dict[str, str]:
        if isinstance(self._token, str):
            return self.auth_headers()
        return await asyncio.to_thread(self.auth_headers)  # token refresh is blocking I/O in google-auth
