"""GemmaClient: Gemma 2 and 3, base and instruction-tuned.

Model knowledge:
* Base models (``3-270m``) are pretrained only: they continue text and answer a chat-formatted prompt with
  garbage, so they get a plain completion prompt through the host's text-completion endpoint.
* Instruction-tuned models (``-it``) take a chat; Gemma's chat template has no system role, so a system
  prompt is folded into the first user turn (the Gemini API even refuses ``systemInstruction`` for Gemma).
* Gemma has no thinking: asking for it is an error. Gemma 3 4B and larger read images.
* MedGemma (Google's medical Gemma 3 variants, open weights under the HAI-DEF terms: 4B and 27B multimodal, 27B
  text-only, and MedGemma 1.5 4B) keeps Gemma 3's template; the multimodal ones read images. They are not served
  by a hosted API: run them locally or on your own Vertex endpoint (``rehost.presets.medgemma`` says how, and
  what the model card allows them to be used for).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from ..shared.chat.request import ThinkingPlan
from ..shared.chat.types import Thinking
from ..shared.errors import UnsupportedFeature
from .base import ModelClient, Variant

__all__ = ["GemmaClient"]

_TEXT = frozenset({"text"})
_VISION = frozenset({"text", "image"})


def _v(model: str, name: str, **kw: object) -> Variant:
    kw.setdefault("inputs", _TEXT)
    return Variant(model=model, name=name, system_prompt=False, aliases=(model,), **kw)  # type: ignore[arg-type]


class GemmaClient(ModelClient):
    family: ClassVar[str] = "gemma"
    variants: ClassVar[Mapping[str, Variant]] = {
        "3-270m": _v("gemma-3-270m", "Gemma 3 270M (base)", base=True),
        "3-270m-it": _v("gemma-3-270m-it", "Gemma 3 270M IT"),
        "3-1b-it": _v("gemma-3-1b-it", "Gemma 3 1B IT"),
        "3-4b-it": _v("gemma-3-4b-it", "Gemma 3 4B IT", inputs=_VISION),
        "3-12b-it": _v("gemma-3-12b-it", "Gemma 3 12B IT", inputs=_VISION),
        "3-27b-it": _v("gemma-3-27b-it", "Gemma 3 27B IT", inputs=_VISION),
        "2-9b-it": _v("gemma-2-9b-it", "Gemma 2 9B IT"),
        "2-27b-it": _v("gemma-2-27b-it", "Gemma 2 27B IT"),
        "medgemma-4b-it": _v("medgemma-4b-it", "MedGemma 4B IT", inputs=_VISION),
        "medgemma-27b-it": _v("medgemma-27b-it", "MedGemma 27B IT (multimodal)", inputs=_VISION),
        "medgemma-27b-text-it": _v("medgemma-27b-text-it", "MedGemma 27B text IT"),
        "medgemma-1.5-4b-it": _v("medgemma-1.5-4b-it", "MedGemma 1.5 4B IT", inputs=_VISION),
    }

    def plan_thinking(self, thinking: Thinking | None) -> ThinkingPlan | None:
        if thinking is not None and thinking.enabled:
            raise UnsupportedFeature(f"{self.model}: Gemma models do not think; there is nothing to turn on")
        return None
