"""The pages the README's host table links to for the hosts that are not ordinary API hosts run as written:
docs/latamgpt.md (no API: its weights on vLLM, llama.cpp's server and Ollama) against the emulator, with every
real URL redirected to it, and docs/replicate.md (predictions as video jobs) on its own job emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rehost.testing.emulator import Emulator
from rehost.testing.redirect import redirect_to

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _blocks(name: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", (DOCS / name).read_text("utf-8"), re.S | re.M)


def test_the_latamgpt_page_reaches_each_local_server_with_the_name_it_serves():
    blocks = _blocks("latamgpt.md")
    assert len(blocks) == 3
    with Emulator() as emu, redirect_to(emu):
        for i, code in enumerate(blocks):
            exec(compile(code, f"docs/latamgpt.md#{i}", "exec"), {"__name__": "__doc__"})
        posts = [(r.host, r.path, r.json()["model"]) for r in emu.requests if r.method == "POST"]
    assert posts == [("vllm", "/vllm/v1/chat/completions", "latam-gpt"),
                     ("llamacpp", "/llamacpp/v1/chat/completions", "latam-gpt"),
                     ("ollama", "/ollama/api/chat", "latam-gpt")]


def test_the_replicate_page_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    (code,) = _blocks("replicate.md")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/replicate.md", "exec"), {"__name__": "__doc__"})
    assert (tmp_path / "lighthouse.mp4").stat().st_size > 0


def test_latamgpt_is_no_host_and_no_catalogue_row():
    import rehost
    from rehost import _registry

    assert not any("latam" in name for name in _registry.HOSTS)
    assert not any("latam" in m.id for m in rehost.catalog().models())
