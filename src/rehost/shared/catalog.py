"""The model x host catalogue, read from ``catalog.toml`` (one data file, shipped with the package).

Clients resolve a variant to a canonical model id; providers ask the catalogue for their own id of it. A
model a host does not serve raises ``ModelNotServed`` naming the hosts that do; an unknown model names the
closest known ones. Users add or override rows at run time with ``register``, and prices with ``set_prices``.
Prices are USD per million tokens with the date they were read; ``models_table`` renders the whole thing.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import threading
import tomllib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigurationError, ModelNotServed
from .pricing import Prices, updated_prices

__all__ = ["Catalog", "HostEntry", "ModelEntry", "default_catalog", "models_table", "using_catalog"]

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
    prices: Prices | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: who serves the model on a host that hosts several makers' models behind one API (Vertex: ``google``,
    #: ``anthropic``, ``mistralai``); None where the host has one kind of model, or leaves it to its default
    publisher: str | None = None


@dataclass(frozen=True, slots=True)
class ModelEntry:
    id: str
    family: str
    name: str = ""
    context_window: int | None = None
    max_output_tokens: int | None = None
    hosts: dict[str, HostEntry] = field(default_factory=dict)
    #: the maker's Hugging Face repo id where the weights are public (a self-hosted server's default name)
    open_weights: str | None = None
    #: the kind of work the model does (``chat``, ``embed`` ...): which of its family's clients serves it
    kind: str = "chat"
    #: an embedding model's default vector length
    dimensions: int | None = None

    def serving_hosts(self) -> tuple[str, ...]:
        return tuple(h for h, e in self.hosts.items() if e.status != "retired")


_HOST_KEYS = {"id", "status", "context_window", "max_output_tokens", "read", "source", "note", "publisher"}
_PRICE_KEYS = {"input_price", "cached_input_price", "cache_write_price", "output_price", "prices_read", "prices_source",
               "off_peak_factor", "peak_hours_utc", "price_unit", "price_per"}


def _host_entry(host: str, spec: dict[str, Any], *, kind: str = "chat") -> HostEntry:
    extra = {k: v for k, v in spec.items() if k not in _HOST_KEYS | _PRICE_KEYS}
    return HostEntry(host=host, extra=extra, prices=Prices.from_fields(spec, input_only=kind == "embed"),
                     **{k: v for k, v in spec.items() if k in _HOST_KEYS})


def _shipped_text() -> str:
    """The shipped ``catalog.toml``, read beside this module; through ``importlib.resources`` only when the
    package is not plain files (a zip). importlib.resources (with zipfile) costs ~10 ms to import, paid by the
    first client of every process (issue 18: first call)."""
    try:
        return Path(__file__).with_name("catalog.toml").read_text("utf-8")
    except OSError:
        from importlib import resources

        return resources.files(__package__).joinpath("catalog.toml").read_text("utf-8")


def _close_matches(word: str, known: list[str], *, cutoff: float) -> list[str]:
    """Up to three known names close to a mistyped one (difflib is imported for an error message only)."""
    import difflib

    return difflib.get_close_matches(word, known, n=3, cutoff=cutoff)


def _model_entry(model_id: str, spec: dict[str, Any]) -> ModelEntry:
    kind = spec.get("kind", "chat")
    hosts = {host: _host_entry(host, hspec, kind=kind) for host, hspec in spec.get("hosts", {}).items()}
    return ModelEntry(
        id=model_id, family=spec["family"], name=spec.get("name", ""),
        context_window=spec.get("context_window"), max_output_tokens=spec.get("max_output_tokens"),
        hosts=hosts, open_weights=spec.get("open_weights"), kind=kind, dimensions=spec.get("dimensions"),
    )


_MODEL_TABLE = '[models."'


def _split_models(text: str) -> tuple[str, dict[str, str]] | None:
    """The text before the first model's table, and each model's own text (its table and its hosts' tables),
    by id in file order; None when the text is not laid out that way (then it is parsed whole). The layout is
    the shipped file's: ``[models."<id>"]`` and ``[models."<id>".hosts.<host>]`` tables, no other tables after
    them, no dotted ``models.`` keys and no multi-line strings (which could hold a line that looks like a table).
    A model's text is its tables joined, wherever they stand (a table is defined once, so the result is the
    same as the whole file's)."""
    if "'''" in text or '"""' in text:
        return None
    start = text.find("\n" + _MODEL_TABLE)
    if start < 0:
        return None
    chunks: dict[str, list[str]] = {}
    lines: list[str] = []
    for line in text[start + 1:].splitlines(keepends=True):
        if line.startswith("["):
            end = line.find('"', len(_MODEL_TABLE))
            model = line[len(_MODEL_TABLE):end]
            if not line.startswith(_MODEL_TABLE) or end < 0 or "\\" in model:
                return None
            lines = chunks.setdefault(model, [])  # (a model's tables may stand apart: they are joined)
        elif line.lstrip().startswith("models"):  # a dotted key that could define another model
            return None
        lines.append(line)
    return text[:start + 1], {model: "".join(part) for model, part in chunks.items()}


class _Rows(MutableMapping[str, ModelEntry]):
    """The shipped catalogue's models by id, each parsed from its own part of ``catalog.toml`` the first time it
    is read. Parsing the whole file costs ~25-35 ms (tomllib, 100 KB), paid by the first client of every
    process, which reads one or two models (issue 18: first call); listing or iterating the models parses
    them all, once. ``tests/test_catalog_lazy.py`` holds this to the whole-file parse, row for row."""

    __slots__ = ("_rows",)

    def __init__(self, rows: dict[str, ModelEntry | str]) -> None:
        self._rows = rows

    def __getitem__(self, model: str) -> ModelEntry:
        row = self._rows[model]
        if isinstance(row, str):
            row = self._rows[model] = _model_entry(model, tomllib.loads(row)["models"][model])
        return row

    def __setitem__(self, model: str, entry: ModelEntry) -> None:
        self._rows[model] = entry

    def __delitem__(self, model: str) -> None:
        del self._rows[model]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, model: object) -> bool:
        return model in self._rows

    def unparsed(self) -> int:
        """How many models have not been read yet (for the tests)."""
        return sum(isinstance(row, str) for row in self._rows.values())


