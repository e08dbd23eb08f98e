"""``rehost bench transcribe MODEL --hosts ...`` and ``rehost bench speak MODEL --hosts ...``: the speech bench
from the command line (``speech.py`` does the work; ``rehost bench`` hands these two words over here).

    rehost bench transcribe whisper-base --hosts whisper-local --runs 3 --json stt.json --plot stt.png
    rehost bench transcribe whisper-base --hosts whisper-local,groq@whisper-large-v3,openai@whisper-1
    rehost bench transcribe whisper-large-v3 --hosts groq --clips talks.jsonl   # {"audio": path, "text": ref}
    rehost bench speak piper --hosts piper-local --judge --plot tts.png

With no ``--clips``, the reference clips are three sentences spoken by the local Piper voice; ``--judge`` has
the local Whisper write each speech back for a word error rate.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main"]


def _clips(path: str | None) -> list[tuple[Any, str]]:
    from .common import read_clips
    from .speech import reference_clips

    if path is None:
        return reference_clips()
    return [(audio, text or "") for audio, text in read_clips(path, text=True)]


def main(argv: Sequence[str]) -> int:
    from ..cli import _common, _Parser, _split_hosts, _whole, _writable, build_provider, parse_host

    kind = argv[0]
    parser = _Parser(prog=f"rehost bench {kind}", parents=[_common()], description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", metavar="MODEL", help="a catalogued speech model (whisper-base, nova-3, piper ...)")
    parser.add_argument("--hosts", required=True, help="comma-separated hosts, each name[:key=value,...]")
    parser.add_argument("--runs", type=_whole(1), default=3, metavar="N")
    parser.add_argument("--warmup", type=_whole(0), default=1, metavar="N")
    parser.add_argument("--json", dest="json_path", default=None, metavar="FILE")
    parser.add_argument("--plot", dest="plot_path", default=None, metavar="FILE")
    if kind == "transcribe":
        parser.add_argument("--clips", default=None, metavar="FILE",
                            help='a .jsonl of {"audio": path, "text": reference} lines (default: Piper speaks three)')
        parser.add_argument("--language", default=None)
    else:
        parser.add_argument("--voice", default=None)
        parser.add_argument("--format", default=None)
        parser.add_argument("--judge", action="store_true", help="write each speech back with the local Whisper "
                                                                 "for a word error rate")
    args = parser.parse_args(list(argv[1:]))
    json_path = _writable("--json", args.json_path) if args.json_path else None
    plot_path = _writable("--plot", args.plot_path, (".png", ".svg", ".pdf")) if args.plot_path else None

    from ..clients.speech_families import speech_client
    from . import speech

    providers: list[Any] = []
    for item in _split_hosts(args.hosts):  # name[:key=value...][@model]: @model where the host serves another model
        spec, _, model = item.partition("@")
        name, options = parse_host(spec)
        host = build_provider(name, options)
        providers.append((host, model) if model else host)
    first = providers[0][0] if isinstance(providers[0], tuple) else providers[0]
    client = speech_client(kind, args.model, first)
    if kind == "transcribe":
        report = speech.compare_transcribe(client, providers, _clips(args.clips), runs=args.runs,
                                           warmup=args.warmup, language=args.language)
    else:
        judge = None
        if args.judge:
            from ..clients.whisper import WhisperTranscriber
            from ..providers.whisper_local import WhisperLocal

            judge = WhisperTranscriber(WhisperLocal())
        options = {k: v for k, v in (("voice", args.voice), ("format", args.format)) if v is not None}
        report = speech.compare_speak(client, providers, runs=args.runs, warmup=args.warmup, judge=judge, **options)
    print(report.table())
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_dict(), indent=1, default=str), "utf-8")
        print(f"report: {json_path}")
    if not report.answered:
        print(f"rehost bench {kind}: no host answered a timed call (the table says why)", file=sys.stderr)
        return 1
    if plot_path is not None:
        print(f"plot: {report.plot(plot_path)}")
    return 0
