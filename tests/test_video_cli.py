"""``rehost video`` and ``rehost jobs`` against the job emulator (polls counted by the emulator, the first wait
set to zero: nothing waits on a real polling interval)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from rehost import cli
from rehost.testing.emulator_jobs import JobEmulator, tiny_mp4


@pytest.fixture
def emu(monkeypatch) -> Iterator[JobEmulator]:
    monkeypatch.setenv("RUNWARE_API_KEY", "emulator-key")
    with JobEmulator() as emulator:
        emulator.script_jobs("runware", queued=0, running=0, queued_polls=1, running_polls=1)
        yield emulator


def run(emu: JobEmulator, tmp_path, *extra: str) -> list[str]:
    return ["video", "kling-video-3-standard", "a cat playing with yarn", "--hosts", "runware", "--base-url",
            emu.jobs_base_url("runware"), "--jobs-dir", str(tmp_path / "jobs"), "--poll-every", "0", *extra]


def test_rehost_video_saves_the_video_and_prints_its_cost(emu, tmp_path, capsys):
    out = tmp_path / "cat.mp4"
    code = cli.main(run(emu, tmp_path, "--duration", "5", "--size", "1280x720", "--out", str(out), "--json"))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    rows = json.loads(captured.out)
    assert rows[0]["status"] == "done"
    assert rows[0]["cost"] == "0.42"
    assert rows[0]["cost_per_second"] == "0.084"
    assert out.read_bytes() == tiny_mp4()
    assert "runware/kling-video-3-standard: queued" in captured.err  # one line per status off a terminal
    assert "runware/kling-video-3-standard: succeeded" in captured.err
    saved = json.loads(next((tmp_path / "jobs").glob("*.json")).read_text())
    assert saved["status"] == "done"
    assert "emulator-key" not in json.dumps(saved)


def test_rehost_video_prints_a_line_with_the_cost(emu, tmp_path, capsys):
    args = run(emu, tmp_path, "--duration", "5", "--size", "1280x720", "--out", str(tmp_path / "c.mp4"))
    assert cli.main(args) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("runware: saved")
    assert "cost $0.42 (host-reported (runware))" in line


def test_a_request_outside_the_model_fails_before_anything_is_sent(emu, tmp_path, capsys):
    assert cli.main(run(emu, tmp_path, "--duration", "7")) == 2
    err = capsys.readouterr().err
    assert "allowed: 5, 10 seconds" in err
    assert emu.requests == []


def test_rehost_jobs_lists_and_collects_what_no_wait_left(emu, tmp_path, capsys):
    out = tmp_path / "later.mp4"
    assert cli.main(run(emu, tmp_path, "--duration", "5", "--size", "1280x720", "--out", str(out), "--no-wait")) == 0
    capsys.readouterr()
    assert cli.main(["jobs", str(tmp_path / "jobs"), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in listed] == ["submitted"]
    assert listed[0]["host"] == "runware"
    assert cli.main(["jobs", str(tmp_path / "jobs"), "--collect", "--poll-every", "0", "--json"]) == 0
    collected = json.loads(capsys.readouterr().out)
    assert collected[0]["status"] == "done"
    assert out.read_bytes() == tiny_mp4()
    assert len(emu.submits("runware")) == 1
    assert cli.main(["jobs", str(tmp_path / "jobs")]) == 0
    table = capsys.readouterr().out
    assert "done" in table
    assert "0.42" in table


def test_a_wait_cut_short_leaves_the_job_to_collect(emu, tmp_path, capsys):
    emu.script_jobs("runware", queued=3600, running=0)
    code = cli.main(run(emu, tmp_path, "--duration", "5", "--size", "1280x720", "--timeout", "0.2", "--json"))
    rows = json.loads(capsys.readouterr().out)
    assert code == 1
    assert rows[0]["status"] == "waiting"
    assert json.loads(next((tmp_path / "jobs").glob("*.json")).read_text())["status"] == "waiting"


def test_an_empty_jobs_folder_says_so(tmp_path, capsys):
    assert cli.main(["jobs", str(tmp_path)]) == 0
    assert "no saved jobs" in capsys.readouterr().out


def test_on_a_terminal_the_wait_is_a_rich_progress_bar(emu, tmp_path, capsys, monkeypatch):
    pytest.importorskip("rich")
    import rehost.cli

    monkeypatch.setattr(rehost.cli, "_terminal", lambda stream: True)
    args = run(emu, tmp_path, "--duration", "5", "--size", "1280x720", "--out", str(tmp_path / "c.mp4"))
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert "runware/kling-video-3-standard" in err
    assert "succeeded" in err
    assert "runware/kling-video-3-standard: queued" not in err  # the bar, not the plain lines
