"""LightOn Paradigm (France; ``paradigm.lighton.ai/api/v2``): the OpenAI-compatible chat completions of a
Paradigm instance. Facts: ../shared/HOSTS-MORE.md §13 (docs.lighton.ai "OpenAI compatibility", the v3 chat
reference, the Paradigm Academy quick guide).

Paradigm is an instance, not one public model list: the models are whatever the instance's admin configured
(``alfred-4.2`` in the docs), served by vLLM (SSE ending in ``data: [DONE]``). A dedicated or on-premises
instance has its own hostname (UNCONFIRMED): pass it as ``base_url=``. Keys are made in the Paradigm profile
when the company admin allows it; no stored source names an environment variable, so ``LIGHTON_API_KEY``
(then ``PARADIGM_API_KEY``) is rehost's choice (UNCONFIRMED). A model the catalogue does not list is reached
with ``host_model_id=`` or ``models={...}``.

v2 documents the legacy ``functions`` / ``function_call`` and support for ``tools`` is UNCONFIRMED, so
tools are refused before the network rather than sent to a surface that may drop them, and structured output
travels as an instruction in the prompt. Thinking controls and
reasoning fields are UNCONFIRMED: every setting but the model's default is refused; nothing is read as
reasoning.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..shared.errors import UnsupportedFeature
from ..shared.output import OutputMode
from ..shared.request import Request
from ..shared.transport import HttpCall
from .openai_compatible import OpenAIChat, OpenAICompatible

__all__ = ["LightOn", "LightOnChat"]


class LightOnChat(OpenAIChat):
    """Paradigm's OpenAI-compatible chat completions (``/api/v2``)."""

    accepts: frozenset[str] = frozenset({"text"})  # image input is not in the stored facts
    #: ``response_format`` and tools are not in the stored facts: a schema travels as an instruction
    output_modes: tuple[OutputMode, ...] = ("prompt",)
    #: no stored source names a reasoning field (HOSTS-MORE §13: UNCONFIRMED)
    reasoning_fields: ClassVar[tuple[str, ...]] = ()

    def build_call(self, request: Request, model_id: str) -> HttpCall:
        if request.tools:
            raise UnsupportedFeature("lighton's /api/v2 chat documents only the legacy functions / function_call, "
                                     "and tools support is unconfirmed: tools are not sent", host=self.name)
        return super().build_call(request, model_id)


class LightOn(OpenAICompatible):
    name: ClassVar[str] = "lighton"
    default_base_url: ClassVar[str] = "https://paradigm.lighton.ai/api/v2"
    #: no stored source names one (HOSTS-MORE §13); rehost's choice, the company name first
    api_key_env: ClassVar[tuple[str, ...]] = ("LIGHTON_API_KEY", "PARADIGM_API_KEY")
    chat_endpoint: ClassVar[type[Any] | None] = LightOnChat
