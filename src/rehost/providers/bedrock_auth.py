"""How a Bedrock request is authorised: a Bedrock API key as a bearer token, or AWS Signature Version 4 through
botocore (the optional ``bedrock`` extra).

The API key (``AWS_BEARER_TOKEN_BEDROCK``, HOSTS-MORE §1.3) needs nothing but a header, so it works without
botocore. SigV4 is botocore's on purpose: users expect the whole AWS credential chain (environment, shared
config and credentials files and profiles, SSO, container and instance metadata, assume-role with refresh), and
a hand-rolled signer is where the classic bugs live (the canonical URI of a percent-encoded model id is encoded
*again*, HOSTS-MORE §1.2). Neither the chain nor the signer is re-implemented here: botocore resolves the
credentials and ``SigV4Auth`` signs the exact bytes that will be sent.

Credentials are never kept by rehost outside botocore's own objects, never shown in a repr and never put in an
error: a failure to find them names where they are looked for, not what was found. botocore's own debug records
of what it signs (which hold the session token) are filtered out of its ``botocore.auth`` logger.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..shared.errors import MissingAPIKey
from ..shared.transport import HttpCall

__all__ = ["REGION_ENV", "SigV4Signer", "has_aws_credentials_hint", "resolve_region"]

#: where the region is read from, after the ``region=`` argument (the AWS SDKs' order)
REGION_ENV = ("AWS_REGION", "AWS_DEFAULT_REGION")

_HOW = ("set AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key), or AWS credentials (AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, an instance role) with the bedrock extra: "
        "pip install 'rehost[bedrock]'")


def resolve_region(region: str | None, session: Any = None) -> str | None:
    """The region: the argument, else ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, else the botocore session's
    (the profile's ``region`` setting) when one is given; None when none says."""
    if region:
        return region.strip()
    for var in REGION_ENV:
        value = os.environ.get(var, "").strip()
        if value:
            return value
    if session is not None:
        found = session.get_config_variable("region")
        if found:
            return str(found)
    return None


def has_aws_credentials_hint() -> bool:
    """Whether AWS credentials are likely to be found, judged without any network call (instance metadata is
    not asked): keys or a profile in the environment, or a shared config or credentials file."""
    if os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE") or os.environ.get(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI") or os.environ.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") or (
            os.environ.get("AWS_WEB_IDENTITY_TOKEN_FILE")):
        return True
    files = [os.environ.get("AWS_SHARED_CREDENTIALS_FILE"), os.environ.get("AWS_CONFIG_FILE")]
    home = Path.home() / ".aws"
    return any(Path(f).exists() for f in files if f) or (home / "credentials").exists() or (home / "config").exists()


class _NoSigningRecords(logging.Filter):
    """Drops botocore's debug records of what it signs: the canonical request holds the session token's value
    (``x-amz-security-token``), and rehost keeps credentials out of logs even when botocore logs at DEBUG."""

    _MESSAGES = ("CanonicalRequest:", "StringToSign:", "Signature:")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(self._MESSAGES))


_FILTER = _NoSigningRecords()


def _botocore() -> Any:
    try:
        import botocore.auth
        import botocore.awsrequest
        import botocore.session
    except ImportError as exc:
        raise MissingAPIKey(f"bedrock: no Bedrock API key, and SigV4 signing needs botocore: {_HOW}",
                            host="bedrock") from exc
    signing_log = logging.getLogger("botocore.auth")
    if _FILTER not in signing_log.filters:
        signing_log.addFilter(_FILTER)
    return botocore


class SigV4Signer:
    """Signs calls with SigV4 for one service and region, from a botocore session's credential chain.

    ``credentials`` may be botocore ``Credentials`` (fixed, or refreshable); otherwise the session's chain is
    resolved on first use and refreshed by botocore as it expires. ``service`` is the signing name: ``bedrock``
    for bedrock-runtime (its ``signingName``), ``bedrock-mantle`` for Mantle."""

    def __init__(self, region: str, *, service: str = "bedrock", session: Any = None, profile: str | None = None,
                 credentials: Any = None) -> None:
        self.region = region
        self.service = service
        self._session = session
        self._profile = profile
        self._credentials = credentials
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SigV4Signer(service={self.service!r}, region={self.region!r})"

    @property
    def session(self) -> Any:
        if self._session is None:
            botocore = _botocore()
            self._session = botocore.session.Session(profile=self._profile)
        return self._session

    def _frozen(self) -> Any:
        with self._lock:
            if self._credentials is None:
                try:
                    found = self.session.get_credentials()
                except Exception as exc:  # botocore's own errors (a broken profile, an SSO session expired)
                    raise MissingAPIKey(f"bedrock: AWS credentials could not be loaded ({type(exc).__name__}): "
                                        f"{_HOW}", host="bedrock") from None
                if found is None:
                    raise MissingAPIKey(f"bedrock: no AWS credentials found: {_HOW}", host="bedrock")
                self._credentials = found
            creds = self._credentials
        # refreshable credentials (SSO, assume-role, instance roles) refresh here when close to expiry
        return creds.get_frozen_credentials() if hasattr(creds, "get_frozen_credentials") else creds

    def headers(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
                *, timestamp: str | None = None) -> dict[str, str]:
        """The headers SigV4 adds for this request (``Authorization``, ``X-Amz-Date``, and with temporary
        credentials ``X-Amz-Security-Token``). ``timestamp`` (``YYYYMMDDTHHMMSSZ``) fixes the signing time, for
        test vectors."""
        botocore = _botocore()
        request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body or b"", headers=dict(headers))
        auth = botocore.auth.SigV4Auth(self._frozen(), self.service, self.region)
        if timestamp is not None:
            request.context["timestamp"] = timestamp
        auth.add_auth(request)
        added = {}
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            value = request.headers.get(name)
            if value is not None:
                added[name] = str(value)
        return added

    def sign(self, call: HttpCall) -> None:
        """Sign a prepared call in place: the body bytes exactly as they will be sent, the headers as set."""
        unsigned = {k: v for k, v in call.headers.items() if k.lower() not in ("authorization", "x-amz-date",
                                                                             "x-amz-security-token")}
        call.headers = {**unsigned, **self.headers(call.method, call.url, unsigned, call.content())}
