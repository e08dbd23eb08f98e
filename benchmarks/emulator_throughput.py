"""How many small requests per second the host emulator answers on loopback.

The emulator runs in its own process; load comes from raw asyncio sockets (keep-alive, one request in flight
per connection) in another process, so neither the client library nor the GIL of the caller is measured.
Prints requests per second for several connection counts.

    .venv/bin/python benchmarks/emulator_throughput.py [seconds]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from rehost.testing.emulator import emulator_process

BODY = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode()


def request_bytes(host: str, port: int) -> bytes:
    return (f"POST /groq/openai/v1/chat/completions HTTP/1.1\r\nhost: {host}:{port}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(BODY)}\r\n\r\n").encode() + BODY


async def worker(host: str, port: int, until: float, counter: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    req = request_bytes(host, port)
    while time.perf_counter() < until:
        writer.write(req)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        counter[0] += 1
    writer.close()


async def measure(url: str, connections: int, seconds: float) -> float:
    host, port = url.removeprefix("http://").split(":")
    counter = [0]
    start = time.perf_counter()
    await asyncio.gather(*(worker(host, int(port), start + seconds, counter) for _ in range(connections)))
    return counter[0] / (time.perf_counter() - start)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    with emulator_process() as url:
        print(f"emulator at {url}; {seconds:.0f} s per run; small non-streamed chat completions")
        print(f"{'connections':>12} {'requests/s':>12}")
        for connections in (1, 8, 32, 128):
            rate = asyncio.run(measure(url, connections, seconds))
            print(f"{connections:>12} {rate:>12.0f}")


if __name__ == "__main__":
    main()
