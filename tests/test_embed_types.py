"""Vectors and Embeddings: one flat buffer, exact numbers, zero-copy numpy views, batches in order."""

from __future__ import annotations

import struct
from array import array

import numpy as np
import pytest

from rehost.shared.embed import Embeddings, Vectors


def test_rows_keep_json_doubles_exactly():
    rows = [[0.1, -0.020920176059007645, 3.0], [1e-300, 2.5, -0.0]]
    v = Vectors.from_rows(rows)
    assert v.tolist() == rows
    assert v.typecode == "d"
    assert v[1] == rows[1]
    assert v[-1] == rows[1]
    with pytest.raises(IndexError):
        v[2]


def test_packed_float32_is_read_little_endian():
    values = [0.5, -1.25, 3.0e-5]
    v = Vectors.from_packed([struct.pack("<3f", *values), struct.pack("<3f", *reversed(values))])
    assert v.tolist() == [list(struct.unpack("<3f", struct.pack("<3f", *values))),
                          list(struct.unpack("<3f", struct.pack("<3f", *reversed(values))))]
    assert v.typecode == "f"


def test_ragged_rows_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        Vectors.from_rows([[1.0, 2.0], [1.0]])
    with pytest.raises(ValueError, match="different lengths"):
        Vectors.from_packed([b"\0" * 8, b"\0" * 4])


def test_batches_concatenate_in_order():
    a = Vectors.from_rows([[1.0, 0.0]])
    b = Vectors.from_packed([struct.pack("<2f", 0.0, 1.0), struct.pack("<2f", 2.0, 2.0)])
    joined = Vectors.concat([a, b])
    assert joined.tolist() == [[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]]
    with pytest.raises(ValueError, match="dimensions"):
        Vectors.concat([a, Vectors.from_rows([[1.0, 2.0, 3.0]])])


def test_numpy_view_shares_memory():
    v = Vectors(array("f", [1.0, 2.0, 3.0, 4.0]), 2, 2)
    e = Embeddings(v, model="m", host="h", host_model_id="m")
    view = e.array()
    assert view.shape == (2, 2)
    assert view.dtype == np.float32
    assert np.shares_memory(view, np.frombuffer(v.buffer, dtype=np.float32))
    assert e[1] == [3.0, 4.0]
    assert len(e) == 2


def test_normalized():
    v = Vectors.from_rows([[3.0, 4.0], [0.0, 0.0]]).normalized()
    assert v.tolist() == [[0.6, 0.8], [0.0, 0.0]]
