"""Video generation as jobs (issue 16): the full lifecycle on each host against the job emulator, sync and
async, and what a wait does with poll errors, deadlines, cancels, filtered and lost jobs. Every wait runs on
a ManualClock shared with the emulator: no test sleeps for a polling interval."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import pytest

from rehost.clients.video.kling import KlingClient
from rehost.clients.video.veo import VeoClient
from rehost.errors import ContentBlocked, JobLost, JobTimeout, NotFound, RateLimited, RequestTimeout, UnsupportedFeature
from rehost.shared.io.clock import ManualClock
from rehost.shared.video import Job, Progress, Video
from rehost.testing.emulator_jobs import JobEmulator, tiny_mp4

from .video_hosts import MODELS, POLICY, STYLES, host_for


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def jobs_emu(clock: ManualClock) -> Iterator[JobEmulator]:
    with JobEmulator(clock=clock) as emu:
        yield emu


SIZE = {"runware": {"size": "1280x720"}, "google": {"aspect_ratio": "16:9", "resolution": "720p"},
        "vertex": {"aspect_ratio": "16:9", "resolution": "720p"},
        "openrouter": {"aspect_ratio": "16:9", "resolution": "720p"}}


def client_for(emu: JobEmulator, style: str):
    cls = KlingClient if style == "runware" else VeoClient
    return cls(MODELS[style], provider=host_for(emu, style))


def generate(emu: JobEmulator, style: str, clock: ManualClock, **options) -> Job:
    opts = {"duration": 5 if style == "runware" else 8, **SIZE[style], **options}
    return client_for(emu, style).generate("a cat playing with a ball of yarn", clock=clock, **opts)


@pytest.mark.parametrize("style", STYLES)
def test_the_whole_lifecycle_on_each_host(style, jobs_emu, clock, tmp_path):
    jobs_emu.script_jobs(style, queued=3, running=6)
    job = generate(jobs_emu, style, clock)
    assert isinstance(job, Job)
    assert job.job_id
    assert job.host == style
    seen: list[Progress] = []
    video = job.wait(timeout=120, on_progress=seen.append, policy=POLICY)
    assert isinstance(video, Video)
    statuses = [p.status for p in seen]
    assert statuses[0] == "queued" or style in ("google", "vertex")  # Veo's operations say only done / not done
    assert "running" in statuses
    assert statuses[-1] == "succeeded"
    assert clock.slept[:4] == [2.0, 2.0, 3.0, 4.5]  # first wait, then the backoff: no real sleep
    assert video.timings.total == pytest.approx(sum(clock.slept))
    assert video.host == style
    assert video.host_model_id
    out = video.save(tmp_path / "cat.mp4")
    assert out.read_bytes() == tiny_mp4()
    assert len(jobs_emu.submits(style)) == 1
    if style in ("runware", "openrouter"):  # the hosts that report what they billed
        assert video.cost is not None
        assert video.cost.total == Decimal("0.42")


@pytest.mark.parametrize("style", STYLES)
async def test_the_whole_lifecycle_async(style, jobs_emu, clock, tmp_path):
    jobs_emu.script_jobs(style, queued=1, running=2)
    client = client_for(jobs_emu, style)
    opts = {"duration": 5 if style == "runware" else 8, **SIZE[style]}
    job = await client.agenerate("a cat", clock=clock, **opts)
    video = await job.wait_async(timeout=60, policy=POLICY)
    out = await video.asave(tmp_path / "cat.mp4")
    assert out.read_bytes() == tiny_mp4()


@pytest.mark.parametrize("style", STYLES)
def test_a_poll_error_mid_way_recovers_without_a_second_submit(style, jobs_emu, clock):
    jobs_emu.script_jobs(style, queued=2, running=4)
    job = generate(jobs_emu, style, clock)
    assert job.status().status in ("queued", "running")
    jobs_emu.script_jobs(style, poll_errors=2)  # the next two polls answer 503
    video = job.wait(timeout=120, policy=POLICY)
    assert video.job_id == job.job_id
    assert len(jobs_emu.submits(style)) == 1


@pytest.mark.parametrize("style", STYLES)
def test_a_deadline_is_a_request_timeout_that_keeps_the_job(style, jobs_emu, clock):
    jobs_emu.script_jobs(style, queued=100, running=100)
    job = generate(jobs_emu, style, clock)
    with pytest.raises(RequestTimeout) as caught:
        job.wait(timeout=30, policy=POLICY)
    err = caught.value
    assert isinstance(err, JobTimeout)
    assert err.job_id == job.job_id
    assert err.job is job
    assert job.job_id in str(err)
    assert sum(clock.slept) == pytest.approx(30)  # waited to the deadline, not past it
    # collected later: the same job, no new submit
    jobs_emu.script_jobs(style, queued=0, running=0)
    assert Job.from_dict(job.to_dict(), host=job.sender.host, clock=clock).wait(policy=POLICY).job_id == job.job_id
    assert len(jobs_emu.submits(style)) == 1


@pytest.mark.parametrize("style", ["runware", "google", "vertex"])
def test_a_filtered_result_is_content_blocked_with_the_hosts_reason(style, jobs_emu, clock):
    jobs_emu.script_jobs(style, queued=0, running=1, outcome="filtered", reason="Unsafe content: violence")
    job = generate(jobs_emu, style, clock)
    with pytest.raises(ContentBlocked) as caught:
        job.wait(timeout=60, policy=POLICY)
    assert "violence" in str(caught.value)
    assert caught.value.host == style


@pytest.mark.parametrize("style", STYLES)
def test_a_lost_job_is_a_typed_error(style, jobs_emu, clock):
    jobs_emu.script_jobs(style, outcome="lost")
    job = generate(jobs_emu, style, clock)
    with pytest.raises(JobLost) as caught:
        job.wait(timeout=60, policy=POLICY)
    assert caught.value.job_id == job.job_id


@pytest.mark.parametrize("style", ["google", "vertex"])
def test_cancel_where_the_host_has_it(style, jobs_emu, clock):
    jobs_emu.script_jobs(style, queued=5, running=5)
    job = generate(jobs_emu, style, clock)
    job.cancel()
    assert job.status().status == "cancelled"


@pytest.mark.parametrize("style", ["runware", "openrouter"])
def test_cancel_where_the_host_has_none_fails_before_any_request(style, jobs_emu, clock):
    job = generate(jobs_emu, style, clock)
    before = len(jobs_emu.requests)
    with pytest.raises(UnsupportedFeature, match="cancel"):
        job.cancel()
    assert len(jobs_emu.requests) == before


@pytest.mark.parametrize("style", STYLES)
def test_a_rate_limited_submit_is_retried_once_accepted(style, jobs_emu, clock):
    jobs_emu.script_jobs(style, submit_429=1, queued=0, running=0)
    job = generate(jobs_emu, style, clock)
    assert job.wait(policy=POLICY).job_id == job.job_id
    assert len(jobs_emu.submits(style)) == 2  # the 429, then the one the host took


def test_a_submit_still_rate_limited_after_the_retries_raises(jobs_emu, clock):
    jobs_emu.script_jobs("openrouter", submit_429=10)
    with pytest.raises(RateLimited):
        generate(jobs_emu, "openrouter", clock)


def test_a_slow_download_streams_to_disk_in_chunks(jobs_emu, clock, tmp_path):
    jobs_emu.script_jobs("runware", queued=0, running=0, download_delay=0.01)
    video = generate(jobs_emu, "runware", clock).wait(policy=POLICY)
    out = video.save(tmp_path / "slow.mp4", chunk_size=256)
    assert out.read_bytes() == tiny_mp4()
    assert not (tmp_path / "slow.mp4.part").exists()


def test_vertex_answers_bytes_without_a_storage_uri_and_a_gs_uri_with_one(jobs_emu, clock, tmp_path):
    jobs_emu.script_jobs("vertex", queued=0, running=0)
    video = generate(jobs_emu, "vertex", clock).wait(policy=POLICY)
    assert video.data == tiny_mp4()
    assert video.save(tmp_path / "v.mp4").read_bytes() == tiny_mp4()
    stored = generate(jobs_emu, "vertex", clock, output_uri="gs://bucket/out").wait(policy=POLICY)
    assert stored.url == "gs://bucket/out/sample_0.mp4"
    with pytest.raises(UnsupportedFeature, match="gcloud storage"):
        stored.save(tmp_path / "gs.mp4")


def test_the_hosts_suggested_interval_is_honoured(jobs_emu, clock):
    # Runware and the others give no interval; a host hook that does is believed over the backoff
    host = host_for(jobs_emu, "openrouter")
    endpoint = host.endpoint("video")
    endpoint.poll_after = lambda headers, body: 7.0  # type: ignore[method-assign]
    jobs_emu.script_jobs("openrouter", queued=10, running=10)
    job = VeoClient("veo-3.1", provider=host).generate("a cat", duration=8, clock=clock)
    job.wait(policy=POLICY)
    assert clock.slept[0] == 2.0  # the first wait, before any answer could suggest one
    assert set(clock.slept[1:]) == {7.0}


def test_async_and_sync_polls_agree(jobs_emu, clock):
    jobs_emu.script_jobs("runware", queued=1, running=1)
    job = generate(jobs_emu, "runware", clock)
    assert job.status().status == "queued"
    clock.advance(1.5)
    assert asyncio.run(job.astatus()).status == "running"


def test_the_key_goes_with_a_download_only_to_the_hosts_own_origin(jobs_emu, clock, tmp_path):
    """OpenRouter's content URL needs the key; its unsigned CDN URLs, on another origin, must never see it."""
    with JobEmulator(clock=clock) as cdn:
        cdn.script_jobs("openrouter", queued=0, running=0)
        host = host_for(cdn, "openrouter")
        elsewhere = VeoClient("veo-3.1", provider=host).generate("a cat", duration=8, clock=clock).wait(policy=POLICY)
        jobs_emu.script_jobs("openrouter", queued=0, running=0)
        here = host_for(jobs_emu, "openrouter").endpoint("video")
        foreign = Video(host="openrouter", model="veo-3.1", host_model_id="google/veo-3.1", job_id=elsewhere.job_id,
                        url=elsewhere.url, _sender=here)
        foreign.save(tmp_path / "cdn.mp4")
        fetched = [s for s in cdn.requests if s.path.startswith("/_jobs/files/")]
        assert fetched
        assert "authorization" not in fetched[-1].headers
    own = Video(host="openrouter", model="veo-3.1", host_model_id="google/veo-3.1", job_id=elsewhere.job_id,
                url=f"{jobs_emu.jobs_base_url('openrouter')}/videos/{elsewhere.job_id}/content", _sender=here)
    with pytest.raises(NotFound, match="no video"):  # the id is the other emulator's: what matters is the header
        own.save(tmp_path / "own.mp4")
    assert jobs_emu.requests[-1].headers["authorization"] == "Bearer emulator-key"


