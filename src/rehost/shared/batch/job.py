"""BatchJob: a submitted batch, alive across processes: the shared job lifecycle (``shared/jobs/job.py``)
whose result is the ``BatchResults``.

``job.wait()`` polls (batches take minutes to a day: the default polling policy here starts at 30 s and grows
to 5 min), then fetches and decodes the results. A batch that expired or was cancelled part way still gives
the answers it finished, the rest as ``JobFailed`` items with code ``"expired"`` / ``"cancelled"``; a batch
the host rejected as a whole (its input failed validation) raises ``JobFailed`` with the host's reason.

``job.to_dict()`` holds the host, model, batch id, the items' custom ids in input order (how results are put
back in order; never the prompts) and the host's handles (its input file ...); ``BatchJob.from_dict(data)``
rebuilds the host from the registry (the key from its environment variable) or binds to the host given.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from ..io.clock import Clock
from ..io.polling import PollPolicy
from ..jobs.job import BaseJob, registry_host
from ..jobs.status import JobState

if TYPE_CHECKING:
    from ..jobs.events import Progress
    from .results import BatchResults
    from .sender import BatchSender

__all__ = ["BATCH_POLICY", "BatchJob"]

#: how often a batch is polled unless told otherwise: hosts finish most batches within hours (24 h at most),
#: and a status poll every second would only spend the request quota
BATCH_POLICY = PollPolicy(first_interval=30.0, multiplier=1.5, max_interval=300.0, min_interval=5.0)


class BatchJob(BaseJob["BatchResults"]):
    """One batch on one host. Made by a batch endpoint's ``submit``, or by ``from_dict``."""

    kind: ClassVar[str] = "batch"
    sender: BatchSender

    @property
    def ids(self) -> tuple[str, ...]:
        """The items' custom ids, in input order."""
        return tuple(self.extra.get("ids") or ())

    def succeeded(self, state: JobState) -> bool:
        """A batch has results when it ended with any: completed, or expired / cancelled part way."""
        return state.status == "succeeded" or bool(state.extra.get("has_results"))

    def results(self) -> BatchResults:
        """The results of a batch the last poll found finished (``wait`` polls first; this does not)."""
        if self.last is None or not self.last.done:
            self.status()
        return self._outcome(self.last)

    async def aresults(self) -> BatchResults:
        if self.last is None or not self.last.done:
            await self.astatus()
        return await self._aoutcome(self.last)

    def wait(self, timeout: float | None = None, *, on_progress: Callable[[Progress], Any] | None = None,
             policy: PollPolicy | None = None, clock: Clock | None = None,
             rng: random.Random | None = None) -> BatchResults:
        """Poll until the batch is over and return its results in input order (``policy``: how often to poll,
        ``BATCH_POLICY`` by default)."""
        return super().wait(timeout, on_progress=on_progress, policy=policy or BATCH_POLICY, clock=clock, rng=rng)

    async def wait_async(self, timeout: float | None = None, *, on_progress: Callable[[Progress], Any] | None = None,
                         policy: PollPolicy | None = None, clock: Clock | None = None,
                         rng: random.Random | None = None) -> BatchResults:
        return await super().wait_async(timeout, on_progress=on_progress, policy=policy or BATCH_POLICY,
                                        clock=clock, rng=rng)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, host: Any = None, clock: Clock | None = None) -> BatchJob:
        """The batch ``to_dict`` wrote, collected through ``host`` (or the registry's host of that name)."""
        cls._checked(data)
        from .sender import batch_sender

        job: BatchJob = cls._rebuilt(data, batch_sender(host if host is not None else registry_host(data, "BatchJob")),
                                     clock)
        return job
