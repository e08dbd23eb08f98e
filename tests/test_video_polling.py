"""The polling plan's decisions (no I/O, an injectable clock), and jobs that survive the process."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from rehost.clients.video.kling import KlingClient
from rehost.errors import AuthenticationError, ConfigurationError, InvalidRequest, ServerError
from rehost.providers.runware import Runware
from rehost.shared.io.polling import JobLost, JobTimeout, ManualClock, PollPlan, PollPolicy, poll_until_done
from rehost.shared.video import Job
from rehost.testing.emulator_jobs import JobEmulator, tiny_mp4

from .video_hosts import POLICY, host_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def jobs_emu(clock: ManualClock) -> Iterator[JobEmulator]:
    with JobEmulator(clock=clock) as emu:
        yield emu


def plan(clock: ManualClock, **kwargs) -> PollPlan:
    return PollPlan(job_id="j1", host="h", clock=clock, **kwargs)


# -- the plan ----------------------------------------------------------------------------------------------
def test_backoff_grows_to_its_cap(clock):
    p = plan(clock, policy=PollPolicy(initial=1, multiplier=2, max_interval=5, jitter=0))
    waits = []
    for _ in range(5):
        p.observed(done=False)
        waits.append(p.next_wait())
    assert waits == [1, 2, 4, 5, 5]


def test_jitter_stays_within_its_fraction(clock):
    p = plan(clock, policy=PollPolicy(initial=10, max_interval=10, jitter=0.2), rng=random.Random(1))
    p.observed(done=False)
    waits = {p.next_wait() for _ in range(50)}
    assert len(waits) > 10
    assert all(8 <= w <= 12 for w in waits)


def test_the_hosts_suggestion_beats_the_backoff_but_is_capped(clock):
    p = plan(clock, policy=PollPolicy(jitter=0, max_suggested=30))
    p.observed(done=False, suggested=4)
    assert p.next_wait() == 4
    p.observed(done=False, suggested=600)
    assert p.next_wait() == 30


def test_the_last_wait_ends_at_the_deadline_and_the_next_is_a_timeout(clock):
    p = plan(clock, timeout=5, policy=PollPolicy(initial=4, jitter=0))
    p.observed(done=False)
    clock.sleep(p.next_wait())
    p.observed(done=False)
    assert p.next_wait() == 1  # only what is left
    clock.sleep(1)
    with pytest.raises(JobTimeout) as caught:
        p.observed(done=False)
    assert caught.value.job_id == "j1"


def test_transient_poll_errors_are_retried_up_to_the_policy(clock):
    p = plan(clock, policy=PollPolicy(max_poll_errors=2, jitter=0))
    p.failed(ServerError("x", host="h", status=503))
    p.failed(ServerError("x", host="h", status=503, retry_after=9))
    assert p.next_wait() == 9  # a Retry-After on a poll is believed
    with pytest.raises(ServerError):
        p.failed(ServerError("x", host="h", status=503))


def test_an_answer_resets_the_error_count(clock):
    p = plan(clock, policy=PollPolicy(max_poll_errors=1, jitter=0))
    p.failed(ServerError("x", host="h", status=500))
    p.observed(done=False)
    p.failed(ServerError("x", host="h", status=500))  # one in a row again: still allowed


def test_a_404_is_a_lost_job_and_a_definitive_error_is_raised_as_it_is(clock):
    from rehost.errors import NotFound

    with pytest.raises(JobLost, match="no longer knows job j1"):
        plan(clock).failed(NotFound("gone", host="h", status=404))
    with pytest.raises(AuthenticationError):
        plan(clock).failed(AuthenticationError("bad key", host="h", status=401))


@pytest.mark.parametrize("bad", [{"initial": -1}, {"multiplier": 0.5}, {"jitter": 1}, {"max_interval": 0.1},
                                 {"max_poll_errors": -1}, {"initial": float("nan")}])
def test_a_bad_policy_is_refused(bad):
    with pytest.raises(ConfigurationError):
        PollPolicy(**bad)


@pytest.mark.parametrize("timeout", [0, -1, "10", float("inf")])
def test_a_bad_timeout_is_refused(clock, timeout):
    with pytest.raises(ConfigurationError, match="timeout"):
        plan(clock, timeout=timeout)


def test_the_shell_sleeps_only_through_the_clock(clock):
    answers = iter([False, False, True])
    result = poll_until_done(plan(clock, policy=PollPolicy(initial=3, multiplier=1, max_interval=3, jitter=0)),
                             lambda: next(answers), lambda done: done)
    assert result is True
    assert clock.slept == [3, 3]


# -- jobs across processes ---------------------------------------------------------------------------------
def test_to_dict_is_json_and_holds_no_key_or_prompt(jobs_emu, clock):
    host = host_for(jobs_emu, "runware")
    job = KlingClient("kling-video-3-standard", provider=host).generate("a secret plan", duration=5,
                                                                         size="1280x720", clock=clock)
    data = json.loads(json.dumps(job.to_dict()))
    assert data["job_id"] == job.job_id
    assert data["host"] == "runware"
    assert data["request"] == {"duration": 5, "width": 1280, "height": 720, "aspect_ratio": "16:9",
                               "resolution": "720p"}
    assert "emulator-key" not in json.dumps(data)
    assert "secret plan" not in json.dumps(data)
    again = Job.from_dict(data, host=host, clock=clock)
    assert (again.job_id, again.model, again.submitted_at) == (job.job_id, job.model, job.submitted_at)


@pytest.mark.parametrize("data", [{}, {"kind": "chat", "job_id": "x"}, {"kind": "video", "job_id": "x", "format": 9},
                                  {"kind": "video", "job_id": "x", "format": 1, "host": "nohost"}])
def test_from_dict_refuses_what_to_dict_did_not_write(data):
    with pytest.raises(ConfigurationError):
        Job.from_dict(data)


def test_from_dict_refuses_another_hosts_job(jobs_emu):
    data = {"format": 1, "kind": "video", "host": "google", "model": "veo-3.1", "job_id": "x", "host_model_id": "v",
            "submitted_at": 0}
    with pytest.raises(ConfigurationError, match="google, not to runware"):
        Job.from_dict(data, host=host_for(jobs_emu, "runware"))


def test_a_job_submitted_here_is_collected_by_a_fresh_process(tmp_path):
    """Submit, write the job down, exit; a new process reads it, rebuilds the host from the registry (key from
    the environment) and collects the video. The emulator counts polls, so no one waits on a real clock."""
    with JobEmulator() as emu:
        emu.script_jobs("runware", queued=0, running=0, queued_polls=1, running_polls=2)
        host = Runware("emulator-key", base_url=emu.jobs_base_url("runware"))
        job = KlingClient("kling-video-3-standard", provider=host).generate("a cat", duration=5, size="1280x720")
        assert job.status().status == "queued"
        saved = tmp_path / "job.json"
        saved.write_text(json.dumps(job.to_dict()))
        code = textwrap.dedent(f"""
            import json, sys
            from rehost.shared.io.polling import ManualClock, PollPolicy
            from rehost.shared.video import Job
            job = Job.from_dict(json.load(open({str(saved)!r})))
            video = job.wait(timeout=60, clock=ManualClock(), policy=PollPolicy(jitter=0))
            video.save({str(tmp_path / "cat.mp4")!r})
            print(json.dumps({{"job_id": video.job_id, "cost": str(video.cost.total), "polls": job.polls}}))
        """)
        env = {**os.environ, "RUNWARE_API_KEY": "emulator-key", "PYTHONPATH": str(ROOT / "src")}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                              check=False)
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert out["job_id"] == job.job_id
        assert out["cost"] == "0.42"
        assert out["polls"] == 3  # running, running, done
        assert (tmp_path / "cat.mp4").read_bytes() == tiny_mp4()
        assert len(emu.submits("runware")) == 1


# -- keys and errors ---------------------------------------------------------------------------------------
def test_keys_stay_out_of_reprs_and_errors(jobs_emu, clock):
    secret = "sk-video-0123456789abcdef"
    from rehost.shared.io.polling import JobFailed

    host = Runware(secret, base_url=jobs_emu.jobs_base_url("runware"))
    jobs_emu.script_jobs("runware", queued=0, running=0, outcome="failed", reason=f"bad key {secret}")
    job = KlingClient("kling-video-3-standard", provider=host).generate("a cat", duration=5, size="1280x720",
                                                                        clock=clock)
    assert secret not in repr(host) + repr(job) + repr(host.endpoint("video")) + json.dumps(job.to_dict())
    with pytest.raises(JobFailed) as caught:
        job.wait(policy=POLICY)
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value)


def test_runware_errors_map_to_the_taxonomy():
    host = Runware("k")
    assert isinstance(host.error_from_body(401, {}, {"errors": [{"code": "missingApiKey", "message": "no key"}]}),
                      AuthenticationError)
    err = host.error_from_body(400, {}, {"errors": [{"code": "invalidDuration", "message": "bad", "parameter":
                                                     "duration"}]})
    assert isinstance(err, InvalidRequest)
    assert err.code == "invalidDuration"
    assert "parameter duration" in str(err)


def test_a_failed_job_keeps_the_hosts_reason_and_job_id(jobs_emu, clock):
    from rehost.shared.io.polling import JobFailed

    jobs_emu.script_jobs("openrouter", queued=0, running=0, outcome="failed", reason="provider overloaded")
    host = host_for(jobs_emu, "openrouter")
    from rehost.clients.video.veo import VeoClient

    job = VeoClient("veo-3.1", provider=host).generate("a cat", duration=8, clock=clock)
    with pytest.raises(JobFailed, match="provider overloaded") as caught:
        job.wait(policy=POLICY)
    assert caught.value.job_id == job.job_id
