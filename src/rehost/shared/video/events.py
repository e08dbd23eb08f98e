"""Progress events (defined once for every kind of job in ``shared/jobs/events.py``; re-exported here)."""

from __future__ import annotations

from ..jobs.events import Progress

__all__ = ["Progress"]
