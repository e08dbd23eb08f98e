"""Property-based and edge-case tests for the incremental <think> splitter."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from rehost.providers.dialects.think_tags import ThinkSplitter, split_think

TAG_PAIRS = [("<think>", "</think>"), ("<reasoning>", "</reasoning>"), ("◁think▷", "◁/think▷")]


# ---------------------------------------------------------------- helpers


def run(splitter: ThinkSplitter, chunks: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for chunk in chunks:
        out += splitter.feed(chunk)
    out += splitter.flush()
    return out


def joined(pieces: list[tuple[str, str]]) -> tuple[str, str]:
    assert all(kind in {"reasoning", "text"} for kind, _ in pieces)
    return ("".join(p for k, p in pieces if k == "reasoning"), "".join(p for k, p in pieces if k == "text"))


def reference_split(text: str, open_tag: str, close_tag: str, implicit_open: bool) -> tuple[str, str]:
    """Non-incremental statement of the rules: only a block at the very start (after whitespace) is reasoning;
    reasoning is stripped, the answer after the close tag loses its leading whitespace, anything else is kept."""
    if implicit_open:
        body = text
    else:
        head = text.lstrip()
        if not head.startswith(open_tag):
            return "", text
        body = head[len(open_tag):]
    idx = body.find(close_tag)
    if idx < 0:
        return body.strip(), ""
    return body[:idx].strip(), body[idx + len(close_tag):].lstrip()


def split_at(text: str, cuts: list[int]) -> list[str]:
    bounds = [0, *sorted(cuts), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


@st.composite
def cases(draw):
    open_tag, close_tag = draw(st.sampled_from(TAG_PAIRS))
    fragments = [open_tag, close_tag, open_tag[:3], open_tag[3:], close_tag[:4], close_tag[4:],
                 "<", "/", ">", " ", "\n", "\t", "  ", "\n\n", "abc", "Answer", "é", "思考", "x y"]
    parts = draw(st.lists(st.sampled_from(fragments) | st.text(max_size=3), max_size=20))
    text = "".join(parts)
    cuts = draw(st.lists(st.integers(0, len(text)), max_size=10))
    return text, split_at(text, cuts), open_tag, close_tag, draw(st.booleans())


# ---------------------------------------------------------------- properties


@given(cases())
def test_chunking_invariance(case):
    text, chunks, open_tag, close_tag, implicit = case
    expected = split_think(text, open_tag, close_tag, implicit_open=implicit)
    pieces = run(ThinkSplitter(open_tag, close_tag, implicit_open=implicit), chunks)
    assert joined(pieces) == expected
    charwise = run(ThinkSplitter(open_tag, close_tag, implicit_open=implicit), list(text))
    assert joined(charwise) == expected


@given(cases())
def test_matches_reference_and_never_emits_empty_piece(case):
    text, chunks, open_tag, close_tag, implicit = case
    expected = reference_split(text, open_tag, close_tag, implicit)
    assert split_think(text, open_tag, close_tag, implicit_open=implicit) == expected
    pieces = run(ThinkSplitter(open_tag, close_tag, implicit_open=implicit), chunks)
    assert joined(pieces) == expected
    assert all(piece for _, piece in pieces)
    # all reasoning comes before any text
    kinds = [k for k, _ in pieces]
    assert kinds == sorted(kinds)  # "reasoning" < "text"


@given(
    st.text(alphabet=st.sampled_from("ab <>/\nthink思"), max_size=200),
    st.sampled_from(["", "<", "</", "</th", "</think"]),
    st.data(),
)
def test_holds_back_at_most_partial_tag_plus_whitespace(body, partial, data):
    close = "</think>"
    reasoning = body + partial
    assume(close not in reasoning)
    chunks = split_at(reasoning, data.draw(st.lists(st.integers(0, len(reasoning)), max_size=8)))
    splitter = ThinkSplitter()
    emitted = "".join(p for _, p in splitter.feed("<think>"))
    for chunk in chunks:
        pieces = splitter.feed(chunk)
        assert all(kind == "reasoning" and piece for kind, piece in pieces)
        emitted += "".join(p for _, p in pieces)
    assert splitter.in_reasoning
    full = reasoning.lstrip()
    assert full.startswith(emitted)
    held = full[len(emitted):]
    # what is held back is whitespace followed by at most len(close) - 1 characters that start the close tag
    assert any(
        close.startswith(held[len(held) - k:]) and not held[: len(held) - k].strip()
        for k in range(min(len(close) - 1, len(held)) + 1)
    )
    flushed = "".join(p for _, p in splitter.flush())
    assert emitted + flushed == full.rstrip()


# ---------------------------------------------------------------- specific cases


def test_basic_block():
    assert split_think("<think>\nabc\n</think>\n\nAnswer") == ("abc", "Answer")


@pytest.mark.parametrize("text", ["  Hello <think>x</think>", "\n\nplain answer", "", "   ", " <thin", "<thinking>"])
def test_text_without_leading_tag_passes_through(text):
    assert split_think(text) == ("", text)
    assert joined(run(ThinkSplitter(), list(text))) == ("", text)


def test_tag_later_in_answer_is_text():
    assert split_think("Sure. <think>not reasoning</think> ok") == ("", "Sure. <think>not reasoning</think> ok")
    assert split_think("<think>r</think>a <think>b</think> c") == ("r", "a <think>b</think> c")
    splitter = ThinkSplitter()
    assert splitter.feed("<think>r</think>a") == [("reasoning", "r"), ("text", "a")]
    assert not splitter.in_reasoning
    assert splitter.feed("</think>") == [("text", "</think>")]


def test_unterminated_block_is_all_reasoning():
    assert split_think("<think>\nstill thinking </thi") == ("still thinking </thi", "")
    splitter = ThinkSplitter()
    assert splitter.feed("  <think> a b ") == [("reasoning", "a b")]
    assert splitter.in_reasoning
    assert splitter.flush() == []


def test_implicit_open():
    assert split_think("  abc\n</think>\nAnswer", implicit_open=True) == ("abc", "Answer")
    assert split_think("no close tag at all", implicit_open=True) == ("no close tag at all", "")
    splitter = ThinkSplitter(implicit_open=True)
    assert splitter.in_reasoning
    assert run(splitter, ["ab", "c</th", "ink>", " x"]) == [("reasoning", "ab"), ("reasoning", "c"), ("text", "x")]


@pytest.mark.parametrize(("open_tag", "close_tag"), TAG_PAIRS[1:])
def test_custom_tags(open_tag, close_tag):
    text = f"\n{open_tag} plan {close_tag} done <think>x</think>"
    assert split_think(text, open_tag, close_tag) == ("plan", "done <think>x</think>")
    # the default tags mean nothing to a splitter configured with other tags
    assert split_think("<think>a</think>b", open_tag, close_tag) == ("", "<think>a</think>b")
    assert joined(run(ThinkSplitter(open_tag, close_tag), list(text))) == ("plan", "done <think>x</think>")


def test_long_reasoning_is_streamed_not_buffered():
    splitter = ThinkSplitter()
    assert splitter.feed("<think>") == []
    assert splitter.feed("x" * 1000) == [("reasoning", "x" * 1000)]
    pieces = splitter.feed("word " * 200 + "</thi")
    assert "".join(p for _, p in pieces) == ("word " * 200).rstrip()
    assert splitter.feed("nk>\n\nAnswer") == [("text", "Answer")]
