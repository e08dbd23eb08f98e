"""SqliteState: records (cache entries, breaker state) in one SQLite file, shared by the processes of one
machine, kept across restarts. It holds no rate limits (``supports_limits`` is False): a limiter's step
must be one atomic operation, which Redis's scripts give and a file lock would make slow.

Expired rows are skipped when read and deleted now and then when written. Writes use WAL mode so that
readers in other processes are not blocked; each thread gets its own connection (sqlite3's rule).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from .state import StateBackend, StateUnavailable

__all__ = ["SqliteState"]


class SqliteState(StateBackend):
    """Records in the SQLite file ``path`` (created when missing)."""

    name = "sqlite"
    supports_limits = False

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        self._writes = 0
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, value BLOB NOT NULL, "
                       "expires REAL)")

    def __repr__(self) -> str:
        return f"SqliteState({self.path!r})"

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
            except sqlite3.Error as exc:
                raise StateUnavailable(f"cannot open the SQLite state at {self.path}: {exc}") from exc
            self._local.db = db
        return db

    def get(self, key: str) -> bytes | None:
        try:
            row = self._db().execute("SELECT value, expires FROM records WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise StateUnavailable(f"SQLite state at {self.path}: {exc}") from exc
        if row is None or (row[1] is not None and row[1] <= time.time()):
            return None
        return bytes(row[0])

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        expires = None if ttl is None else time.time() + ttl
        try:
            db = self._db()
            db.execute("INSERT OR REPLACE INTO records (key, value, expires) VALUES (?, ?, ?)", (key, value, expires))
            self._writes += 1
            if self._writes % 500 == 0:
                db.execute("DELETE FROM records WHERE expires IS NOT NULL AND expires <= ?", (time.time(),))
        except sqlite3.Error as exc:
            raise StateUnavailable(f"SQLite state at {self.path}: {exc}") from exc

    def delete(self, key: str) -> None:
        try:
            self._db().execute("DELETE FROM records WHERE key = ?", (key,))
        except sqlite3.Error as exc:
            raise StateUnavailable(f"SQLite state at {self.path}: {exc}") from exc

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
