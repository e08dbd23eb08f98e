"""Azure OpenAI / AI Foundry (HOSTS-MORE §3): the v1 surface and the deployment URLs with ``api-version``, the
``api-key`` header or an Entra ID token, chat completions and the Responses API, the Foundry inference endpoint,
content-filter results kept on the Completion, Azure's error bodies as typed errors; and the generic
``OpenAICompatible`` host taking its key in a caller's ``api-key`` header."""

from __future__ import annotations

import rehost
from rehost.shared.request import Request
from rehost.shared.types import Message
from rehost.testing.emulator import Emulator


def _request(model: str = "m", text: str = "hi", **kwargs) -> Request:
    return Request(model=model, host_model_id=model, messages=(Message.user(text),), **kwargs)


def test_the_generic_host_takes_its_key_in_a_callers_api_key_header(monkeypatch):
    """``OpenAICompatible(headers={"api-key": ...})`` needs no ``api_key``: the header is the credential (an
    Azure gateway, an APIM front door), and no ``Authorization`` of ours is added beside it."""
    monkeypatch.delenv("GATEWAY_KEY", raising=False)
    with Emulator() as emu:
        host = rehost.OpenAICompatible(name="gateway", api_key_env="GATEWAY_KEY", base_url=emu.base_url("openai"),
                                       headers={"api-key": "k-0123456789"})
        assert host.has_key
        assert host.missing_key_reason is None
        completion = host.send(_request())
        seen = emu.requests[-1]
    assert completion.text
    assert seen.headers.get("api-key") == "k-0123456789"
    assert "authorization" not in seen.headers
    assert "k-0123456789" not in repr(host)
