"""``python -m rehost.testing.emulator``: serve until interrupted (what ``emulator_process`` runs)."""

from .command import main

main()
