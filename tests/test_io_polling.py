"""The job polling plan (rehost.shared.io.polling) and its shells, on a fake clock: no real sleeping."""

from __future__ import annotations

import pytest

from rehost.errors import (
    AuthenticationError,
    ConfigurationError,
    JobLost,
    NotFound,
    Overloaded,
    RequestTimeout,
    ServerError,
)
from rehost.shared.io.polling import JobStatus, PollPlan, PollPolicy, apoll_until_done, poll_until_done


class Clock:
    """A clock that only moves when the shells sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.waits.append(round(seconds, 6))
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def job(*answers):
    """A poll() that gives ``answers`` in turn (a JobStatus, or an exception to raise) and counts its calls."""
    answers = list(answers)
    calls = []

    def poll():
        calls.append(1)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    poll.calls = calls
    return poll


def plan(clock, **kw):
    policy = kw.pop("policy", PollPolicy(first_interval=1.0, multiplier=2.0, max_interval=5.0, jitter=0.0))
    return PollPlan(host="emu", job_id="job-1", clock=clock, rng=lambda: 1.0, policy=policy, **kw)


RUNNING = JobStatus(done=False)


def test_backoff_from_the_first_interval_capped():
    clock = Clock()
    poll = job(RUNNING, RUNNING, RUNNING, RUNNING, JobStatus(done=True, result="video.mp4"))
    assert poll_until_done(poll, plan(clock), sleep=clock.sleep) == "video.mp4"
    assert clock.waits == [1.0, 1.0, 2.0, 4.0, 5.0]
    assert len(poll.calls) == 5


def test_the_hosts_suggested_interval_wins_within_bounds():
    clock = Clock()
    poll = job(JobStatus(done=False, retry_after=3.0), JobStatus(done=False, retry_after=0.0),
               JobStatus(done=False, retry_after=99.0), JobStatus(done=True, result=1))
    assert poll_until_done(poll, plan(clock), sleep=clock.sleep) == 1
    assert clock.waits == [1.0, 3.0, 0.2, 5.0]


def test_jitter_shortens_waits_by_at_most_its_fraction():
    clock = Clock()
    jittery = PollPlan(host="emu", job_id="j", clock=clock, rng=lambda: 0.5,
                       policy=PollPolicy(first_interval=2.0, jitter=0.2))
    assert jittery.first_wait() == pytest.approx(1.8)


def test_transient_poll_errors_are_retried_without_resubmitting():
    clock = Clock()
    poll = job(ServerError("oops", status=500), Overloaded("busy", status=503, retry_after=4.0), RUNNING,
               JobStatus(done=True, result="ok"))
    assert poll_until_done(poll, plan(clock), sleep=clock.sleep) == "ok"
    assert clock.waits == [1.0, 1.0, 4.0, 1.0]  # the submission is the caller's, once: only poll() repeats
    assert len(poll.calls) == 4


def test_too_many_poll_errors_in_a_row_raise_the_last():
    clock = Clock()
    errors = [ServerError(f"oops {i}", status=500) for i in range(4)]
    policy = PollPolicy(first_interval=1.0, jitter=0.0, max_poll_errors=3)
    with pytest.raises(ServerError, match="oops 3"):
        poll_until_done(job(*errors), plan(clock, policy=policy), sleep=clock.sleep)


def test_a_404_on_poll_is_a_lost_job():
    clock = Clock()
    with pytest.raises(JobLost) as caught:
        poll_until_done(job(RUNNING, NotFound("no such operation", status=404, host="emu")), plan(clock),
                        sleep=clock.sleep)
    assert caught.value.job_id == "job-1"
    assert caught.value.status == 404
    assert not caught.value.retryable


def test_a_non_retryable_poll_error_is_raised_at_once():
    clock = Clock()
    poll = job(AuthenticationError("bad key", status=401))
    with pytest.raises(AuthenticationError):
        poll_until_done(poll, plan(clock), sleep=clock.sleep)
    assert len(poll.calls) == 1


def test_the_deadline_counts_from_submission_and_ends_the_wait():
    clock = Clock()
    submitted = clock.now - 2.0  # submitted two seconds before the plan was made
    poll = job(*[RUNNING] * 20)
    with pytest.raises(RequestTimeout, match="job-1 on emu was not done 10s after"):
        poll_until_done(poll, plan(clock, submitted_at=submitted, deadline=10.0), sleep=clock.sleep)
    assert clock.now == pytest.approx(submitted + 10.0)  # the last wait was cut to the deadline, not past it
    assert sum(clock.waits) == pytest.approx(8.0)


async def test_the_async_shell_drives_the_same_plan():
    clock = Clock()
    answers = job(RUNNING, ServerError("oops", status=502), JobStatus(done=True, result=b"audio"))

    async def poll():
        return answers()

    assert await apoll_until_done(poll, plan(clock), sleep=clock.asleep) == b"audio"
    assert clock.waits == [1.0, 1.0, 2.0]


def test_policy_and_plan_values_are_checked():
    with pytest.raises(ConfigurationError):
        PollPolicy(jitter=1.0)
    with pytest.raises(ConfigurationError):
        PollPolicy(multiplier=0.9)
    with pytest.raises(ConfigurationError):
        PollPlan(host="emu", job_id="j", deadline=-5)
