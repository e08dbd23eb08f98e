"""The package's module layout: no import cycle (every module imports first, alone, in a fresh interpreter,
in random orders), the old module paths of the regrouped contract still give the same objects, moved classes
still pickle, and no source file of the neutral contract or the client base grows past the size limit."""

from __future__ import annotations

import importlib
import pickle
import pkgutil
import random
import subprocess
import sys
from pathlib import Path

import pytest

import rehost

SRC = Path(rehost.__file__).parent
OPTIONAL = ("llama_cpp", "google", "onnxruntime", "tokenizers", "matplotlib", "rich")


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(SRC)], prefix="rehost."):
        if not info.name.endswith(".__main__"):  # a program (python -m ...), which runs when imported
            names.append(info.name)
    return sorted(names)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                          timeout=300,
                          cwd=str(SRC.parent.parent), env={"PYTHONPATH": str(SRC.parent), "PATH": "/usr/bin:/bin"})


def test_every_module_imports_first_alone_in_a_fresh_interpreter():
    """A module that only imports when something else was imported before it is half of a cycle."""
    code = """
import importlib, subprocess, sys
names = sys.argv[1:]
failed = []
for name in names:
    out = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True)
    if out.returncode and not any(f"No module named '{o}" in out.stderr for o in OPTIONAL):
        failed.append((name, out.stderr.strip().splitlines()[-1:]))
print(failed)
"""
    names = [n for n in _modules() if n.startswith(("rehost.shared", "rehost.clients", "rehost.openai"))]
    names += ["rehost", "rehost.entry", "rehost.cli", "rehost.repl", "rehost.bench", "rehost.errors"]
    script = f"OPTIONAL = {OPTIONAL!r}\n" + code
    out = subprocess.run([sys.executable, "-c", script, *names], check=False, capture_output=True, text=True,
                         timeout=600,
                         env={"PYTHONPATH": str(SRC.parent), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("seed", [1, 2])
def test_all_modules_import_in_a_random_order(seed):
    names = _modules()
    random.Random(seed).shuffle(names)
    code = f"""
import importlib
for name in {names!r}:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if not (exc.name or "").split(".")[0] in {OPTIONAL!r}:
            raise
"""
    out = _run(code)
    assert out.returncode == 0, out.stderr[-3000:]


OLD_AND_NEW = [
    ("rehost.shared.types", "rehost.shared.chat.types"),
    ("rehost.shared.request", "rehost.shared.chat.request"),
    ("rehost.shared.output", "rehost.shared.chat.output"),
    ("rehost.shared.tools", "rehost.shared.chat.tools"),
    ("rehost.shared.schema", "rehost.shared.chat.schema"),
    ("rehost.shared.sse", "rehost.shared.io.sse"),
    ("rehost.shared.ndjson", "rehost.shared.io.ndjson"),
    ("rehost.shared.lines", "rehost.shared.io.lines"),
    ("rehost.shared.ratelimit", "rehost.shared.io.ratelimit"),
    ("rehost.shared.tls", "rehost.shared.io.tls"),
    ("rehost.shared.aio", "rehost.shared.io.aio"),
]


@pytest.mark.parametrize(("old", "new"), OLD_AND_NEW)
def test_old_module_paths_re_export_the_same_objects(old, new):
    before, after = importlib.import_module(old), importlib.import_module(new)
    assert before.__all__
    for name in before.__all__:
        assert getattr(before, name) is getattr(after, name), (old, name)
    assert set(after.__all__) <= set(before.__all__)


def test_the_old_transport_module_keeps_every_name():
    from rehost.shared import transport
    from rehost.shared.io import call, http, retry

    for module in (call, http, retry):
        for name in module.__all__:
            assert getattr(transport, name) is getattr(module, name), name


def test_moved_types_and_errors_pickle_and_old_paths_unpickle():
    from rehost.errors import JobLost, SessionClosed
    from rehost.shared.chat.sampling import Sampling, SamplingOptions
    from rehost.shared.request import Request, ThinkingPlan
    from rehost.shared.types import Completion, Message, TextDelta, Thinking, Usage

    values = [Message.user("hi"), Completion(parts=(), host="groq", usage=Usage(input_tokens=1)), TextDelta("x"),
              Thinking(effort="high"), Request(model="m", messages=(Message.user("hi"),),
                                               sampling=Sampling(temperature=0.5), thinking=ThinkingPlan()),
              SamplingOptions(top_k=3), SessionClosed("gone", close_code=1011, host="h"),
              JobLost("lost", job_id="op-1", host="h", status=404)]
    for value in values:
        back = pickle.loads(pickle.dumps(value))
        assert type(back) is type(value)
        if isinstance(value, Exception):
            assert back.__dict__ == value.__dict__
        else:
            assert back == value
    # a pickle written before the move names rehost.shared.types: it still loads
    old = pickle.dumps(Message.user("hi"), protocol=0).replace(b"rehost.shared.chat.messages", b"rehost.shared.types")
    assert pickle.loads(old) == Message.user("hi")


LIMIT = 600
MINE = ["shared", "clients", "openai", "bench", "presets", "cli.py", "repl.py", "entry.py"]


def test_no_source_file_of_the_contract_or_the_client_base_is_over_the_limit():
    too_long = []
    for part in MINE:
        path = SRC / part
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            lines = file.read_text().count("\n")
            if lines > LIMIT:
                too_long.append((str(file.relative_to(SRC)), lines))
    assert too_long == []


def test_issue_19s_modules_live_in_the_new_layout_and_import_rehost_loads_no_redis_or_otel():
    # the state backends and the call observer sit with the rest of the I/O plumbing, the shared breakers
    # with routing; none of the optional packages (redis, opentelemetry) is imported by `import rehost` or a
    # client call's plumbing until it is used
    code = ("import sys, rehost, rehost.calls, rehost.routing.shared_breakers, rehost.shared.io.state; "
            "from rehost import GenericClient, MemoryState, RedisState, SqliteState; "
            "assert MemoryState.__module__ == 'rehost.shared.io.state', MemoryState.__module__; "
            "assert RedisState.__module__ == 'rehost.shared.io.state_redis', RedisState.__module__; "
            "assert SqliteState.__module__ == 'rehost.shared.io.state_sqlite', SqliteState.__module__; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('redis', 'opentelemetry')); "
            "assert not bad, bad")
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
