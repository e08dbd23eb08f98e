"""Property-based and edge-case tests for the incremental SSE decoder."""

from __future__ import annotations

import contextlib
import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehost.errors import ProtocolError
from rehost.shared.sse import SSEDecoder, SSEEvent

# ---------------------------------------------------------------- helpers


def decode_chunks(chunks: list[bytes]) -> tuple[list[SSEEvent], SSEDecoder]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.close()
    return events, decoder


def split_at(raw: bytes, cuts: list[int]) -> list[bytes]:
    bounds = [0, *sorted(cuts), len(raw)]
    return [raw[a:b] for a, b in itertools.pairwise(bounds)]


def reference_parse(raw: bytes) -> tuple[list[SSEEvent], int, bool]:
    """Whole-stream parser written straight from the WHATWG "event stream interpretation" steps.

    One deliberate difference from the spec, matching the library's documented choice: at end of stream
    an event whose data is pending is dispatched, and an unterminated last line is dropped.
    Returns (events, comment count, ended_cleanly).
    """
    text = raw.decode("utf-8")
    text = text.removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)
    tail = lines.pop()  # the text after the last line end: an unterminated (cut) line, or ""
    events: list[SSEEvent] = []
    data_buf, event_type, last_id, retry, comments = "", "", None, None, 0

    def dispatch() -> None:
        nonlocal data_buf, event_type
        if data_buf:
            events.append(SSEEvent(data_buf[:-1], event_type or "message", last_id, retry))
        data_buf, event_type = "", ""

    for line in lines:
        if line == "":
            dispatch()
            continue
        if line.startswith(":"):
            comments += 1
            continue
        if ":" in line:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
        else:
            field, value = line, ""
        if field == "event":
            event_type = value
        elif field == "data":
            data_buf += value + "\n"
        elif field == "id":
            if "\0" not in value:
                last_id = value
        elif field == "retry" and value and all(c in "0123456789" for c in value):
            retry = int(value)
    dispatch()
    return events, comments, tail == ""


# ---------------------------------------------------------------- stream strategies

VALUE_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n")
values = st.text(alphabet=st.one_of(st.sampled_from(" :aZ0\0é€😀字"), VALUE_CHARS), max_size=12)
line_ends = st.sampled_from([b"\n", b"\r\n", b"\r"])

field_lines = st.one_of(
    st.tuples(st.sampled_from([b"data: ", b"data:"]), values).map(lambda t: t[0] + t[1].encode()),
    st.just(b"data"),
    st.just(b""), st.just(b""),  # blank line (event boundary), weighted up
    values.map(lambda v: b"event: " + v.encode()),
    values.map(lambda v: b"id: " + v.encode()),
    st.one_of(st.integers(0, 10**6).map(str), values).map(lambda v: b"retry: " + v.encode()),
    values.map(lambda v: b":" + v.encode()),  # comment / keep-alive
    st.tuples(st.sampled_from([b"foo", b"Data", b"events", b"data ", b"ID"]), values).map(
        lambda t: t[0] + b": " + t[1].encode()
    ),
)


@st.composite
def streams(draw) -> bytes:
    body = b"".join(line + draw(line_ends) for line in draw(st.lists(field_lines, max_size=25)))
    if draw(st.booleans()):  # sometimes the stream is cut in the middle of a line
        body += draw(field_lines)
    return body


@st.composite
def stream_and_chunks(draw) -> tuple[bytes, list[bytes]]:
    raw = draw(streams())
    cuts = draw(st.lists(st.integers(0, len(raw)), max_size=12))
    return raw, split_at(raw, cuts)


# ---------------------------------------------------------------- properties


@given(stream_and_chunks())
def test_chunking_does_not_change_events(case):
    raw, chunks = case
    whole, whole_dec = decode_chunks([raw])
    chunked, chunked_dec = decode_chunks(chunks)
    bytewise, bytewise_dec = decode_chunks([raw[i : i + 1] for i in range(len(raw))])
    assert chunked == whole
    assert bytewise == whole
    assert chunked_dec.comments == whole_dec.comments == bytewise_dec.comments
    assert chunked_dec.ended_cleanly == whole_dec.ended_cleanly == bytewise_dec.ended_cleanly


def assert_matches_reference(raw: bytes, chunks: list[bytes]) -> None:
    events, decoder = decode_chunks(chunks)
    ref_events, ref_comments, ref_clean = reference_parse(raw)
    assert events == ref_events
    assert decoder.comments == ref_comments
    assert decoder.ended_cleanly == ref_clean


