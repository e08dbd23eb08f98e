"""The ``rehost`` command: ``rehost emulate`` (and, as they land, ``bench``, ``models``, ``hosts``)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="rehost", description="Any model on any host.")
    parser.add_argument("command", choices=["emulate"], help="what to do")
    if not args or args[0] in ("-h", "--help"):
        parser.print_help()
        return 0
    command, rest = args[0], args[1:]
    if command == "emulate":
        from .testing.emulator import main as emulate

        emulate(rest)
        return 0
    parser.error(f"unknown command {command!r}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
