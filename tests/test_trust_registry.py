"""Issue 13, "one registry": ``rehost._registry`` names every host and every family's client per kind, and every
list that used to be kept by hand (``rehost``'s exports, ``entry.HOSTS`` / ``FAMILY_CLIENTS``, the emulator's
``provider(style)``, ``testing.redirect``'s host table, ``rehost hosts``) reads it. These tests fail when a host
is added in one place and not the others, and show that a new OpenAI-compatible host is one provider class plus
one registry row plus catalogue rows, with nothing else edited."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

import rehost
import rehost.providers
from rehost import _registry, cli, entry
from rehost.clients.base import ModelClient
from rehost.clients.embed_base import EmbedClient
from rehost.clients.realtime import RealtimeClient
from rehost.clients.speech import Speaker, Transcriber
from rehost.clients.video.base import VideoClient
from rehost.errors import ConfigurationError
from rehost.providers.base import ChatEndpoint, Host, Provider
from rehost.providers.base.kinds import endpoint_attribute
from rehost.providers.openai_compatible import OpenAICompatible
from rehost.testing import redirect
from rehost.testing.emulator import STYLES, Emulator

INIT = Path(rehost.__file__)

#: provider classes with a ``name`` that are not hosts of their own, and why
NOT_HOSTS = {
    ("rehost.providers.openai_compatible", "OpenAICompatible"): "the base of the OpenAI-style hosts, and any "
                                                                "endpoint of the caller's own (name=...)",
    # (VertexEndpoint, ClaudeOnVertex, MistralOnVertex: what the vertex host builds for a deployed endpoint, for
    # Claude and for Mistral, are chat endpoints now, without a name of their own)
}


def _type_checking_imports() -> dict[str, str]:
    """Name -> module of the imports in ``rehost/__init__``'s ``if TYPE_CHECKING:`` block."""
    tree = ast.parse(INIT.read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If) and isinstance(node.test, ast.Name)
                 and node.test.id == "TYPE_CHECKING")
    names: dict[str, str] = {}
    for node in block.body:
        if isinstance(node, ast.ImportFrom):
            base = "rehost" + ("." + node.module if node.module else "")
            for alias in node.names:
                # ``from . import errors`` imports the module rehost.errors itself
                names[alias.asname or alias.name] = f"rehost.{alias.name}" if node.module is None else base
    return names


def test_every_registered_class_is_exported_from_rehost_with_its_module():
    for row in _registry.HOSTS.values():
        assert rehost._EXPORTS.get(row.cls) == row.module, row
    for family, kinds in _registry.FAMILIES.items():
        assert kinds, family  # a chat client, an embedder, or both (cohere, voyage, e5 ... embed only)
        for module, cls in kinds.values():
            assert rehost._EXPORTS.get(cls) == module, (family, cls)


def test_the_type_checking_imports_and_all_agree_with_the_exports():
    """mypy reads the explicit imports and ``__all__``; the lazy exports come from the registry. A host added
    to the registry and not to the imports (or the other way round) fails here."""
    imports = _type_checking_imports()
    assert imports == rehost._EXPORTS
    assert set(rehost.__all__) == set(rehost._EXPORTS) | {"catalog", "client"}
    assert len(rehost.__all__) == len(set(rehost.__all__))


def test_every_export_resolves_to_what_it_names():
    for name, module in rehost._EXPORTS.items():
        value = getattr(rehost, name)
        if name != "errors":
            assert value.__module__ == module or getattr(importlib.import_module(module), name) is value, name


def _provider_classes() -> Iterator[tuple[str, str, type]]:
    for info in pkgutil.iter_modules(rehost.providers.__path__):
        if info.ispkg:
            continue
        module = importlib.import_module(f"rehost.providers.{info.name}")
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and "name" in cls.__dict__:
                yield module.__name__, cls_name, cls


