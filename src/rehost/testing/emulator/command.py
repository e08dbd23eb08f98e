"""The emulator on the command line (``python -m rehost.testing.emulator``, ``rehost emulate``) and in its own
process (``emulator_process``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from .quirks import STYLES
from .script import _FIELD_KINDS, _checked, _checked_style
from .server import Emulator


def _port(text: str) -> int:
    """An argparse type: a TCP port, 0 for a free one."""
    import argparse

    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: a port is a number from 0 to 65535 "
                                         "(0 picks a free one)")
    return port


def _cli_value(key: str, raw: str) -> Any:
    """A script field's value from its command-line text (checked afterwards by ``_checked``)."""
    from ...shared.errors import ConfigurationError

    kind = (_FIELD_KINDS.get(key) or "text").rstrip("?")
    if kind == "tool_call":
        raise ConfigurationError("the emulator's tool_call cannot be set from the command line; script it "
                                 "from Python (Emulator.script(host, tool_call=(name, arguments)))")
    try:
        if kind == "count":
            return int(raw)
        if kind == "seconds":
            return float(raw)
    except ValueError:
        raise ConfigurationError(f"the emulator's {key} takes "
                                 f"{'a whole number' if kind == 'count' else 'a number of seconds'}, not {raw!r}"
                                 ) from None
    if kind == "flag":
        flags = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        if raw.lower() not in flags:
            raise ConfigurationError(f"the emulator's {key} takes true or false, not {raw!r}")
        return flags[raw.lower()]
    return raw


def _parse_script(spec: str) -> tuple[str, dict[str, Any]]:
    """``--script HOST:FIELD=VALUE,...`` as (host style, checked fields)."""
    from ...shared.errors import ConfigurationError

    host, sep, rest = spec.partition(":")
    if not sep or not rest.strip():
        raise ConfigurationError(f"--script {spec!r}: say what the host does, as HOST:FIELD=VALUE,... "
                                 "(e.g. groq:ttft=0.05,tokens=40)")
    items: list[str] = []
    for piece in rest.split(","):  # a piece without "=" belongs to the value before it (a text with commas)
        if items and "=" not in piece:
            items[-1] += "," + piece
        else:
            items.append(piece)
    values: dict[str, Any] = {}
    for item in items:
        key, eq, raw = item.partition("=")
        if not eq:
            if not item.strip():
                continue
            raise ConfigurationError(f"--script {spec!r}: {item!r} is not FIELD=VALUE")
        key = key.strip()
        values[key] = _cli_value(key, raw if key == "text" else raw.strip())
    return _checked_style(host.strip()) or "", _checked(values)


def main(argv: list[str] | None = None) -> None:
    """``python -m rehost.testing.emulator [--host H] [--port P] [--ttft S] [--inter-token S] [--tokens N]
    [--text T] [--script HOST:FIELD=VALUE,...] [--realtime PORT]``:
    serve until interrupted, printing the URL first (``rehost emulate`` runs this). Bad arguments, and a port
    that cannot be had, are usage errors (exit status 2) said at once, never tracebacks."""
    import argparse
    import sys

    from ...shared.errors import ConfigurationError

    parser = argparse.ArgumentParser(prog="rehost emulate", description="Emulate model hosts on loopback.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=8700, help="0 picks a free port (default 8700)")
    parser.add_argument("--ttft", type=float, default=0.0, help="seconds to the first token")
    parser.add_argument("--inter-token", type=float, default=0.0, help="seconds between tokens")
    parser.add_argument("--tokens", type=int, default=8, help="tokens per answer")
    parser.add_argument("--reasoning-tokens", type=int, default=0)
    parser.add_argument("--echo", action="store_true", help="answer with the last user message")
    parser.add_argument("--text", default=None, help="answer with this text (streamed word by word)")
    parser.add_argument("--script", action="append", default=[], metavar="HOST:FIELD=VALUE,...",
                        help="what one host style does, e.g. groq:ttft=0.05,inter_token=0.005 or "
                             "anthropic:text=Hello there (repeatable; a text may hold commas, not '='); "
                             f"fields: {', '.join(_FIELD_KINDS)}")
    parser.add_argument("--realtime", type=_port, default=None, metavar="PORT",
                        help="also serve the realtime voice emulator (websockets) on PORT (0: a free one)")
    args = parser.parse_args(argv)
    emulator = Emulator(host=args.host, port=args.port, record=False)
    try:
        emulator.script(None, ttft=args.ttft, inter_token=args.inter_token, output_tokens=args.tokens,
                        reasoning_tokens=args.reasoning_tokens, echo=args.echo, text=args.text)
        for spec in args.script:
            style, fields = _parse_script(spec)
            emulator.script(style, **fields)
        emulator.start()
        if args.realtime is not None:
            from ..emulator_realtime.command import start as start_realtime

            realtime = start_realtime(args.host, args.realtime)
    except ConfigurationError as exc:
        parser.error(str(exc))
    print(emulator.url, flush=True)
    for style in STYLES:
        print(f"  {style:11} {emulator.base_url(style)}", file=sys.stderr, flush=True)
    if args.realtime is not None:
        print(f"  realtime    ws://{realtime.host}:{realtime.port} (e.g. {realtime.url('openai')})", file=sys.stderr,
              flush=True)
    assert emulator._thread is not None
    with contextlib.suppress(KeyboardInterrupt):
        emulator._thread.join()


@contextlib.contextmanager
def emulator_process(*, host: str = "127.0.0.1", hosts: dict[str, dict[str, Any]] | None = None,
                     **script: Any) -> Iterator[str]:
    """An emulator in its own process (so it never competes with the caller for the GIL); yields its URL.

    ``script`` sets what every host does, ``hosts`` what a host style does (``{"groq": {"ttft": 0.05}}``).
    It cannot be scripted per request from here: faults are asked for with the ``x-rehost-fault`` header.
    """
    import subprocess
    import sys

    args = [sys.executable, "-m", "rehost.testing.emulator", "--host", host, "--port", "0"]
    names = {"ttft": "--ttft", "inter_token": "--inter-token", "output_tokens": "--tokens",
             "reasoning_tokens": "--reasoning-tokens"}
    for style, fields in (hosts or {}).items():
        _checked_style(style)
        _checked(fields)  # said here, in the caller's process, rather than as the child's usage error
        text = fields.get("text")
        if isinstance(text, str) and "," in text and "=" in text:
            from ...shared.errors import ConfigurationError

            raise ConfigurationError(f"{style}'s text cannot hold both ',' and '=' on the emulator's command line")
        args += ["--script", f"{style}:" + ",".join(f"{k}={v}" for k, v in fields.items())]
    for key, value in script.items():
        if key == "echo":
            if value:
                args.append("--echo")
        elif key == "text":
            if value is not None:
                args += ["--text", str(value)]
        elif key in names:
            args += [names[key], str(value)]
        else:
            raise TypeError(f"emulator_process cannot set {key!r}")
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("http"):
            raise RuntimeError(f"the emulator process did not start: {line!r}")
        yield line
    finally:
        process.terminate()
        process.wait(5)
