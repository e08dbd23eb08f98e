"""Offline testing helpers: cassette replay (and, later, the host emulator)."""
