"""InProcessHost: a host that runs its model in this process (Whisper, Piper) and is its own endpoint for the
kinds it names: no key, no auth headers, and ``endpoint(kind)`` is the host itself for each kind in ``kinds``.

Written once here rather than in each in-process host: the local Whisper and Piper hosts repeated these six
methods word for word.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .host import Host
from .kinds import Kind

__all__ = ["InProcessHost"]


class InProcessHost(Host):
    """A model run in this process, serving the kinds it names as their own endpoint."""

    #: what it serves (it is its own endpoint of each; a class attribute the registry rows are checked against)
    kinds: ClassVar[frozenset[str]] = frozenset()

    @property
    def has_key(self) -> bool:
        return True

    @property
    def missing_key_reason(self) -> str | None:
        return None

    def auth_headers(self) -> dict[str, str]:
        return {}

    def endpoint_class(self, kind: Kind) -> type[Any] | None:
        return type(self) if kind in self.kinds else None

    def endpoint(self, kind: Kind) -> Any:
        if kind in self.kinds:
            return self
        return super().endpoint(kind)
