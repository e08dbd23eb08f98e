"""``testing.redirect`` with ``realtime=``: code written for the real realtime hosts (no base URL, the real
``wss://`` endpoints) reaches the realtime emulator unchanged, for every realtime host rehost knows, and only
while the block is open."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rehost.shared.realtime import ResponseDone
from rehost.testing.emulator import Emulator
from rehost.testing.emulator_realtime import RealtimeEmulator
from rehost.testing.redirect import realtime_url, redirect_to

pytest.importorskip("websockets")


def _clients() -> dict[str, Any]:
    from rehost.clients.gemini_live import GeminiLive
    from rehost.clients.gpt_realtime import GptRealtimeClient
    from rehost.clients.grok_voice import GrokVoice
    from rehost.providers.azure import Azure
    from rehost.providers.azure_realtime import AzureVoiceLive
    from rehost.providers.google import Google
    from rehost.providers.openai import OpenAI
    from rehost.providers.xai import XAI

    return {
        "/openai/v1/realtime": GptRealtimeClient(OpenAI("k"), "gpt-realtime"),
        "/azure/openai/v1/realtime": GptRealtimeClient(Azure(api_key="k", resource="myres"), "gpt-realtime",
                                                       host_model_id="my-deployment"),
        "/azure/voice-live/realtime": GptRealtimeClient(AzureVoiceLive("k", resource="myres"), "gpt-realtime"),
        "/xai/v1/realtime": GrokVoice(XAI("k")),
        "/google/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent": GeminiLive(
            Google("k")),
    }


async def _turn(client: Any) -> ResponseDone:
    async with client.connect() as session:
        await session.send_text("Hello", respond=True)
        async for event in session:
            if isinstance(event, ResponseDone):
                return event
    raise AssertionError("no answer")


@pytest.mark.parametrize("path", list(_clients()))
def test_code_for_the_real_realtime_host_reaches_the_realtime_emulator(path: str) -> None:
    client = _clients()[path]
    with Emulator() as emu, RealtimeEmulator() as live, redirect_to(emu, realtime=live):
        done = asyncio.run(asyncio.wait_for(_turn(client), 15))
        assert done.transcript
        assert [r["path"] for r in live.stats.requests] == [path]


def test_the_redirect_is_undone_and_leaves_unknown_hosts_alone() -> None:
    from rehost.shared.io.websocket import Session

    before = Session.__dict__["connect"]
    with Emulator() as emu, RealtimeEmulator() as live, redirect_to(emu, realtime=live):
        assert Session.__dict__["connect"] is not before
    assert Session.__dict__["connect"] is before
    assert realtime_url("wss://example.org/v1/realtime?model=m", "ws://127.0.0.1:1") == \
        "wss://example.org/v1/realtime?model=m"
    assert realtime_url("wss://api.openai.com/v1/realtime?model=m", "ws://127.0.0.1:1") == \
        "ws://127.0.0.1:1/openai/v1/realtime?model=m"