@given(stream_and_chunks())
def test_matches_reference_parser(case):
    assert_matches_reference(*case)


@st.composite
def line_aligned_chunks(draw) -> tuple[bytes, list[bytes]]:
    """A stream cut only at line ends, so that chunks are whole lines and often one whole event each (what a
    host's writes look like on the wire, and what the decoder's one-event fast path takes)."""
    one_event = st.tuples(st.sampled_from([b"data: ", b"data:"]), values).map(lambda t: t[0] + t[1].encode())
    pieces = draw(st.lists(st.one_of(
        st.tuples(field_lines, line_ends),
        st.tuples(one_event, st.sampled_from([b"\n\n", b"\r\n\r\n", b"\r\r"])),
        st.tuples(st.tuples(values, one_event).map(lambda t: b"event: " + t[0].encode() + b"\n" + t[1]),
                  st.sampled_from([b"\n\n", b"\r\n\r\n"])),
    ), max_size=25))
    chunks = [line + end for line, end in pieces]
    joins = draw(st.lists(st.booleans(), min_size=len(chunks), max_size=len(chunks)))
    merged: list[bytes] = []
    for chunk, join in zip(chunks, joins, strict=True):
        if join and merged:
            merged[-1] += chunk
        else:
            merged.append(chunk)
    return b"".join(merged), merged


@given(line_aligned_chunks())
def test_line_aligned_chunks_match_reference_parser(case):
    assert_matches_reference(*case)


garbage = st.lists(
    st.one_of(
        st.sampled_from([b"data:", b"data: ", b"id:", b"retry:", b"event:", b":", b"\r", b"\n", b"\x00",
                         b"\xff", b"\xc3", b"\xe2\x82", b"7", b" "]),
        st.binary(max_size=6),
    ),
    max_size=40,
).map(b"".join)


@given(garbage, st.data())
def test_garbage_raises_only_protocol_error(raw, data):
    cuts = data.draw(st.lists(st.integers(0, len(raw)), max_size=8))
    decoder = SSEDecoder()
    with contextlib.suppress(ProtocolError):
        for chunk in split_at(raw, cuts):
            decoder.feed(chunk)
        decoder.close()


# ---------------------------------------------------------------- specific cases


@pytest.mark.parametrize("cut", range(1, len(b"data: a\r\ndata: b\r\n\r\n")))
def test_crlf_split_across_chunks_is_one_line_end(cut):
    raw = b"data: a\r\ndata: b\r\n\r\n"
    events, decoder = decode_chunks([raw[:cut], raw[cut:]])
    assert events == [SSEEvent("a\nb")]
    assert decoder.ended_cleanly


def test_cr_then_empty_chunk_then_lf():
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"") == []
    assert decoder.feed(b"\ndata: b\n") == []
    assert decoder.feed(b"\n") == [SSEEvent("a\nb")]
    assert decoder.close() == []


def test_a_one_event_chunk_keeps_what_earlier_chunks_left_pending():
    # an event name, an id and a retry from earlier chunks belong to the next event; a "\r" ending the last
    # chunk and an unfinished data line join the next chunk (each a case of the one-event fast path's guard)
    decoder = SSEDecoder()
    assert decoder.feed(b"data: warm\n\n") == [SSEEvent("warm")]
    assert decoder.feed(b"event: delta\nid: 4\nretry: 9\n") == []
    assert decoder.feed(b"data: a\n\n") == [SSEEvent("a", "delta", "4", 9)]
    assert decoder.feed(b"data: b\r\n\r\n") == [SSEEvent("b", "message", "4", 9)]
    assert decoder.feed(b"data: c\r") == []
    assert decoder.feed(b"data: d\n\n") == [SSEEvent("c\nd", "message", "4", 9)]
    assert decoder.feed(b"data: e\n") == []
    assert decoder.feed(b"data: f\n\n") == [SSEEvent("e\nf", "message", "4", 9)]
    assert decoder.feed(b"data: g") == []
    assert decoder.feed(b"data: h\n\n") == [SSEEvent("gdata: h", "message", "4", 9)]
    assert decoder.feed(b"event: content_block_delta\ndata: {}\n\n") == [SSEEvent("{}", "content_block_delta", "4", 9)]
    assert decoder.feed(b"event: \ndata: i\n\n") == [SSEEvent("i", "message", "4", 9)]
    assert decoder.feed(b"event: ping\n") == []
    assert decoder.feed(b"event: delta\ndata: j\n\n") == [SSEEvent("j", "delta", "4", 9)]
    assert decoder.close() == []
    for bad in (b"data: \xff\n\n", b"event: \xff\ndata: k\n\n", b"data: \xff\r\n\r\n"):
        with pytest.raises(ProtocolError, match="not valid UTF-8"):
            decoder.feed(bad)


