"""The polling plan's decisions (no I/O, an injectable clock), and jobs that survive the process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from rehost.clients.video.kling import KlingClient
from rehost.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequest,
    JobFailed,
    JobLost,
    JobTimeout,
    NotFound,
    RequestTimeout,
)
from rehost.providers.runware import Runware
from rehost.shared.io.clock import ManualClock
from rehost.shared.io.polling import JobStatus, PollPlan, PollPolicy
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
    return PollPlan(job_id="j1", host="h", clock=clock.now, **kwargs)


# -- the plan (its own tests are tests/test_io_polling.py): what the video kind adds -------------------------
def test_the_deadline_is_a_job_timeout_that_keeps_the_job_id(clock):
    p = plan(clock, deadline=5, policy=PollPolicy(first_interval=4, jitter=0))
    clock.sleep(p.first_wait())
    assert p.pending(JobStatus(done=False)) == 1  # only what is left of the deadline
    clock.sleep(1)
    with pytest.raises(RequestTimeout) as caught:
        p.pending(JobStatus(done=False))
    assert isinstance(caught.value, JobTimeout)
    assert caught.value.job_id == "j1"
    assert "collect it later" in str(caught.value)


def test_a_lost_job_keeps_its_id(clock):
    with pytest.raises(JobLost) as caught:
        plan(clock).poll_failed(NotFound("gone", host="h", status=404))
    assert caught.value.job_id == "j1"


def test_the_manual_clock_records_and_never_sleeps(clock):
    start = clock.now()
    clock.sleep(3600)
    asyncio.run(clock.asleep(60))
    assert clock.now() - start == 3660
    assert clock.slept == [3600, 60]


def test_a_bad_wait_timeout_is_refused_before_any_poll(jobs_emu, clock):
    job = KlingClient("kling-video-3-standard", provider=host_for(jobs_emu, "runware")).generate(
        "a cat", duration=5, size="1280x720", clock=clock)
    polls = len(jobs_emu.requests)
    for bad in (0, -1, "10", float("inf"), True):
        with pytest.raises(ConfigurationError, match="timeout"):
            job.wait(timeout=bad)
    with pytest.raises(ConfigurationError, match="on_progress"):
        job.wait(on_progress="print")
    assert len(jobs_emu.requests) == polls


def test_a_collected_jobs_timeout_counts_from_the_collection_not_the_submit(jobs_emu, clock):
    jobs_emu.script_jobs("runware", queued=10_000, running=10)
    job = KlingClient("kling-video-3-standard", provider=host_for(jobs_emu, "runware")).generate(
        "a cat", duration=5, size="1280x720", clock=clock)
    clock.advance(3600)  # collected an hour later
    with pytest.raises(JobTimeout):
        job.wait(timeout=30, policy=PollPolicy(first_interval=5, jitter=0))
    assert 25 <= sum(clock.slept) <= 30


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
            from rehost.shared.io.clock import ManualClock
            from rehost.shared.io.polling import PollPolicy
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
    jobs_emu.script_jobs("openrouter", queued=0, running=0, outcome="failed", reason="provider overloaded")
    host = host_for(jobs_emu, "openrouter")
    from rehost.clients.video.veo import VeoClient

    job = VeoClient("veo-3.1", provider=host).generate("a cat", duration=8, clock=clock)
    with pytest.raises(JobFailed, match="provider overloaded") as caught:
        job.wait(policy=POLICY)
    assert caught.value.job_id == job.job_id
