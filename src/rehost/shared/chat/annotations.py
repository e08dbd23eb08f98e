"""What a host says about an answer beside the answer itself: its content filter's judgements
(``ContentFilter``) and the sources the text cites (``Citation``).

Both are neutral: Azure's ``content_filter_results`` / ``prompt_filter_results`` and Responses
``content_filters[]`` become ``ContentFilter`` items, Cohere's ``message.citations`` become ``Citation`` items, and
any other host with a moderation verdict or grounded citations fills the same fields. A host that says nothing
leaves them empty, so code that reads them works against every host.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Citation", "ContentFilter"]


class ContentFilter(BaseModel):
    """One category a host's content filter judged, on the prompt or on the completion.

    ``filtered`` is whether the filter blocked or cut content for it; ``severity`` is the host's level
    (``safe`` / ``low`` / ``medium`` / ``high``) for graded categories and ``detected`` whether it was found for
    detected ones (jailbreak, protected material). A filter that did not run is a ``category="error"`` item
    with the host's ``message``, so "not judged" never reads as "judged safe".
    """

    model_config = ConfigDict(frozen=True, defer_build=True)
    source: Literal["prompt", "completion"]
    category: str
    filtered: bool = False
    severity: str | None = None
    detected: bool | None = None
    #: which prompt (``prompt_index``) or choice the judgement is about
    index: int = 0
    message: str | None = None


class Citation(BaseModel):
    """A span of the answer's text and the sources it rests on (``start`` / ``end`` are character offsets
    into the text, ``text`` the cited span; ``sources`` the host's source objects, as given)."""

    model_config = ConfigDict(frozen=True, defer_build=True)
    start: int
    end: int
    text: str = ""
    sources: tuple[dict[str, Any], ...] = ()
    #: the host's kind of citation, where it gives one (Cohere: ``TEXT_CONTENT`` / ``PLAN``)
    type: str | None = None
