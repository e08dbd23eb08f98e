"""The ``rehost`` command: ``chat`` (a conversation that can move between hosts, ``rehost.repl``), ``bench``
(one model timed across hosts), ``models`` (the catalogue), ``hosts`` (the providers and their keys) and
``emulate`` (the host emulator). ``rehost --help`` is the user's summary.

Hosts are named with their options: ``vertex:location=europe-west4,project=p`` or, for a host emulated on
loopback, ``groq:base_url=http://127.0.0.1:8700/groq/openai/v1,api_key=x``. Option values are text unless the
provider's constructor takes a number, a flag or one of a set of choices there.

A user mistake (a bad option, an unknown model or host, an output path that cannot be written) is one line
on stderr and exit status 2, found before anything is sent; ``--debug`` adds the traceback.

On a terminal, tables (``models``, ``hosts``, the bench's summary) are drawn with rich and the bench shows a
rich progress bar on stderr. When stdout is not a terminal (a pipe, a file, a test) the tables are plain text,
columns separated by two spaces, for scripts to read; ``--json`` gives the rows as JSON; and with stderr not a
terminal there is no bar. rich is imported only when one of these is drawn, so ``import rehost`` and
``rehost --help`` never load it; it is the ``cli`` extra, and without it a terminal gets the plain text.

Why argparse and rich rather than typer or click: argparse is in the standard library, so the command line
works without the ``cli`` extra and only the drawing needs rich; the parsing this module does that is not
argparse's default (host specs typed by each provider's constructor, one-line mistakes with exit status 2,
sub-commands that hand their arguments on to ``rehost.repl`` and the emulator untouched) is a few small hooks
on argparse, where typer or click would add a dependency and a decorator layer without removing any of it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import sys
import traceback
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .cli_hosts import build_provider, constructing, host_options, parse_host, provider_class
from .shared.errors import ConfigurationError

__all__ = ["build_provider", "host_options", "main", "parse_host"]

#: the sampling settings ``rehost bench`` takes as options (``--max-tokens``, ``--temperature``), by their
#: names in ``rehost.shared.chat.sampling.SAMPLING_FIELDS`` (tests check they are among them; not imported
#: here, to keep the CLI's start light)
BENCH_SAMPLING = ("max_tokens", "temperature")


def _terminal(stream: Any) -> bool:
    """Whether rich draws on ``stream``: it is a terminal and rich (the ``cli`` extra) is installed. Anywhere
    else the output is plain text, so the command line works without the extra too. rich is imported here,
    only once something is about to be drawn on a terminal."""
    isatty = getattr(stream, "isatty", None)
    if isatty is None or not isatty():
        return False
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]], plain: str, *, title: str | None = None,
                 numeric: typing.AbstractSet[int] = frozenset(), footer: Sequence[str] = ()) -> None:
    """``rows`` under ``header`` as a rich table when stdout is a terminal, else ``plain`` (the same cells as
    text columns, which scripts and tests read). Cells are ``Text``, never markup: a host id or an error
    message with ``[brackets]`` in it is shown as written."""
    if not _terminal(sys.stdout):
        print(plain)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=None if title is None else Text(title), title_justify="left")
    for i, name in enumerate(header):
        table.add_column(Text(name), justify="right" if i in numeric else "left")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console = Console(file=sys.stdout)
    console.print(table)
    for line in footer:
        console.print(Text(line))


class _Bar:
    """The bench's progress (calls made of calls to make) as a rich progress bar on ``stream``; a context
    manager, so that the bar is closed (the cursor given back) however the bench ends."""

    def __init__(self, stream: Any) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("calls"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=Console(file=stream))
        self._task: Any = None

    def __enter__(self) -> _Bar:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def __call__(self, done: int, total: int) -> None:
        if self._task is None:
            self._task = self._progress.add_task("calls", total=total)
        self._progress.update(self._task, completed=done, total=total)


@contextlib.contextmanager
def _progress(stream: Any) -> Iterator[_Bar | None]:
    """A progress bar on ``stream`` while the bench runs, or None (no bar) when ``stream`` is not a terminal:
    a log or a pipe gets no redrawn lines."""
    if not _terminal(stream):  # no terminal, or no rich: no bar
        yield None
        return
    with _Bar(stream) as bar:
        yield bar


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistake told in one line (what is wrong, where to read more) instead of the usage block
    and the error: a user mistake is one line on stderr and exit 2."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _common() -> argparse.ArgumentParser:
    """The options every command takes."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show the traceback of an error, not just its message")
    return common


