"""A client given its own catalogue (``catalog=``): it and its bound host read ids, prices and context windows
from it, for its calls only, through the emulator; the process-wide catalogue is not touched."""

from __future__ import annotations

import asyncio

import pytest

import rehost
from rehost.clients.generic import GenericClient
from rehost.errors import ConfigurationError, ContextWindowExceeded
from rehost.shared.catalog import Catalog, default_catalog, using_catalog
from rehost.testing.emulator import Emulator

MODEL = "private-model-x"


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def mine() -> Catalog:
    cat = Catalog.load()
    cat.register(MODEL, "groq", "groq-private-x", family="test", context_window=4096)
    cat.set_prices(MODEL, "groq", input=1000, output=2000, read="2026-12-01")
    return cat


def groq(emu):
    return emu.provider("groq")


def test_a_private_model_is_sent_by_its_private_id_and_priced_from_the_private_catalogue(emu, mine):
    assert MODEL not in default_catalog()
    client = GenericClient(MODEL, provider=groq(emu), catalog=mine)
    done = client.complete("hello", max_tokens=20)
    assert emu.requests[-1].json()["model"] == "groq-private-x"
    assert done.cost is not None
    assert done.cost.total > 0
    assert MODEL not in default_catalog()  # the process-wide catalogue never saw it


def test_without_the_catalogue_the_same_model_is_an_unknown_raw_id(emu):
    done = GenericClient(MODEL, provider=groq(emu)).complete("hello")
    assert emu.requests[-1].json()["model"] == MODEL  # sent as is: the process-wide catalogue has no row
    assert done.cost is None


def test_streams_and_async_calls_keep_the_private_catalogue(emu, mine):
    client = GenericClient(MODEL, provider=groq(emu), catalog=mine)
    with client.stream("hello", max_tokens=20) as stream:
        assert stream.final().cost is not None
    assert emu.requests[-1].json()["model"] == "groq-private-x"

    async def go():
        done = await client.acomplete("hello")
        events = [event async for event in client.astream("hello")]
        return done, events

    done, events = asyncio.run(go())
    assert done.cost is not None
    assert events
    assert emu.requests[-1].json()["model"] == "groq-private-x"
    assert MODEL not in default_catalog()


def test_the_private_context_window_is_checked(emu, mine):
    client = GenericClient(MODEL, provider=groq(emu), catalog=mine)
    with pytest.raises(ContextWindowExceeded, match="4096"):
        client.complete("hello", max_tokens=5000)


def test_rehost_client_resolves_the_model_in_the_given_catalogue(emu, mine):
    client = rehost.client(f"groq/{MODEL}", catalog=mine, bound_to=groq(emu))
    assert client.catalog is mine
    client.complete("hi")
    assert emu.requests[-1].json()["model"] == "groq-private-x"
    with pytest.raises(ConfigurationError, match="unknown model"):
        rehost.client(f"groq/{MODEL}", bound_to=groq(emu))


def test_the_catalogue_in_use_is_scoped_and_checked(mine):
    with using_catalog(mine):
        assert default_catalog() is mine
    assert default_catalog() is not mine
    with pytest.raises(ConfigurationError, match="Catalog"):
        GenericClient("m", catalog={"not": "a catalogue"})
