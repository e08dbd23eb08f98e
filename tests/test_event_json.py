"""``event_json`` (every dialect's parse of a stream event) reads through the JSON scanner directly on its fast
path; it must take and refuse exactly what ``json.loads`` takes and refuses."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehost.errors import ProtocolError
from rehost.providers.dialects.common import CallInfo, event_json
from rehost.providers.dialects.converse import ConverseStream
from rehost.providers.dialects.ollama_native import NativeStream
from rehost.providers.dialects.openai_chat import ChatStream
from rehost.shared.sse import SSEEvent

INFO = CallInfo(host="h", model="m", host_model_id="m", request_id="req-1")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
spaces = st.text(alphabet=" \t\r\n", max_size=3)
garbage = st.text(alphabet='{}[]",:0 1aeflnrstu\\\n', max_size=12)


def same_as_loads(text: str) -> None:
    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(ProtocolError, match="not JSON") as info:
            event_json(text, INFO)
        assert info.value.request_id == "req-1"
        assert isinstance(info.value.__cause__, json.JSONDecodeError)
    else:
        assert repr(event_json(text, INFO)) == repr(expected)  # repr: NaN is not equal to itself


@given(json_values, spaces, spaces, st.sampled_from([None, ",", "{}", "x", "]"]))
def test_takes_and_refuses_what_json_loads_does(value, before, after, extra):
    text = before + json.dumps(value, separators=(",", ":")) + after + (extra or "")
    same_as_loads(text)


@given(garbage)
def test_text_that_is_almost_json(text):
    same_as_loads(text)


@pytest.mark.parametrize("text", ["", " ", "[DONE]", '{"a": 1', '{"a": 1}{"b": 2}', "NaN", "-Infinity", "1 2",
                                  '"unterminated', '{"a": 1} \n', "\ufeff{}"])
def test_edges(text):
    same_as_loads(text)



@pytest.mark.parametrize(("state", "unit"), [
    (lambda: NativeStream(INFO, None), "line"),  # Ollama's NDJSON
    (lambda: ConverseStream(INFO, None), "message"),  # Bedrock's event stream
    (lambda: ChatStream(INFO, None), "event"),  # server-sent events
])
def test_each_framing_names_its_own_piece_in_the_error(state, unit):
    with pytest.raises(ProtocolError) as info:
        state().on_event(SSEEvent("x{"))
    assert str(info.value) == f"[h] h sent a stream {unit} that is not JSON: 'x{{' (request req-1)"
    with pytest.raises(ProtocolError) as info:
        state().on_event(SSEEvent("[1]"))
    assert str(info.value) == f"[h] h sent a stream {unit} that is not an object (request req-1)"