def test_comments_are_counted_and_never_events():
    events, decoder = decode_chunks([b": keep-alive\n:\r\n: OPENROUTER PROCESSING\r\r\n"])
    assert events == []
    assert decoder.comments == 3
    events, decoder = decode_chunks([b"data: a\n: ping\ndata: b\n\n"])
    assert events == [SSEEvent("a\nb")]
    assert decoder.comments == 1


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_last_event_without_blank_line_is_kept(end):
    decoder = SSEDecoder()
    assert decoder.feed(b"data: first\n\nevent: done\ndata: last" + end) == [SSEEvent("first")]
    assert decoder.close() == [SSEEvent("last", event="done")]
    assert decoder.ended_cleanly


def test_cut_mid_line_drops_partial_line():
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\ndata: parti") == [SSEEvent("a")]
    assert decoder.close() == []
    assert not decoder.ended_cleanly
    # the complete data lines before the cut still form an event; the partial one is not part of it
    events, decoder = decode_chunks([b"data: a\ndata: b\ndata: par", b"tial"])
    assert events == [SSEEvent("a\nb")]
    assert not decoder.ended_cleanly


def test_multibyte_character_split_across_chunks():
    raw = "data: é€😀\n\n".encode()
    for cut in range(len(raw) + 1):
        assert decode_chunks([raw[:cut], raw[cut:]])[0] == [SSEEvent("é€😀")]


@pytest.mark.parametrize("raw", [b"data: \xff\xfe\n", b"data:ok \xc3\n", b"data: \xe2\x82\xac\xe2\x82\n\n"])
def test_invalid_utf8_in_data_is_protocol_error(raw):
    with pytest.raises(ProtocolError) as info:
        decode_chunks([raw[i : i + 1] for i in range(len(raw))])
    assert not isinstance(info.value, UnicodeDecodeError)


def test_data_field_spacing():
    raw = b"data:x\ndata: y\ndata:  z\ndata\ndata:\n\n"
    assert decode_chunks([raw])[0] == [SSEEvent("x\ny\n z\n\n")]


def test_event_type_resets_id_and_retry_persist():
    raw = b"event: ping\nid: 7\nretry: 50\ndata: a\n\ndata: b\n\n"
    assert decode_chunks([raw])[0] == [SSEEvent("a", "ping", "7", 50), SSEEvent("b", "message", "7", 50)]


def test_id_with_nul_is_ignored():
    raw = b"id: 1\n\ndata: a\n\nid: x\x00y\ndata: b\n\nid\ndata: c\n\n"
    assert decode_chunks([raw])[0] == [SSEEvent("a", id="1"), SSEEvent("b", id="1"), SSEEvent("c", id="")]


def test_retry_with_non_digits_is_ignored():
    raw = "retry: 1000\ndata: a\n\n" + "".join(
        f"retry:{bad}\ndata: {i}\n\n" for i, bad in enumerate([" 10s", " -5", " ", " 1 0", " 1.5", " ١٢", "+3"])
    )
    events = decode_chunks([raw.encode()])[0]
    assert len(events) == 8
    assert all(event.retry == 1000 for event in events)


def test_huge_retry_value_does_not_crash():
    events = SSEDecoder().feed(b"retry: " + b"9" * 5000 + b"\ndata: a\n\n")
    assert [(e.data, e.retry) for e in events] == [("a", None)]


def test_leading_bom_is_stripped():
    raw = b"\xef\xbb\xbfdata: x\n\n"
    assert decode_chunks([raw])[0] == reference_parse(raw)[0] == [SSEEvent("x")]


@pytest.mark.parametrize("cut", [1, 2, 3, 4])
def test_leading_bom_split_across_chunks(cut):
    raw = b"\xef\xbb\xbfdata: x\n\n"
    assert decode_chunks([raw[:cut], raw[cut:]])[0] == [SSEEvent("x")]


def test_a_bom_later_in_the_stream_is_data():
    events = decode_chunks([b"data: a\n\n\xef\xbb\xbfdata: b\n\n"])[0]
    assert [e.data for e in events] == ["a"]
