"""``rehost video`` and ``rehost jobs``: make a video on one or more hosts, and list / collect the jobs saved.

    rehost video kling-video-3-standard "a cat playing with yarn" --hosts runware --duration 5 --size 1280x720 \\
        --out cat.mp4
    rehost jobs              # the saved jobs and where they stand
    rehost jobs --collect    # wait for the unfinished ones and save their videos (a batch: its results JSONL)

Every job is written to the jobs folder (``--jobs-dir``, else ``$REHOST_JOBS_DIR``, else ``~/.rehost/jobs``)
as soon as the host has taken it, so an interrupted wait (Ctrl-C, a closed terminal, ``--no-wait``) loses
nothing: ``rehost jobs --collect`` picks it up. On a terminal with rich (the ``cli`` extra) the wait is a
progress bar (a spinner when the host reports no progress figure); elsewhere, one line per change of status.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from .shared.errors import ConfigurationError, RehostError

__all__ = ["jobs_main", "save_job", "video_main"]


def _jobs_dir(given: str | None) -> Path:
    return Path(given or os.environ.get("REHOST_JOBS_DIR") or Path.home() / ".rehost" / "jobs")


def _record_path(folder: Path, job_id: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in job_id)[-120:]
    return folder / f"{safe}.json"


def _write_record(folder: Path, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = _record_path(folder, data["job"]["job_id"])
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(data, indent=1))
    part.replace(path)
    return path


def save_job(job: Any, folder: str | Path | None = None, out: str | Path | None = None) -> Path:
    """Save a submitted job (a video ``Job`` or a ``BatchJob``) to the jobs folder, for ``rehost jobs`` to list
    and ``--collect`` (``out``: where its video or results JSONL go; default beside the current folder)."""
    data = job.to_dict()
    default = f"{job.job_id.rsplit('/', 1)[-1]}.{'results.jsonl' if data['kind'] == 'batch' else 'mp4'}"
    record = {"job": data, "status": "submitted", "out": str(Path(out or default).resolve())}
    return _write_record(_jobs_dir(None if folder is None else str(folder)), record)


def _policy(every: float | None) -> Any:
    from .shared.io.polling import PollPolicy

    if every is None:
        return None
    return PollPolicy(first_interval=every, max_interval=max(every, 15.0), min_interval=min(every, 0.2))


class _Watch:
    """What a wait shows: a rich bar on a terminal, else a line when the status changes."""

    def __init__(self, label: str, stream: Any) -> None:
        from .cli import _terminal

        self.label = label
        self.stream = stream
        self.last: str | None = None
        self.rich = _terminal(stream)
        self._progress: Any = None
        self._task: Any = None

    @contextlib.contextmanager
    def shown(self) -> Iterator[_Watch]:
        if not self.rich:
            yield self
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                  TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                                  console=Console(file=self.stream), transient=False)
        self._task = self._progress.add_task(self.label, total=None, status="submitted")
        with self._progress:
            yield self

    def __call__(self, event: Any) -> None:
        if self._progress is not None:
            total = 100 if event.fraction is not None else None
            self._progress.update(self._task, total=total, status=event.status,
                                  completed=(event.fraction or 0) * 100)
            return
        if event.status != self.last:
            self.last = event.status
            pct = f" {event.fraction:.0%}" if event.fraction is not None else ""
            print(f"{self.label}: {event.status}{pct} after {event.elapsed:.0f}s", file=self.stream, flush=True)


def _out_for(out: str, host: str, many: bool) -> Path:
    path = Path(out)
    return path.with_name(f"{path.stem}.{host}{path.suffix or '.mp4'}") if many else path


def _collect(job: Any, out: Path, *, timeout: float | None, every: float | None, stream: Any,
             record: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Wait for one job, save its video, note the outcome in its record; the result row."""
    watch = _Watch(f"{job.host}/{job.model}", stream)
    started = time.monotonic()
    try:
        with watch.shown():
            video = job.wait(timeout=timeout, on_progress=watch, policy=_policy(every))
        video.save(out)
    except RehostError as exc:
        status = "waiting" if type(exc).__name__ == "JobTimeout" else "failed"
        record.update(status=status, error=" ".join(str(exc).split()))
        _write_record(folder, record)
        return {"host": job.host, "model": job.model, "job_id": job.job_id, "status": status, "error": record["error"]}
    cost = video.cost
    record.update(status="done", out=str(out), cost=None if cost is None else str(cost.total),
                  video=video.to_dict())
    _write_record(folder, record)
    return {"host": job.host, "model": job.model, "job_id": job.job_id, "status": "done", "out": str(out),
            "bytes": out.stat().st_size, "seconds": round(time.monotonic() - started, 3),
            "total_seconds": round(video.timings.total, 3),
            "cost": None if cost is None else str(cost.total), "cost_source": None if cost is None else cost.source,
            "cost_per_second": None if cost is None or not video.duration else
            f"{(cost.total / Decimal(str(video.duration))).normalize():f}"}


