"""What rehost's realtime session costs on top of the frames, on the realtime emulator with its scripted brain
(issue 15): (a) one response of 10,000 audio deltas received by the raw ``websockets`` client (JSON parse and
base64 decode of each delta, nothing else) and by rehost's ``WireSession`` with OpenAI's GA codec
(``rehost.providers.openai_realtime``, through the OpenAI host's realtime endpoint), and (b) 100 concurrent
sessions from this one process, each one short spoken turn, raw and through rehost, counting errors (0 is
the bar). The server runs in its own process (``realtime_process``) so it never shares this process's GIL.
Prints times and the ratio rehost / raw (one run; load on this shared machine moves both alike). When the
OpenAI realtime codec is not importable yet, its rows are skipped with a message; the rows with the small GA
test codec (tests/realtime_codecs.py) measure the same session loop meanwhile.

    .venv/bin/python benchmarks/realtime.py [deltas] [sessions]
"""

from __future__ import annotations

import asyncio
import base64
import json
import statistics
import sys
import time
from typing import Any

import websockets

from rehost.testing.emulator_realtime import realtime_process

DELTA_BYTES = 960  # 20 ms of 24 kHz PCM16 a delta
PATH = "/openai/v1/realtime"
HEADERS = {"Authorization": "Bearer k"}
MANUAL = {"type": "session.update", "session": {"type": "realtime", "output_modalities": ["audio"],
                                                "audio": {"input": {"turn_detection": None}}}}


def rehost_endpoint(root: str) -> tuple[Any, Any] | str:
    """OpenAI's realtime endpoint pointed at the emulator and a session config, or why it cannot be had."""
    try:
        from rehost.providers.openai import OpenAI
        from rehost.shared.realtime import SessionConfig, TurnDetection

        host = OpenAI("k", base_url=root.replace("ws://", "http://") + PATH.rsplit("/", 1)[0])
        endpoint = host.endpoint("realtime")
        config = SessionConfig(model="gpt-realtime", voice="alloy", turn_detection=TurnDetection("manual"))
    except Exception as exc:  # a broken install: say why rather than stop the whole benchmark
        return f"{type(exc).__name__}: {exc}"
    return endpoint, config


class StandIn:
    """rehost's session loop with the small GA test codec (tests/realtime_codecs.py) in place of the real one,
    so the loop's own cost is measured even before the OpenAI codec is merged (labelled as such)."""

    def __init__(self, url: str) -> None:
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.realtime_codecs import MiniGA

        from rehost.shared.realtime import SessionConfig, TurnDetection

        self.url, self.codec = url, MiniGA
        self.config = SessionConfig(model="gpt-realtime", turn_detection=TurnDetection("manual"))

    async def connect(self, config: Any) -> Any:
        from rehost.shared.io.websocket import Session
        from rehost.shared.realtime import WireSession

        socket = await Session.connect(self.url, host="emulator", headers=HEADERS, max_size=None,
                                       idle_timeout=None)  # as RealtimeEndpoint connects by default
        return await WireSession.start(socket, self.codec(), config, name="emulator")


async def raw_turn(url: str) -> int:
    """One spoken answer over a raw websocket; the audio bytes received."""
    got = 0
    async with websockets.connect(url, additional_headers=HEADERS, max_size=None) as ws:
        await ws.recv()  # session.created
        await ws.send(json.dumps(MANUAL))
        await ws.send(json.dumps({"type": "response.create"}))
        async for message in ws:
            frame = json.loads(message)
            kind = frame["type"]
            if kind == "response.output_audio.delta":
                got += len(base64.b64decode(frame["delta"]))
            elif kind == "response.done":
                break
            elif kind == "error":
                raise RuntimeError(frame["error"]["message"])
    return got


async def rehost_turn(endpoint: Any, config: Any) -> int:
    from rehost.shared.realtime import AudioOut, ResponseDone

    got = 0
    session = await endpoint.connect(config)
    try:
        await session.respond()
        async for event in session:
            if isinstance(event, AudioOut):
                got += len(event.data)
            elif isinstance(event, ResponseDone):
                break
    finally:
        await session.close()
    return got


