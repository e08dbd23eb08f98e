"""The shipped catalogue is parsed model by model, when each is first read (issue 18: the whole file costs the
first client of every process ~25-35 ms of tomllib). These tests hold the lazy catalogue to the whole-file parse,
row for row, and check that a first call reads only what it uses."""

from __future__ import annotations

import json
import subprocess
import sys

from rehost.shared import catalog as catalog_module
from rehost.shared.catalog import Catalog

_SHIPPED = catalog_module._shipped_text()


def test_the_shipped_file_is_laid_out_for_the_lazy_parse():
    split = catalog_module._split_models(_SHIPPED)
    assert split is not None, "catalog.toml no longer splits per model: see _split_models for the layout it needs"
    head, parts = split
    assert "[meta]" in head
    assert "\n[models." not in head  # (the comments name the tables)
    assert len(parts) > 150  # (models; their host tables are in their parts)


def test_the_lazy_catalogue_is_the_whole_file_parse_row_for_row():
    lazy = Catalog.load()
    whole = Catalog.from_toml(_SHIPPED)
    assert isinstance(lazy._models, catalog_module._Rows)
    assert lazy._models.unparsed() == len(lazy._models)
    assert lazy.read == whole.read
    assert list(lazy._models) == list(whole._models)  # the same ids, in file order
    for model in whole._models:
        assert lazy.model(model) == whole.model(model), model
    assert lazy._models.unparsed() == 0


def test_a_catalogue_laid_out_otherwise_is_parsed_whole():
    other_table = '[meta]\nread = "x"\n[models."a"]\nfamily = "f"\n[other]\nx = 1\n[models."a".hosts.groq]\nid = "a1"\n'
    dotted = '[meta]\n[models."a"]\nfamily = "f"\nmodels.b = 1\n'
    multiline = '[meta]\nnote = """\n[models."x"]\n"""\n[models."a"]\nfamily = "f"\n'
    for text in (other_table, dotted, multiline):
        assert catalog_module._split_models(text) is None
    catalog = Catalog.from_toml(other_table, lazy=True)
    assert catalog.host_entry("a", "groq").id == "a1"
    assert not isinstance(catalog._models, catalog_module._Rows)


def test_a_models_tables_apart_from_each_other_are_joined():
    text = '[meta]\n[models."a"]\nfamily = "f"\n[models."b"]\nfamily = "g"\n[models."a".hosts.groq]\nid = "a1"\n'
    lazy, whole = Catalog.from_toml(text, lazy=True), Catalog.from_toml(text)
    assert isinstance(lazy._models, catalog_module._Rows)
    assert lazy.model("a") == whole.model("a")
    assert lazy.host_entry("a", "groq").id == "a1"
    assert list(lazy._models) == ["a", "b"] == list(whole._models)


def test_rows_registered_and_listed_on_the_lazy_catalogue():
    lazy = Catalog.load()
    some = next(iter(lazy._models))
    host = next(iter(lazy.model(some).hosts))
    lazy.register(some, host, "my-own-id")
    assert lazy.host_entry(some, host).id == "my-own-id"
    lazy.register("my/new-model", "groq", "new-1", family="generic")
    assert "my/new-model" in lazy
    assert lazy.host_entry("my/new-model", "groq").id == "new-1"
    families = {m.family for m in lazy.models()}  # listing parses every row
    assert "generic" in families
    assert lazy._models.unparsed() == 0


_PROBE = """
import json, sys
from rehost import DeepSeekClient
from rehost.shared.catalog import default_catalog
from rehost.testing.emulator import Emulator
with Emulator() as emu:
    text = DeepSeekClient("r1", provider=emu.provider("openrouter")).complete("hi").text
rows = default_catalog()._models
print(json.dumps({"text": text, "read": len(rows) - rows.unparsed(), "rows": len(rows)}))
"""


def test_a_first_call_reads_only_the_models_it_uses():
    proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["text"]
    assert 1 <= report["read"] <= 3 < report["rows"]
