"""GenericClient: any model by id, with no family knowledge.

For models rehost has no client for, or to pass a host's own model id. The thinking setting is handed to the
provider as asked (only the host's own limits are checked), no prompt rules are applied, and no sampling
defaults are added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..shared.chat.request import ThinkingPlan
from .base import ModelClient, Variant

if TYPE_CHECKING:
    from ..shared.chat.types import Thinking

__all__ = ["GenericClient"]


class GenericClient(ModelClient):
    family: ClassVar[str] = "generic"

    def __init__(self, model: str, **kwargs: Any) -> None:
        # imported here, not at module level: the catalogue module (tomllib, difflib) is not needed to import
        # GenericClient, only to build one (measured: ~10 ms of `from rehost import GenericClient, Groq`)
        from ..shared.catalog import default_catalog, using_catalog

        with using_catalog(kwargs.get("catalog")):  # the client's own catalogue, when it is given one
            known = model in default_catalog()
        if not known and "host_model_id" not in kwargs:
            kwargs["host_model_id"] = model  # a host's own id, sent as is
        self._variant = Variant(model=model, name=model, thinking="effort")
        super().__init__(model, **kwargs)

    def resolve_variant(self, name: str) -> tuple[str, Variant]:  # type: ignore[override]
        return name, self._variant

    def plan_thinking(self, thinking: Thinking | None) -> ThinkingPlan | None:
        if thinking is None:
            return None
        if not thinking.enabled:
            return ThinkingPlan(enabled=False, include_reasoning=False)
        return ThinkingPlan(enabled=True, effort=thinking.effort, budget=thinking.budget,
                            include_reasoning=thinking.include)
