"""A new OpenAI-compatible chat host is one provider file, one registry row and catalogue rows: Cerebras.

Each test reads what was added (the module ``rehost.providers.cerebras``, its row in ``rehost._registry``, its
rows in the catalogue) and checks that every place rehost knows hosts by now knows Cerebras through them:
``rehost.Cerebras``, ``rehost.client("cerebras/...")``, ``rehost hosts``, the emulator, ``testing.redirect``; that
a chat and a stream go through with thinking spelled as Cerebras documents it; and that the recorded Cerebras
exchanges (../shared/conformance/cassettes-more/cerebras) replay: what rehost sends against what was recorded
as sent, what it decodes against what was recorded as answered.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import rehost
from rehost import _registry
from rehost.providers import cerebras
from rehost.providers.cerebras import Cerebras, CerebrasChat
from rehost.shared.request import Request, ThinkingPlan
from rehost.shared.types import Message, ReasoningPart, TextPart
from rehost.testing import redirect
from rehost.testing.emulator import Emulator
from rehost.testing.replay import ReplayServer, load_cassette

CASSETTES = Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance" / "cassettes-more" / "cerebras"


def test_the_provider_file_defines_only_the_host_and_its_chat_endpoint():
    defined = {name for name, cls in inspect.getmembers(cerebras, inspect.isclass)
               if cls.__module__ == cerebras.__name__}
    assert defined == {"Cerebras", "CerebrasChat"}
    assert Cerebras.chat_endpoint is CerebrasChat
    assert Cerebras("k").kinds == frozenset({"chat"})
    # it stands on the shared OpenAI-compatible base and nothing of another host's
    tree = ast.parse(Path(cerebras.__file__).read_text())
    imported = {"." * node.level + (node.module or "") for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "collections.abc", "typing", "..shared.errors", "..shared.request",
                        "..shared.types", ".dialects", ".openai_compatible"}, imported


def test_one_registry_row_makes_it_known_everywhere():
    row = _registry.HOSTS["cerebras"]
    assert row.spec == ("rehost.providers.cerebras", "Cerebras")
    assert row.style == "cerebras"
    assert urlsplit(Cerebras.default_base_url).hostname in row.real_hosts
    assert rehost.Cerebras is Cerebras
    client = rehost.client("cerebras/gpt-oss-120b")
    assert isinstance(client.provider, Cerebras)
    assert redirect.style_for("api.cerebras.ai", None) == "cerebras"


def test_the_catalogue_rows_resolve_its_model_ids():
    catalog = rehost.catalog()
    assert catalog.host_entry("gpt-oss-120b", "cerebras").id == "gpt-oss-120b"
    llama = catalog.host_entry("llama-3.3-70b-instruct", "cerebras")
    assert llama.id == "llama-3.3-70b"
    assert llama.status == "unconfirmed"
    assert llama.read
    assert llama.source


def test_rehost_hosts_lists_it_with_its_key_variable():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    out = subprocess.run([sys.executable, "-m", "rehost.cli", "hosts"], capture_output=True, text=True, timeout=60,
                         check=True, env=env).stdout
    line = next(line for line in out.splitlines() if line.startswith("cerebras"))
    assert "CEREBRAS_API_KEY" in line


def test_a_chat_and_a_stream_through_the_emulator_with_thinking_as_documented():
    with Emulator() as emu:
        provider = emu.provider("cerebras")
        assert isinstance(provider, Cerebras)
        client = rehost.client("cerebras/gpt-oss-120b", bound_to=provider)
        done = client.complete("hi", thinking=rehost.Thinking(effort="high"))
        assert done.text
        assert done.host == "cerebras"
        stream = client.stream("hi", thinking=rehost.Thinking(effort="low"))
        assert "".join(e.text for e in stream if isinstance(e, rehost.TextDelta)) == stream.final().text
        bodies = [r.json() for r in emu.requests if r.method == "POST"]
    assert [b["reasoning_effort"] for b in bodies] == ["high", "low"]
    assert [b["model"] for b in bodies] == ["gpt-oss-120b", "gpt-oss-120b"]
    assert bodies[1]["stream"] is True
    assert all(r.path.startswith("/cerebras/v1/chat/completions") for r in emu.requests if r.method == "POST")


def test_code_written_for_the_real_host_reaches_the_emulator_under_redirect():
    with Emulator() as emu, redirect.redirect_to(emu):
        done = rehost.client("cerebras/gpt-oss-120b", bound_to=Cerebras("k")).complete("hi")
        assert done.text
        assert [r.path for r in emu.requests if r.method == "POST"] == ["/cerebras/v1/chat/completions"]


def _request(model: str, messages: tuple[Message, ...], thinking: ThinkingPlan | None = None) -> Request:
    return Request(model=model, host_model_id=model, messages=messages, thinking=thinking)


def test_thinking_is_spelled_as_cerebras_documents_it():
    chat = Cerebras("k").chat
    body = chat.prepare(_request("m", (Message.user("hi"),), ThinkingPlan(enabled=False))).call.body
    assert body["reasoning_effort"] == "none"
    body = chat.prepare(_request("m", (Message.user("hi"),), ThinkingPlan(effort="medium",
                                                                           include_reasoning=False))).call.body
    assert body["reasoning_effort"] == "medium"
    assert body["reasoning_format"] == "hidden"
    with pytest.raises(rehost.errors.UnsupportedFeature, match="budget"):
        chat.prepare(_request("m", (Message.user("hi"),), ThinkingPlan(budget=1024)))
    with pytest.raises(rehost.errors.UnsupportedFeature, match=r"low\|medium\|high"):
        chat.prepare(_request("m", (Message.user("hi"),), ThinkingPlan(effort="max")))


def _cassette(name: str):
    path = CASSETTES / name
    if not path.exists():
        pytest.skip(f"no recording {path}")
    return load_cassette(path)


def _replayed(name: str, requests: list[Request]):
    interactions = _cassette(name)
    with ReplayServer(interactions) as server:
        provider = Cerebras("k", base_url=server.url + "/v1")
        done = [provider.send(r) for r in requests]
        sent = [r.json() for r in server.received]
    return interactions, done, sent


def test_the_recorded_plain_chat_replays():
    interactions = _cassette("chat_text_llama33_70b.yaml")
    recorded = interactions[0].request_body
    messages = tuple(Message(role=m["role"], parts=(TextPart(text=m["content"]),)) for m in recorded["messages"])
    _, done, sent = _replayed("chat_text_llama33_70b.yaml", [_request(recorded["model"], messages)])
    assert sent[0] == recorded
    body = json.loads(interactions[0].response_body)
    assert done[0].text == body["choices"][0]["message"]["content"]
    assert done[0].usage.input_tokens == body["usage"]["prompt_tokens"]
    assert done[0].usage.output_tokens == body["usage"]["completion_tokens"]
    assert done[0].host_timing == {k: body["time_info"][k] for k in ("queue_time", "prompt_time",
                                                                      "completion_time", "total_time")}


def test_the_recorded_thinking_off_replays():
    interactions = _cassette("chat_disable_reasoning_glm47.yaml")
    recorded = interactions[0].request_body
    _, done, sent = _replayed("chat_disable_reasoning_glm47.yaml", [
        _request(recorded["model"], (Message.user(recorded["messages"][0]["content"]),), ThinkingPlan(enabled=False))])
    # clear_thinking is a setting of the recording client (pydantic-ai), not part of turning thinking off
    assert sent[0] == {k: v for k, v in recorded.items() if k != "clear_thinking"}
    assert done[0].text == "The answer is 4."
    assert done[0].reasoning == ""
    assert done[0].usage.reasoning_tokens == 0


def test_the_recorded_reasoning_comes_back_and_goes_back_as_reasoning():
    interactions = _cassette("chat_reasoning_multiturn_gpt_oss.yaml")
    first, second = (i.request_body for i in interactions)
    answer1 = json.loads(interactions[0].response_body)["choices"][0]["message"]
    answer2 = json.loads(interactions[1].response_body)["choices"][0]["message"]
    turn1 = (Message.user(first["messages"][0]["content"]),)
    history = (*turn1, Message.assistant(answer1["content"], parts=(ReasoningPart(text=answer1["reasoning"],
                                                                                  source="cerebras"),)),
               Message.user(second["messages"][2]["content"]))
    _, done, sent = _replayed("chat_reasoning_multiturn_gpt_oss.yaml",
                              [_request(first["model"], turn1), _request(first["model"], history)])
    assert sent == [first, second]
    assert [d.text for d in done] == [answer1["content"], answer2["content"]]
    assert [d.reasoning for d in done] == [answer1["reasoning"], answer2["reasoning"]]
    # (the replay server sends no recorded headers: the request id of ``inference-id`` is checked below)


def test_the_request_id_comes_from_the_inference_id_header():
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"inference-id": "chatcmpl-1"}, json={
            "id": "chatcmpl-1", "model": "m", "choices": [{"index": 0, "finish_reason": "stop",
                                                           "message": {"role": "assistant", "content": "4"}}]})

    done = Cerebras("k", transport=httpx.MockTransport(answer)).send(_request("m", (Message.user("hi"),)))
    assert done.request_id == "chatcmpl-1"
    assert done.text == "4"