class Catalog:
    """Which host serves which model, under which id (thread-safe to read and to extend)."""

    def __init__(self, models: dict[str, ModelEntry] | None = None, *, read: str | None = None) -> None:
        self._models: MutableMapping[str, ModelEntry] = dict(models or {})
        self._lock = threading.Lock()
        self.read = read

    @classmethod
    def from_toml(cls, text: str, *, lazy: bool = False) -> Catalog:
        """The catalogue a TOML text describes. ``lazy``: parse each model when it is first read (the shipped
        file, whose layout the tests hold; a text laid out otherwise is parsed whole all the same)."""
        split = _split_models(text) if lazy else None
        if split is not None:
            head, parts = split
            catalog = cls(read=tomllib.loads(head).get("meta", {}).get("read"))
            catalog._models = _Rows(dict(parts))
            return catalog
        data = tomllib.loads(text)
        models = {model_id: _model_entry(model_id, spec) for model_id, spec in data.get("models", {}).items()}
        return cls(models, read=data.get("meta", {}).get("read"))

    @classmethod
    def load(cls, path: str | Path | None = None) -> Catalog:
        """The shipped catalogue (each model parsed when first read), or the TOML file at ``path`` (parsed
        whole, so a mistake in it is reported here)."""
        if path is None:
            return cls.from_toml(_shipped_text(), lazy=True)
        return cls.from_toml(Path(path).read_text("utf-8"))

    # ------------------------------------------------------------------------------------------ reading
    def __contains__(self, model: str) -> bool:
        return model in self._models

    def models(self, family: str | None = None) -> list[ModelEntry]:
        return [m for m in self._models.values() if family is None or m.family == family]

    def model(self, model: str) -> ModelEntry:
        entry = self._models.get(model)
        if entry is None:
            close = _close_matches(model, list(self._models), cutoff=0.5)
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

    def local_id(self, model: str, host: str, *, provider: str) -> str:
        """The id a self-hosted server (one that serves whatever it was started with) is sent for ``model``:
        the host's own row where the catalogue has one (an Ollama library tag), else the open-weights id.
        ``provider`` (the class name) goes in the error that says what to pass when there is neither."""
        entry = self.model(model)
        row = entry.hosts.get(host)
        if row is not None and row.status != "retired":
            return row.id
        if entry.open_weights:
            return entry.open_weights
        raise ModelNotServed(
            f"{host} serves whatever model it was started with, but the catalogue knows no open weights for "
            f"{model}, so it cannot name it for {host}: pass host_model_id='<the name {host} serves it by>' to "
            f"the client, or models={{'{model}': '...'}} to {provider}()", host=host)

    def context_window(self, model: str, host: str) -> int | None:
        """The context window of ``model`` on ``host`` (the host's row, else the model's), or None when the
        model is unknown, the host does not serve it, or no window is recorded. Never raises: it runs on every
        call, where building an unknown model's "did you mean" hint would cost more than the request."""
        entry = self._models.get(model)
        row = entry.hosts.get(host) if entry is not None else None
        if entry is None or row is None or row.status == "retired":
            return None
        return row.context_window if row.context_window is not None else entry.context_window

    def hosts_for(self, model: str) -> tuple[str, ...]:
        return self.model(model).serving_hosts()

    # ------------------------------------------------------------------------------------------ writing
    def known_hosts(self) -> set[str]:
        """The host names rehost has a provider for, and every host this catalogue has a row for."""
        from ..entry import HOSTS

        return set(HOSTS) | {host for entry in self._models.values() for host in entry.hosts}

    def register(self, model: str, host: str, id: str, *, family: str | None = None, new_host: bool = False,
                 kind: str | None = None, **fields: Any) -> None:
        """Add or replace the row of ``model`` on ``host`` (creating the model when it is new).

        ``host`` is a host rehost knows (``groq``, ...) or one this catalogue has rows for; a host of your own
        (``OpenAICompatible(name="my-gateway")``) is added with ``new_host=True``, so a typo (``"grok"``) is
        refused rather than recorded where no provider will ever look. ``kind`` (``"embed"``) is a new model's
        kind (default ``"chat"``)."""
        for what, value in (("model", model), ("host", host), ("id", id)):
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"register needs a {what} (a non-empty string), not {value!r:.40}" + (
                    f": the id {host} knows {model} by" if what == "id" else ""))
        with self._lock:
            if not new_host and host not in self.known_hosts():
                known = sorted(self.known_hosts())
                close = _close_matches(host, known, cutoff=0.6)
                hint = f" Did you mean {', '.join(close)}?" if close else ""
                raise ConfigurationError(
                    f"unknown host {host!r}.{hint} Hosts: {', '.join(known)}. For a host of your own "
                    f"(OpenAICompatible(name={host!r}, ...)), pass new_host=True")
            entry = self._models.get(model)
            if entry is None:
                if not isinstance(family, str) or not family.strip():
                    raise ConfigurationError(f"{model!r} is a new model: give its family=... (a catalogue family "
                                             "such as 'deepseek', or any name of your own)")
                entry = ModelEntry(id=model, family=family, kind=kind or "chat")
            hosts = dict(entry.hosts)
            hosts[host] = _host_entry(host, {**fields, "id": id}, kind=entry.kind)
            self._models[model] = replace(entry, hosts=hosts)

    def set_prices(self, model: str, host: str, *, input: float | str | None = None, output: float | str | None = None,
                   cached_input: float | str | None = None, off_peak_factor: float | str | None = None,
                   peak_hours_utc: list[str] | None = None, read: str | None = None, source: str | None = None,
                   replace: bool = False, cache_write: float | str | None = None) -> Prices:
        """Change what ``model`` costs on ``host`` (USD per million tokens); costs computed from then on use it.

        Only what is given changes: a price or rule left out keeps the row's value (DeepSeek's off-peak
        ``off_peak_factor`` and ``peak_hours_utc``, the cached-input and ``cache_write`` prices), so updating a
        price never loses the rule around it. ``replace=True`` starts from nothing instead: the row gets exactly
        what is given.
        ``read`` is the date the numbers were read (default: today, UTC); ``source`` where they come from
        (default: "set by the user", naming anything kept and where it had been read). Bad values raise
        ConfigurationError and change nothing. Returns the row's new prices."""
        with self._lock:
            entry = self.model(model)
            row = entry.hosts.get(host)
            if row is None:
                raise ModelNotServed(f"{host} has no row for {model}: add it first with register(...)", host=host)
            prices = updated_prices(None if replace else row.prices, input=input, output=output,
                                    cached_input=cached_input, off_peak_factor=off_peak_factor,
                                    peak_hours_utc=peak_hours_utc, read=read, source=source,
                                    input_only=entry.kind == "embed", cache_write=cache_write)
            hosts = dict(entry.hosts)
            hosts[host] = dataclasses.replace(row, prices=prices)
            self._models[model] = dataclasses.replace(entry, hosts=hosts)
        return prices

    def prices(self, model: str, host: str) -> Prices | None:
        """The prices of ``model`` on ``host``, or None when unknown (an unknown model is not an error here)."""
        entry = self._models.get(model)
        row = entry.hosts.get(host) if entry is not None else None
        return row.prices if row is not None else None


