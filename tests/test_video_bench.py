"""Comparing one video model across hosts: time to a finished video and cost per second of video."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rehost import cli
from rehost.bench.video import compare_video
from rehost.clients.video.veo import VeoClient
from rehost.errors import UnsupportedFeature
from rehost.shared.io.polling import PollPolicy
from rehost.testing.emulator_jobs import JobEmulator

from .video_hosts import host_for

#: tiny real waits (the emulator counts polls): the jobs run concurrently, so a shared manual clock would add
#: every job's waits to every other's times
QUICK = PollPolicy(first_interval=0.01, max_interval=0.02, min_interval=0.0, jitter=0.0)


@pytest.fixture
def emu() -> Iterator[JobEmulator]:
    with JobEmulator() as emulator:
        yield emulator


def test_one_model_across_hosts_by_time_to_video_and_cost_per_second(emu):
    emu.script_jobs("google", queued=0, running=0, queued_polls=1, running_polls=3)
    emu.script_jobs("openrouter", queued=0, running=0, queued_polls=0, running_polls=1, cost=0.8)
    clients = [VeoClient("veo-3.1", provider=host_for(emu, style)) for style in ("google", "openrouter")]
    report = compare_video(clients, "a cat", runs=2, duration=8, policy=QUICK, timeout=60)
    rows = {r["host"]: r for r in report.rows()}
    assert set(rows) == {"google", "openrouter"}
    assert rows["openrouter"]["ok"] == rows["google"]["ok"] == 2
    assert rows["openrouter"]["cost_per_second"] == "0.1"  # $0.80 billed for 8 s
    assert rows["google"]["cost_per_second"] is None  # no price in any source, none billed
    assert rows["google"]["time_to_video_p50"] > 0
    assert len(emu.submits("google")) == len(emu.submits("openrouter")) == 2
    table = report.table()
    assert "openrouter" in table
    assert "0.1" in table
    assert report.to_dict()["kind"] == "video"


def test_a_failing_host_is_counted_not_fatal(emu):
    emu.script_jobs("google", queued=0, running=0, outcome="failed", reason="no capacity")
    emu.script_jobs("openrouter", queued=0, running=0)
    clients = [VeoClient("veo-3.1", provider=host_for(emu, style)) for style in ("google", "openrouter")]
    rows = {r["host"]: r for r in compare_video(clients, "a cat", duration=8, policy=QUICK).rows()}
    assert rows["google"]["ok"] == 0
    assert "no capacity" in rows["google"]["errors"][0]
    assert rows["openrouter"]["ok"] == 1


def test_every_request_is_checked_before_any_is_sent(emu):
    clients = [VeoClient("veo-3.1", provider=host_for(emu, "google"))]
    with pytest.raises(UnsupportedFeature):
        compare_video(clients, "a cat", duration=7)
    assert emu.requests == []


def test_rehost_bench_takes_a_video_model(emu, monkeypatch, capsys):
    import json

    monkeypatch.setenv("RUNWARE_API_KEY", "emulator-key")
    emu.script_jobs("runware", queued=0, running=0, queued_polls=1, running_polls=1)
    code = cli.main(["bench", "kling-video-3-standard", "--hosts", "runware", "--prompt", "a cat", "--duration", "5",
                     "--size", "1280x720", "--base-url", emu.jobs_base_url("runware"), "--poll-every", "0",
                     "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    rows = json.loads(out)["hosts"]
    assert rows[0]["host"] == "runware"
    assert rows[0]["cost_per_second"] == "0.084"
