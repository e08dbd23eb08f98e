"""The host emulator refuses what it cannot do, loudly and at once (issue 12, item 30): a busy port, a port out
of range, an unknown script field, host style or fault, from the Python API and from ``rehost emulate``."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import pytest

from rehost.errors import ConfigurationError
from rehost.testing.emulator import Emulator
from rehost.testing.emulator import main as emulate


@pytest.fixture
def busy_port():
    """A port something else is listening on."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    yield holder.getsockname()[1]
    holder.close()


# ------------------------------------------------------------------------------------------ the Python API


def test_a_busy_port_raises_at_once_naming_the_port(busy_port):
    emu = Emulator(port=busy_port)
    start = time.monotonic()
    with pytest.raises(ConfigurationError, match=f"{busy_port}.*in use.*port=0") as caught:
        emu.start()
    assert time.monotonic() - start < 5  # raised within 5 s instead of waiting out 10 s and returning
    assert isinstance(caught.value.__cause__, OSError)
    assert emu.port is None
    emu.stop()  # stopping an emulator that never started is harmless


@pytest.mark.parametrize(("call", "fields", "message"), [
    ("script", {"bogus": 1}, "bogus.*fields: "),
    ("script", {"fault": "nosuchfault"}, "nosuchfault.*faults: "),
    ("script", {"ttft": "fast"}, "ttft.*number"),
    ("script", {"output_tokens": 2.5}, "output_tokens.*whole number"),
    ("script", {"output_tokens": -1}, "output_tokens.*negative"),
    ("script", {"inter_token": -0.1}, "inter_token.*negative"),
    ("script", {"echo": "yes"}, "echo.*True or False"),
    ("script", {"text": 5}, "text.*string"),
    ("script", {"tool_call": "get_weather"}, "tool_call.*name, arguments"),
    ("inject", {"bogus": 1}, "bogus.*fields: "),
    ("inject", {"fault": "nosuchfault"}, "nosuchfault.*faults: "),
    ("inject", {"times": 0}, "times.*at least 1"),
])
def test_bad_script_fields_are_refused(call, fields, message):
    emu = Emulator()  # no server needed: the check comes first
    with pytest.raises(ConfigurationError, match=message):
        getattr(emu, call)(**fields)
    assert list(emu.state.defaults) == [None]  # nothing was scripted
    assert not emu.state.queue


@pytest.mark.parametrize("call", ["script", "inject"])
def test_an_unknown_host_style_is_refused(call):
    with pytest.raises(ConfigurationError, match=r"nosuchhost.*styles: .*groq"):
        getattr(Emulator(), call)(host="nosuchhost", ttft=0.1)


# ------------------------------------------------------------------------------------------ rehost emulate


@pytest.mark.parametrize(("argv", "message"), [
    (["--port", "99999"], "--port.*0 to 65535"),
    (["--port", "-1"], "--port.*0 to 65535"),
    (["--port", "http"], "--port.*0 to 65535"),
    (["--script", "groq:bogus=1"], "bogus.*fields: "),
    (["--script", "groq:fault=nosuchfault"], "nosuchfault.*faults: "),
    (["--script", "groq:ttft=soon"], "ttft.*number"),
    (["--script", "groq:tokens"], "groq:tokens.*FIELD=VALUE"),
    (["--script", "nosuchhost:ttft=1"], "nosuchhost.*styles: "),
    (["--script", "groq:tool_call=x"], "tool_call.*command line"),
    (["--tokens", "-3"], "output_tokens.*negative"),
])
def test_bad_command_lines_are_usage_errors_not_tracebacks(argv, message, capsys):
    with pytest.raises(SystemExit) as caught:
        emulate(["--port", "0", *argv])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "usage: rehost emulate" in err
    assert re.search(message, err), err


def test_rehost_emulate_on_a_busy_port_says_so_at_once(busy_port):
    done = subprocess.run([sys.executable, "-m", "rehost.cli", "emulate", "--port", str(busy_port)],
                          check=False, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert f"127.0.0.1:{busy_port}" in done.stderr
    assert "in use" in done.stderr
    assert "Traceback" not in done.stderr
    assert "not running" not in done.stderr  # the old, misleading message
    assert done.stdout == ""
