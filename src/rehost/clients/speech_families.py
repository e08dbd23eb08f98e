"""Which speech client serves a catalogue family, per kind: a view of the speech rows of the registry's
``FAMILIES`` (the one registry of hosts and families)."""

from __future__ import annotations

from typing import Any

from .. import _registry

__all__ = ["SPEECH_FAMILIES", "speech_client"]

#: catalogue family -> {kind: (module, class)}, the speech kinds only
SPEECH_FAMILIES: dict[str, dict[str, tuple[str, str]]] = {
    family: {kind: spec for kind, spec in kinds.items() if kind in ("transcribe", "speak")}
    for family, kinds in _registry.FAMILIES.items() if {"transcribe", "speak"} & set(kinds)
}


def speech_client(kind: str, model: str, host: Any) -> Any:
    """The family client of ``kind`` for a catalogued speech ``model``, bound to ``host``."""
    return _registry.family_client(kind, model, host)