def _whole(least: int) -> typing.Callable[[str], int]:
    """An argparse type: a whole number of at least ``least``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"give a whole number of at least {least}, not {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, not {value}")
        return value

    return parse


def _seconds(text: str) -> float:
    """An argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a number of seconds, not {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


def _thinking(text: str) -> bool | str | int:
    """``--thinking``: on, off, an effort name, or a token budget (a whole number)."""
    from .shared.chat.types import Effort, Thinking

    value: bool | str | int = {"on": True, "off": False, "none": False}.get(text.lower(), text)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    efforts = typing.get_args(Effort)
    if isinstance(value, str) and value not in efforts:
        raise argparse.ArgumentTypeError(f"{text!r} is not on, off, an effort ({', '.join(efforts)}) or a token "
                                         "budget (a whole number, e.g. 2048)")
    try:
        Thinking.coerce(value)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise argparse.ArgumentTypeError(f"{text!r}: {_one_line(exc)}") from None
    return value


def _bench(argv: Sequence[str]) -> int:
    if argv and argv[0] in ("transcribe", "speak"):  # the speech kinds' bench: rehost bench transcribe|speak MODEL
        return int(importlib.import_module("rehost.bench.speech_cli").main(argv))
    if argv and argv[0] == "realtime":  # the realtime bench: rehost bench realtime MODEL --hosts ...
        return int(importlib.import_module("rehost.bench.realtime_cli").main(argv[1:]))
    from .bench.runner import DEFAULT_TIMEOUT
    from .cli_video import is_video_model, video_bench_main

    if argv and not argv[0].startswith("-") and is_video_model(argv[0]):  # a video model: its own bench (issue 16)
        return video_bench_main(argv)

    parser = _Parser(
        prog="rehost bench", parents=[_common()], formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Time one model on several hosts: the same client and prompts on each, the hosts interleaved\n"
                    "(each run visits them in a rotated order), every call streamed. The table gives p50/p95/p99 of\n"
                    "time to first token, time between tokens and end to end, tokens per second, errors by type\n"
                    "(with what they said) and the cost per 1,000 requests.",
        epilog="examples:\n"
               "  rehost bench r1 --hosts groq,openrouter,together --prompts reasoning --runs 20 --concurrency 4\n"
               "  rehost bench gemini-2.5-flash --hosts google,vertex:location=europe-west4,project=my-project\n\n"
               "exit status: 0 when at least one host answered; 1 when no host answered a single timed call\n"
               "(each failed or was skipped: the table says why, the --json report is written, no plot is\n"
               "drawn); 2 for a mistake in the command (nothing was sent).")
    parser.add_argument("model", metavar="MODEL",
                        help="a family variant (r1), a catalogue id (deepseek-r1) or, with --raw, the hosts' own id")
    parser.add_argument("--hosts", required=True, metavar="HOSTS",
                        help="comma-separated hosts, each name[:key=value,...], e.g. groq,vertex:project=p,"
                             "location=europe-west4 (option values are text unless the provider takes a number, "
                             "a flag or a choice; 'rehost hosts' lists the names)")
    parser.add_argument("--runs", type=_whole(1), default=5, metavar="N",
                        help="how many times each prompt is timed on each host: a host answers RUNS x (prompts "
                             "in the set) timed calls (default %(default)s)")
    parser.add_argument("--concurrency", type=_whole(1), default=1, metavar="N",
                        help="calls in flight at once, across all hosts together (default %(default)s: one call "
                             "at a time, so hosts never compete for this machine or its network)")
    parser.add_argument("--warmup", type=_whole(0), default=1, metavar="N",
                        help="untimed calls per host, all made before any timed call, to open connections and "
                             "warm caches; not counted (default %(default)s)")
    parser.add_argument("--prompts", default="short", metavar="SET",
                        help="the prompt set: short, long, reasoning, completion (text for a base model to "
                             "continue), or a .jsonl file of {\"prompt\": ...} or {\"messages\": [...]} lines "
                             "(default %(default)s)")
    parser.add_argument("--max-tokens", type=_whole(1), default=None, metavar="N", help="sent with every call")
    parser.add_argument("--temperature", type=float, default=None, metavar="T", help="sent with every call")
    parser.add_argument("--thinking", type=_thinking, default=None, metavar="LEVEL",
                        help="on, off, an effort (minimal, low, medium, high, xhigh, max) or a token budget "
                             "(e.g. 2048), sent with every call")
    parser.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="seconds one call may take, from sending it to its last token; a call that takes "
                             "longer (a stalled host) is counted as a RequestTimeout error (default %(default)g)")
    parser.add_argument("--batch", type=_whole(1), default=32, metavar="N",
                        help="for an embedding model (a catalogue row of kind embed): texts in each timed call; "
                             "the table then gives latency per batch, vectors per second and $ per 1M tokens "
                             "(default %(default)s)")
    parser.add_argument("--raw", action="store_true", help="send MODEL to every host as its own id (a model the "
                                                           "catalogue does not know)")
    parser.add_argument("--json", dest="json_path", default=None, metavar="FILE",
                        help="write the report, with every raw sample, to this file")
    parser.add_argument("--plot", dest="plot_path", default=None, metavar="FILE",
                        help="write box plots to this file: .png, .svg, .pdf or .html (needs matplotlib)")
    args = parser.parse_args(argv)

    from .bench import compare, load_prompts
    from .bench.plot import SUFFIXES
    from .entry import client as make_client

    json_path = _writable("--json", args.json_path) if args.json_path else None
    plot_path = _writable("--plot", args.plot_path, SUFFIXES) if args.plot_path else None
    if plot_path is not None and importlib.util.find_spec("matplotlib") is None:
        raise ConfigurationError("--plot needs matplotlib: pip install 'rehost[plot]' (or leave out --plot)")
    hosts = _split_hosts(args.hosts)
    if not hosts:
        raise ConfigurationError(f"--hosts {args.hosts!r} names no host: give one or more, comma-separated "
                                 "(e.g. --hosts groq,openrouter; rehost hosts lists them)")
    try:
        load_prompts(args.prompts)
    except ValueError as exc:
        raise ConfigurationError(f"--prompts: {exc}") from None
    specs = [parse_host(h) for h in hosts]
    first, first_options = specs[0]
    typed = host_options(first, first_options)
    try:
        client = constructing(first, typed, lambda: make_client(f"{first}/{args.model}", raw=args.raw,
                                                                 provider_options=typed))
    except ConfigurationError as exc:  # the library's advice, in the command line's words
        raise ConfigurationError(str(exc).replace("pass raw=True", "pass --raw")) from None
    providers = [client.provider, *(build_provider(name, options) for name, options in specs[1:])]
    from .clients.embed_base import EmbedClient

    if isinstance(client, EmbedClient):  # the model's kind picks the mode: an embeddings bench
        from .bench.embed import compare_embeddings

        with _progress(sys.stderr) as bar:
            report: Any = compare_embeddings(client, providers, batch=args.batch, runs=args.runs,
                                             concurrency=args.concurrency, warmup=args.warmup,
                                             timeout=args.timeout, progress=bar)
        return _bench_output(report, json_path, plot_path)
    options: dict[str, Any] = {}
    for name in BENCH_SAMPLING:
        if (value := getattr(args, name)) is not None:
            options[name] = value
    if args.thinking is not None:
        options["thinking"] = args.thinking
    with _progress(sys.stderr) as bar:
        report = compare(client, providers, prompts=args.prompts, runs=args.runs, concurrency=args.concurrency,
                         warmup=args.warmup, timeout=args.timeout, progress=bar, **options)
    return _bench_output(report, json_path, plot_path)


