"""A local websocket server that replays one pydantic-ai realtime cassette (``../shared/conformance/realtime/``,
format in INDEX-MORE.md §2): on connect it walks the recorded interactions with one cursor, sending each
``received`` frame to the client and, for each ``sent`` frame, reading the client's next frame, normalising it
the way the recorder did (audio cut to 44 base64 characters, 24-hex client ids to placeholders, secrets
scrubbed) and comparing it with the recording. A ``close`` entry closes with its code; the end closes with 1000.

Mismatches are collected, not raised in the server, so the test sees every one: ``Replay.mismatches``. The
handshake path, query and headers are kept (``Replay.requests``) for tests that assert the endpoint.

Comparison is exact equality of the normalised frames by default; ``loose`` keys (dotted paths, ``*`` for any
list index) are dropped from both sides first, for fields a test decides do not matter.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(os.environ.get("REHOST_REALTIME") or ROOT.parent / "shared" / "conformance" / "realtime")

_AUDIO_KEYS = {("response.output_audio.delta", "delta"), ("response.audio.delta", "delta"),
               ("input_audio_buffer.append", "audio")}
_CLIENT_ID = re.compile(r"^[0-9a-f]{24}$")
_SECRET = re.compile(r"(sk-[A-Za-z0-9_\-]+|ek_[A-Za-z0-9_\-]+|AIza[A-Za-z0-9_\-]+|xai-[A-Za-z0-9_\-]+|Bearer \S+)")


def cassettes(host: str | None = None) -> list[Path]:
    """Every cassette (of one host folder)."""
    pattern = f"{host}/*.yaml" if host else "*/*.yaml"
    return sorted(FOLDER.glob(pattern))


def load(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or int(data.get("version", 1)) != 1 or not isinstance(data.get("interactions"),
                                                                                        list):
        raise ValueError(f"{path} is not a version-1 realtime cassette")
    return list(data["interactions"])


def sent_frames(path: Path) -> list[dict[str, Any]]:
    return [i["data"] for i in load(path) if i.get("kind", "message") == "message" and i["direction"] == "sent"]


def received_frames(path: Path) -> list[dict[str, Any]]:
    return [i["data"] for i in load(path) if i.get("kind", "message") == "message" and i["direction"] == "received"]


def _cut(value: Any) -> Any:
    return value[:44] if isinstance(value, str) else value


def _inline_data(value: Any) -> Any:
    """Every Gemini ``inlineData.data`` cut to 44 characters (at any depth)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            cut = {**v, "data": _cut(v["data"])} if k in ("inlineData", "inline_data") and isinstance(
                v, dict) and "data" in v else v
            out[k] = _inline_data(cut)
        return out
    if isinstance(value, list):
        return [_inline_data(v) for v in value]
    return value


def normalise(frame: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """A client frame as the recorder stored it."""
    frame = json.loads(_SECRET.sub("<scrubbed>", json.dumps(frame)))
    kind = frame.get("type")
    for event, key in _AUDIO_KEYS:
        if kind == event and key in frame:
            frame[key] = _cut(frame[key])
    frame = _inline_data(frame)

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                is_id = k in ("id", "item_id", "previous_item_id") and isinstance(v, str) and _CLIENT_ID.match(v)
                out[k] = walk(ids.setdefault(v, f"<client-id-{len(ids) + 1}>") if is_id else v)
            return out
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    result: dict[str, Any] = walk(frame)
    return result


def drop(frame: Any, paths: Iterable[str]) -> Any:
    """``frame`` without the dotted ``paths`` (``*`` matches any list index or key)."""
    frame = json.loads(json.dumps(frame))
    for path in paths:
        parts = path.split(".")

        def rec(node: Any, rest: list[str]) -> None:
            if not rest:
                return
            head, tail = rest[0], rest[1:]
            children: list[Any]
            if isinstance(node, dict):
                keys = list(node) if head == "*" else [head] if head in node else []
                if not tail:
                    for k in keys:
                        node.pop(k, None)
                    return
                children = [node[k] for k in keys]
            elif isinstance(node, list):
                fits = head.isdigit() and int(head) < len(node)
                children = node if head == "*" else [node[int(head)]] if fits else []
            else:
                return
            for child in children:
                rec(child, tail)

        rec(frame, parts)
    return frame


@dataclass
class Replay:
    path: Path
    loose: tuple[str, ...] = ()
    #: how long the server waits for each client frame before calling it missing
    frame_timeout: float = 10.0
    mismatches: list[str] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    frames_seen: int = 0
    finished: bool = False

    async def handler(self, ws: Any) -> None:
        request = ws.request
        self.requests.append({"path": request.path, "headers": dict(request.headers.raw_items())})
        ids: dict[str, str] = {}
        try:
            for n, entry in enumerate(load(self.path)):
                if entry.get("kind") == "close":
                    await ws.close(int(entry["code"]), str(entry.get("reason", "")))
                    self.finished = True
                    return
                if entry["direction"] == "received":
                    await ws.send(json.dumps(entry["data"]))
                    continue
                try:
                    message = await asyncio.wait_for(ws.recv(), self.frame_timeout)
                except TimeoutError:
                    self.mismatches.append(f"#{n}: the client never sent {json.dumps(entry['data'])[:300]}")
                    return
                self.frames_seen += 1
                got = drop(normalise(json.loads(message), ids), self.loose)
                want = drop(entry["data"], self.loose)
                if got != want:
                    self.mismatches.append(f"#{n}: sent {json.dumps(got, sort_keys=True)[:1500]}\n"
                                           f"   recorded {json.dumps(want, sort_keys=True)[:1500]}")
            self.finished = True
            await ws.close(1000, "")
        except Exception as exc:  # a client that went away early: report it, don't crash the server
            if not self.finished:
                self.mismatches.append(f"the session ended early: {type(exc).__name__}: {exc}")


@asynccontextmanager
async def serving(replay: Replay) -> Any:
    """``async with serving(replay) as url``: a websocket server on 127.0.0.1 replaying ``replay.path``; ``url``
    is ``ws://127.0.0.1:<port>`` (point the host's realtime base URL at it; every path is accepted)."""
    import websockets

    async with websockets.serve(replay.handler, "127.0.0.1", 0, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}"
