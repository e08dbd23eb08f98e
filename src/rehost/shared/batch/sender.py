"""The protocol a batch job talks to (a host's batch endpoint, ``providers/base/batch.py``), how to find a
host's, and ``submit_batch``. Batches are not a kind of their own: they are chat requests sent another way,
so a host's batch endpoint is beside its chat endpoint (``batch_endpoint = ...`` on the host class) and
``host.kinds`` stays the kinds of work it serves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..jobs.status import JobState
    from .job import BatchJob
    from .request import BatchRequest
    from .results import BatchResults

__all__ = ["BatchSender", "batch_sender", "submit_batch"]


@runtime_checkable
class BatchSender(Protocol):
    @property
    def name(self) -> str: ...

    def submit(self, batch: BatchRequest, *, clock: object = None) -> BatchJob: ...

    async def asubmit(self, batch: BatchRequest, *, clock: object = None) -> BatchJob: ...

    def poll(self, job: BatchJob) -> JobState: ...

    async def apoll(self, job: BatchJob) -> JobState: ...

    def cancel(self, job: BatchJob) -> None: ...

    async def acancel(self, job: BatchJob) -> None: ...

    def result(self, job: BatchJob, state: JobState) -> BatchResults: ...

    async def aresult(self, job: BatchJob, state: JobState) -> BatchResults: ...


def batch_sender(provider: Any) -> BatchSender:
    """``provider``'s batch endpoint (a host's ``batch``: UnsupportedFeature where its class names none), or a
    batch sender itself; UnsupportedFeature naming the hosts that have one, for anything else."""
    if isinstance(provider, BatchSender):
        return provider
    if hasattr(type(provider), "batch"):
        sender: BatchSender = provider.batch
        return sender
    name = getattr(provider, "name", type(provider).__name__)
    from ..errors import UnsupportedFeature

    raise UnsupportedFeature(f"{name} has no batch API in rehost; the hosts with one: "
                             f"{', '.join(batch_hosts()) or 'none registered'}", host=name)


def batch_hosts() -> list[str]:
    """The registered hosts with a batch endpoint (the registry's ``batch`` column)."""
    from ... import _registry

    return sorted(h.name for h in _registry.HOSTS.values() if h.batch)


def submit_batch(provider: Any, batch: BatchRequest, *, clock: object = None) -> BatchJob:
    """Submit ``batch`` to ``provider``'s batch API and return its job at once (``job.wait()`` for results)."""
    return batch_sender(provider).submit(batch, clock=clock)
