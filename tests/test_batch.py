"""Batch APIs as jobs (issue 19): a neutral BatchRequest submitted to OpenAI (/v1/files + /v1/batches),
Anthropic (message batches) and the Gemini API (batchGenerateContent) as a job of the shared job lifecycle,
polled, and answered with one Completion or typed error per item IN INPUT ORDER, whatever order the host
wrote; cancel, expiry, partial failures, persistence, and bad input refused before the network. Everything
runs against the batch emulator (a real local server) with a manual clock: nobody sleeps for real."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest

from rehost import Anthropic, GenericClient, Google, Groq, OpenAI, _registry
from rehost.errors import ConfigurationError, InvalidRequest, JobFailed, ModelNotServed, UnsupportedFeature
from rehost.providers.base.kinds import endpoint_attribute
from rehost.shared.batch import BatchItem, BatchJob, BatchRequest, batch_sender, submit_batch
from rehost.shared.io.clock import ManualClock
from rehost.shared.pricing import cost_of
from rehost.shared.transport import dump_json
from rehost.testing.emulator_batch import BatchEmulator

MODELS = {"openai": "gpt-4.1", "anthropic": "claude-opus-4-6", "google": "gemini-2.5-pro"}
STYLES = tuple(MODELS)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emu(clock: ManualClock):  # type: ignore[no-untyped-def]
    with BatchEmulator(clock=clock) as emulator:
        yield emulator


def _batch(style: str, n: int = 4, **options: object) -> BatchRequest:
    client = GenericClient(MODELS[style])
    return BatchRequest(tuple(BatchItem(f"q{i}", client.prepare(f"question {i}", max_tokens=20, **options))
                              for i in range(n)))


def _texts(results) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [o.completion.text if o.completion is not None else None for o in results]


# ------------------------------------------------------------------------------------------ the lifecycle


@pytest.mark.parametrize("style", STYLES)
def test_results_come_back_in_input_order(emu: BatchEmulator, clock: ManualClock, style: str) -> None:
    job = submit_batch(emu.provider(style), _batch(style), clock=clock)
    assert isinstance(job, BatchJob)
    results = job.wait(clock=clock)
    # the emulator writes results in reversed order: only putting them back by custom id passes
    assert [o.custom_id for o in results] == ["q0", "q1", "q2", "q3"]
    assert _texts(results) == [f"answer to q{i}" for i in range(4)]
    first = results[0].completion
    assert first is not None
    assert first.usage is not None
    assert (first.usage.input_tokens, first.usage.output_tokens) == (10, 5)
    assert first.host == style
    assert results.errors == {}
    assert job.polls >= 3  # queued, running, done


@pytest.mark.parametrize("style", STYLES)
def test_a_batch_line_is_the_body_the_direct_call_sends(emu: BatchEmulator, clock: ManualClock, style: str) -> None:
    host = emu.provider(style)
    batch = _batch(style, 2, temperature=0.3)
    job = submit_batch(host, batch, clock=clock)
    for (cid, body), item in zip(emu.batch_items(job.job_id), batch.items, strict=True):
        assert cid == item.custom_id
        direct = host.chat.prepare(item.request).call
        assert dump_json(body) == direct.content()


def test_openai_uploads_a_jsonl_file_then_creates_the_batch(emu: BatchEmulator, clock: ManualClock) -> None:
    submit_batch(emu.provider("openai"), _batch("openai", 2), clock=clock)
    upload, create = [s for s in emu.requests if s.host == "openai"][:2]
    assert upload.path.endswith("/files")
    assert b'name="purpose"\r\n\r\nbatch' in upload.body
    line = json.loads(upload.body.split(b"\r\n\r\n")[2].split(b"\n")[0])
    assert line["custom_id"] == "q0"
    assert (line["method"], line["url"]) == ("POST", "/v1/chat/completions")
    assert create.json()["endpoint"] == "/v1/chat/completions"
    assert create.json()["completion_window"] == "24h"
    assert create.json()["input_file_id"].startswith("file-")


@pytest.mark.parametrize("style", STYLES)
def test_failed_items_are_typed_errors_in_place(emu: BatchEmulator, clock: ManualClock, style: str) -> None:
    emu.script_batches(style, fail_ids=("q1",))
    results = submit_batch(emu.provider(style), _batch(style), clock=clock).wait(clock=clock)
    assert _texts(results) == ["answer to q0", None, "answer to q2", "answer to q3"]
    assert isinstance(results["q1"].error, InvalidRequest)
    assert "emulated refusal of q1" in str(results["q1"].error)
    assert results.succeeded == 3
    with pytest.raises(InvalidRequest):
        results.raise_for_errors()


@pytest.mark.parametrize("style", ["openai", "anthropic"])
def test_an_expired_batch_gives_what_it_finished(emu: BatchEmulator, clock: ManualClock, style: str) -> None:
    emu.script_batches(style, outcome="expired", finished=2)
    results = submit_batch(emu.provider(style), _batch(style), clock=clock).wait(clock=clock)
    assert _texts(results) == ["answer to q0", "answer to q1", None, None]
    for cid in ("q2", "q3"):
        err = results[cid].error
        assert isinstance(err, JobFailed)
        assert err.code == "expired"


def test_a_gemini_batch_that_expired_is_a_job_failure(emu: BatchEmulator, clock: ManualClock) -> None:
    emu.script_batches("google", outcome="expired")
    job = submit_batch(emu.provider("google"), _batch("google"), clock=clock)
    with pytest.raises(JobFailed) as info:
        job.wait(clock=clock)
    assert info.value.code == "expired"
    assert info.value.job_id == job.job_id


@pytest.mark.parametrize("style", STYLES)
def test_cancel_keeps_the_answers_already_made(emu: BatchEmulator, clock: ManualClock, style: str) -> None:
    emu.script_batches(style, finished=1, running_polls=5)
    job = submit_batch(emu.provider(style), _batch(style, 3), clock=clock)
    job.status()
    job.cancel()
    results = job.wait(clock=clock)
    assert _texts(results) == ["answer to q0", None, None]
    err = results["q2"].error
    assert isinstance(err, JobFailed)
    assert err.code == "cancelled"
    assert job.last is not None
    assert job.last.status == "cancelled"


def test_a_rejected_batch_raises_the_hosts_reason(emu: BatchEmulator, clock: ManualClock) -> None:
    emu.script_batches("openai", outcome="failed")
    job = submit_batch(emu.provider("openai"), _batch("openai"), clock=clock)
    with pytest.raises(JobFailed, match="told to reject this batch"):
        job.wait(clock=clock)


def test_gemini_answers_without_keys_are_placed_by_position(emu: BatchEmulator, clock: ManualClock) -> None:
    emu.script_batches("google", echo_keys=False)
    results = submit_batch(emu.provider("google"), _batch("google"), clock=clock).wait(clock=clock)
    assert _texts(results) == [f"answer to q{i}" for i in range(4)]


def test_anthropic_may_mix_models_in_one_batch(emu: BatchEmulator, clock: ManualClock) -> None:
    a = GenericClient("claude-opus-4-6").prepare("one", max_tokens=10)
    b = GenericClient("claude-sonnet-4-5-20250929").prepare("two", max_tokens=10)
    results = submit_batch(emu.provider("anthropic"), BatchRequest((BatchItem("a", a), BatchItem("b", b))),
                           clock=clock).wait(clock=clock)
    assert [o.completion.model for o in results if o.completion] == ["claude-opus-4-6",
                                                                     "claude-sonnet-4-5-20250929"]


def test_batch_answers_are_priced_at_half_the_catalogue_rate(emu: BatchEmulator, clock: ManualClock) -> None:
    results = submit_batch(emu.provider("anthropic"), _batch("anthropic", 2), clock=clock).wait(clock=clock)
    done = results[0].completion
    assert done is not None
    assert done.usage is not None
    assert done.cost is not None
    prices = Anthropic("k").catalog.prices("claude-opus-4-6", "anthropic")
    assert prices is not None
    assert done.cost.total == cost_of(done.usage, prices).total * Decimal("0.5")
    assert any("batch rate" in note for note in done.cost.notes)
    assert results.cost == done.cost.total * 2


def test_faults_submit_429_and_poll_errors_are_retried(emu: BatchEmulator, clock: ManualClock) -> None:
    emu.script_batches("anthropic", submit_429=1, poll_errors=2)
    results = submit_batch(emu.provider("anthropic"), _batch("anthropic", 2), clock=clock).wait(clock=clock)
    assert results.succeeded == 2
    creates = [s for s in emu.requests if s.host == "anthropic" and s.method == "POST"]
    assert len(creates) == 2  # the 429, then the one that was taken


def test_async_submit_and_wait(emu: BatchEmulator, clock: ManualClock) -> None:
    async def go():  # type: ignore[no-untyped-def]
        sender = batch_sender(emu.provider("openai"))
        job = await sender.asubmit(_batch("openai", 3), clock=clock)
        return await job.wait_async(clock=clock)
    results = asyncio.run(go())
    assert _texts(results) == [f"answer to q{i}" for i in range(3)]


# ------------------------------------------------------------------------------------------ persistence


@pytest.mark.parametrize("style", STYLES)
def test_a_job_is_collected_from_its_dict(emu: BatchEmulator, clock: ManualClock, style: str) -> None:
    host = emu.provider(style)
    job = submit_batch(host, _batch(style, 2), clock=clock)
    data = json.loads(json.dumps(job.to_dict()))
    assert data["kind"] == "batch"
    assert data["extra"]["ids"] == ["q0", "q1"]
    assert "question" not in json.dumps(data)  # no prompt is kept
    again = BatchJob.from_dict(data, host=host, clock=clock)
    assert _texts(again.wait(clock=clock)) == ["answer to q0", "answer to q1"]


def test_from_dict_refuses_a_video_job_and_another_host(emu: BatchEmulator, clock: ManualClock) -> None:
    job = submit_batch(emu.provider("openai"), _batch("openai", 1), clock=clock)
    data = job.to_dict()
    with pytest.raises(ConfigurationError, match="kind 'batch'"):
        BatchJob.from_dict({**data, "kind": "video"}, host=emu.provider("openai"))
    with pytest.raises(ConfigurationError, match="submitted to openai, not to anthropic"):
        BatchJob.from_dict(data, host=emu.provider("anthropic"))


# ------------------------------------------------------------------------------------------ bad input


def test_bad_batches_are_refused_before_the_network(emu: BatchEmulator, clock: ManualClock) -> None:
    req = GenericClient("gpt-4.1").prepare("hi", max_tokens=5)
    with pytest.raises(ConfigurationError, match="at least one request"):
        BatchRequest(())
    with pytest.raises(ConfigurationError, match="used twice"):
        BatchRequest((BatchItem("a", req), BatchItem("a", req)))
    with pytest.raises(ConfigurationError, match="non-empty string"):
        BatchRequest((BatchItem("", req),))
    with pytest.raises(ConfigurationError, match="stream"):
        BatchRequest((BatchItem("a", GenericClient("gpt-4.1").prepare("hi", stream=True)),))
    openai, anthropic = emu.provider("openai"), emu.provider("anthropic")
    with pytest.raises(ModelNotServed):
        submit_batch(openai, BatchRequest((BatchItem("a", GenericClient("claude-opus-4-6").prepare("hi")),)))
    mixed = BatchRequest((BatchItem("a", req), BatchItem("b", GenericClient("gpt-4o").prepare("hi"))))
    with pytest.raises(ConfigurationError, match="one model"):
        submit_batch(openai, mixed)
    claude = GenericClient("claude-opus-4-6").prepare("hi", max_tokens=5)
    with pytest.raises(ConfigurationError, match="1 to 64 letters"):
        submit_batch(anthropic, BatchRequest((BatchItem("not ok!", claude),)))
    with pytest.raises(ConfigurationError, match="extra_headers"):
        submit_batch(anthropic, BatchRequest((BatchItem(
            "a", GenericClient("claude-opus-4-6").prepare("hi", extra_headers={"x-a": "b"})),)))
    assert [s for s in emu.requests if s.host in STYLES] == []


def test_a_host_without_a_batch_api_says_which_have_one() -> None:
    with pytest.raises(UnsupportedFeature, match="the hosts with one: anthropic, google, openai"):
        batch_sender(Groq("k"))
    with pytest.raises(UnsupportedFeature, match="no batch API"):
        batch_sender(object())


def test_the_registry_says_which_hosts_have_a_batch_endpoint() -> None:
    for row in _registry.HOSTS.values():
        cls = _registry.load(row.spec)
        assert row.batch == (endpoint_attribute(cls, "batch_endpoint") is not None), row
    assert "batch" not in OpenAI("k").kinds  # not a kind: chat work sent another way
    assert Google("k").kinds == {"chat", "embed", "realtime", "video"}


def test_from_jsonl_prepares_each_line_with_the_client() -> None:
    client = GenericClient("gpt-4.1")
    text = "\n".join([json.dumps({"custom_id": "a", "input": "hi", "max_tokens": 7}),
                      "", json.dumps({"custom_id": "b", "messages": [{"role": "user", "content": "yo"}],
                                      "temperature": 0.2})])
    batch = BatchRequest.from_jsonl(text, prepare=client.prepare)
    assert batch.ids == ("a", "b")
    assert batch.items[0].request.sampling.max_tokens == 7
    assert batch.items[1].request.messages[-1].text == "yo"
    with pytest.raises(ConfigurationError, match=r"line 1: .*unknown option"):
        BatchRequest.from_jsonl(json.dumps({"custom_id": "a", "input": "hi", "colour": 1}), prepare=client.prepare)
    with pytest.raises(ConfigurationError, match="line 1 is not JSON"):
        BatchRequest.from_jsonl("{nope\n", prepare=client.prepare)
    with pytest.raises(ConfigurationError, match="used twice"):
        BatchRequest.from_jsonl(text.replace('"b"', '"a"'), prepare=client.prepare)


# ------------------------------------------------------------------------------------------ client and CLI


def test_a_client_submits_a_batch_to_its_bound_host(emu: BatchEmulator, clock: ManualClock) -> None:
    from rehost import ClaudeClient

    client = ClaudeClient("claude-opus-4-6", provider=emu.provider("anthropic"))
    job = client.submit_batch({"a": "first", "b": [{"role": "user", "content": "second"}]}, max_tokens=30)
    sent = [body for _cid, body in emu.batch_items(job.job_id)]
    assert [b["max_tokens"] for b in sent] == [30, 30]
    assert _texts(job.wait(clock=clock)) == ["answer to a", "answer to b"]
    with pytest.raises(UnsupportedFeature, match="no batch API"):
        GenericClient("llama-3.3-70b", provider=Groq("k")).submit_batch({"a": "hi"})
    with pytest.raises(ConfigurationError, match="dict of custom id"):
        client.submit_batch(["hi"])  # type: ignore[arg-type]


def test_rehost_jobs_lists_and_collects_a_batch(emu: BatchEmulator, clock: ManualClock, tmp_path,  # type: ignore[no-untyped-def]
                                                capsys, monkeypatch) -> None:
    from rehost import cli
    from rehost.cli_video import save_job

    monkeypatch.setenv("OPENAI_API_KEY", "emulator-key")
    emu.script_batches("openai", fail_ids=("q2",))
    job = submit_batch(emu.provider("openai"), _batch("openai", 3), clock=clock)
    out = tmp_path / "answers.jsonl"
    save_job(job, tmp_path / "jobs", out)
    assert cli.main(["jobs", str(tmp_path / "jobs")]) == 0
    assert "gpt-4.1 (batch)" in capsys.readouterr().out
    base = emu.base_url("openai")
    assert cli.main(["jobs", str(tmp_path / "jobs"), "--collect", "--base-url", base, "--poll-every", "0",
                     "--json"]) == 0
    collected = json.loads(capsys.readouterr().out)
    assert collected[0]["status"] == "done"
    assert (collected[0]["answered"], collected[0]["items"]) == (2, 3)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["custom_id"] for r in rows] == ["q0", "q1", "q2"]
    assert rows[0]["text"] == "answer to q0"
    assert rows[2]["error"]["type"] == "InvalidRequest"
    assert "emulator-key" not in out.read_text()


def test_one_malformed_answer_costs_its_item_only(emu: BatchEmulator, clock: ManualClock) -> None:
    from rehost.errors import ProtocolError
    from rehost.shared.jobs.status import JobState

    host = emu.provider("openai")
    job = BatchJob(sender=host.batch, model="gpt-4.1", job_id="b1", host_model_id="gpt-4.1", submitted_at=0.0,
                   extra={"ids": ["a", "b"]})
    good = {"custom_id": "a", "response": {"status_code": 200, "body": {
        "id": "x", "object": "chat.completion", "model": "gpt-4.1",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}]}}}
    bad = {"custom_id": "b", "response": {"status_code": 200, "body": {"choices": "not a list"}}}
    files = [(json.dumps(good) + "\n" + json.dumps(bad) + "\n").encode()]
    results = host.batch._answers(job, JobState(status="succeeded"), files)
    assert _texts(results) == ["hi", None]
    assert isinstance(results["b"].error, ProtocolError)


def test_a_key_echoed_in_an_item_error_is_redacted(emu: BatchEmulator) -> None:
    from rehost.shared.jobs.status import JobState

    secret = "sk-batch-secret-0123456789"
    host = OpenAI(secret, base_url=emu.base_url("openai"))
    job = BatchJob(sender=host.batch, model="gpt-4.1", job_id="b1", host_model_id="gpt-4.1", submitted_at=0.0,
                   extra={"ids": ["a"]})
    line = {"custom_id": "a", "response": {"status_code": 401, "body": {
        "error": {"message": f"Incorrect API key provided: {secret}", "type": "invalid_request_error"}}}}
    results = host.batch._answers(job, JobState(status="succeeded"), [json.dumps(line).encode()])
    err = results["a"].error
    assert err is not None
    assert secret not in str(err)
    assert secret not in (err.body or "")
    assert secret not in repr(job) + json.dumps(job.to_dict())


def test_the_batch_example_runs_offline() -> None:
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "batch_offline.py"
    done = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "openai: 2/4 answered" in done.stdout
    assert "planet   JobFailed (expired)" in done.stdout
    assert "prime    InvalidRequest" in done.stdout
    assert "google: 3/4 answered" in done.stdout