def test_every_provider_class_with_a_name_is_a_registered_host_or_listed_as_not_one():
    registered = {row.spec for row in _registry.HOSTS.values()}
    seen = set()
    for module, cls_name, cls in _provider_classes():
        seen.add((module, cls_name))
        # issue 13: a Host (the old Provider while the transition lasts), a host's chat endpoint, or a sender of
        # its own (LlamaCpp, the local OnnxEmbedder)
        assert issubclass(cls, (Provider, Host, ChatEndpoint)) or callable(getattr(cls, "endpoint", None)), (
            module, cls_name)
        assert (module, cls_name) in registered or (module, cls_name) in NOT_HOSTS, (
            f"{module}.{cls_name} (name {cls.name!r}) is neither in rehost._registry nor in NOT_HOSTS")
    assert set(NOT_HOSTS) <= seen, "NOT_HOSTS names a class that no longer exists"
    assert registered <= seen


def test_every_registry_row_imports_and_has_the_name_it_says():
    for name, row in _registry.HOSTS.items():
        cls = _registry.load(row.spec)
        # issue 13: a host is a Host, or a sender of its own (LlamaCpp, OnnxEmbedder) naming the kinds it serves
        assert issubclass(cls, (Provider, Host)) or callable(getattr(cls, "endpoint", None)), row
        assert cls.name == name == row.name, row
        assert row.kinds, row
        assert row.kinds <= _registry.KINDS, row
        for kind in _registry.KINDS:  # the row says what the class serves
            declared = inspect.getattr_static(cls, "kinds")  # an in-process sender names its kinds outright
            if isinstance(declared, frozenset):
                serves = kind in declared
            else:
                serves = endpoint_attribute(cls, f"{kind}_endpoint") is not None
            assert (kind in row.kinds) == serves, (kind, row)
    bases = {"chat": ModelClient, "embed": EmbedClient, "video": VideoClient, "transcribe": Transcriber,
             "speak": Speaker, "realtime": RealtimeClient}
    for family, kinds in _registry.FAMILIES.items():
        assert kinds, family
        assert set(kinds) <= _registry.KINDS, family
        for kind, spec in kinds.items():
            client = _registry.load(spec)
            assert issubclass(client, bases[kind]), (family, kind)
            assert client.family == family


def test_the_real_hostnames_cover_each_hosts_default_url():
    """``real_hosts`` is what ``testing.redirect`` points at the emulator: it must hold the host of the provider's
    own default URL, or code written for the real host would reach the internet inside ``redirect_to``."""
    for row in _registry.HOSTS.values():
        default = getattr(_registry.load(row.spec), "default_base_url", None)
        if not str(default).startswith(("http://", "https://")):
            assert not row.real_hosts, row  # in-process (llamacpp-local): no URL to redirect
            assert row.style is None, row
            continue
        parts = urlsplit(default)
        netloc = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
        assert netloc in row.real_hosts or any(str(parts.hostname).endswith(s) for s in row.real_host_suffixes), row
        if row.style is not None:
            assert redirect.style_for(str(parts.hostname), parts.port) == row.style


def test_the_emulators_styles_are_the_registrys():
    styles = {row.style for row in _registry.HOSTS.values() if row.style}
    assert styles == set(STYLES)
    assert len(styles) == sum(1 for row in _registry.HOSTS.values() if row.style)  # one host per style
    assert dict(redirect.HOSTS) == {real: row.style for row in _registry.HOSTS.values() if row.style
                                    for real in row.real_hosts}
    assert redirect.style_for("europe-west4-aiplatform.googleapis.com", None) == "vertex"
    assert redirect.style_for("aiplatform.eu.rep.googleapis.com", None) == "vertex"
    assert redirect.style_for("api.sarvam.ai", None) is None  # no emulator style: left alone


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def test_the_emulator_builds_each_styles_registered_provider(emu: Emulator):
    """Before the registry, ``provider("openai")``, ``"fireworks"`` and ``"llamacpp"`` fell through to a bare
    OpenAICompatible, so the emulator never exercised those hosts' own provider classes."""
    for row in _registry.HOSTS.values():
        if row.style is not None:
            provider = emu.provider(row.style)
            assert type(provider) is _registry.load(row.spec), row
            assert provider.name == row.name