def _bench_output(report: Any, json_path: Path | None, plot_path: Path | None) -> int:
    """The bench's table, JSON report and plot (the same for a chat and an embeddings bench)."""
    from .bench.report import table_parts

    parts = table_parts(report)
    _print_table(parts.header, parts.rows, report.table(), title=parts.title, footer=parts.footer)
    if json_path is not None:
        with json_path.open("w", encoding="utf-8") as fh:
            json.dump(report.to_dict(), fh, indent=1, default=str)
        print(f"report: {json_path}")
    if not report.answered:
        print("rehost bench: no host answered a timed call: each failed or was skipped (the table says why)"
              + ("; no plot drawn" if plot_path is not None else ""), file=sys.stderr)
        return 1
    if plot_path is not None:
        print(f"plot: {report.plot(plot_path)}")
    return 0


def _writable(option: str, text: str, suffixes: Sequence[str] = ()) -> Path:
    """An output path, checked before the bench runs so that a typo in it does not cost the results."""
    path = Path(text)
    if suffixes and path.suffix.lower() not in suffixes:
        raise ConfigurationError(f"{option} {text}: give a file name ending in {', '.join(suffixes)}")
    if path.is_dir():
        raise ConfigurationError(f"{option} {text} is a directory: give a file name in it")
    if not path.parent.is_dir():
        raise ConfigurationError(f"{option} {text}: there is no directory {path.parent}; create it first or "
                                 "choose another path")
    if not os.access(path.parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ConfigurationError(f"{option} {text}: this user may not write there; choose another path")
    return path


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
    parser = _Parser(prog="rehost models", parents=[_common()],
                     description="Which hosts serve which model: each host's id for it, the context window and "
                                 "prices (USD per million tokens, with the date they were read).")
    parser.add_argument("--family", default=None, metavar="FAMILY",
                        help="only this model family (deepseek, gemini, ...)")
    parser.add_argument("--host", default=None, metavar="HOST", help="only this host (groq, openrouter, ...)")
    parser.add_argument("--all", action="store_true", help="include retired rows")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON (prices as exact decimals)")
    args = parser.parse_args(argv)
    from .entry import HOSTS
    from .shared.catalog import MODELS_NUMERIC, default_catalog, models_rows, models_table

    catalog = default_catalog()
    families = sorted({m.family for m in catalog.models()})
    if args.family is not None and args.family not in families:
        raise ConfigurationError(f"no model family {args.family!r}; families: {', '.join(families)}")
    hosts = sorted(set(HOSTS) | {h for m in catalog.models() for h in m.hosts})
    if args.host is not None and args.host not in hosts:
        raise ConfigurationError(f"no host {args.host!r}; hosts: {', '.join(hosts)}")
    rows = [_model_row(entry, row) for entry in catalog.models(args.family) for name, row in entry.hosts.items()
            if (args.host is None or name == args.host) and (row.status != "retired" or args.all)]
    if args.json:
        print(json.dumps(rows, indent=1))
    elif not rows:
        asked = ", ".join(f"{k} {v}" for k, v in (("family", args.family), ("host", args.host)) if v)
        print(f"no catalogued model matches ({asked}){'' if args.all else '; --all includes retired rows'}")
    else:
        table = models_rows(catalog, family=args.family, host=args.host, include_retired=args.all)
        _print_table(table[0], table[1:], models_table(catalog, family=args.family, host=args.host,
                                                       include_retired=args.all), numeric=MODELS_NUMERIC)
    return 0


def _model_row(entry: Any, row: Any) -> dict[str, Any]:
    """One catalogue row (a model on a host) for ``rehost models --json``."""
    p = row.prices

    def money(value: Any) -> str | None:
        return None if value is None else f"{value:f}"

    return {"model": entry.id, "family": entry.family, "kind": entry.kind,
            "host": row.host, "host_id": row.id, "status": row.status,
            "context_window": row.context_window or entry.context_window,
            "max_output_tokens": row.max_output_tokens or entry.max_output_tokens,
            "prices": None if p is None else {"input": money(p.input), "cached_input": money(p.cached_input),
                                              "output": money(p.output), "read": p.read}}


def _hosts(argv: Sequence[str]) -> int:
    parser = _Parser(prog="rehost hosts", description="The hosts rehost knows, and whether their keys are set.",
                     parents=[_common()])
    parser.add_argument("--json", action="store_true", help="print the hosts as JSON")
    args = parser.parse_args(argv)
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
    if args.json:
        print(json.dumps([{"host": r[0], "key_env": [] if r[1] == "-" else r[1].split(" or "),
                           "ready": r[2] == "ready", "status": r[2]} for r in rows[1:]], indent=1))
        return 0
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    plain = "\n".join(f"{r[0].ljust(width[0])}  {r[1].ljust(width[1])}  {r[2]}" for r in rows)
    _print_table(rows[0], rows[1:], plain)
    return 0


def _video(argv: Sequence[str], command: str = "video_main") -> int:
    """``rehost video`` / ``rehost jobs`` (``cli_video.py``, imported when they run)."""
    from . import cli_video

    return int(getattr(cli_video, command)(argv))


def _jobs(argv: Sequence[str]) -> int:
    return _video(argv, "jobs_main")


COMMANDS = {"bench": _bench, "models": _models, "hosts": _hosts, "video": _video, "jobs": _jobs}


def _one_line(exc: BaseException) -> str:
    """An error's message on one line (pydantic and some hosts write several)."""
    return " ".join(str(exc).split())


def main(argv: Sequence[str] | None = None) -> int:
    """``rehost COMMAND ...``. A user mistake (a bad option, an unknown model or host, a missing file) is one line
    on stderr and exit status 2, before anything is sent; ``--debug`` adds the traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    head = next((i for i, a in enumerate(args) if not a.startswith("-")), len(args))
    prog = f"rehost {args[head]}" if head < len(args) and args[head] in COMMANDS else "rehost"
    try:
        return _run(args)
    except ConfigurationError as exc:
        if debug:
            traceback.print_exc()
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130


_USAGE = """\
Any model on any host: time one model across hosts, and see which hosts serve which model.

commands:
  chat      talk to a model on a host, and move the conversation to another host (/host)
  bench     time one model on several hosts: latency, throughput, errors, cost
  models    which hosts serve which model: their ids, context windows and prices
  hosts     the hosts rehost knows, and whether their API keys are set
  video     make a video on one or more hosts: a progress bar while it renders, its cost at the end
  jobs      the video jobs saved, and --collect to wait for the unfinished ones
  emulate   serve emulated hosts on loopback, for tests and demos"""

_EPILOG = """\
'rehost COMMAND --help' gives a command's options. For example:
  rehost bench r1 --hosts groq,openrouter,together --runs 20 --concurrency 4 --json r1.json --plot r1.png
  rehost models --family deepseek"""


def _top_parser() -> argparse.ArgumentParser:
    from . import __version__

    top = _Parser(prog="rehost", usage="%(prog)s [-h] [--version] [--debug] COMMAND [ARGS ...]", description=_USAGE,
                  epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter, parents=[_common()])
    top.add_argument("--version", action="version", version=f"rehost {__version__}")
    return top


def _run(args: list[str]) -> int:
    head = next((i for i, a in enumerate(args) if not a.startswith("-")), len(args))
    top = _top_parser()
    top.parse_args(args[:head])  # --help and --version print and exit here
    if head == len(args):
        top.print_help()
        return 0
    command, rest = args[head], args[head + 1:]
    if command == "emulate":
        from .testing.emulator import main as emulate

        emulate(rest)
        return 0
    if command == "chat":
        from .repl import main as chat

        return chat(rest)
    handler = COMMANDS.get(command)
    if handler is None:
        print(f"rehost: error: unknown command {command!r}; commands: chat, bench, models, hosts, video, jobs, "
              "emulate",
              file=sys.stderr)
        return 2
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    return handler(rest)


if __name__ == "__main__":
    raise SystemExit(main())
