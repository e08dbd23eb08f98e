"""``rehost bench realtime MODEL --hosts ...``: the realtime bench from the command line (``realtime.py`` does
the work; ``rehost bench`` hands the word ``realtime`` over here).

    rehost bench realtime gpt-realtime --hosts openai,azure-voice-live:resource=my-resource --plot rt.png
    rehost bench realtime gemini-2.5-flash-native-audio-preview-12-2025 --hosts google,vertex:project=p
    rehost bench realtime gpt-realtime --hosts openai --clips questions.jsonl   # {"audio": path} lines
    rehost bench realtime gpt-realtime --hosts openai,local-voice-agent   # a cascade beside the hosts

``local-voice-agent`` is the offline cascade (local Whisper base + SmolLM2-135M on llama.cpp + Piper,
``rehost.local_voice_agent()``), timed with the same turns as the hosts. With no ``--clips``, the user's turns
are the reference sentences spoken by the local Piper voice. Turns are sent as 40 ms chunks, as fast as the
socket takes them (``--pace`` sends them in real time), then committed (``--turn-detection manual``, the
default: the same end of speech on every host) or left to the host's VAD.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from ..shared.errors import ConfigurationError

__all__ = ["CASCADE", "main", "realtime_client"]

#: the --hosts name of the offline voice agent (a cascade, not a registered host)
CASCADE = "local-voice-agent"


def realtime_client(model: str, host: Any) -> Any:
    """The family's realtime client for a catalogued realtime ``model``, bound to ``host``."""
    from .. import _registry

    return _registry.family_client("realtime", model, host)


def _clips(path: str | None) -> list[Any]:
    from .common import read_clips
    from .speech import reference_clips

    if path is None:
        return [audio for audio, _text in reference_clips()]
    return [audio for audio, _text in read_clips(path, text=False)]


def main(argv: Sequence[str]) -> int:
    from ..cli import _common, _Parser, _split_hosts, _whole, _writable, build_provider, parse_host

    parser = _Parser(prog="rehost bench realtime", parents=[_common()], description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", metavar="MODEL", help="a catalogued realtime model (gpt-realtime, ...)")
    parser.add_argument("--hosts", required=True, help="comma-separated hosts, each name[:key=value,...][@model]")
    parser.add_argument("--runs", type=_whole(1), default=3, metavar="N")
    parser.add_argument("--warmup", type=_whole(0), default=1, metavar="N")
    parser.add_argument("--clips", default=None, metavar="FILE", help='a .jsonl of {"audio": path} lines')
    parser.add_argument("--voice", default=None)
    parser.add_argument("--instructions", default="Answer in one short sentence.")
    parser.add_argument("--turn-detection", default="manual", choices=("manual", "server_vad", "semantic_vad"))
    parser.add_argument("--pace", action="store_true", help="send the user's audio in real time")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="S", help="seconds a turn may take")
    parser.add_argument("--json", dest="json_path", default=None, metavar="FILE")
    parser.add_argument("--plot", dest="plot_path", default=None, metavar="FILE")
    args = parser.parse_args(list(argv))
    json_path = _writable("--json", args.json_path) if args.json_path else None
    plot_path = _writable("--plot", args.plot_path, (".png", ".svg", ".pdf")) if args.plot_path else None

    from . import realtime

    providers: list[Any] = []
    for item in _split_hosts(args.hosts):
        spec, _, model = item.partition("@")
        name, options = parse_host(spec)
        if name == CASCADE:  # the offline cascade, as a realtime host of its own
            from ..cascade import local_voice_agent

            if options:
                raise ConfigurationError(f"--hosts {CASCADE} takes no options (it is the offline cascade as "
                                         f"it ships), not {', '.join(sorted(options))}")
            host: Any = local_voice_agent()
        else:
            host = build_provider(name, options)
        providers.append((host, model) if model else host)
    first = providers[0][0] if isinstance(providers[0], tuple) else providers[0]
    client = realtime_client(args.model, first)
    settings: dict[str, Any] = {"instructions": args.instructions, "turn_detection": args.turn_detection}
    if args.voice:
        settings["voice"] = args.voice
    report = realtime.compare_realtime(client, providers, _clips(args.clips), runs=args.runs, warmup=args.warmup,
                                       pace=args.pace, timeout=args.timeout, **settings)
    print(report.table())
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_dict(), indent=1, default=str), "utf-8")
        print(f"report: {json_path}")
    if not report.answered:
        print("rehost bench realtime: no host answered a timed turn (the table says why)", file=sys.stderr)
        return 1
    if plot_path is not None:
        print(f"plot: {report.plot(plot_path)}")
    return 0
