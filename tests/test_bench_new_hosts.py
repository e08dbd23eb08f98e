"""Issue 17's acceptance: ``rehost bench r1 --hosts bedrock,azure,together,fireworks,deepinfra`` works end to end
against the emulator: every host answers every timed call, each through its own wire (Bedrock's Converse event
stream, Azure's /openai/v1, the three OpenAI-compatible hosts) with its own id for DeepSeek-R1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import unquote

from rehost.testing.emulator import Emulator

HOSTS = ("bedrock", "azure", "together", "fireworks", "deepinfra")


def test_rehost_bench_r1_across_bedrock_azure_and_the_open_model_clouds(tmp_path):
    out = tmp_path / "r1.json"
    with Emulator() as emu:
        spec = ",".join(f"{h}:base_url={emu.base_url(h)},api_key=k" for h in HOSTS)
        done = subprocess.run([sys.executable, "-m", "rehost.cli", "bench", "r1", "--hosts", spec, "--runs", "2",
                               "--prompts", "short", "--json", str(out)], capture_output=True, text=True,
                              timeout=300, check=False, env={**os.environ})
        posts = [r for r in emu.requests if r.method == "POST"]
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert [h["host"] for h in report["hosts"]] == list(HOSTS)
    assert report["samples"]
    assert all(not s.get("error") for s in report["samples"])
    assert {s["host"] for s in report["samples"]} == set(HOSTS)
    by_host: dict[str, set[str]] = {}
    for r in posts:
        host = r.path.strip("/").split("/", 1)[0]
        body = r.json() if r.body[:1] == b"{" else {}
        model = body.get("model") or unquote(r.path.split("/model/", 1)[-1].split("/", 1)[0])
        by_host.setdefault(host, set()).add(model)
    assert by_host == {"bedrock": {"us.deepseek.r1-v1:0"}, "azure": {"DeepSeek-R1"},
                       "together": {"deepseek-ai/DeepSeek-R1"}, "fireworks": {"accounts/fireworks/models/deepseek-r1"},
                       "deepinfra": {"deepseek-ai/DeepSeek-R1-0528"}}
    assert {r.path for r in posts if r.path.startswith("/bedrock/")} == {
        "/bedrock/model/us.deepseek.r1-v1%3A0/converse-stream"}
