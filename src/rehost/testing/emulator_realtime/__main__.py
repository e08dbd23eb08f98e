"""``python -m rehost.testing.emulator_realtime``: serve until interrupted (what ``realtime_process`` runs)."""

from .command import main

main()
