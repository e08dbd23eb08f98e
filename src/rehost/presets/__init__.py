"""Domain presets: thin layers over the model clients for a field's open models, never new providers.

* ``medgemma(...)``: MedGemma (Google's medical Gemma 3, open weights) on a local host or your own Vertex
  Model Garden endpoint. Med-PaLM 2 / MedLM were shut down in 2025; MedGemma is what runs today.
* ``ScientificReasoner``: DeepSeek-R1 with DeepSeek's recommended settings, on any host that serves R1.

Legal and finance have no preset: see docs/domain_models.md for what runs there today (ChatLaw: research
weights, no API; BloombergGPT: not public; FinGPT: LoRA adapters on open bases).
"""

from __future__ import annotations

from .medical import MEDGEMMA_SYSTEM, medgemma
from .science import MATH_DIRECTIVE, ScientificReasoner, boxed_answer

__all__ = ["MATH_DIRECTIVE", "MEDGEMMA_SYSTEM", "ScientificReasoner", "boxed_answer", "medgemma"]
