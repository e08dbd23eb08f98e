"""Replicate predictions as video jobs (HOSTS-MORE §10): the whole lifecycle against the job emulator, sync and
async, the submit body per model id form, ``Prefer: wait``, cancel, failed / filtered / lost predictions, RFC 7807
errors, retries that cannot start a second prediction, and the key. Every wait runs on a ManualClock."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

import rehost
from rehost import _registry
from rehost.clients.video.veo import VeoClient
from rehost.errors import (
    AuthenticationError,
    ConfigurationError,
    ContentBlocked,
    JobFailed,
    JobLost,
    MissingAPIKey,
    ServerError,
    UnsupportedFeature,
)
from rehost.providers.replicate import Replicate
from rehost.shared.io.clock import ManualClock
from rehost.shared.io.polling import PollPolicy
from rehost.shared.transport import RetryPolicy
from rehost.shared.video import Job, Progress
from rehost.shared.video.media import Media
from rehost.shared.video.request import VideoRequest
from rehost.testing.emulator_jobs import JobEmulator, tiny_mp4

POLICY = PollPolicy(first_interval=2.0, multiplier=1.5, max_interval=10.0, jitter=0.0)
FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.0, jitter=False)
VERSION = "ed5b1767b711dd15d954b162af1e890d27882680f463a85e94f02d604012b972"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emu(clock: ManualClock) -> Iterator[JobEmulator]:
    with JobEmulator(clock=clock) as emulator:
        yield emulator


def host(emu: JobEmulator, **kwargs) -> Replicate:
    kwargs.setdefault("retry", FAST_RETRY)
    return Replicate("emulator-key", base_url=emu.jobs_base_url("replicate"), **kwargs)


def generate(emu: JobEmulator, clock: ManualClock, model: str = "veo-3.1", **options) -> Job:
    opts = {"duration": 8, "aspect_ratio": "16:9", "resolution": "720p", **options}
    return VeoClient(model, provider=host(emu)).generate("a cat playing with yarn", clock=clock, **opts)


def test_it_is_a_video_host_known_by_one_registry_row(monkeypatch):
    row = _registry.HOSTS["replicate"]
    assert row.spec == ("rehost.providers.replicate", "Replicate")
    assert row.kinds == frozenset({"video"})
    assert "api.replicate.com" in row.real_hosts
    assert rehost.Replicate is Replicate
    assert Replicate("k").kinds == frozenset({"video"})
    client = rehost.client("replicate/veo-3.1")
    assert isinstance(client, VeoClient)
    assert isinstance(client.provider, Replicate)
    assert rehost.catalog().host_entry("veo-3.1", "replicate").id == "google/veo-3.1"
    assert rehost.catalog().host_entry("veo-3.0-fast", "replicate").id == "google/veo-3-fast"


def test_the_whole_lifecycle(emu, clock, tmp_path):
    emu.script_jobs("replicate", queued=3, running=6)
    job = generate(emu, clock)
    assert job.host == "replicate"
    seen: list[Progress] = []
    video = job.wait(timeout=120, on_progress=seen.append, policy=POLICY)
    statuses = [p.status for p in seen]
    assert statuses[0] == "queued"  # starting
    assert "running" in statuses  # processing
    assert statuses[-1] == "succeeded"
    assert clock.slept[:4] == [2.0, 2.0, 3.0, 4.5]
    assert video.host_model_id == "google/veo-3.1"
    assert video.save(tmp_path / "cat.mp4").read_bytes() == tiny_mp4()
    assert len(emu.submits("replicate")) == 1
    polls = [s for s in emu.requests if s.method == "GET" and "/predictions/" in s.path]
    assert polls
    assert all(s.path == f"/replicate/v1/predictions/{job.job_id}" for s in polls)
    assert all(s.headers["authorization"] == "Bearer emulator-key" for s in polls)


async def test_the_whole_lifecycle_async(emu, clock, tmp_path):
    emu.script_jobs("replicate", queued=1, running=2)
    job = await VeoClient("veo-3.1", provider=host(emu)).agenerate("a cat", clock=clock, duration=8)
    video = await job.wait_async(timeout=60, policy=POLICY)
    assert (await video.asave(tmp_path / "cat.mp4")).read_bytes() == tiny_mp4()


def test_the_submit_names_the_model_in_the_path_and_sends_the_inputs_by_the_models_schema(emu, clock):
    generate(emu, clock, negative_prompt="blur", seed=7, audio=False,
             first_frame=Media(url="https://example.com/first.png"),
             last_frame=Media(url="https://example.com/last.png"))
    (submit,) = emu.submits("replicate")
    assert submit.path == "/replicate/v1/models/google/veo-3.1/predictions"
    assert submit.json() == {"input": {
        "prompt": "a cat playing with yarn", "duration": 8, "aspect_ratio": "16:9", "resolution": "720p",
        "negative_prompt": "blur", "generate_audio": False, "seed": 7, "image": "https://example.com/first.png",
        "last_frame": "https://example.com/last.png"}}
    assert "prefer" not in submit.headers


def test_a_version_id_goes_to_predictions_with_the_version_and_a_webhook_with_its_filter(emu):
    endpoint = host(emu).endpoint("video")
    call, _ = endpoint.prepare_submit(VideoRequest(model="veo-3.1", prompt="x",
                                                   host_model_id=f"google/veo-3.1:{VERSION}",
                                                   webhook_url="https://me.example/hook"))
    assert call.url.endswith("/replicate/v1/predictions")
    assert call.body == {"version": VERSION, "input": {"prompt": "x"}, "webhook": "https://me.example/hook",
                         "webhook_events_filter": ["completed"]}


def test_prefer_wait_is_sent_when_asked_and_checked(emu, clock):
    emu.script_jobs("replicate", queued=0, running=1)
    provider = host(emu, wait=30)
    job = VeoClient("veo-3.1", provider=provider).generate("a cat", clock=clock, duration=8)
    (submit,) = emu.submits("replicate")
    assert submit.headers["prefer"] == "wait=30"
    assert job.wait(timeout=60, policy=POLICY).job_id == job.job_id
    for bad in (0, 61, 2.5, True):
        with pytest.raises(ConfigurationError, match="1 to 60"):
            Replicate("k", wait=bad)


@pytest.mark.parametrize(("options", "match"), [({"fps": 24}, "fps"), ({"output_uri": "gs://b/x"}, "output_uri")])
def test_what_the_models_inputs_lack_is_refused_before_the_network(emu, clock, options, match):
    endpoint = host(emu).endpoint("video")
    with pytest.raises(UnsupportedFeature, match=match):
        endpoint.submit(VideoRequest(model="veo-3.1", prompt="x", host_model_id="google/veo-3.1", **options))
    assert emu.submits("replicate") == []


def test_a_model_id_that_is_not_replicates_is_refused_before_the_network(emu):
    with pytest.raises(ConfigurationError, match="owner/name"):
        host(emu).endpoint("video").submit(VideoRequest(model="x", prompt="x", host_model_id="not a model"))
    assert emu.requests == []


def test_a_failed_prediction_is_job_failed_with_its_reason(emu, clock):
    emu.script_jobs("replicate", queued=0, running=1, outcome="failed", reason="CUDA out of memory")
    job = generate(emu, clock)
    with pytest.raises(JobFailed, match="CUDA out of memory") as caught:
        job.wait(timeout=60, policy=POLICY)
    assert caught.value.host == "replicate"


def test_a_flagged_prediction_is_content_blocked(emu, clock):
    emu.script_jobs("replicate", queued=0, running=1, outcome="filtered", reason="violence")
    job = generate(emu, clock)
    with pytest.raises(ContentBlocked, match="violence"):
        job.wait(timeout=60, policy=POLICY)


def test_a_lost_prediction_is_a_typed_error(emu, clock):
    emu.script_jobs("replicate", outcome="lost")
    job = generate(emu, clock)
    with pytest.raises(JobLost) as caught:
        job.wait(timeout=60, policy=POLICY)
    assert caught.value.job_id == job.job_id


def test_cancel(emu, clock):
    emu.script_jobs("replicate", queued=5, running=5)
    job = generate(emu, clock)
    job.cancel()
    cancels = [s for s in emu.requests if s.path.endswith("/cancel")]
    assert [s.method for s in cancels] == ["POST"]
    assert job.status().status == "cancelled"
    assert job.last is not None
    assert job.last.host_status == "canceled"


def test_a_poll_error_mid_way_recovers_without_a_second_submit(emu, clock):
    emu.script_jobs("replicate", queued=2, running=4)
    job = generate(emu, clock)
    emu.script_jobs("replicate", poll_errors=2)
    assert job.wait(timeout=120, policy=POLICY).job_id == job.job_id
    assert len(emu.submits("replicate")) == 1


def test_a_429_submit_is_retried_but_a_5xx_is_not(emu, clock):
    emu.script_jobs("replicate", submit_429=1, queued=0, running=0)
    job = generate(emu, clock)
    assert job.wait(policy=POLICY).job_id == job.job_id
    assert len(emu.submits("replicate")) == 2
    emu.script_jobs("replicate", submit_429=0, submit_5xx=1)
    with pytest.raises(ServerError):
        generate(emu, clock)
    assert len(emu.submits("replicate")) == 3  # no resubmit: it may have started (and billed) a prediction


def test_a_job_is_picked_up_again_in_another_process_from_its_dict(emu, clock, monkeypatch):
    emu.script_jobs("replicate", queued=1, running=1)
    job = generate(emu, clock)
    data = json.loads(json.dumps(job.to_dict()))
    monkeypatch.setenv("REPLICATE_API_TOKEN", "emulator-key")
    again = Job.from_dict(data, clock=clock)  # rebuilt from the registry, the key from its variable
    assert isinstance(again.sender.host, Replicate)
    assert again.wait(timeout=60, policy=POLICY).job_id == job.job_id


def test_problem_details_errors_are_typed_and_never_show_the_key():
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, headers={"content-type": "application/problem+json"}, json={
            "title": "Unauthenticated", "detail": "You did not pass a valid authentication token", "status": 401})

    provider = Replicate("r8_secret_key", transport=httpx.MockTransport(answer), retry=RetryPolicy(max_retries=0))
    with pytest.raises(AuthenticationError) as caught:
        provider.endpoint("video").submit(VideoRequest(model="veo-3.1", prompt="x", host_model_id="google/veo-3.1"))
    assert "Unauthenticated" in str(caught.value)
    assert "valid authentication token" in str(caught.value)
    assert caught.value.host == "replicate"
    assert "r8_secret_key" not in str(caught.value)
    assert "r8_secret_key" not in repr(provider)


def test_the_key_comes_from_replicate_api_token(monkeypatch):
    monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)
    with pytest.raises(MissingAPIKey, match="REPLICATE_API_TOKEN"):
        Replicate().auth_headers()
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_from_env")
    assert Replicate().auth_headers() == {"Authorization": "Bearer r8_from_env"}


def test_a_poll_url_on_another_origin_is_not_followed_with_the_key(emu, clock):
    job = generate(emu, clock)
    job.extra["get"] = "https://elsewhere.example/predictions/x"
    call = job.sender.build_poll(job)
    assert call.url == f"{emu.jobs_base_url('replicate')}/predictions/{job.job_id}"


def test_a_succeeded_prediction_without_a_video_url_is_a_protocol_error(emu, clock):
    from rehost.errors import ProtocolError

    job = generate(emu, clock)
    endpoint = job.sender
    for output in (["Hello", " world"], None, {"video": "x"}):
        body = json.dumps({"id": job.job_id, "status": "succeeded", "output": output}).encode()
        with pytest.raises(ProtocolError, match="no video URL"):
            endpoint._state(job, body, httpx.Headers())
