"""Usage, cost and token counts against every recorded exchange that carries usage.

* Cost: each replayed exchange's ``completion.cost`` equals the cost worked out here from the usage numbers
  read straight off the cassette and the prices read straight from ``catalog.toml`` (or the host's own
  ``usage.cost`` where it sends one), never through the library's parsers.
* Streaming and non-streaming agree: each exchange is also given in its other form (a recorded stream as one
  JSON body, a recorded body as a stream whose every Gemini event repeats the running usage, as Gemini does)
  and both must decode to the same usage and cost. Summing per-chunk usage (LiteLLM #12970) fails here.
* Exact counts: where the family's tokenizer ships in a package, the offline count of the recorded request
  matches the host's prompt tokens: Mistral exactly; DeepSeek's chat API within 1 token (the host counts one
  template token more than the published template has, in both recorded exchanges). DeepSeek's Responses
  API adds a hidden preamble of its own (90 tokens for a 7-token question), so there the count is only
  checked to be below the host's.
"""

from __future__ import annotations

import calendar
import json
import time
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from rehost import DeepSeekClient, GenericClient, MistralClient
from rehost.shared.transport import Transport

from . import reader
from .test_cassettes import (
    FILES,
    _call_for,
    _expected_for,
    _id,
    _is_hub_lookup,
    _make_call,
    _provider,
    _recorded_request_body,
    _recorded_response,
)

TOML = tomllib.loads((Path(__file__).resolve().parents[2] / "src/rehost/shared/catalog.toml").read_text("utf-8"))


def _exchanges() -> list[tuple[str, str, Any, Any, str | None]]:
    """(cassette id, url, request body, response body, raw stream) of every successful model call with usage:
    HTTP 200 and no error inside the stream (a stream that ends in an error is an error, usage or not)."""
    out = []
    for path in FILES:
        for i, item in enumerate(yaml.safe_load(path.read_text("utf-8"))["interactions"]):
            request, response = item["request"], item["response"]
            url = request["uri"].split("#", 1)[0]
            if _is_hub_lookup(url, request["method"]) or response["status"]["code"] != 200:
                continue
            body, raw = _recorded_response(response)
            if reader.stream_error(raw) is not None:
                continue
            if _raw_usage(body, raw) is not None:
                out.append((f"{_id(path)}#{i}", url, _recorded_request_body(request), body, raw))
    return out


def _events(raw: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e, json.loads(d)) for e, d in reader.sse_data(raw) if d != "[DONE]"]


def _raw_usage(body: Any, raw: str | None) -> dict[str, Any] | None:
    """The usage object as the host wrote it: the last one in a stream (never a sum)."""
    found = None
    for item in ([body] if raw is None else [d for _e, d in _events(raw)]):
        if not isinstance(item, dict):
            continue
        obj = item.get("response", item) if item.get("type") == "response.completed" else item
        x_groq = obj.get("x_groq") or {}
        found = obj.get("usage") or obj.get("usageMetadata") or x_groq.get("usage") or found
    return found


EXCHANGES = _exchanges()


def _numbers(u: dict[str, Any]) -> tuple[int, int, int]:
    """(input incl. cached, cached input, output incl. reasoning) from any host's usage spelling."""
    if "promptTokenCount" in u:
        return (u["promptTokenCount"] + u.get("toolUsePromptTokenCount", 0), u.get("cachedContentTokenCount", 0),
                u.get("candidatesTokenCount", 0) + u.get("thoughtsTokenCount", 0))
    if "input_tokens" in u:
        return u["input_tokens"], (u.get("input_tokens_details") or {}).get("cached_tokens", 0), u["output_tokens"]
    cached = ((u.get("prompt_tokens_details") or {}).get("cached_tokens") or u.get("prompt_cache_hit_tokens")
              or u.get("num_cached_tokens") or u.get("cached_tokens") or 0)
    return u["prompt_tokens"], cached, u["completion_tokens"]


