"""The scientific-reasoning preset: DeepSeek-R1 (or one of its distills) set up as DeepSeek's model card
recommends, on any host that serves it.

The card's usage recommendations (DeepSeek-R1, "Usage Recommendations"):

* temperature 0.5-0.7, 0.6 recommended, with top-p 0.95 (DeepSeekClient's R1 defaults, kept here);
* no system prompt: every instruction goes in the user prompt;
* for mathematical problems, a directive in the prompt: "Please reason step by step, and put your final answer
  within \\boxed{}." (``MATH_DIRECTIVE``; ``boxed_answer`` reads the answer back out).

R1-0528 accepts a system prompt (its card says so); this preset still sends none, folding any system text into
the user turn, so that every R1 variant gets the same prompt shape. The card also suggests forcing the answer to
open with ``<think>``; hosts' chat templates for R1 do that already, and rehost reads the reasoning wherever the
host puts it (a field, or ``<think>`` tags in the text).

Which hosts serve which R1 is the catalogue's business, as for any client: a host that does not serve the variant
is refused before anything is sent, naming the hosts that do.
"""

from __future__ import annotations

from typing import Any

from ..clients.base import fold_system
from ..clients.deepseek import DeepSeekClient
from ..shared.chat.types import Message, Part, TextPart
from ..shared.errors import ConfigurationError

__all__ = ["MATH_DIRECTIVE", "R1_VARIANTS", "ScientificReasoner", "boxed_answer"]

MATH_DIRECTIVE = "Please reason step by step, and put your final answer within \\boxed{}."
#: the R1 variants: the reasoning models the card's advice is for
R1_VARIANTS = tuple(name for name in DeepSeekClient.variants if name.startswith("r1"))


class ScientificReasoner(DeepSeekClient):
    """DeepSeek-R1 for step-by-step scientific and mathematical reasoning.

    ``math=True`` (the default) appends ``MATH_DIRECTIVE`` to the last user turn (once: a turn that already ends
    with it is left as it is); ``directive=`` gives another one. No system prompt is ever sent.
    """

    def __init__(self, variant: str = "r1", *, math: bool = True, directive: str = MATH_DIRECTIVE,
                 **options: Any) -> None:
        name, _ = DeepSeekClient.resolve_variant(variant)
        if name not in R1_VARIANTS:
            raise ConfigurationError("the scientific-reasoning preset is for DeepSeek-R1 models "
                                     f"({', '.join(R1_VARIANTS)}), not {variant!r}")
        self.directive = directive if math else None
        super().__init__(name, **options)

    def apply_prompt_rules(self, messages: tuple[Message, ...]) -> tuple[Message, ...]:
        if any(m.role == "system" for m in messages):
            messages = fold_system(messages)
        if self.directive is None:
            return messages
        last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
        if last is None or messages[last].text.rstrip().endswith(self.directive):
            return messages
        parts: list[Part] = list(messages[last].parts)
        where = max((i for i, p in enumerate(parts) if isinstance(p, TextPart)), default=None)
        if where is None:
            parts.append(TextPart(text=self.directive))
        else:
            text = parts[where].text  # type: ignore[union-attr]
            parts[where] = TextPart(text=f"{text.rstrip()}\n\n{self.directive}")
        return (*messages[:last], Message(role="user", parts=tuple(parts)), *messages[last + 1:])


def boxed_answer(text: str) -> str | None:
    r"""The content of the last ``\boxed{...}`` in ``text`` (nested braces allowed), or None."""
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    depth, i = 1, start + len("\\boxed{")
    begin = i
    while i < len(text):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[begin:i].strip()
        i += 1
    return None