def test_gemini_downloads_carry_the_key_in_a_header_not_the_url(jobs_emu, clock, tmp_path):
    jobs_emu.script_jobs("google", queued=0, running=0)
    video = generate(jobs_emu, "google", clock).wait(policy=POLICY)
    video.save(tmp_path / "v.mp4")
    download = jobs_emu.requests[-1]
    assert download.path.split("?")[0].endswith(":download")
    assert download.headers["x-goog-api-key"] == "emulator-key"
    assert "emulator-key" not in download.path


def test_a_5xx_on_submit_is_retried_only_where_resubmitting_cannot_start_a_second_video(jobs_emu, clock):
    from rehost.errors import ServerError

    jobs_emu.script_jobs("runware", submit_5xx=1, queued=0, running=0)  # our taskUUID: the retry is the same task
    job = generate(jobs_emu, "runware", clock)
    sent = [s.json()[0]["taskUUID"] for s in jobs_emu.submits("runware")]
    assert sent == [job.job_id, job.job_id]
    jobs_emu.script_jobs("openrouter", submit_5xx=1)  # the host's id: a retry might bill a second video
    with pytest.raises(ServerError):
        generate(jobs_emu, "openrouter", clock)
    assert len(jobs_emu.submits("openrouter")) == 1


def test_progress_is_reported_where_the_host_gives_a_figure(jobs_emu, clock):
    jobs_emu.script_jobs("openrouter", queued=0, running=10)
    seen: list[Progress] = []
    generate(jobs_emu, "openrouter", clock).wait(on_progress=seen.append, policy=POLICY)
    fractions = [p.fraction for p in seen if p.status == "running"]
    assert fractions
    assert all(f is not None and 0 < f < 1 for f in fractions)
    assert fractions == sorted(fractions)
