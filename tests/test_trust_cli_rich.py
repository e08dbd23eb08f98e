"""Issue 20, the ``rehost`` command on argparse + rich, run for real: on a terminal (a pseudo-terminal, through
pexpect) ``models``, ``hosts`` and the bench summary are rich tables and the bench draws a rich progress bar on
stderr; piped, the tables are the plain text scripts read and there is no bar; ``--json`` is JSON either way;
and rich is imported only when something is drawn (never by ``import rehost`` or ``rehost --help``)."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys

import pexpect
import pytest

from rehost import cli
from rehost.entry import HOSTS
from rehost.shared.catalog import models_rows, models_table
from rehost.testing.emulator import Emulator

MODEL = "llama-3.1-8b-instruct"  # served by groq and openrouter in the catalogue
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BOX = "┃"  # rich's heavy header rule: only a rich table draws it


def on_terminal(command: str, *, env: dict[str, str] | None = None, timeout: float = 120) -> tuple[str, int]:
    """``command`` (a shell line) with a wide pseudo-terminal as its terminal; its output (what reached the
    terminal) without colour codes, and its exit status."""
    child = pexpect.spawn("/bin/sh", ["-c", command], env=env or dict(os.environ), dimensions=(50, 320),
                          encoding="utf-8", timeout=timeout)
    out = child.read()
    child.close()
    assert child.exitstatus is not None, "the command did not end"
    return ANSI.sub("", out).replace("\r\n", "\n"), child.exitstatus


def rehost_line(*args: str) -> str:
    return shlex.join([sys.executable, "-m", "rehost.cli", *args])


def piped(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rehost.cli", *args], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


def test_import_and_help_do_not_load_rich():
    """rich is imported only when something is drawn. (Not checked past ``--help``: httpx's own ``__init__``
    imports its command line, and with it rich, whenever rich, click and pygments are installed, so any
    command that loads httpx (``bench --help`` too) loads rich whatever this module does; the plain output of
    those is checked instead.)"""
    script = """if True:
        import contextlib, io, json, sys
        seen = {}
        def rich_loaded():
            return sorted(m for m in sys.modules if m == "rich" or m.startswith("rich."))
        import rehost
        seen["import"] = rich_loaded()
        from rehost.cli import main
        for args in (["--help"], ["--version"]):
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    main(args)
                except SystemExit:
                    pass
            seen[" ".join(args)] = rich_loaded()
        print(json.dumps(seen))
    """
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout) == {"import": [], "--help": [], "--version": []}


def test_models_on_a_terminal_is_a_rich_table_with_the_same_columns():
    out, status = on_terminal(rehost_line("models", "--family", "deepseek"))
    assert status == 0, out
    assert BOX in out
    header, *rows = models_rows(family="deepseek")
    for column in header:
        assert column in out, column
    lines = out.splitlines()
    for row in rows:  # each row is one line of the table, its cells in order
        assert any(re.search(r"\s*│\s*".join(map(re.escape, row)), line) for line in lines), row


def test_models_piped_is_the_plain_table():
    done = piped("models", "--family", "deepseek")
    assert done.returncode == 0, done.stderr
    assert done.stdout == models_table(family="deepseek") + "\n"
    assert BOX not in done.stdout


def test_hosts_on_a_terminal_is_a_rich_table_and_never_shows_a_key():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["GROQ_API_KEY"] = "gsk-not-a-real-key-4242"
    out, status = on_terminal(rehost_line("hosts"), env=env)
    assert status == 0, out
    assert BOX in out
    for column in ("host", "key", "status"):
        assert column in out
    groq = next(line for line in out.splitlines() if re.match(r"│ groq\s", line))
    assert "GROQ_API_KEY" in groq
    assert "ready" in groq
    for name in HOSTS:
        assert re.search(rf"│ {re.escape(name)}\s+│", out), name
    assert "4242" not in out


@pytest.mark.parametrize("args", [("models", "--family", "deepseek", "--json"), ("hosts", "--json")])
def test_json_on_a_terminal_is_still_json(args):
    out, status = on_terminal(rehost_line(*args))
    assert status == 0, out
    assert json.loads(out) == json.loads(piped(*args).stdout)


def test_without_rich_a_terminal_gets_the_plain_table():
    """rich is the ``cli`` extra: a terminal without it gets the plain text, not an ImportError."""
    script = ("import sys; sys.modules['rich'] = None; from rehost.cli import main; "
              "raise SystemExit(main(['models', '--family', 'deepseek']))")
    out, status = on_terminal(shlex.join([sys.executable, "-c", script]))
    assert status == 0, out
    assert BOX not in out
    assert out.rstrip("\n") == models_table(family="deepseek")


def bench_line(emu: Emulator) -> str:
    hosts = f"groq:base_url={emu.base_url('groq')},api_key=k,openrouter:base_url={emu.base_url('openrouter')}," \
            "api_key=k"
    return rehost_line("bench", MODEL, "--hosts", hosts, "--runs", "1", "--warmup", "0", "--prompts", "short")


def test_bench_draws_its_bar_on_a_terminal_stderr_and_a_plain_table_on_a_piped_stdout(emu, tmp_path):
    stdout = tmp_path / "out.txt"
    seen, status = on_terminal(f"{bench_line(emu)} > {shlex.quote(str(stdout))}")
    assert status == 0, seen
    calls = sum(r.method == "POST" for r in emu.requests)  # 2 hosts x the short prompts, once each (no warm-up GETs)
    assert calls >= 2
    assert f"{calls}/{calls}" in seen  # the bar, on stderr, reached the end
    assert "━" in seen  # drawn by rich.progress, not the old '#...' bar
    table = stdout.read_text()
    assert BOX not in table
    assert "━" not in table
    title, header, rule, *rest = table.splitlines()
    assert title.startswith(f"{MODEL}: 1 runs x short")
    assert header.split("  ")[0] == "host"
    assert set(rule) == {"-", " "}
    assert [line.split()[0] for line in rest[:2]] == ["groq", "openrouter"]


def test_bench_draws_a_rich_table_on_a_terminal_stdout_and_no_bar_on_a_piped_stderr(emu, tmp_path):
    stderr = tmp_path / "err.txt"
    seen, status = on_terminal(f"{bench_line(emu)} 2> {shlex.quote(str(stderr))}")
    assert status == 0, seen
    calls = len(emu.requests)
    assert BOX in seen
    assert f"{MODEL}: 1 runs x short" in seen
    for column in ("host", "ttft ms p50/p95/p99", "errors", "$ / 1k req"):
        assert column in seen, column
    assert re.search(r"│ groq\s+│", seen)
    assert re.search(r"│ openrouter\s+│", seen)
    errors = stderr.read_text()
    assert f"{calls}/{calls}" not in errors
    assert "━" not in errors
    assert "\r" not in errors


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_table_cells_are_shown_as_written_not_read_as_markup(monkeypatch):
    """A host id or an error message with [brackets] is data: rich markup in a cell would vanish or restyle."""
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    cli._print_table(["host", "said"], [["[bold]groq[/bold]", "rate limit [429]"]], "plain",
                     title="[red]title[/red]", footer=["note: [link=x]see[/link]"])
    out = ANSI.sub("", terminal.getvalue())
    for text in ("[bold]groq[/bold]", "rate limit [429]", "[red]title[/red]", "note: [link=x]see[/link]"):
        assert text in out, (text, out)
    assert "plain" not in out


def test_the_bar_is_closed_when_the_bench_fails():
    """The bar hides the cursor while it draws; a bench that ends in an error still gives it back."""
    terminal = FakeTerminal()
    with pytest.raises(RuntimeError), cli._progress(terminal) as bar:
        assert bar is not None
        bar(1, 4)
        raise RuntimeError("the bench failed")
    out = terminal.getvalue()
    assert "\x1b[?25l" in out  # hidden while drawing
    assert out.rindex("\x1b[?25h") > out.rindex("\x1b[?25l")  # and shown again at the end
    assert "1/4" in ANSI.sub("", out)


def test_no_bar_when_stderr_is_not_a_terminal():
    with cli._progress(io.StringIO()) as bar:
        assert bar is None


def test_module_docstring_says_why_argparse_and_rich():
    doc = " ".join((cli.__doc__ or "").split())
    assert "argparse" in doc
    assert "rich" in doc
    assert "typer" in doc or "click" in doc