async def timed(turn: Any) -> tuple[float, float, int]:
    """Wall seconds, this process's CPU seconds (the client's own work: the emulator runs in another process,
    so what the client spends per frame is not hidden behind how fast the server sends), and bytes received."""
    t0, c0 = time.perf_counter(), time.process_time()
    n = await turn()
    return time.perf_counter() - t0, time.process_time() - c0, n


def per_frame(deltas: int, rounds: int = 5) -> None:
    print(f"(a) one response of {deltas} audio deltas of {DELTA_BYTES} bytes, emulator in its own process; "
          f"{rounds} rounds, the rows interleaved in each (this machine is shared: best and median of the rounds)")
    with realtime_process(audio_deltas=deltas, delta_bytes=DELTA_BYTES, reply="ok") as root:
        url = f"{root}{PATH}?model=gpt-realtime"
        ours = rehost_endpoint(root)

        async def run() -> None:
            stand_in = StandIn(url)
            rows: dict[str, Any] = {"raw websockets": lambda: raw_turn(url),
                                    "rehost WireSession + test codec": lambda: rehost_turn(stand_in,
                                                                                           stand_in.config)}
            if isinstance(ours, str):
                print(f"  rehost WireSession + GA codec      skipped: the OpenAI realtime codec is not available "
                      f"here ({ours})")
            else:
                rows["rehost WireSession + GA codec"] = lambda: rehost_turn(*ours)
            wall: dict[str, list[float]] = {name: [] for name in rows}
            cpu: dict[str, list[float]] = {name: [] for name in rows}
            for turn in rows.values():  # warm: imports, first connection
                await turn()
            for _ in range(rounds):
                for name, turn in rows.items():
                    took, spent, n = await timed(turn)
                    if n != deltas * DELTA_BYTES:
                        raise RuntimeError(f"{name}: {n} bytes, not {deltas * DELTA_BYTES}")
                    wall[name].append(took)
                    cpu[name].append(spent)
            raw_wall, raw_cpu = min(wall["raw websockets"]), min(cpu["raw websockets"])
            for name in rows:
                w, c = min(wall[name]), min(cpu[name])
                line = (f"  {name:<34} wall {w * 1000:7.1f} ms  client CPU {c * 1000:7.1f} ms "
                        f"({c / deltas * 1e6:5.1f} us a delta)")
                if name != "raw websockets":
                    line += f"  ratio wall {w / raw_wall:.2f}, CPU {c / raw_cpu:.2f}"
                print(line)
            print(f"  (best of {rounds}; medians of the client CPU ratio: " + ", ".join(
                f"{n.split('+ ')[-1]} {statistics.median(cpu[n]) / statistics.median(cpu['raw websockets']):.2f}"
                for n in rows if n != "raw websockets") + ")")

        asyncio.run(run())


def concurrent(sessions: int) -> None:
    print(f"(b) {sessions} concurrent sessions from one process, one spoken turn each (20 deltas)")
    with realtime_process(audio_deltas=20, delta_bytes=DELTA_BYTES, reply="ok") as root:
        url = f"{root}{PATH}?model=gpt-realtime"
        ours = rehost_endpoint(root)

        async def many(label: str, turn: Any) -> None:
            t0 = time.perf_counter()
            results = await asyncio.gather(*(turn() for _ in range(sessions)), return_exceptions=True)
            took = time.perf_counter() - t0
            errors = [r for r in results if isinstance(r, BaseException)]
            complete = sum(r == 20 * DELTA_BYTES for r in results if not isinstance(r, BaseException))
            print(f"  {label:<34} {took * 1000:9.1f} ms  {complete}/{sessions} complete, {len(errors)} errors"
                  + (f" (first: {type(errors[0]).__name__}: {errors[0]})" if errors else ""))

        async def run() -> None:
            await many("raw websockets", lambda: raw_turn(url))
            stand_in = StandIn(url)
            await many("rehost WireSession + test codec", lambda: rehost_turn(stand_in, stand_in.config))
            if isinstance(ours, str):
                print(f"  rehost WireSession + GA codec      skipped: the OpenAI realtime codec is not available "
                      f"here ({ours})")
                return
            await many("rehost WireSession + GA codec", lambda: rehost_turn(*ours))

        asyncio.run(run())


def main(deltas: int, sessions: int) -> None:
    per_frame(deltas)
    concurrent(sessions)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, int(sys.argv[2]) if len(sys.argv) > 2 else 100)
