"""Hosts named on the ``rehost`` command line: ``vertex:location=europe-west4,project=p`` parsed into a host
name and options, each option converted to the type the host's constructor takes (text unless it takes a
number, a flag or one of a set of choices), and the host built from them, its mistakes one line each.

Kept apart from ``cli.py`` (the commands) so the parsing of host specs, which reads every host class's
``__init__`` signature, is one concept in one module.
"""

from __future__ import annotations

import difflib
import inspect
import types
import typing
from collections.abc import Mapping
from typing import Any

from .shared.errors import ConfigurationError

__all__ = ["build_provider", "constructing", "host_options", "parse_host", "provider_class"]


def parse_host(spec: str) -> tuple[str, dict[str, str]]:
    """``name`` or ``name:key=value,key=value``. Values stay text here: what type each option takes is the
    provider's to say (``host_options``), so ``api_key=000123`` is never read as the number 123."""
    name, _, rest = spec.partition(":")
    options: dict[str, str] = {}
    for item in filter(None, rest.split(",")):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise ConfigurationError(f"host option {item!r} in {spec!r} needs key=value "
                                     "(for example groq:api_key=...,base_url=http://127.0.0.1:8700/groq/openai/v1)")
        options[key.strip()] = value
    return name.strip(), options


_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _init_parameters(cls: type) -> tuple[dict[str, Any], bool]:
    """The keyword options ``cls(...)`` takes, each with its resolved annotation, following ``**kwargs`` up the
    class's bases as far as they are passed on; and whether unknown names are accepted in the end."""
    from .shared.catalog import Catalog  # Host's catalog= annotation, imported there for type checking only

    found: dict[str, Any] = {}
    names = {"Catalog": Catalog}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass is object:
            return found, False
        hints = typing.get_type_hints(init, localns=names)
        passes_on = False
        for param in list(inspect.signature(init).parameters.values())[1:]:
            if param.kind is param.VAR_KEYWORD:
                passes_on = True
            elif param.kind is not param.VAR_POSITIONAL:
                found.setdefault(param.name, hints.get(param.name, Any))
        if not passes_on:
            return found, False
    return found, True


def _convert(host: str, key: str, value: str, annotation: Any) -> Any:
    """``value`` as the type ``annotation`` names: text wherever text is accepted; else a Literal choice, an
    int, a float or a bool; other types (Timeouts, mappings, callables) cannot be spelled on a command line."""
    options = _members(annotation)
    if any(o is Any or o is str for o in options):
        return value
    literals = [v for o in options if typing.get_origin(o) is typing.Literal for v in typing.get_args(o)]
    if value in literals:
        return value
    for kind in (bool, int, float):  # bool before int: bool is an int
        if kind not in options:
            continue
        if kind is bool and value.lower() in _TRUE + _FALSE:
            return value.lower() in _TRUE
        if kind is not bool:
            try:
                return kind(value)
            except ValueError:
                pass
    wanted = [repr(v) for v in literals] + [k.__name__ for k in (bool, int, float) if k in options]
    if not wanted:
        raise ConfigurationError(f"{host}'s option {key!r} cannot be given on the command line (it takes "
                                 f"{_type_name(annotation)}); set it from Python instead")
    raise ConfigurationError(f"{host}'s option {key}={value!r} is not valid: give {' or '.join(wanted)}")


def _members(annotation: Any) -> tuple[Any, ...]:
    """The types a union (or a single annotation) admits, without None."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    return tuple(o for o in (typing.get_args(annotation) if union else (annotation,)) if o is not type(None))


def _type_name(annotation: Any) -> str:
    return " | ".join(getattr(o, "__name__", None) or str(o).replace("typing.", "") for o in _members(annotation))


def host_options(host: str, raw: Mapping[str, str]) -> dict[str, Any]:
    """Command-line option text for ``host``'s provider, typed by the provider's constructor: options are
    strings unless its signature says int, float, bool or a set of choices. Unknown names are refused with the
    ones it takes."""
    from .entry import HOSTS

    if host not in HOSTS:
        close = difflib.get_close_matches(host, list(HOSTS), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ConfigurationError(f"unknown host {host!r}.{hint} Hosts: {', '.join(sorted(HOSTS))} "
                                 "(rehost hosts says which have keys)")
    accepted, open_ended = _init_parameters(provider_class(host))
    typed: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in accepted:
            if open_ended:
                typed[key] = value
                continue
            settable = sorted(k for k, a in accepted.items() if _settable(a))
            raise ConfigurationError(f"{host} takes no option {key!r}; its options: {', '.join(settable)}")
        typed[key] = _convert(host, key, value, accepted[key])
    return typed


def _settable(annotation: Any) -> bool:
    """Whether an option of this type can be spelled on a command line."""
    return any(o is Any or o in (str, bool, int, float) or typing.get_origin(o) is typing.Literal
               for o in _members(annotation))


def build_provider(host: str, raw: Mapping[str, str]) -> Any:
    """The provider for ``host`` from command-line options (see ``host_options``)."""
    from .entry import provider

    options = host_options(host, raw)
    return constructing(host, options, lambda: provider(host, **options))


def constructing(host: str, options: Mapping[str, Any], make: typing.Callable[[], Any]) -> Any:
    """``make()``, with a TypeError from the provider's constructor told as a mistake in the host's options (an
    option its own code already fixes: llamacpp-local passes no api_key on, so it takes none)."""
    try:
        return make()
    except TypeError as exc:
        raise ConfigurationError(f"{host} cannot take these options ({', '.join(options)}): {exc}") from None


def provider_class(name: str) -> Any:
    import importlib

    from .entry import HOSTS

    module, cls = HOSTS[name]
    return getattr(importlib.import_module(module), cls)