def test_entry_views_read_the_registry():
    assert dict(entry.HOSTS) == {name: row.spec for name, row in _registry.HOSTS.items()}
    assert dict(entry.FAMILY_CLIENTS) == {family: kinds["chat"] for family, kinds in _registry.FAMILIES.items()
                                          if "chat" in kinds}
    with pytest.raises(KeyError):
        entry.HOSTS["nohost"]


def test_import_rehost_imports_no_provider_client_or_http_module():
    code = "import sys, rehost; print(sorted(m for m in sys.modules if m.startswith(('rehost', 'httpx'))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(done.stdout.replace("'", '"')) == ["rehost", "rehost._registry"]


# -- a new OpenAI-compatible host at run time ----------------------------------------------------------------
class Acme(OpenAICompatible):
    """A host the test invents: one provider class, as a new host's file would hold."""

    name: ClassVar[str] = "acme"
    default_base_url: ClassVar[str] = "https://api.acme.example/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("ACME_API_KEY",)


@pytest.fixture
def acme(private_catalog, monkeypatch) -> Iterator[_registry.Host]:
    monkeypatch.delenv("ACME_API_KEY", raising=False)
    row = rehost.register_host("acme", __name__, "Acme", real_hosts=("api.acme.example",), style="openai")
    private_catalog.register("qwen3-32b", "acme", "acme/qwen3-32b", new_host=True)
    try:
        yield row
    finally:
        _registry.unregister_host("acme")


def test_a_new_host_is_one_class_one_registry_row_and_catalogue_rows(acme, emu):
    client = rehost.client("acme/qwen3-32b", provider_options={"api_key": "k", "base_url": emu.base_url("openai")})
    assert type(client).__name__ == "QwenClient"
    assert type(client.provider) is Acme
    assert client.complete("hello").text  # a real call, on the emulator
    assert emu.requests[-1].json()["model"] == "acme/qwen3-32b"  # the host's own id, from its catalogue row
    assert rehost.client("acme/acme/qwen3-32b", provider_options={"api_key": "k"}).provider.name == "acme"
    assert "acme" in rehost.catalog().known_hosts()
    assert redirect.style_for("api.acme.example", None) == "openai"


def test_a_new_host_is_listed_by_rehost_hosts(acme, capsys):
    assert cli.main(["hosts", "--json"]) == 0
    rows = {row["host"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["acme"]["key_env"] == ["ACME_API_KEY"]
    assert not rows["acme"]["ready"]
    assert set(rows) == set(_registry.HOSTS)


def test_an_unregistered_host_is_unknown_again(private_catalog):
    _registry.register_host("acme", __name__, "Acme")
    _registry.unregister_host("acme")
    with pytest.raises(ConfigurationError, match="unknown host 'acme'"):
        rehost.client("acme/qwen3-32b")
    assert "acme" not in entry.HOSTS


@pytest.mark.parametrize(("args", "kwargs", "words"), [
    (("groq", "x", "Y"), {}, ["already registered", "unregister_host"]),
    (("my/host", "x", "Y"), {}, ["'/'"]),
    ((" acme", "x", "Y"), {}, ["spaces"]),
    (("", "x", "Y"), {}, ["name", "non-empty"]),
    (("acme", "", "Y"), {}, ["module"]),
    (("acme", "x", None), {}, ["cls"]),
    (("acme", "x", "Y"), {"kinds": {"telepathy"}}, ["kinds", "chat"]),
    (("acme", "x", "Y"), {"kinds": set()}, ["kinds"]),
], ids=["taken", "slash", "spaces", "blank name", "blank module", "no class", "unknown kind", "no kind"])
def test_register_host_refuses_bad_rows_and_changes_nothing(args, kwargs, words):
    before = dict(_registry.HOSTS)
    with pytest.raises(ConfigurationError) as caught:
        _registry.register_host(*args, **kwargs)
    for word in words:
        assert word in str(caught.value)
    assert dict(_registry.HOSTS) == before


def test_shipped_hosts_cannot_be_unregistered():
    with pytest.raises(ConfigurationError, match="shipped"):
        _registry.unregister_host("groq")
    with pytest.raises(ConfigurationError, match="no registered host"):
        _registry.unregister_host("nohost")
    assert "groq" in _registry.HOSTS
