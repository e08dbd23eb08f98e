"""Prompt caching controls: the neutral ``PromptCache`` a call carries (``client.complete(...,
prompt_cache=PromptCache(...))``) and the check every chat endpoint runs on it.

Hosts cache prompts in three different ways, and each control below is named after what it does, not after
one host's field; a host spells the controls it has and refuses the rest before any request is sent:

* ``breakpoints`` + ``ttl``: where a cached prefix ends (``"tools"``, ``"system"``, or ``"messages"`` for the
  conversation so far, up to its last message) and how long it lives (``"5m"`` or ``"1h"``). Anthropic
  (``cache_control`` blocks), Claude on Vertex.
* ``key`` + ``retention``: a routing key that keeps calls sharing a prefix on the same cache, and how long
  the cached prefix is kept (``"in_memory"`` or ``"24h"``). OpenAI (``prompt_cache_key``,
  ``prompt_cache_retention``); its caching itself is automatic.
* ``cached_content``: the name of a cache made beforehand (``cachedContents/...``) whose contents prefix the
  call. The Gemini API and Vertex.

Why refuse rather than ignore on the other hosts: a control the caller sets is a cost decision (a 1-hour
Anthropic write costs twice the input price; a ``cached_content`` is part of the prompt), so silently
dropping it would change the bill or the answer without a word. Hosts that cache automatically with no
control (DeepSeek, Groq, ...) still report what was read from their cache in ``Usage.cached_input_tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal, TypeAlias

from ..errors import ConfigurationError, UnsupportedFeature

__all__ = ["CACHE_CONTROLS", "Breakpoint", "PromptCache", "check_prompt_cache"]

#: where a cached prefix ends: after the tools, after the system prompt, or after the whole conversation so far
#: (``"messages"``). (No message index: hosts merge and split turns on the wire, so an index into the neutral
#: messages would not name one place on every host.)
Breakpoint: TypeAlias = Literal["tools", "system", "messages"]

_NAMED = ("tools", "system", "messages")
_TTLS = ("5m", "1h")
_RETENTIONS = ("in_memory", "24h")


@dataclass(frozen=True, slots=True)
class PromptCache:
    """The prompt-caching controls of one call (see the module's docstring for which host has which)."""

    breakpoints: tuple[Breakpoint, ...] = ()
    ttl: Literal["5m", "1h"] | None = None
    key: str | None = None
    retention: Literal["in_memory", "24h"] | None = None
    cached_content: str | None = None

    def __post_init__(self) -> None:
        points: object = self.breakpoints
        if isinstance(points, str):  # a single breakpoint given bare
            points = (points,)
        if not isinstance(points, tuple | list):
            raise ConfigurationError(f"PromptCache(breakpoints=...) must be a tuple of 'tools', 'system' and "
                                     f"'messages', not {points!r:.60}")
        object.__setattr__(self, "breakpoints", tuple(points))
        for point in self.breakpoints:
            if point not in _NAMED:
                raise ConfigurationError(f"a cache breakpoint is 'tools', 'system' or 'messages', not {point!r:.60}")
        if len(set(self.breakpoints)) != len(self.breakpoints):
            raise ConfigurationError(f"PromptCache(breakpoints=...) names a breakpoint twice: {self.breakpoints}")
        if self.ttl is not None and self.ttl not in _TTLS:
            raise ConfigurationError(f"PromptCache(ttl=...) must be '5m' or '1h', not {self.ttl!r:.40}")
        if self.ttl is not None and not self.breakpoints:
            raise ConfigurationError("PromptCache(ttl=...) is the lifetime of cache breakpoints: give "
                                     "breakpoints= too")
        if self.retention is not None and self.retention not in _RETENTIONS:
            raise ConfigurationError(f"PromptCache(retention=...) must be 'in_memory' or '24h', not "
                                     f"{self.retention!r:.40}")
        for name in ("key", "cached_content"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigurationError(f"PromptCache({name}=...) must be a non-empty string, not {value!r:.40}")

    def controls(self) -> frozenset[str]:
        """The names of the controls this value sets (what a host must have to honour it)."""
        return frozenset(f.name for f in fields(self) if getattr(self, f.name) not in (None, ()))


#: every control's name, for the messages of hosts that have none
CACHE_CONTROLS: tuple[str, ...] = tuple(f.name for f in fields(PromptCache))


def check_prompt_cache(cache: PromptCache | None, host: str, supported: frozenset[str]) -> None:
    """Refuse, before any request, the controls ``host`` does not have (``supported``: the ones it spells)."""
    if cache is None:
        return
    if not isinstance(cache, PromptCache):
        raise ConfigurationError(f"prompt_cache= takes a rehost.PromptCache, not {type(cache).__name__}")
    missing = sorted(cache.controls() - supported)
    if not missing:
        return
    if supported:
        has = f"it has {', '.join(sorted(supported))}"
    else:
        has = ("it has no prompt-caching controls (where it caches prompts it does so by itself, and reports "
               "what it read from the cache in usage.cached_input_tokens)")
    raise UnsupportedFeature(f"{host} cannot honour PromptCache {', '.join(missing)}: {has}", host=host)