def _collect_batch(data: dict[str, Any], out: Path, *, timeout: float | None, every: float | None, stream: Any,
                   record: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Wait for one batch, save its results (JSONL, in input order), note the outcome in its record."""
    from .shared.batch.job import BatchJob

    job = BatchJob.from_dict(data)
    watch = _Watch(f"{job.host}/{job.model} batch", stream)
    try:
        with watch.shown():
            results = job.wait(timeout=timeout, on_progress=watch, policy=_policy(every))
    except RehostError as exc:
        status = "waiting" if type(exc).__name__ == "JobTimeout" else "failed"
        record.update(status=status, error=" ".join(str(exc).split()))
        _write_record(folder, record)
        return {"host": job.host, "model": job.model, "job_id": job.job_id, "status": status, "error": record["error"]}
    out.write_text(results.to_jsonl(), encoding="utf-8")
    cost = results.cost
    record.update(status="done", out=str(out), cost=None if cost is None else str(cost),
                  answered=results.succeeded, items=len(results))
    _write_record(folder, record)
    end = job.finished_at if job.finished_at is not None else job.clock.now()
    return {"host": job.host, "model": job.model, "job_id": job.job_id, "status": "done", "out": str(out),
            "bytes": out.stat().st_size, "total_seconds": round(max(0.0, end - job.submitted_at), 3),
            "answered": results.succeeded, "items": len(results),
            "cost": None if cost is None else str(cost), "cost_source": "catalogue, batch rate"}


def _say(row: dict[str, Any], stream: Any) -> None:
    if row["status"] == "done":
        cost = f"cost ${row['cost']} ({row['cost_source']})" if row.get("cost") else "cost unknown"
        print(f"{row['host']}: saved {row['out']} ({row['bytes']:,} bytes) after {row['total_seconds']:.0f}s; {cost}",
              file=stream)
    else:
        print(f"{row['host']}: job {row['job_id']} {row['status']}: {row.get('error', '')}", file=stream)


def _parser_video() -> argparse.ArgumentParser:
    from .cli import _common, _Parser

    p = _Parser(prog="rehost video", parents=[_common()],
                description="Make a video with MODEL on each host of --hosts, show the wait, save it, print its cost.")
    p.add_argument("model", help="a catalogued video model, e.g. kling-video-3-standard or veo-3.1")
    p.add_argument("prompt")
    p.add_argument("--hosts", required=True, help="comma-separated hosts, e.g. runware")
    p.add_argument("--out", default="video.mp4", help="where to save (with several hosts, NAME.HOST.mp4)")
    p.add_argument("--duration", type=float)
    p.add_argument("--size", help="WIDTHxHEIGHT, e.g. 1280x720")
    p.add_argument("--aspect-ratio")
    p.add_argument("--resolution", help="e.g. 720p")
    p.add_argument("--fps", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--negative-prompt")
    p.add_argument("--image", help="first frame: a URL or a local file")
    p.add_argument("--last-frame", help="last frame: a URL or a local file")
    p.add_argument("--audio", action=argparse.BooleanOptionalAction, default=None, help="with sound (or not)")
    p.add_argument("--timeout", type=float, help="seconds to wait before leaving the job to `rehost jobs --collect`")
    p.add_argument("--no-wait", action="store_true", help="submit, save the job, and exit")
    p.add_argument("--jobs-dir", help="where jobs are saved (default $REHOST_JOBS_DIR or ~/.rehost/jobs)")
    p.add_argument("--base-url", help="the host's address (an emulator, a proxy); one host only")
    p.add_argument("--poll-every", type=float, help="seconds before the first poll (default 1.5, then backing off)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    return p


def _media(value: str | None) -> Any:
    if value is None:
        return None
    path = Path(value)
    return path if "://" not in value and not value.startswith("data:") and path.exists() else value


def video_main(argv: Sequence[str]) -> int:
    args = _parser_video().parse_args(list(argv))
    from . import _registry
    from .clients.video import video_client

    hosts = [h.strip() for h in args.hosts.split(",") if h.strip()]
    if not hosts:
        raise ConfigurationError("--hosts names no host")
    if args.base_url and len(hosts) > 1:
        raise ConfigurationError("--base-url points one host elsewhere: give one host with it")
    options = {k: v for k, v in {"duration": args.duration, "size": args.size, "aspect_ratio": args.aspect_ratio,
                                 "resolution": args.resolution, "fps": args.fps, "seed": args.seed,
                                 "negative_prompt": args.negative_prompt, "image": _media(args.image),
                                 "last_frame": _media(args.last_frame), "audio": args.audio}.items() if v is not None}
    folder = _jobs_dir(args.jobs_dir)
    submitted = []
    for host in hosts:  # every request is checked (model rules, host fields) before the first is sent
        row = _registry.HOSTS.get(host)
        if row is None:
            raise ConfigurationError(f"unknown host {host!r}; hosts: {', '.join(sorted(_registry.HOSTS))}")
        cls = _registry.load(row.spec)
        provider = cls(base_url=args.base_url) if args.base_url else cls()
        client = video_client(f"{host}/{args.model}", provider=provider)
        checked = getattr(client.endpoint, "prepare_submit", None)  # the host's own checks, nothing sent
        if checked is not None:
            checked(client.request(args.prompt, **options))
        submitted.append(client)
    rows = []
    for client in submitted:
        job = client.generate(args.prompt, **options)
        out = _out_for(args.out, job.host, len(hosts) > 1)
        record = {"job": job.to_dict(), "status": "submitted", "out": str(out.resolve())}
        where = _write_record(folder, record)
        print(f"{job.host}: job {job.job_id} submitted (saved in {where})", file=sys.stderr)
        if args.no_wait:
            rows.append({"host": job.host, "model": job.model, "job_id": job.job_id, "status": "submitted"})
            continue
        rows.append(_collect(job, out, timeout=args.timeout, every=args.poll_every, stream=sys.stderr, record=record,
                             folder=folder))
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        for r in rows:
            _say(r, sys.stdout)
    return 0 if all(r["status"] in ("done", "submitted") for r in rows) else 1


def jobs_main(argv: Sequence[str]) -> int:
    from .cli import _common, _Parser, _print_table
    from .shared.video.job import Job

    p = _Parser(prog="rehost jobs", parents=[_common()], description="List the saved video and batch jobs; "
                "--collect the unfinished ones (wait, save the video or the batch's results, print the cost).")
    p.add_argument("folder", nargs="?", help="the jobs folder (default $REHOST_JOBS_DIR or ~/.rehost/jobs)")
    p.add_argument("--collect", action="store_true", help="wait for the unfinished jobs and save their videos")
    p.add_argument("--timeout", type=float, help="seconds to wait for each job")
    p.add_argument("--base-url", help="the host's address for every job collected (an emulator, a proxy)")
    p.add_argument("--poll-every", type=float, help="seconds before the first poll")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(list(argv))
    folder = _jobs_dir(args.folder)
    records = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            records.append(json.loads(path.read_text()))
        except ValueError:
            print(f"rehost jobs: {path} is not a saved job (not JSON): skipped", file=sys.stderr)
    if args.collect:
        rows = []
        for record in records:
            if record.get("status") == "done":
                continue
            data = dict(record["job"])
            if args.base_url:
                data["base_url"] = args.base_url
            if data.get("kind") == "batch":
                rows.append(_collect_batch(data, Path(record.get("out") or f"{data['job_id']}.results.jsonl"),
                                           timeout=args.timeout, every=args.poll_every, stream=sys.stderr,
                                           record=record, folder=folder))
                continue
            job = Job.from_dict(data)
            rows.append(_collect(job, Path(record.get("out") or f"{record['job']['job_id']}.mp4"),
                                 timeout=args.timeout, every=args.poll_every, stream=sys.stderr, record=record,
                                 folder=folder))
        if args.json:
            print(json.dumps(rows, indent=1))
        else:
            for r in rows:
                _say(r, sys.stdout)
            if not rows:
                print(f"no unfinished jobs in {folder}")
        return 0 if all(r["status"] == "done" for r in rows) else 1
    table = [{"job_id": r["job"]["job_id"], "host": r["job"]["host"],
              "model": r["job"]["model"] + (" (batch)" if r["job"].get("kind") == "batch" else ""),
              "submitted": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(r["job"]["submitted_at"])),
              "status": r.get("status", "?"), "out": r.get("out") or "", "cost": r.get("cost") or ""}
             for r in records]
    if args.json:
        print(json.dumps(table, indent=1))
        return 0
    if not table:
        print(f"no saved jobs in {folder}")
        return 0
    header = ("job", "host", "model", "submitted (UTC)", "status", "cost", "out")
    cells = [(t["job_id"], t["host"], t["model"], t["submitted"], t["status"], t["cost"], t["out"]) for t in table]
    width = [max(len(str(r[i])) for r in [header, *cells]) for i in range(len(header))]
    plain = "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, width, strict=True)).rstrip()
                      for r in [header, *cells])
    _print_table(header, cells, plain)
    return 0


def is_video_model(name: str) -> bool:
    """Whether ``rehost bench MODEL`` names a video model (its catalogue family has a video client only)."""
    from . import _registry
    from .shared.catalog import default_catalog

    catalog = default_catalog()
    if name not in catalog:
        return False
    kinds = _registry.FAMILIES.get(catalog.model(name).family, {})
    return "video" in kinds and "chat" not in kinds


def video_bench_main(argv: Sequence[str]) -> int:
    """``rehost bench VIDEO_MODEL --hosts a,b ...``: the same video on each host, by time to a finished video
    and cost per second of video."""
    from . import _registry
    from .bench.video import compare_video
    from .cli import _common, _Parser
    from .clients.video import video_client

    p = _Parser(prog="rehost bench", parents=[_common()],
                description="Time one video model on several hosts: every job submitted at once, waited for "
                            "together; time to a finished video (queued, running), cost per video and per second.")
    p.add_argument("model")
    p.add_argument("--hosts", required=True)
    p.add_argument("--prompt", default="A cat playing with a ball of yarn, soft morning light")
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--duration", type=float)
    p.add_argument("--size")
    p.add_argument("--aspect-ratio")
    p.add_argument("--resolution")
    p.add_argument("--timeout", type=float, default=1800.0)
    p.add_argument("--base-url", help="the host's address (an emulator); one host only")
    p.add_argument("--poll-every", type=float)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(list(argv))
    if args.runs < 1:
        raise ConfigurationError(f"--runs must be at least 1, not {args.runs}")
    hosts = [h.strip() for h in args.hosts.split(",") if h.strip()]
    if args.base_url and len(hosts) != 1:
        raise ConfigurationError("--base-url points one host elsewhere: give one host with it")
    clients = []
    for host in hosts:
        row = _registry.HOSTS.get(host)
        if row is None:
            raise ConfigurationError(f"unknown host {host!r}; hosts: {', '.join(sorted(_registry.HOSTS))}")
        cls = _registry.load(row.spec)
        clients.append(video_client(f"{host}/{args.model}",
                                    provider=cls(base_url=args.base_url) if args.base_url else cls()))
    options = {k: v for k, v in {"duration": args.duration, "size": args.size, "aspect_ratio": args.aspect_ratio,
                                 "resolution": args.resolution}.items() if v is not None}
    report = compare_video(clients, args.prompt, runs=args.runs, timeout=args.timeout,
                           policy=_policy(args.poll_every), **options)
    if args.json:
        print(json.dumps(report.to_dict(), indent=1))
    else:
        print(report.table())
    return 0 if any(r["ok"] for r in report.rows()) else 1
