"""A module imported when one of its names is first read: ``lazy_module("rehost.shared.chat.messages")``.

Why: the neutral chat types are pydantic models, and defining them (with pydantic's model machinery, which
the first ``BaseModel`` class imports) costs about as much as ``import httpx, pydantic`` itself. The modules on
the path of ``from rehost import GenericClient, Groq`` use them only inside functions, so they hold a lazy
module instead and the types load with a client's first call (issue 18: import time). A function-level
``import`` would do the same at 1-2 us per statement per call (the import machinery runs each time); a lazy
module costs one attribute read once the name is known (it is kept in the module's own ``__dict__``), so it is
what the per-call paths use. Type checkers see the real module::

    if TYPE_CHECKING:
        from ..shared.chat import messages
    else:
        messages = lazy_module("rehost.shared.chat.messages")
"""

from __future__ import annotations

import importlib
import types
from typing import Any

__all__ = ["lazy_module"]


class _LazyModule(types.ModuleType):
    """Stands for a module until a name is read from it; then imports it and keeps each name read."""

    def __getattr__(self, name: str) -> Any:  # called only for a name not yet kept
        value = getattr(importlib.import_module(self.__name__), name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self.__name__!r}>"


def lazy_module(name: str) -> types.ModuleType:
    """``name`` (absolute), imported by the first read of one of its attributes; never before."""
    return _LazyModule(name)
