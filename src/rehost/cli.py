"""The ``rehost`` command.

    rehost bench MODEL --hosts groq,openrouter,together --runs 20 --concurrency 4 --json out.json --plot out.png
    rehost models [--family F] [--host H]
    rehost hosts
    rehost emulate --port 8700

Hosts are named with their options: ``vertex:location=europe-west4,project=p`` or, for a host emulated on
loopback, ``groq:base_url=http://127.0.0.1:8700/groq/openai/v1,api_key=x``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main", "parse_host"]


def parse_host(spec: str) -> tuple[str, dict[str, Any]]:
    """``name`` or ``name:key=value,key=value`` (numbers become numbers)."""
    name, _, rest = spec.partition(":")
    options: dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, eq, value = item.partition("=")
        if not eq:
            raise SystemExit(f"rehost: host option {item!r} in {spec!r} needs key=value")
        parsed: Any = value
        for convert in (int, float):
            try:
                parsed = convert(value)
                break
            except ValueError:
                continue
        options[key.strip()] = parsed
    return name.strip(), options


class _Progress:
    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        percent = int(100 * done / total) if total else 100
        if self.tty:
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                self.stream.write("\n")
        elif percent // 10 != self.last // 10 or done == total:
            self.stream.write(f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}\n")
        self.last = percent
        self.stream.flush()


def _bench(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="rehost bench", description="Benchmark one model across hosts.")
    parser.add_argument("model", help="a family variant (r1), a catalogue id (deepseek-r1) or, with --raw, a host id")
    parser.add_argument("--hosts", required=True, help="comma-separated hosts, each name[:key=value,...]")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--prompts", default="short", help="short | long | reasoning | completion | a .jsonl file")
    parser.add_argument("--max-tokens", type=int, default=None)
    parser.add_argument("--temperature", type=float, default=None)
    parser.add_argument("--thinking", default=None, help="on | off | an effort | a budget")
    parser.add_argument("--raw", action="store_true", help="send MODEL to every host as its own id")
    parser.add_argument("--json", dest="json_path", default=None, help="write the report (with raw samples) here")
    parser.add_argument("--plot", dest="plot_path", default=None, help="write box plots here (.png .svg .html)")
    args = parser.parse_args(argv)

    from .bench import compare
    from .entry import client as make_client
    from .entry import provider as make_provider

    specs = [parse_host(h) for h in _split_hosts(args.hosts)]
    client = make_client(f"{specs[0][0]}/{args.model}", raw=args.raw, provider_options=specs[0][1])
    providers = [client.provider, *(make_provider(name, **options) for name, options in specs[1:])]
    options: dict[str, Any] = {}
    if args.max_tokens is not None:
        options["max_tokens"] = args.max_tokens
    if args.temperature is not None:
        options["temperature"] = args.temperature
    if args.thinking is not None:
        thinking: Any = {"on": True, "off": False}.get(args.thinking, args.thinking)
        options["thinking"] = int(thinking) if isinstance(thinking, str) and thinking.isdigit() else thinking
    report = compare(client, providers, prompts=args.prompts, runs=args.runs, concurrency=args.concurrency,
                     warmup=args.warmup, progress=_Progress(sys.stderr), **options)
    print(report.table())
    if args.json_path:
        with open(args.json_path, "w", encoding="utf-8") as fh:
            json.dump(report.to_dict(), fh, indent=1, default=str)
        print(f"report: {args.json_path}")
    if args.plot_path:
        print(f"plot: {report.plot(args.plot_path)}")
    return 0


def _split_hosts(text: str) -> list[str]:
    """Hosts are comma-separated; a host's own options use commas too, so a part with '=' but no ':' joins
    the previous host."""
    parts: list[str] = []
    for piece in text.split(","):
        if parts and "=" in piece and ":" not in piece.split("=", 1)[0]:
            parts[-1] += "," + piece
        else:
            parts.append(piece)
    return [p for p in (x.strip() for x in parts) if p]


def _models(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="rehost models", description="Which hosts serve which model.")
    parser.add_argument("--family", default=None)
    parser.add_argument("--host", default=None)
    parser.add_argument("--all", action="store_true", help="include retired rows")
    args = parser.parse_args(argv)
    from .shared.catalog import models_table

    print(models_table(family=args.family, host=args.host, include_retired=args.all))
    return 0


def _hosts(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(prog="rehost hosts", description="The hosts rehost knows, and their keys.").parse_args(
        argv)
    from .entry import HOSTS, provider
    from .errors import RehostError

    rows = [("host", "key", "status")]
    for name in sorted(HOSTS):
        try:
            reason = provider(name).missing_key_reason
        except RehostError as exc:  # a host that needs more than a key to be made (a model file) says what
            reason = exc.message
        except Exception as exc:  # a host that cannot even be described says why
            reason = f"{type(exc).__name__}: {exc}"
        env = " or ".join(getattr(provider_class(name), "api_key_env", ()) or ()) or "-"
        rows.append((name, env, "ready" if reason is None else reason))
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    for r in rows:
        print(f"{r[0].ljust(width[0])}  {r[1].ljust(width[1])}  {r[2]}")
    return 0


def provider_class(name: str) -> Any:
    import importlib

    from .entry import HOSTS

    module, cls = HOSTS[name]
    return getattr(importlib.import_module(module), cls)


COMMANDS = {"bench": _bench, "models": _models, "hosts": _hosts}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    command, rest = args[0], args[1:]
    if command == "emulate":
        from .testing.emulator import main as emulate

        emulate(rest)
        return 0
    handler = COMMANDS.get(command)
    if handler is None:
        print(f"rehost: unknown command {command!r}; commands: bench, models, hosts, emulate", file=sys.stderr)
        return 2
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    return handler(rest)


if __name__ == "__main__":
    raise SystemExit(main())
