"""Which speech client serves a catalogue family, per kind: a view of the speech rows of the registry's
``FAMILIES`` (the one registry of hosts and families)."""

from __future__ import annotations

from typing import Any

from .. import _registry
from ..shared.errors import ConfigurationError

__all__ = ["SPEECH_FAMILIES", "speech_client"]

#: catalogue family -> {kind: (module, class)}, the speech kinds only
SPEECH_FAMILIES: dict[str, dict[str, tuple[str, str]]] = {
    family: {kind: spec for kind, spec in kinds.items() if kind in ("transcribe", "speak")}
    for family, kinds in _registry.FAMILIES.items() if {"transcribe", "speak"} & set(kinds)
}


def speech_client(kind: str, model: str, host: Any) -> Any:
    """The family client of ``kind`` for a catalogued speech ``model``, bound to ``host``."""
    import importlib

    from ..shared.catalog import default_catalog

    catalog = default_catalog()
    if model not in catalog:
        raise ConfigurationError(f"{model!r} is not a catalogued speech model")
    family = catalog.model(model).family
    spec = SPEECH_FAMILIES.get(family, {}).get(kind)
    if spec is None:
        kinds = ", ".join(SPEECH_FAMILIES.get(family, {})) or "no speech kind"
        raise ConfigurationError(f"{model} ({family}) has no {kind} client; its family serves {kinds}")
    cls = getattr(importlib.import_module(spec[0]), spec[1])
    return cls(host, model)
