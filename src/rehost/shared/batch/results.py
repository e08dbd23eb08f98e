"""BatchResults: what a finished batch gave, one ``BatchOutcome`` per item IN INPUT ORDER, whatever order
the host wrote them in (OpenAI's output file is in completion order; Anthropic's results are unordered).

Each outcome holds the item's ``Completion`` or its typed error: the host's own error for a request it
refused (mapped like a direct call's: ``InvalidRequest``, ``RateLimited`` ...), ``JobFailed`` with code
``"expired"`` or ``"cancelled"`` for an item the batch never reached, ``JobFailed`` with code ``"missing"`` for
an item the host gave no line for at all. Nothing is raised for a failed item: a batch of a thousand with one
refusal is 999 answers; ``raise_for_errors()`` is there for those who want all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..chat.completion import Completion, Usage

if TYPE_CHECKING:
    from ..errors import RehostError
    from ..pricing import Cost

__all__ = ["BatchOutcome", "BatchResults"]


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """One item's result: exactly one of ``completion`` and ``error``."""

    custom_id: str
    completion: Completion | None = None
    error: RehostError | None = None

    @property
    def ok(self) -> bool:
        return self.completion is not None


@dataclass(frozen=True, slots=True)
class BatchResults:
    """Every item's outcome, in the order the items were given."""

    host: str
    job_id: str
    outcomes: tuple[BatchOutcome, ...]

    def __iter__(self) -> Iterator[BatchOutcome]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)

    def __getitem__(self, key: int | str) -> BatchOutcome:
        """An outcome by position, or by custom id."""
        if isinstance(key, str):
            for outcome in self.outcomes:
                if outcome.custom_id == key:
                    return outcome
            raise KeyError(key)
        return self.outcomes[key]

    @property
    def completions(self) -> tuple[Completion | None, ...]:
        """Each item's Completion (None where it failed), in input order."""
        return tuple(o.completion for o in self.outcomes)

    @property
    def errors(self) -> dict[str, RehostError]:
        """The failed items' errors, by custom id."""
        return {o.custom_id: o.error for o in self.outcomes if o.error is not None}

    @property
    def succeeded(self) -> int:
        return sum(1 for o in self.outcomes if o.ok)

    @property
    def usage(self) -> Usage:
        """The answered items' usage added up."""
        done = [o.completion.usage for o in self.outcomes if o.completion is not None and o.completion.usage]
        return Usage(input_tokens=sum(u.input_tokens for u in done), output_tokens=sum(u.output_tokens for u in done),
                     cached_input_tokens=sum(u.cached_input_tokens or 0 for u in done) if done else None)

    @property
    def cost(self) -> Decimal | None:
        """The answered items' cost added up (USD); None when no item's cost is known."""
        costs: list[Cost] = [o.completion.cost for o in self.outcomes
                             if o.completion is not None and o.completion.cost is not None]
        return sum((c.total for c in costs), Decimal(0)) if costs else None

    def to_jsonl(self) -> str:
        """One JSON object a line, in input order: ``{"custom_id", "text", "finish_reason", "usage", "cost"}``
        for an answer, ``{"custom_id", "error": {"type", "message", "code", "status"}}`` for a failed item (what
        ``rehost jobs --collect`` saves for a batch)."""
        import json

        lines = []
        for o in self.outcomes:
            row: dict[str, object] = {"custom_id": o.custom_id}
            if o.completion is not None:
                c = o.completion
                row.update(text=c.text, finish_reason=c.finish_reason,
                           usage=None if c.usage is None else c.usage.model_dump(exclude_none=True),
                           cost=None if c.cost is None else str(c.cost.total))
            elif o.error is not None:
                e = o.error
                row["error"] = {"type": type(e).__name__, "message": str(e).split("\n")[0],
                                "code": getattr(e, "code", None), "status": getattr(e, "status", None)}
            lines.append(json.dumps(row, ensure_ascii=False) + "\n")
        return "".join(lines)

    def raise_for_errors(self) -> BatchResults:
        """These results, or the first failed item's error (its custom id in the message's notes)."""
        for outcome in self.outcomes:
            if outcome.error is not None:
                outcome.error.add_note(f"batch {self.job_id} on {self.host}: item {outcome.custom_id!r}")
                raise outcome.error
        return self
