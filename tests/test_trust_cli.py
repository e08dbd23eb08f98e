"""Issue 12 trust pass, the ``rehost`` command run for real (a subprocess against the host emulator): host
options keep their types, user mistakes are one line with exit 2 and nothing sent, a stalled host cannot hang a
bench, output paths are checked before the bench runs, and the help says what the options mean."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rehost.testing.emulator import Emulator

MODEL = "llama-3.1-8b-instruct"  # served by groq in the catalogue


def rehost(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``rehost ARGS`` in a fresh interpreter (this test run's PYTHONPATH, so this worktree's code)."""
    return subprocess.run([sys.executable, "-m", "rehost.cli", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


def groq(emu: Emulator, **options: str) -> str:
    """A ``--hosts`` entry for groq on the emulator."""
    extra = "".join(f",{k}={v}" for k, v in options.items())
    return f"groq:base_url={emu.base_url('groq')}{extra}"


# ---------------------------------------------------------------------------------------------- item 27


def test_an_api_key_of_digits_reaches_the_host_as_written(emu):
    """``api_key=000123`` was turned into the number 123 (and the call sent ``Bearer 123`` or failed)."""
    done = rehost("bench", MODEL, "--hosts", groq(emu, api_key="000123"), "--runs", "1", "--warmup", "0",
                  "--prompts", "short")
    assert done.returncode == 0, done.stderr
    auth = {r.headers.get("authorization") for r in emu.requests if r.method == "POST"}  # not the warm-up GET
    assert auth == {"Bearer 000123"}


@pytest.mark.parametrize(("spec", "expected"), [
    ("groq:api_key=000123", {"api_key": "000123"}),
    ("vertex:project=0123456789,location=nan", {"project": "0123456789", "location": "nan"}),
    ("groq:api_key=1e3,base_url=http://h/v1", {"api_key": "1e3", "base_url": "http://h/v1"}),
    ("openai:organization=inf,developer_role=true", {"organization": "inf", "developer_role": True}),
    ("llamacpp-local:model_path=0,n_ctx=2048,seed=007,verbose=false",
     {"model_path": "0", "n_ctx": 2048, "seed": 7, "verbose": False}),
    ("deepseek:api=responses", {"api": "responses"}),
    ("mistral:region=eu", {"region": "eu"}),
])
def test_host_options_are_strings_unless_the_provider_says_otherwise(spec, expected):
    from rehost.cli import host_options, parse_host

    name, raw = parse_host(spec)
    assert all(isinstance(v, str) for v in raw.values()), raw
    typed = host_options(name, raw)
    assert typed == expected
    assert {k: type(v) for k, v in typed.items()} == {k: type(v) for k, v in expected.items()}


def test_typed_options_reach_the_provider():
    from rehost.cli import build_provider

    vertex = build_provider("vertex", {"project": "0123456789", "location": "europe-west4"})
    assert vertex.project == "0123456789"
    local = build_provider("llamacpp-local", {"model_path": "/nowhere/m.gguf", "n_ctx": "2048"})
    assert local._llama_kwargs["n_ctx"] == 2048


# ---------------------------------------------------------------------------------------------- item 25

MISTAKES = {  # id: (arguments after MODEL with {hosts} for a groq host on the emulator, words the line must hold)
    "unknown model": (["bench", "nosuch-model", "--hosts", "{hosts}"], ["nosuch-model", "--raw"]),
    "unknown host": (["bench", MODEL, "--hosts", "nohost"], ["nohost", "groq"]),
    "runs 0": (["bench", MODEL, "--hosts", "{hosts}", "--runs", "0"], ["--runs", "at least 1"]),
    "runs not a number": (["bench", MODEL, "--hosts", "{hosts}", "--runs", "many"], ["--runs", "many"]),
    "concurrency 0": (["bench", MODEL, "--hosts", "{hosts}", "--concurrency", "0"], ["--concurrency", "at least 1"]),
    "warmup -1": (["bench", MODEL, "--hosts", "{hosts}", "--warmup", "-1"], ["--warmup", "at least 0"]),
    "thinking banana": (["bench", MODEL, "--hosts", "{hosts}", "--thinking", "banana"],
                        ["--thinking", "banana", "high"]),
    "thinking budget -5": (["bench", MODEL, "--hosts", "{hosts}", "--thinking", "-5"], ["--thinking", "-5"]),
    "max tokens 0": (["bench", MODEL, "--hosts", "{hosts}", "--max-tokens", "0"], ["--max-tokens", "at least 1"]),
    "temperature text": (["bench", MODEL, "--hosts", "{hosts}", "--temperature", "warm"], ["--temperature"]),
    "missing prompts file": (["bench", MODEL, "--hosts", "{hosts}", "--prompts", "/no/such/prompts.jsonl"],
                             ["/no/such/prompts.jsonl", "short"]),
    "prompts file not JSON": (["bench", MODEL, "--hosts", "{hosts}", "--prompts", "{bad_prompts}"], ["not JSON"]),
    "empty hosts": (["bench", MODEL, "--hosts", ""], ["--hosts", "groq"]),
    "only commas": (["bench", MODEL, "--hosts", " , "], ["--hosts"]),
    "unknown host option": (["bench", MODEL, "--hosts", "groq:bogus=1"], ["bogus", "api_key", "base_url"]),
    "host option without value": (["bench", MODEL, "--hosts", "groq:api_key"], ["key=value"]),
    "option of the wrong type": (["bench", MODEL, "--hosts", "{hosts},llamacpp-local:model_path=m,n_ctx=big"],
                                 ["n_ctx", "int"]),
    "option no command line can give": (["bench", MODEL, "--hosts", "{hosts},groq:timeouts=5"], ["timeouts"]),
    "option not among its choices": (["bench", MODEL, "--hosts", "{hosts},mistral:region=mars"],
                                     ["region", "'eu'"]),
    "option its provider fixes itself": (["bench", MODEL, "--hosts", "{hosts},llamacpp-local:model_path=m,api_key=k"],
                                         ["llamacpp-local", "api_key"]),
    "missing --hosts": (["bench", MODEL], ["--hosts"]),
    "unknown bench option": (["bench", MODEL, "--hosts", "{hosts}", "--rnus", "3"], ["--rnus"]),
    "unknown command": (["frobnicate"], ["frobnicate", "bench"]),
    "unknown top-level option": (["--frobnicate"], ["--frobnicate"]),
}


@pytest.mark.parametrize("case", list(MISTAKES))
def test_user_mistakes_are_one_line_exit_2_and_nothing_is_sent(case, emu, tmp_path):
    args, words = MISTAKES[case]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "fine"}\nnot json at all\n')
    argv = [a.format(hosts=groq(emu, api_key="k"), bad_prompts=bad) for a in args]
    done = rehost(*argv)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("rehost"), lines
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert emu.requests == []  # refused before any call


def test_debug_shows_the_traceback_of_a_mistake(emu):
    done = rehost("--debug", "bench", "nosuch-model", "--hosts", groq(emu, api_key="k"))
    assert done.returncode == 2
    assert "Traceback" in done.stderr
    assert "ConfigurationError" in done.stderr
    done = rehost("bench", "nosuch-model", "--hosts", groq(emu, api_key="k"), "--debug")
    assert done.returncode == 2
    assert "Traceback" in done.stderr


# ---------------------------------------------------------------------------------------------- item 4


def test_bench_timeout_ends_a_stalled_host(emu):
    """groq stalls after its headers, openrouter answers: the bench finishes, groq's calls count as timeouts."""
    emu.script("groq", fault="stall")
    hosts = f"{groq(emu, api_key='k')},openrouter:base_url={emu.base_url('openrouter')},api_key=k"
    done = rehost("bench", MODEL, "--hosts", hosts, "--runs", "1", "--warmup", "0", "--prompts", "short",
                  "--timeout", "1", timeout=90)
    assert done.returncode == 0, done.stderr
    groq_row = next(line for line in done.stdout.splitlines() if line.startswith("groq "))
    assert "RequestTimeout x4" in groq_row


def test_bench_help_gives_the_default_timeout():
    done = rehost("bench", "--help")
    assert done.returncode == 0
    assert "--timeout" in done.stdout
    assert "default 120" in " ".join(done.stdout.split())


@pytest.mark.parametrize("value", ["0", "-3", "soon"])
def test_a_bad_timeout_is_a_one_line_mistake(emu, value):
    done = rehost("bench", MODEL, "--hosts", groq(emu, api_key="k"), "--timeout", value)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--timeout" in done.stderr
    assert emu.requests == []


# ---------------------------------------------------------------------------------------------- item 26

OUTPUTS = {
    "json in a missing directory": (["--json", "{tmp}/no/dir/r.json"], ["--json", "no/dir"]),
    "json is a directory": (["--json", "{tmp}"], ["--json", "directory"]),
    "plot in a missing directory": (["--plot", "{tmp}/no/dir/r.png"], ["--plot", "no/dir"]),
    "plot of an unknown kind": (["--plot", "{tmp}/r.jpg"], ["--plot", ".png", ".html"]),
    "plot without a suffix": (["--plot", "{tmp}/r"], ["--plot", ".svg"]),
}


@pytest.mark.parametrize("case", list(OUTPUTS))
def test_output_paths_are_checked_before_the_bench_runs(case, emu, tmp_path):
    args, words = OUTPUTS[case]
    done = rehost("bench", MODEL, "--hosts", groq(emu, api_key="k"), "--runs", "1", "--warmup", "0",
                  *[a.format(tmp=tmp_path) for a in args])
    assert done.returncode == 2, (done.stdout, done.stderr)
    [line] = done.stderr.strip().splitlines()
    for word in words:
        assert word in line, (word, line)
    assert emu.requests == []  # nothing ran, so nothing was lost


def test_a_bench_where_no_host_answered_exits_1_without_a_plot(emu, tmp_path, monkeypatch):
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    emu.script("groq", fault="500")
    hosts = f"{groq(emu, api_key='k')},together:base_url={emu.base_url('together')}"  # together: no key
    out_json, out_png = tmp_path / "r.json", tmp_path / "r.png"
    done = rehost("bench", MODEL, "--hosts", hosts, "--runs", "1", "--warmup", "0", "--prompts", "short",
                  "--json", str(out_json), "--plot", str(out_png))
    assert done.returncode == 1, done.stderr
    assert "ServerError x4" in done.stdout
    assert "skipped" in done.stdout
    assert "no host answered" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out_png.exists()
    assert json.loads(out_json.read_text())["hosts"][0]["errors"] == {"ServerError": 4}  # the why is kept


def test_one_host_answering_is_enough_for_exit_0(emu, tmp_path):
    emu.script("groq", fault="500")
    hosts = f"{groq(emu, api_key='k')},openrouter:base_url={emu.base_url('openrouter')},api_key=k"
    out_png = tmp_path / "r.svg"
    done = rehost("bench", MODEL, "--hosts", hosts, "--runs", "1", "--warmup", "0", "--prompts", "short",
                  "--plot", str(out_png))
    assert done.returncode == 0, done.stderr
    assert out_png.exists()


def test_bench_help_says_what_the_exit_status_means():
    text = " ".join(rehost("bench", "--help").stdout.split())
    assert "exit status" in text
    assert "1 when no host answered" in text
    assert "2 for a mistake" in text


# ---------------------------------------------------------------------------------------------- item 31


@pytest.mark.parametrize("args", [["--help"], ["-h"], []])
def test_rehost_help_has_a_usage_line_and_a_line_per_command(args):
    done = rehost(*args)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith("usage: rehost ")
    assert "COMMAND" in lines[0]
    for command in ("bench", "models", "hosts", "emulate"):
        [line] = [line for line in lines if line.split()[:1] == [command]]
        assert len(line.split()) > 3, line  # the command and what it does, on its line
    assert "``" not in done.stdout
    assert "--version" in done.stdout


def test_rehost_version():
    import rehost as package

    done = rehost("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"rehost {package.__version__}"


@pytest.mark.parametrize(("args", "words"), [
    (["--family", "nosuch"], ["nosuch", "deepseek", "claude", "gemini"]),
    (["--host", "nosuch"], ["nosuch", "groq", "openrouter"]),
    (["--family", "deepseek", "--hosts", "groq"], ["--hosts"]),
])
def test_models_refuses_a_filter_that_matches_nothing_it_knows(args, words):
    done = rehost("models", *args)
    assert done.returncode == 2, done.stdout
    [line] = done.stderr.strip().splitlines()
    for word in words:
        assert word in line, (word, line)
    assert done.stdout == ""


def test_models_with_known_filters_and_no_rows_says_so():
    done = rehost("models", "--family", "claude", "--host", "groq")
    assert done.returncode == 0
    assert "no catalogued model" in done.stdout
    assert "-----" not in done.stdout  # no empty table


def test_models_json():
    done = rehost("models", "--family", "deepseek", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows
    assert {r["family"] for r in rows} == {"deepseek"}
    flash = [r for r in rows if r["model"] == "deepseek-v4-flash"]
    assert flash
    assert {"model", "family", "host", "host_id", "status", "context_window", "prices"} <= set(flash[0])
    priced = next(r for r in rows if r["prices"] is not None)
    assert isinstance(priced["prices"]["input"], str)  # exact decimals, as text
    assert json.loads(rehost("models", "--family", "claude", "--host", "groq", "--json").stdout) == []


def test_hosts_json():
    import os

    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["GROQ_API_KEY"] = "gsk-not-a-real-key-4242"
    done = subprocess.run([sys.executable, "-m", "rehost.cli", "hosts", "--json"], capture_output=True, text=True,
                          timeout=60, check=False, env=env)
    assert done.returncode == 0, done.stderr
    rows = {r["host"]: r for r in json.loads(done.stdout)}
    assert rows["groq"]["ready"] is True
    assert rows["groq"]["key_env"] == ["GROQ_API_KEY"]
    assert rows["openrouter"]["ready"] is False
    assert "OPENROUTER_API_KEY" in rows["openrouter"]["status"]
    assert "4242" not in done.stdout  # never a key's value


def test_bench_help_explains_runs_concurrency_and_warmup():
    text = " ".join(rehost("bench", "--help").stdout.split())
    assert "each prompt" in text  # --runs counts per prompt, per host
    assert "in flight at once, across all hosts" in text
    assert "untimed" in text
    assert "before any timed call" in text
    assert "default 5" in text
