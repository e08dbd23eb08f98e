"""The model x host catalogue: the shipped data file, lookups, errors that name alternatives, overrides."""

from __future__ import annotations

import pytest

from rehost import Catalog, DeepSeekClient, GeminiClient, Groq, Message, MistralClient, catalog
from rehost.errors import ModelNotServed
from rehost.shared.request import Request


def test_every_client_variant_is_in_the_catalogue_with_a_dated_row():
    shipped = Catalog.load()
    for client in (DeepSeekClient, GeminiClient, MistralClient):
        for name, variant in client.variants.items():
            entry = shipped.model(variant.model)
            assert entry.family == client.family, name
            assert entry.hosts, f"{variant.model} has no host"
            for row in entry.hosts.values():
                assert row.read, f"{variant.model}@{row.host} has no read date"
                assert row.source, f"{variant.model}@{row.host} has no source"


def test_a_host_that_does_not_serve_names_those_that_do_and_its_own_relatives():
    with pytest.raises(ModelNotServed) as caught:
        Catalog.load().host_entry("deepseek-r1", "groq")
    message = str(caught.value)
    assert "Hosts that serve it: openrouter, together, fireworks" in message
    assert "deepseek-r1-distill-llama-70b" in message


def test_retired_rows_say_why():
    with pytest.raises(ModelNotServed, match="retired 2026-10-21"):
        Catalog.load().host_entry("deepseek-r1-0528", "vertex")


def test_unknown_models_get_close_matches():
    with pytest.raises(ModelNotServed, match="did you mean deepseek-r1"):
        Catalog.load().model("deepseek-r2")


def test_context_window_is_inherited_from_the_model():
    assert Catalog.load().host_entry("gemini-2.5-pro", "google").context_window == 1048576


def test_register_adds_and_overrides_at_run_time():
    cat = Catalog.load()
    cat.register("deepseek-r1", "groq", "my-r1-deployment", note="private")
    assert cat.host_entry("deepseek-r1", "groq").id == "my-r1-deployment"
    with pytest.raises(ValueError, match="family"):
        cat.register("brand-new", "groq", "x")
    cat.register("brand-new", "groq", "x", family="other")
    assert cat.hosts_for("brand-new") == ("groq",)


def test_the_default_catalogue_is_what_providers_use(private_catalog):
    catalog().register("test-only-model", "groq", "groq-id-for-test", family="test")
    req = Request(model="test-only-model", messages=(Message.user("hi"),))
    assert Groq("k").prepare(req).call.body["model"] == "groq-id-for-test"