_default: Catalog | None = None
_default_lock = threading.Lock()
#: the catalogue of the call being made, when a client was given one (``ModelClient(catalog=...)``)
_in_use: contextvars.ContextVar[Catalog | None] = contextvars.ContextVar("rehost_catalog", default=None)


@contextlib.contextmanager
def using_catalog(catalog: Catalog | None) -> Iterator[None]:
    """Within this block (this thread or task only), ``default_catalog()`` is ``catalog``: how a client given
    ``catalog=`` makes its bound host read ids, prices and context windows from it, whatever kind of host it
    is, without changing the process-wide catalogue. ``None`` changes nothing."""
    if catalog is None:
        yield
        return
    if not isinstance(catalog, Catalog):
        raise ConfigurationError(f"catalog must be a rehost Catalog (Catalog.load(), then .register(...)), not "
                                 f"{type(catalog).__name__}")
    token = _in_use.set(catalog)
    try:
        yield
    finally:
        _in_use.reset(token)


def default_catalog() -> Catalog:
    """The catalogue in use: the one a client given ``catalog=`` set for the call it is making
    (``using_catalog``), else the shipped, process-wide one, loaded once (and extended in place by
    ``register``)."""
    chosen = _in_use.get()
    if chosen is not None:
        return chosen
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Catalog.load()
    return _default


