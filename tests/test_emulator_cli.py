"""The emulator from the command line and as a pytest fixture."""

from __future__ import annotations

import subprocess
import sys

from rehost import GenericClient, Groq

pytest_plugins = ["rehost.testing.pytest_plugin"]


def test_rehost_emulate_serves_until_stopped():
    process = subprocess.Popen([sys.executable, "-m", "rehost.cli", "emulate", "--port", "0", "--tokens", "3"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        client = GenericClient("m", provider=Groq("k", base_url=url + "/groq/openai/v1"))
        assert client.complete("hi").text == "Hello w1 w2"
    finally:
        process.terminate()
        process.wait(5)


def test_the_fixture_is_fresh_each_test(rehost_emulator):
    rehost_emulator.script("groq", output_tokens=2)
    client = GenericClient("m", provider=rehost_emulator.provider("groq"))
    assert client.complete("hi").text == "Hello w1"
    assert len(rehost_emulator.requests) == 1


def test_the_fixture_forgot_the_last_test(rehost_emulator):
    client = GenericClient("m", provider=rehost_emulator.provider("groq"))
    assert client.complete("hi").text == "Hello w1 w2 w3 w4 w5 w6 w7"
    assert len(rehost_emulator.requests) == 1