def _expected_cost(model: str, host: str, u: dict[str, Any], started_at: float) -> Decimal | None:
    if "cost" in u:
        return Decimal(str(u["cost"]))
    row = TOML["models"].get(model, {}).get("hosts", {}).get(host, {})
    if "input_price" not in row:
        return None
    inp, cached, out = _numbers(u)
    price_in, price_out = Decimal(str(row["input_price"])), Decimal(str(row["output_price"]))
    price_cached = Decimal(str(row.get("cached_input_price", row["input_price"])))
    total = ((inp - cached) * price_in + cached * price_cached + out * price_out) / Decimal(1_000_000)
    hour = time.gmtime(started_at).tm_hour
    spans = [tuple(int(h) for h in s.split("-")) for s in row.get("peak_hours_utc", [])]
    if spans and not any(a <= hour < b for a, b in spans):
        total *= Decimal(str(row["off_peak_factor"]))
    return total


def _replayed(url: str, request_body: Any, body: Any, raw: str | None, stream: bool) -> tuple[Any, reader.Call]:
    """Make the recorded call against a host that answers with ``body`` (JSON) or ``raw`` (an event stream)."""
    provider, dialect = _provider(url, "http://twin.invalid")

    def answer(request: httpx.Request) -> httpx.Response:
        if raw is not None:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, text=raw)
        return httpx.Response(200, json=body)

    provider._transport = Transport(host=provider.name, sync_transport=httpx.MockTransport(answer))
    call = _call_for(dialect, url, request_body, provider)
    call.stream = stream
    client = GenericClient(call.model, provider=provider, host_model_id=call.model)
    return _make_call(client, call)[0], call


@pytest.mark.parametrize(("name", "url", "request_body", "body", "raw"), EXCHANGES, ids=[e[0] for e in EXCHANGES])
def test_cost_matches_the_cassette_and_the_price_file(name, url, request_body, body, raw):
    completion, call = _replayed(url, request_body, body, raw, stream=raw is not None)
    u = _raw_usage(body, raw)
    assert u is not None
    inp, cached, out = _numbers(u)
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (inp, out)
    assert (completion.usage.cached_input_tokens or 0) == cached
    expected = _expected_cost(call.model, completion.host, u, completion.timing.started_at)
    if expected is None:
        assert completion.cost is None
    else:
        assert completion.cost is not None
        assert completion.cost.total == expected
        assert completion.cost.source.startswith("host-reported" if "cost" in u else "catalogue (read ")


def test_some_recorded_exchanges_are_priced_from_each_source():
    """The cost test above is not vacuous: exchanges of both kinds are in the folder."""
    sources = set()
    for _name, url, request_body, body, raw in EXCHANGES:
        completion, _call = _replayed(url, request_body, body, raw, stream=raw is not None)
        if completion.cost is not None:
            sources.add(completion.cost.source.split(" ")[0])
    assert sources == {"catalogue", "host-reported"}


# ------------------------------------------------------------------------------------------ stream twins


def _openai_twin(body: Any, raw: str | None) -> tuple[Any, str | None]:
    if raw is None:
        choice = body["choices"][0]
        delta = dict(choice["message"])
        delta["tool_calls"] = [dict(tc, index=i) for i, tc in enumerate(delta.get("tool_calls") or [])] or None
        rid, finish = body.get("id"), choice["finish_reason"]
        chunks = [{"id": rid, "choices": [{"index": 0, "delta": delta}]},
                  {"id": rid, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]},
                  {"id": rid, "choices": [], "usage": body["usage"]}]
        return None, "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    exp = reader.openai_stream_expected(raw)
    finish = next(c["finish_reason"] for _e, d in _events(raw) for c in d.get("choices") or []
                  if c.get("finish_reason"))
    message: dict[str, Any] = {"role": "assistant", "content": exp.text}
    if exp.tool_calls:
        message["tool_calls"] = [{"id": f"call_{i}", "type": "function",
                                  "function": {"name": n, "arguments": json.dumps(a)}}
                                 for i, (n, a) in enumerate(exp.tool_calls)]
    return {"id": exp.response_id, "object": "chat.completion", "choices": [
        {"index": 0, "message": message, "finish_reason": finish}], "usage": _raw_usage(None, raw)}, None


