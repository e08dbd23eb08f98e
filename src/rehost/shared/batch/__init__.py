"""Batches: many chat requests sent as one job at a host's batch price, answered hours later.

One concept per module: ``request`` (``BatchRequest``: items with custom ids, from Python or a JSONL file),
``results`` (``BatchResults``: one ``Completion`` or typed error per item, in input order), ``job``
(``BatchJob``: the shared job lifecycle whose result is a ``BatchResults``) and ``sender`` (the protocol a
host's batch endpoint implements, and ``submit_batch``)."""

from .job import BatchJob
from .request import BatchItem, BatchRequest
from .results import BatchOutcome, BatchResults
from .sender import BatchSender, batch_sender, submit_batch

__all__ = ["BatchItem", "BatchJob", "BatchOutcome", "BatchRequest", "BatchResults", "BatchSender", "batch_sender",
           "submit_batch"]
