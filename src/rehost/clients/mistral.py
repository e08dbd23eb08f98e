"""MistralClient: Large, Medium, Small, Magistral, Codestral, Ministral and Mixtral.

Model knowledge (HOSTS.md §7):
* Mistral Small (``-latest``) and Medium 3.5 reason when asked, at one effort (``high``), and stop with
  ``none``; their thinking chunks should be sent back on later turns.
* Magistral always reasons (deprecated in favour of the above).
* Large, Medium 3.1, Small 3.x, Codestral, Ministral and Mixtral do not think.
* Large 3, Medium, Small and Magistral 1.2 read images and (by URL) PDFs; Large 2.1, Codestral, Ministral
  and Mixtral read text only.
* Mixtral's instruction format has no system role (its Hugging Face chat template raises on one and expects
  user / assistant turns to alternate), so a system prompt is folded into the first user turn; that keeps it
  working on hosts that apply the raw template (Together, Fireworks, local servers).
* Mistral Medium 3 (``mistral-medium-2505``) is also served on Vertex AI as ``mistral-medium-3``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .base import ModelClient, Variant

__all__ = ["MistralClient"]


_TEXT = frozenset({"text"})


def _v(model: str, name: str, **kw: object) -> Variant:
    return Variant(model=model, name=name, **kw)  # type: ignore[arg-type]


_MAGISTRAL = "Magistral is deprecated by Mistral in favour of reasoning_effort on 'medium' / 'small'"


class MistralClient(ModelClient):
    family: ClassVar[str] = "mistral"
    # Exact tokenizers are the files mistral-common ships, mapped as mistral-common itself maps the API names
    # (ministral-8b-2410 -> v3 tekken, mistral-large-2411 -> v7, open-mixtral-8x22b -> v3, mistral-small-2312
    # = Mixtral 8x7B -> v2). Newer models (Large 3, Medium 3.x, Small 3.x, Codestral 25.08, Magistral) have no
    # shipped tokenizer and get the estimate. Its ratio is measured on the recorded Mistral exchanges of those
    # models: mistral-small-latest 28 and 28 prompt tokens, mistral-large-latest 77 and 100 (tools), against
    # cl100k_base + 3 per message + 3 of 19, 19, 53, 75: 233 / 166 = 1.4.
    token_ratio: ClassVar[float] = 1.4
    token_ratio_note: ClassVar[str] = "measured on 4 recorded Mistral exchanges"
    variants: ClassVar[Mapping[str, Variant]] = {
        "large": _v("mistral-large-2512", "Mistral Large 3", aliases=("mistral-large-latest", "large-3")),
        "large-2.1": _v("mistral-large-2411", "Mistral Large 2.1", inputs=_TEXT, tokenizer="mistral-v7"),
        "medium": _v("mistral-medium-3-5", "Mistral Medium 3.5", thinking="effort", efforts=("high",),
                     aliases=("mistral-medium-latest", "medium-3.5")),
        "medium-3.1": _v("mistral-medium-2508", "Mistral Medium 3.1"),
        "medium-3": _v("mistral-medium-2505", "Mistral Medium 3", aliases=("mistral-medium-3",)),
        "small": _v("mistral-small-latest", "Mistral Small (latest)", thinking="effort", efforts=("high",)),
        "small-3.2": _v("mistral-small-2506", "Mistral Small 3.2"),
        "small-3.1": _v("mistral-small-2503", "Mistral Small 3.1"),
        "magistral-medium": _v("magistral-medium-2509", "Magistral Medium", thinking="always",
                               aliases=("magistral-medium-latest",), deprecated=_MAGISTRAL),
        "magistral-small": _v("magistral-small-2509", "Magistral Small", thinking="always",
                              aliases=("magistral-small-latest",), deprecated=_MAGISTRAL),
        "codestral": _v("codestral-2508", "Codestral 25.08", inputs=_TEXT, aliases=("codestral-latest",)),
        "ministral-8b": _v("ministral-8b-latest", "Ministral 8B", inputs=_TEXT, tokenizer="mistral-v3-tekken"),
        "mixtral-8x7b": _v("mixtral-8x7b", "Mixtral 8x7B Instruct", inputs=_TEXT, system_prompt=False,
                           aliases=("open-mixtral-8x7b",), tokenizer="mistral-v2"),
        "mixtral-8x22b": _v("mixtral-8x22b", "Mixtral 8x22B Instruct", inputs=_TEXT, system_prompt=False,
                            aliases=("open-mixtral-8x22b",), tokenizer="mistral-v3"),
    }


# --- embeddings
from .embed_base import EmbedClient, EmbedModel, embed_models  # noqa: E402


class MistralEmbedder(EmbedClient):
    """Mistral's embedding models: ``mistral-embed`` (1024, fixed); ``codestral-embed`` (1536 by default, any
    length up to 3072 with ``output_dimension``) [HOSTS-MEDIA §5.4]. No purpose conditioning."""

    family = "mistral"
    models = embed_models(
        EmbedModel("mistral-embed", 1024, aliases=("mistral-embed-23-12",)),
        EmbedModel("codestral-embed", 1536, dimension_range=(1, 3072),
            aliases=("codestral-embed-2505",)),
    )
