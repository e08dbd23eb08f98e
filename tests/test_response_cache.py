"""The response cache (issue 19): exact match on the neutral request, TTL, opt-in per client or per call,
memory / SQLite / Redis stores, streams replayed, ``completion.cached``, hit and miss counts."""

from __future__ import annotations

import contextlib

import pytest
from pydantic import BaseModel

from rehost import GenericClient, ResponseCache
from rehost.errors import ConfigurationError
from rehost.shared.io.state_redis import RedisState
from rehost.shared.types import Done, TextDelta
from rehost.testing.emulator import Emulator


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


def _sent(emu):
    return [s for s in emu.requests if s.method == "POST"]


def test_the_second_identical_call_is_served_from_the_cache(emu):
    cache = ResponseCache()
    client = GenericClient("m", provider=emu.provider("groq"), cache=cache)
    first = client.complete("hi", max_tokens=20)
    second = client.complete("hi", max_tokens=20)
    assert not first.cached
    assert second.cached
    assert second.text == first.text
    assert second.usage == first.usage  # the usage of the answer it replays
    assert second.cost is None  # nothing billed
    assert len(_sent(emu)) == 1
    assert cache.stats() == {"hits": 1, "misses": 1}


def test_anything_that_shapes_the_answer_is_a_different_entry(emu):
    cache = ResponseCache()
    groq = emu.provider("groq")
    client = GenericClient("m", provider=groq, cache=cache)
    client.complete("hi")
    client.complete("hi", temperature=0.5)
    client.complete("hello")
    client.complete("hi", system="be brief")
    GenericClient("m2", provider=groq, cache=cache).complete("hi")  # another model
    GenericClient("m", provider=emu.provider("together"), cache=cache).complete("hi")  # another host
    assert len(_sent(emu)) == 6
    assert cache.hits == 0


def test_the_key_never_holds_the_api_key_or_headers(emu):
    cache = ResponseCache()
    a = GenericClient("m", provider=emu.provider("groq"), cache=cache)
    request = a.prepare("hi", extra_headers={"X-Secret": "s3cret"})
    key = cache.key(request, a.provider)
    assert "s3cret" not in key
    assert "emulator-key" not in key
    other = emu.provider("groq")  # the same host with another key would share the answers: the key is not in it
    other._api_key = "another-key"
    assert cache.key(a.prepare("hi"), other) == key


def test_opt_in_per_call_and_opt_out_per_call(emu):
    cache = ResponseCache()
    plain = GenericClient("m", provider=emu.provider("groq"))
    plain.complete("hi", cache=cache)
    assert plain.complete("hi", cache=cache).cached
    assert not plain.complete("hi").cached  # no cache unless asked for
    cached = GenericClient("m", provider=emu.provider("groq"), cache=cache)
    assert cached.complete("hi").cached
    assert not cached.complete("hi", cache=False).cached
    assert cached.complete("hi", cache=True).cached
    with pytest.raises(ConfigurationError, match="cache=True needs"):
        plain.complete("hi", cache=True)
    with pytest.raises(ConfigurationError, match="cache="):
        plain.complete("hi", cache="yes")


def test_entries_expire(emu, monkeypatch):
    import time

    cache = ResponseCache(ttl=0.2)
    client = GenericClient("m", provider=emu.provider("groq"), cache=cache)
    client.complete("hi")
    time.sleep(0.3)
    assert not client.complete("hi").cached
    with pytest.raises(ConfigurationError, match="ttl"):
        ResponseCache(ttl=0)


def test_a_streamed_call_served_from_the_cache_replays_as_a_stream(emu):
    cache = ResponseCache()
    client = GenericClient("m", provider=emu.provider("groq"), cache=cache)
    whole = client.complete("hi")  # fetched whole ...
    events = list(client.stream("hi"))  # ... replayed as a stream
    assert [type(e).__name__ for e in events] == ["TextDelta", "Usage", "Done"]
    assert isinstance(events[0], TextDelta)
    assert events[0].text == whole.text
    assert isinstance(events[-1], Done)
    assert events[-1].completion.cached
    assert len(_sent(emu)) == 1
    streamed = list(client.stream("another"))  # a stream's answer is stored at its Done
    assert client.complete("another").text == "".join(e.text for e in streamed if isinstance(e, TextDelta))
    assert len(_sent(emu)) == 2


async def test_async_calls_and_streams_use_the_cache(emu):
    cache = ResponseCache()
    client = GenericClient("m", provider=emu.provider("groq"), cache=cache)
    first = await client.acomplete("hi")
    assert (await client.acomplete("hi")).cached
    stream = client.astream("hi")
    assert (await stream.final()).text == first.text
    assert len(_sent(emu)) == 1


class Answer(BaseModel):
    city: str


def test_structured_answers_come_back_typed(emu):
    cache = ResponseCache()
    emu.script("groq", text='{"city": "Lisbon"}')
    client = GenericClient("m", provider=emu.provider("groq"), cache=cache)
    assert client.complete("where?", output=Answer) == Answer(city="Lisbon")
    again = client.complete("where?", output=Answer)
    assert again == Answer(city="Lisbon")
    assert cache.hits == 1
    assert len(_sent(emu)) == 1


def test_a_sqlite_cache_outlives_its_process(emu, tmp_path):
    path = tmp_path / "answers.sqlite"
    GenericClient("m", provider=emu.provider("groq"), cache=ResponseCache(path)).complete("hi")
    later = GenericClient("m", provider=emu.provider("groq"), cache=ResponseCache(str(path)))
    assert later.complete("hi").cached
    assert len(_sent(emu)) == 1


def test_a_redis_cache_is_shared_and_an_outage_is_a_miss(emu, redis_server):
    one = GenericClient("m", provider=emu.provider("groq"), cache=ResponseCache(RedisState(redis_server.url)))
    two = GenericClient("m", provider=emu.provider("groq"), cache=ResponseCache(RedisState(redis_server.url)))
    one.complete("hi")
    assert two.complete("hi").cached
    redis_server.stop()
    assert not two.complete("hi").cached  # sent, not failed
    assert len(_sent(emu)) == 2


def test_errors_and_filtered_answers_are_not_stored(emu):
    cache = ResponseCache()
    client = GenericClient("m", provider=emu.provider("groq"), cache=cache)
    emu.inject("blocked", host="groq")
    with contextlib.suppress(Exception):
        client.complete("hi")
    assert not client.complete("hi").cached


def test_a_fallback_is_keyed_by_its_members(emu):
    from rehost import Fallback

    cache = ResponseCache()
    request = GenericClient("m").prepare("hi")
    one = Fallback([emu.provider("groq"), emu.provider("together")])
    same = Fallback([emu.provider("groq"), emu.provider("together")])
    other = Fallback([emu.provider("together"), emu.provider("groq")])
    assert cache.key(request, one) == cache.key(request, same)
    assert cache.key(request, one) != cache.key(request, other)
    client = GenericClient("m", provider=one, cache=cache)
    client.complete("hi")
    assert client.complete("hi").cached