def _gemini_twin(body: Any, raw: str | None) -> tuple[Any, str | None]:
    if raw is None:
        cand = body["candidates"][0]
        parts = cand["content"]["parts"]
        events = [{"candidates": [{"content": {"role": "model", "parts": [p]}}], "usageMetadata": body["usageMetadata"]}
                  for p in parts[:-1]]
        events.append({"candidates": [{"content": {"role": "model", "parts": parts[-1:]},
                                       "finishReason": cand["finishReason"]}],
                       "usageMetadata": body["usageMetadata"], "responseId": body.get("responseId")})
        return None, "".join(f"data: {json.dumps(e)}\r\n\r\n" for e in events)
    events = [d for _e, d in _events(raw)]
    parts = [p for e in events for c in e.get("candidates") or [] for p in (c.get("content") or {}).get("parts", [])]
    finish = next(c["finishReason"] for e in events for c in e.get("candidates") or [] if c.get("finishReason"))
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish}],
            "usageMetadata": _raw_usage(None, raw), "responseId": events[0].get("responseId")}, None


def _responses_twin(body: Any, raw: str | None) -> tuple[Any, str | None]:
    if raw is None:
        event = json.dumps({"type": "response.completed", "response": body})
        return None, f"event: response.completed\ndata: {event}\n\n"
    return next(d["response"] for e, d in _events(raw) if e == "response.completed"), None


@pytest.mark.parametrize(("name", "url", "request_body", "body", "raw"), EXCHANGES, ids=[e[0] for e in EXCHANGES])
def test_streamed_and_unstreamed_forms_of_an_exchange_agree(name, url, request_body, body, raw):
    dialect = _provider(url, "http://twin.invalid")[1]
    twin = {"openai": _openai_twin, "gemini": _gemini_twin, "responses": _responses_twin}[dialect](body, raw)
    recorded, _ = _replayed(url, request_body, body, raw, stream=raw is not None)
    other, _ = _replayed(url, request_body, *twin, stream=raw is None)
    assert other.usage == recorded.usage
    assert other.text == recorded.text
    assert (other.cost.total if other.cost else None) == (recorded.cost.total if recorded.cost else None)
    exp = _expected_for(dialect, *twin)
    assert (other.usage.input_tokens, other.usage.output_tokens) == (exp.input_tokens, exp.output_tokens)


# ------------------------------------------------------------------------------------------ exact counts


def _exact_client(model: str) -> Any:
    for cls in (DeepSeekClient, MistralClient):
        for variant in cls.variants.values():
            if variant.tokenizer and model in (variant.model, *variant.aliases):
                return cls(variant.model)
    return None


def test_exact_counts_agree_with_the_host_reported_input_tokens(recwarn):
    compared = []
    for name, url, request_body, body, raw in EXCHANGES:
        if name.startswith("built/"):
            continue  # a built exchange's token counts are not a host's
        provider, dialect = _provider(url, "http://twin.invalid")
        call = _call_for(dialect, url, request_body, provider)
        client = _exact_client(call.model)
        if client is None:
            continue
        counted = client.count_tokens(call.messages, tools=call.tools)
        host = _numbers(_raw_usage(body, raw))[0]
        compared.append((name, counted.count, host, counted.exact))
        if dialect == "responses":
            assert counted.count < host, name  # the Responses API's own preamble is not in the count
        elif not counted.exact:
            continue
        elif isinstance(client, DeepSeekClient):
            assert abs(counted.count - host) <= 1, (name, counted, host)
        else:
            assert counted.count == host, (name, counted, host)
    exact_chat = [c for c in compared if c[3] and "responses" not in c[0]]
    assert len(exact_chat) >= 3, compared  # two DeepSeek chat exchanges and Ministral 8B


def test_the_off_peak_clock_in_this_file_matches_the_library():
    """The independent price arithmetic above and the library agree on DeepSeek's peak hours."""
    row = TOML["models"]["deepseek-v4-flash"]["hosts"]["deepseek"]
    assert row["peak_hours_utc"] == ["01-04", "06-10"]
    assert calendar.timegm((2026, 9, 1, 0, 0, 0)) % 86400 == 0