def _money(value: Any) -> str:
    return "-" if value is None else f"{value:f}"


def _price(p: Prices | None, which: str) -> str:
    """A price cell: per 1M tokens as the header says, else with its unit (``0.025/1k character``); a kind
    without output (embeddings) shows none."""
    if p is None or (which == "output" and p.input_only):
        return "-"
    cell = _money(getattr(p, which))
    if p.unit == "token" and p.per == 1_000_000:
        return cell
    per = f"{p.per / 1000:g}k" if p.per % 1000 == 0 and p.per < 1_000_000 else (
        f"{p.per / 1_000_000:g}M" if p.per % 1_000_000 == 0 else f"{p.per:g}")
    return f"{cell}/{per} {p.unit}"


#: the ``models_table`` columns holding numbers (right-aligned)
MODELS_NUMERIC = frozenset({4, 5, 6, 7})


def models_rows(catalog: Catalog | None = None, *, family: str | None = None, host: str | None = None,
                include_retired: bool = False) -> list[tuple[str, ...]]:
    """The cells of ``models_table``, the header first: apart from its layout, so that a terminal can draw
    the same rows as a rich table (``rehost models``) without a second copy of what goes in each cell."""
    cat = catalog or default_catalog()
    header = ("model", "kind", "host", "host id", "context", "in $/M", "cached $/M", "out $/M", "prices read")
    rows: list[tuple[str, ...]] = [header]
    for entry in cat.models(family):
        for name, row in entry.hosts.items():
            if (host is not None and name != host) or (row.status == "retired" and not include_retired):
                continue
            window = row.context_window or entry.context_window
            p = row.prices
            rows.append((entry.id, entry.kind, name + ("" if row.status == "active" else f" ({row.status})"), row.id,
                         f"{window:,}" if window else "-", _price(p, "input"),
                         _money(p and p.cached_input), _price(p, "output"), (p and p.read) or "-"))
    return rows


def models_table(catalog: Catalog | None = None, *, family: str | None = None, host: str | None = None,
                 include_retired: bool = False) -> str:
    """The catalogue as a text table, one row per model and host: what ``rehost models`` prints.

    Prices are USD per million tokens (a price in another unit says so: ``0.025/1k character``); ``-`` means
    unknown, or none (the output of an embedding model). ``kind`` is the model's (``chat``, ``embed``). The
    last column is the date the prices were read.
    """
    rows = models_rows(catalog, family=family, host=host, include_retired=include_retired)
    header = rows[0]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) if i in MODELS_NUMERIC else c.ljust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
