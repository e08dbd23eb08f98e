"""Neutral embedding types: ``EmbedRequest`` in, ``Embeddings`` out.

By the time an ``EmbedRequest`` exists, the family's embedder has applied every model rule: what the caller's
``purpose`` means for the family (a Gemini task type, a Cohere or Voyage input type, a text prefix for
``gemini-embedding-2`` or the E5 / BGE / Qwen3-Embedding instructions, already written into ``inputs``), the
dimensions the model allows, and how many inputs go in one call. A host codec only spells it.

Vectors are kept in one flat buffer (``Vectors``) rather than as a list of Python lists: a 100 x 3072 batch is
307,200 numbers, and a buffer of C floats costs 4 or 8 bytes each instead of a 24-byte Python float plus a list
slot. Floats decoded from JSON stay C doubles (typecode ``d``) so they equal the host's numbers exactly; packed
float32 from a base64 answer stays float32 (``f``). ``Embeddings.array()`` is a zero-copy numpy view of that
buffer when numpy is installed.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

if TYPE_CHECKING:
    from ..pricing import Cost

__all__ = ["EmbedRequest", "EmbedUsage", "Embeddings", "Truncate", "Vectors"]

#: what a host does with an input longer than the model takes: refuse it, or cut it at the start or the end
Truncate: TypeAlias = Literal["none", "start", "end"]
#: the C types a vector buffer holds: float32 (``f``) or float64 (``d``)
TypeCode: TypeAlias = Literal["f", "d"]


@dataclass(frozen=True, slots=True)
class EmbedRequest:
    """One batch of texts for one embedding model, ready for any host that serves it.

    ``input_type`` is the family's own word for what the texts are for (``RETRIEVAL_QUERY`` for Gemini,
    ``search_query`` for Cohere, ``query`` for Voyage), sent by hosts that have a field for it; None where the
    family puts the purpose into the text itself or has none. ``title`` is a document title for families that
    take one (Gemini ``RETRIEVAL_DOCUMENT``). ``dimensions`` asks a model that can shorten its vectors for that
    many; ``truncate`` says what to do with an over-long input (None: the host's default).
    """

    model: str
    inputs: tuple[str, ...]
    input_type: str | None = None
    title: str | None = None
    dimensions: int | None = None
    truncate: Truncate | None = None
    host_model_id: str | None = None
    timeout: float | None = None
    extra_body: dict[str, Any] | None = None


class Vectors:
    """``count`` vectors of ``dimensions`` numbers each, in one flat C buffer (read-only; indexes and iterates
    as a list of lists)."""

    __slots__ = ("_data", "count", "dimensions")

    def __init__(self, data: array[float], count: int, dimensions: int) -> None:
        if len(data) != count * dimensions:
            raise ValueError(f"{len(data)} numbers do not make {count} vectors of {dimensions}")
        self._data = data
        self.count = count
        self.dimensions = dimensions

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[float]], *, typecode: TypeCode = "d") -> Vectors:
        """From a list of equal-length rows (JSON floats: kept as doubles, so they equal the host's exactly)."""
        if not rows:
            return cls(array(typecode), 0, 0)
        width = len(rows[0])
        data = array(typecode)
        for row in rows:
            if len(row) != width:
                raise ValueError(f"vectors of different lengths ({width} and {len(row)})")
            data.extend(row)
        return cls(data, len(rows), width)

    @classmethod
    def from_packed(cls, chunks: Sequence[bytes], *, typecode: TypeCode = "f") -> Vectors:
        """From the raw bytes of each vector (little-endian float32 for OpenAI-style base64 answers)."""
        data = array(typecode)
        width = -1
        for chunk in chunks:
            row = array(typecode)
            row.frombytes(chunk)
            if width not in (-1, len(row)):
                raise ValueError(f"vectors of different lengths ({width} and {len(row)})")
            width = len(row)
            data.extend(row)
        if _big_endian():
            data.byteswap()
        return cls(data, len(chunks), max(width, 0))

    @classmethod
    def concat(cls, parts: Sequence[Vectors]) -> Vectors:
        """Batches reassembled in order (a long list of texts is sent in several calls)."""
        parts = [p for p in parts if p.count]
        if not parts:
            return cls(array("d"), 0, 0)
        width = parts[0].dimensions
        code: TypeCode = "d" if any(p.typecode == "d" for p in parts) else "f"
        data = array(code)
        for part in parts:
            if part.dimensions != width:
                raise ValueError(f"batches of different dimensions ({width} and {part.dimensions})")
            data.extend(part._data if part._data.typecode == code else array(code, part._data))
        return cls(data, sum(p.count for p in parts), width)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError("vector index out of range")
        start = index * self.dimensions
        return self._data[start:start + self.dimensions].tolist()

    def __iter__(self) -> Iterator[list[float]]:
        d = self.dimensions
        data = self._data
        for start in range(0, len(data), d or 1):
            yield data[start:start + d].tolist()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Vectors):
            return (self.count, self.dimensions) == (other.count, other.dimensions) and self._data == other._data
        if isinstance(other, Sequence):
            return self.tolist() == [list(row) for row in other]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Vectors({self.count} x {self.dimensions}, {'float64' if self._data.typecode == 'd' else 'float32'})"

    def tolist(self) -> list[list[float]]:
        return list(self)

    @property
    def buffer(self) -> memoryview:
        """The flat numbers, without a copy."""
        return memoryview(self._data)

    @property
    def typecode(self) -> TypeCode:
        return cast(TypeCode, self._data.typecode)

    def normalized(self) -> Vectors:
        """Each vector scaled to unit length (a zero vector stays zero)."""
        d = self.dimensions
        out = array(self.typecode)
        data = self._data
        for start in range(0, len(data), d or 1):
            row = data[start:start + d]
            norm = math.sqrt(math.fsum(x * x for x in row))
            out.extend(row if norm == 0 else (x / norm for x in row))
        return Vectors(out, self.count, d)


def _big_endian() -> bool:
    import sys

    return sys.byteorder == "big"


@dataclass(frozen=True, slots=True)
class EmbedUsage:
    """What the host counted: input tokens and, where it bills by characters (Vertex), characters."""

    input_tokens: int | None = None
    billable_characters: int | None = None
    #: image inputs counted separately (Cohere ``image_tokens``)
    image_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class Embeddings:
    """The vectors of one embed call (several host calls when the batch was split), in input order."""

    vectors: Vectors
    model: str
    host: str
    host_model_id: str
    usage: EmbedUsage = field(default_factory=EmbedUsage)
    cost: Cost | None = None
    request_id: str | None = None
    #: seconds for the whole call, all batches included
    seconds: float = 0.0
    #: host calls it took (a long input list is split into the model's batch size)
    calls: int = 1

    @property
    def dimensions(self) -> int:
        return self.vectors.dimensions

    def __len__(self) -> int:
        return len(self.vectors)

    def __getitem__(self, index: int) -> list[float]:
        result: list[float] = self.vectors[index]
        return result

    def array(self) -> Any:
        """A (count, dimensions) numpy array viewing the same memory (no copy); needs numpy."""
        try:
            import numpy as np
        except ImportError as exc:  # pragma: no cover - numpy is optional
            from ..errors import ConfigurationError

            raise ConfigurationError("Embeddings.array() needs numpy: pip install numpy") from exc
        dtype = np.float64 if self.vectors.typecode == "d" else np.float32
        view = np.frombuffer(self.vectors.buffer, dtype=dtype)
        return view.reshape(self.vectors.count, self.vectors.dimensions)
