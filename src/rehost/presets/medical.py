"""The medical preset: MedGemma, Google's open-weight medical Gemma 3 models, through a local host or your own
Vertex AI Model Garden endpoint.

Med-PaLM 2 / MedLM, Google's earlier medical models, were offered only to a limited customer group and shut down
in 2025 (access ended on or after 2025-09-29); there is no MedLM to call in 2026 and rehost has no provider for it.
MedGemma is what runs today (HOSTS-MORE §19):

* ``medgemma-4b-it`` and ``medgemma-27b-it`` read text and images (chest X-rays, dermatology, ophthalmology and
  histopathology images were in their training data); ``medgemma-27b-text-it`` reads text only;
  ``medgemma-1.5-4b-it`` is the 1.5 release of the 4B model. The weights are gated on Hugging Face
  (``google/medgemma-...``) under the Health AI Developer Foundations (HAI-DEF) terms of use and its prohibited
  use policy: accept those before downloading.
* Where it runs: locally (``LlamaCpp(gguf_path)`` in process, ``LlamaCppServer`` / ``llama_server``, ``VLLM``
  serving the HF id, ``Ollama``), or deployed from Vertex Model Garden to an endpoint of your own, reached with
  ``Vertex(project, region, endpoint="<endpoint id>")``. It is not on a hosted serverless API.

Intended use and limits, as the MedGemma model card states them (paraphrased; read the card itself before
building on it):

* MedGemma is a starting point for developers building healthcare applications on medical text and images.
  Developers are responsible for validating it, adapting it and making meaningful changes for their own use
  case; it is not meant to be used as it comes.
* Its outputs are not intended to directly inform clinical diagnosis, patient management decisions, treatment
  recommendations or any other direct clinical practice. Every output is preliminary and needs independent
  verification, clinical correlation and further investigation; inaccurate output is possible even in the
  domains best covered by its training data.
* It was evaluated mainly on single-image tasks and not on multi-turn conversations, it is more sensitive to the
  exact prompt than Gemma 3, and it was evaluated in English.

The preset is a thin layer over ``GemmaClient`` (which knows the MedGemma variants: Gemma 3's template, no system
role, so a system prompt is folded into the first user turn; no thinking): it picks a MedGemma variant and sets
the system prompt of the model card's text example. It adds no safety layer of its own: the limits above are
yours to design for.
"""

from __future__ import annotations

from typing import Any

from ..clients.gemma import GemmaClient
from ..shared.errors import ConfigurationError

__all__ = ["MEDGEMMA_SYSTEM", "MEDGEMMA_VARIANTS", "medgemma"]

#: the system prompt of the MedGemma model card's text example
MEDGEMMA_SYSTEM = "You are a helpful medical assistant."
MEDGEMMA_VARIANTS = tuple(name for name in GemmaClient.variants if name.startswith("medgemma-"))


def medgemma(variant: str = "medgemma-4b-it", *, provider: Any = None, system: str | None = MEDGEMMA_SYSTEM,
             **options: Any) -> GemmaClient:
    """A GemmaClient for a MedGemma variant (``4b-it``, ``27b-it``, ``27b-text-it``, ``1.5-4b-it``, with or
    without the ``medgemma-`` prefix) bound to ``provider``: a local host or ``Vertex(..., endpoint=...)``.

    ``system`` replaces the model card's system prompt (None: none). Other options go to the client (sampling,
    ``host_model_id`` for the name your server gives the model).
    """
    name = variant if variant.startswith("medgemma-") else f"medgemma-{variant}"
    if name not in MEDGEMMA_VARIANTS:
        raise ConfigurationError(f"no MedGemma variant {variant!r}; variants: {', '.join(MEDGEMMA_VARIANTS)}")
    return GemmaClient(name, provider=provider, system=system, **options)
