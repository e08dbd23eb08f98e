"""The model x host catalogue, read from ``catalog.toml`` (one data file, shipped with the package).

Clients resolve a variant to a canonical model id; providers ask the catalogue for their own id of it. A
model a host does not serve raises ``ModelNotServed`` naming the hosts that do; an unknown model names the
closest known ones. Users add or override rows at run time with ``register``.
"""

from __future__ import annotations

import difflib
import threading
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from .errors import ModelNotServed

__all__ = ["Catalog", "HostEntry", "ModelEntry", "default_catalog"]

Status = Literal["active", "unconfirmed", "deprecated", "retired"]


@dataclass(frozen=True, slots=True)
class HostEntry:
    host: str
    id: str
    status: Status = "active"
    context_window: int | None = None
    max_output_tokens: int | None = None
    read: str | None = None
    source: str | None = None
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModelEntry:
    id: str
    family: str
    name: str = ""
    context_window: int | None = None
    max_output_tokens: int | None = None
    hosts: dict[str, HostEntry] = field(default_factory=dict)

    def serving_hosts(self) -> tuple[str, ...]:
        return tuple(h for h, e in self.hosts.items() if e.status != "retired")


_HOST_KEYS = {"id", "status", "context_window", "max_output_tokens", "read", "source", "note"}


class Catalog:
    """Which host serves which model, under which id (thread-safe to read and to extend)."""

    def __init__(self, models: dict[str, ModelEntry] | None = None, *, read: str | None = None) -> None:
        self._models: dict[str, ModelEntry] = dict(models or {})
        self._lock = threading.Lock()
        self.read = read

    @classmethod
    def from_toml(cls, text: str) -> Catalog:
        data = tomllib.loads(text)
        models: dict[str, ModelEntry] = {}
        for model_id, spec in data.get("models", {}).items():
            hosts = {}
            for host, hspec in spec.get("hosts", {}).items():
                extra = {k: v for k, v in hspec.items() if k not in _HOST_KEYS}
                hosts[host] = HostEntry(host=host, extra=extra, **{k: v for k, v in hspec.items() if k in _HOST_KEYS})
            models[model_id] = ModelEntry(
                id=model_id, family=spec["family"], name=spec.get("name", ""),
                context_window=spec.get("context_window"), max_output_tokens=spec.get("max_output_tokens"),
                hosts=hosts,
            )
        return cls(models, read=data.get("meta", {}).get("read"))

    @classmethod
    def load(cls, path: str | Path | None = None) -> Catalog:
        if path is None:
            text = resources.files("rehost.shared").joinpath("catalog.toml").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        return cls.from_toml(text)

    # ------------------------------------------------------------------------------------------ reading
    def __contains__(self, model: str) -> bool:
        return model in self._models

    def models(self, family: str | None = None) -> list[ModelEntry]:
        return [m for m in self._models.values() if family is None or m.family == family]

    def model(self, model: str) -> ModelEntry:
        entry = self._models.get(model)
        if entry is None:
            close = difflib.get_close_matches(model, list(self._models), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ModelNotServed(
                f"unknown model {model!r}{hint} To use a host's own id, pass host_model_id=...; to add it, "
                "use rehost.catalog().register(...)"
            )
        return entry

    def host_entry(self, model: str, host: str) -> HostEntry:
        entry = self.model(model)
        row = entry.hosts.get(host)
        serving = entry.serving_hosts()
        if row is None or row.status == "retired":
            others = ", ".join(h for h in serving if h != host) or "none known"
            why = f" ({row.note})" if row is not None and row.note else ""
            state = "no longer serves" if row is not None else "does not serve"
            kin = [m.id for m in self._models.values()
                   if m.family == entry.family and m.id != model and host in m.serving_hosts()]
            also = f". {host} serves these {entry.family} models: {', '.join(kin)}" if kin else ""
            raise ModelNotServed(
                f"{host} {state} {model}{why}. Hosts that serve it: {others}{also}",
                host=host, serving_hosts=serving,
            )
        if row.context_window is None and entry.context_window is not None:
            row = replace(row, context_window=entry.context_window)
        if row.max_output_tokens is None and entry.max_output_tokens is not None:
            row = replace(row, max_output_tokens=entry.max_output_tokens)
        return row

    def hosts_for(self, model: str) -> tuple[str, ...]:
        return self.model(model).serving_hosts()

    # ------------------------------------------------------------------------------------------ writing
    def register(self, model: str, host: str, id: str, *, family: str | None = None, **fields: Any) -> None:
        """Add or replace the row of ``model`` on ``host`` (creating the model when it is new)."""
        with self._lock:
            entry = self._models.get(model)
            if entry is None:
                if family is None:
                    raise ValueError(f"{model!r} is a new model: give its family=...")
                entry = ModelEntry(id=model, family=family)
            known = {k: v for k, v in fields.items() if k in _HOST_KEYS}
            extra = {k: v for k, v in fields.items() if k not in _HOST_KEYS}
            hosts = dict(entry.hosts)
            hosts[host] = HostEntry(host=host, id=id, extra=extra, **known)
            self._models[model] = replace(entry, hosts=hosts)


_default: Catalog | None = None
_default_lock = threading.Lock()


def default_catalog() -> Catalog:
    """The shipped catalogue, loaded once (and extended in place by ``register``)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Catalog.load()
    return _default
