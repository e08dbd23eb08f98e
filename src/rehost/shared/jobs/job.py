"""BaseJob: the lifecycle every long-running job shares, whatever it makes (a video, a batch's answers).

A job is submitted by its kind's endpoint and returned at once; ``job.wait()`` (or ``await
job.wait_async()``) polls by the one polling plan (``shared/io/polling.py``) until the host says it is over,
reporting ``Progress`` on the way, and returns the kind's result or raises the job's error: ``JobFailed`` for
a failed or cancelled job, ``JobLost`` when the host no longer knows it, ``JobTimeout`` (a ``RequestTimeout``
that keeps the job) when the wait's deadline passes first, or the typed error the host gave.

A kind subclasses it with its result type (``Job`` for video, ``BatchJob`` for batches), its ``kind`` word
(what ``to_dict`` writes and ``from_dict`` checks) and how a persisted job finds its sender again. The
sender is the kind's endpoint on one host: ``poll``/``apoll`` (one ``JobState``), ``cancel``/``acancel`` and
``result`` (plus ``aresult`` where fetching the result is I/O of its own, as a batch's output file is).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from ..errors import ConfigurationError, JobFailed, JobTimeout
from ..io.clock import SYSTEM_CLOCK, Clock
from ..io.polling import JobStatus as PollStatus
from ..io.polling import PollPlan, PollPolicy, apoll_until_done, poll_until_done
from .events import Progress
from .status import JobState

__all__ = ["FORMAT", "BaseJob"]

#: the version of ``to_dict``'s layout
FORMAT = 1

R = TypeVar("R")


class BaseJob(Generic[R]):
    """One job on one host. ``R`` is what a succeeded job gives (``Video``, ``BatchResults``)."""

    #: the kind of job, written by ``to_dict`` and checked by ``from_dict``
    kind: ClassVar[str] = "job"

    def __init__(self, *, sender: Any, model: str, job_id: str, host_model_id: str, submitted_at: float,
                 request: dict[str, Any] | None = None, extra: dict[str, Any] | None = None,
                 clock: Clock | None = None) -> None:
        self.sender = sender
        self.host: str = sender.name
        self.model = model
        self.job_id = job_id
        self.host_model_id = host_model_id
        self.submitted_at = submitted_at
        #: the request's shape (what prices the result), never its prompt
        self.request: dict[str, Any] = dict(request or {})
        #: the host's own handles a poll needs (Vertex's model path, a batch's custom ids ...)
        self.extra: dict[str, Any] = dict(extra or {})
        self.clock: Clock = clock or SYSTEM_CLOCK
        #: the last poll's answer (None before the first)
        self.last: JobState | None = None
        self.running_since: float | None = None
        self.finished_at: float | None = None
        self.polls = 0

    def __repr__(self) -> str:
        state = self.last.status if self.last is not None else "submitted"
        return f"{type(self).__name__}({self.host}/{self.model}, id={self.job_id!r}, {state})"

    # ------------------------------------------------------------------------------------------ one poll
    def _seen(self, state: JobState) -> JobState:
        now = self.clock.now()
        self.polls += 1
        self.last = state
        if state.status == "running" and self.running_since is None:
            self.running_since = now
        if state.done and self.finished_at is None:
            self.finished_at = now
        return state

    def status(self) -> JobState:
        """Ask the host once how the job is doing (no waiting, no error for a failed job: see ``.error``)."""
        return self._seen(self.sender.poll(self))

    async def astatus(self) -> JobState:
        return self._seen(await self.sender.apoll(self))

    def cancel(self) -> None:
        """Ask the host to stop the job (UnsupportedFeature, before any request, where the host has no cancel)."""
        self.sender.cancel(self)

    async def acancel(self) -> None:
        await self.sender.acancel(self)

    # ------------------------------------------------------------------------------------------ waiting
    def _plan(self, timeout: float | None, policy: PollPolicy | None, clock: Clock | None,
              rng: random.Random | None) -> PollPlan:
        """The one polling plan (``shared/io/polling.py``). Its deadline counts from the submit, so a wait of
        ``timeout`` seconds that starts later (a job collected by another process) ends ``timeout`` from now."""
        if clock is not None:
            self.clock = clock
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float)
                                    or not timeout > 0 or timeout == float("inf")):
            raise ConfigurationError(f"a job's wait timeout must be a number of seconds > 0 (or None: no limit), "
                                     f"not {timeout!r}")
        deadline = None if timeout is None else max(0.0, self.clock.now() - self.submitted_at) + timeout
        return PollPlan(host=self.host, job_id=self.job_id, submitted_at=self.submitted_at, deadline=deadline,
                        policy=policy, clock=self.clock.now, rng=(rng or random.Random()).random)

    def _poller(self, on_progress: Callable[[Progress], Any] | None) -> Callable[[JobState], PollStatus[JobState]]:
        """What each poll's answer becomes: reported (``on_progress``), and the plan's ``JobStatus`` (a job
        that ended in failure is done too: its error is raised by ``_failure``, never polled again)."""
        if on_progress is not None and not callable(on_progress):
            raise ConfigurationError(f"on_progress must be a callable taking a Progress, not {on_progress!r:.40}")

        def seen(state: JobState) -> PollStatus[JobState]:
            self._seen(state)
            if on_progress is not None:
                on_progress(Progress(job_id=self.job_id, host=self.host, status=state.status,
                                     fraction=state.progress, elapsed=self.clock.now() - self.submitted_at,
                                     polls=self.polls))
            return PollStatus(done=state.done, result=state, retry_after=state.poll_after, progress=state.progress)
        return seen

    def _settled(self, state: JobState | None) -> JobState:
        """The finished state of a succeeded job; the job's error raised for any other end."""
        if state is None:
            raise AssertionError("a finished poll always carries its state")
        if self.succeeded(state):
            return state
        err = state.error
        if err is None:
            word = "was cancelled" if state.status == "cancelled" else "failed"
            err = JobFailed(f"job {self.job_id} on {self.host} {word} (host status {state.host_status!r})",
                            host=self.host, code=state.host_status, job_id=self.job_id)
        if getattr(err, "job_id", None) is None:
            err.job_id = self.job_id  # type: ignore[attr-defined]
        raise err

    def succeeded(self, state: JobState) -> bool:
        """Whether a finished job has a result to give (a batch that was cancelled or expired part way still
        has the answers it finished: its kind says so)."""
        return state.status == "succeeded"

    def _outcome(self, state: JobState | None) -> R:
        settled = self._settled(state)
        result: R = self.sender.result(self, settled)
        return result

    async def _aoutcome(self, state: JobState | None) -> R:
        """The async twin of ``_outcome``: a sender whose result is I/O of its own has ``aresult``."""
        settled = self._settled(state)
        aresult = getattr(self.sender, "aresult", None)
        result: R = await aresult(self, settled) if aresult is not None else self.sender.result(self, settled)
        return result

    def wait(self, timeout: float | None = None, *, on_progress: Callable[[Progress], Any] | None = None,
             policy: PollPolicy | None = None, clock: Clock | None = None,
             rng: random.Random | None = None) -> R:
        """Poll until the job is over and return its result (see the module's docstring for the errors).
        ``timeout`` bounds this wait (None: no limit); ``on_progress`` is called after every poll."""
        plan = self._plan(timeout, policy, clock, rng)
        seen = self._poller(on_progress)
        try:
            state = poll_until_done(lambda: seen(self.sender.poll(self)), plan, sleep=self.clock.sleep)
        except JobTimeout as err:
            err.job = self
            raise
        return self._outcome(state)

    async def wait_async(self, timeout: float | None = None, *, on_progress: Callable[[Progress], Any] | None = None,
                         policy: PollPolicy | None = None, clock: Clock | None = None,
                         rng: random.Random | None = None) -> R:
        """The async twin of ``wait``."""
        plan = self._plan(timeout, policy, clock, rng)
        seen = self._poller(on_progress)

        async def poll() -> PollStatus[JobState]:
            return seen(await self.sender.apoll(self))
        try:
            state = await apoll_until_done(poll, plan, sleep=self.clock.asleep)
        except JobTimeout as err:
            err.job = self
            raise
        return await self._aoutcome(state)

    # ------------------------------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data to collect this job later, in this process or another (no key, no prompt)."""
        from ..transport import public_url

        host = getattr(self.sender, "host", None)
        base_url = getattr(host, "base_url", None) or getattr(self.sender, "base_url", None)
        return {"format": FORMAT, "kind": self.kind, "host": self.host, "model": self.model, "job_id": self.job_id,
                "host_model_id": self.host_model_id, "submitted_at": self.submitted_at,
                "base_url": public_url(base_url) if isinstance(base_url, str) else None,
                "request": dict(self.request), "extra": dict(self.extra)}

    @classmethod
    def _checked(cls, data: dict[str, Any]) -> None:
        name = cls.__name__
        if not isinstance(data, dict) or data.get("kind") != cls.kind or not data.get("job_id"):
            raise ConfigurationError(f"{name}.from_dict needs what {name}.to_dict wrote (a dict with kind "
                                     f"{cls.kind!r} and a job_id), not {str(data)[:80]!r}")
        if data.get("format") != FORMAT:
            raise ConfigurationError(f"{name}.from_dict reads format {FORMAT}, not {data.get('format')!r}")

    @classmethod
    def _rebuilt(cls, data: dict[str, Any], sender: Any, clock: Clock | None) -> Any:
        if sender.name != data["host"]:
            raise ConfigurationError(f"the job was submitted to {data['host']}, not to {sender.name}")
        return cls(sender=sender, model=data["model"], job_id=data["job_id"], host_model_id=data["host_model_id"],
                   submitted_at=float(data["submitted_at"]), request=data.get("request") or {},
                   extra=data.get("extra") or {}, clock=clock)


def registry_host(data: dict[str, Any], who: str) -> Any:
    """The host a persisted job names, built from the registry with its base URL and the key from its
    environment variable (hosts that need more to be built, such as Vertex, must be given)."""
    from ... import _registry

    row = _registry.HOSTS.get(str(data.get("host")))
    if row is None:
        raise ConfigurationError(f"{who}.from_dict: unknown host {data.get('host')!r}: pass host=... to collect "
                                 "the job through")
    cls = _registry.load(row.spec)
    base_url = data.get("base_url")
    return cls(base_url=base_url) if base_url and base_url != getattr(cls, "default_base_url", None) else cls()
