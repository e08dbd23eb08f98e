"""I/O plans and their shells: decisions only in the plans (no I/O, no clock of their own), the waiting and the
sending in thin sync and async shells around them. ``polling`` is the plan every long-running job waits by."""
