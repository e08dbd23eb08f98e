"""The realtime emulator on the command line: ``python -m rehost.testing.emulator_realtime [--host H]
[--port P] [--reply T] [--audio-deltas N] [--delta-bytes N] [--pace S] [--fault F]``, serving until
interrupted and printing its ``ws://`` root first (what ``realtime_process`` reads). ``--brain
package.module:factory`` serves another session instead of the scripted brain (a ``BrainFactory``: e.g. a
function making the cascade's session for a config). ``rehost emulate --realtime PORT`` starts the same
server next to the HTTP emulator."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from ...shared.errors import ConfigurationError
from .brain import BrainFactory
from .server import _PATHS, RealtimeEmulator


def parser() -> Any:
    import argparse

    from ..emulator.command import _port

    p = argparse.ArgumentParser(prog="python -m rehost.testing.emulator_realtime",
                                description="Emulate realtime voice hosts (websockets) on loopback.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8701, help="0 picks a free port (default 8701)")
    p.add_argument("--reply", default=None, help="what the scripted brain answers (default: an echo)")
    p.add_argument("--transcript", default=None, help="the transcript of the user's audio turns")
    p.add_argument("--audio-deltas", type=int, default=None, help="audio chunks per spoken answer")
    p.add_argument("--delta-bytes", type=int, default=None, help="bytes per audio chunk (even)")
    p.add_argument("--pace", type=float, default=None, help="seconds between audio chunks")
    p.add_argument("--tool-arguments", default=None, help="the JSON arguments of scripted tool calls")
    p.add_argument("--tool-preamble", default=None, help="words said before a scripted tool call")
    p.add_argument("--quiet", type=int, default=None, help="the loudest pcm16 sample that is still silence")
    p.add_argument("--queue-size", type=int, default=None)
    p.add_argument("--brain", default=None, metavar="MODULE:FACTORY",
                   help="serve the session FACTORY(config) makes instead of the scripted brain")
    p.add_argument("--fault", default=None, help="a fault for every session (see rehost.testing."
                                                  "emulator_realtime.FAULTS)")
    return p


SCRIPT = ("reply", "transcript", "audio_deltas", "delta_bytes", "pace", "tool_arguments", "tool_preamble",
          "quiet", "queue_size")


def load_brain(spec: str) -> BrainFactory:
    """``package.module:factory`` as the callable it names."""
    import importlib

    module, sep, name = spec.partition(":")
    if not sep or not module or not name:
        raise ConfigurationError(f"--brain {spec!r}: name a factory as package.module:function")
    try:
        factory = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"--brain {spec!r}: {exc}") from None
    if not callable(factory):
        raise ConfigurationError(f"--brain {spec!r} is not callable")
    return factory  # type: ignore[no-any-return]


def start(host: str, port: int, script: dict[str, Any] | None = None, fault: str | None = None,
          brain: BrainFactory | None = None) -> RealtimeEmulator:
    """A started emulator: ``script`` is the scripted brain's options, ``fault`` one for every session,
    ``brain`` what serves each session instead of the scripted brain."""
    emulator = RealtimeEmulator(host=host, port=port, brain=brain, **(script or {}))
    if fault:
        emulator.inject(fault, times=None)
    return emulator.start()


def main(argv: list[str] | None = None) -> None:
    p = parser()
    args = p.parse_args(argv)
    try:
        script = {k: getattr(args, k) for k in SCRIPT if getattr(args, k) is not None}
        brain = load_brain(args.brain) if args.brain else None
        emulator = start(args.host, args.port, script, args.fault, brain)
    except ConfigurationError as exc:
        p.error(str(exc))
    print(f"ws://{emulator.host}:{emulator.port}", flush=True)
    for style in _PATHS:
        print(f"  {style:11} {emulator.url(style)}", file=sys.stderr, flush=True)
    assert emulator._thread is not None
    with contextlib.suppress(KeyboardInterrupt):
        emulator._thread.join()
