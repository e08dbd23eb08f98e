"""The examples run offline, and what they send is what the real hosts accepted in the recordings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from .conformance import reader
from .conformance.test_cassettes import CASSETTES

ROOT = Path(__file__).resolve().parents[1]


def run_example(name: str) -> str:
    env = {**os.environ, "REHOST_CASSETTES": str(CASSETTES)}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / name)], capture_output=True, text=True,
                          timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_quickstart_runs_offline():
    out = run_example("quickstart_offline.py")
    assert "'Hello! How can I help you today?'" in out
    assert "ModelNotServed: [vertex] vertex no longer serves gemini-2.5-flash" in out
    assert "[thinking] This is a simple arithmetic question." in out


def test_tools_and_typed_output_example_runs_offline():
    out = run_example("tools_and_typed_output.py")
    assert out.count("after 2 turns") == 2
    assert out.count("CityLocation(city='Mexico City', country='Mexico')") == 2


def recorded_requests(name: str) -> list[dict]:
    data = yaml.safe_load((CASSETTES / name).read_text("utf-8"))
    return [i["request"]["parsed_body"] for i in data["interactions"]]


def test_the_example_sends_what_the_hosts_recorded(monkeypatch, private_catalog):
    """Function tools and pydantic outputs produce the exact tool and schema definitions the hosts accepted.
    The example registers its demo models in the catalogue: a private one here, so no later test sees them."""
    sys.path.insert(0, str(ROOT / "examples"))
    monkeypatch.setenv("REHOST_CASSETTES", str(CASSETTES))
    import tools_and_typed_output as example

    from rehost.testing import replay

    sent: list[tuple[str, dict]] = []
    real_take = replay.ReplayServer.take

    def spy(self, received):
        sent.append((received.target, received.json()))
        return real_take(self, received)

    monkeypatch.setattr(replay.ReplayServer, "take", spy)
    example.main()
    groq_tools = recorded_requests("groq/tools_auto_roundtrip_llama4.yaml")
    mistral_tools = recorded_requests("mistral/tools_auto_roundtrip_large.yaml")
    groq_json = recorded_requests("groq/json_schema_native_output_gpt_oss.yaml")
    gemini_json = recorded_requests("gemini/json_response_schema_native_output.yaml")
    bodies = [b for _, b in sent]
    for ours, recorded in zip(bodies[:2], groq_tools, strict=True):
        assert reader.canonical_openai(ours) == reader.canonical_openai(recorded)
    for ours, recorded in zip(bodies[2:4], mistral_tools, strict=True):
        mine, theirs = reader.canonical_openai(ours), reader.canonical_openai(recorded)
        assert theirs.pop("sampling") == {"top_p": 1.0}  # pydantic-ai's explicit default; the example sends none
        mine.pop("sampling")
        assert mine == theirs
    assert reader.canonical_openai(bodies[4]) == reader.canonical_openai(groq_json[0])
    assert bodies[5]["generationConfig"]["responseJsonSchema"] == gemini_json[0]["generationConfig"][
        "responseJsonSchema"]
    assert json.dumps(bodies[0]["tools"], sort_keys=True) == json.dumps(groq_tools[0]["tools"], sort_keys=True)
