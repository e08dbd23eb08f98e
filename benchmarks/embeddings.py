"""rehost's embeddings overhead against raw httpx, on the emulator, for one 100-text batch.

    .venv/bin/python benchmarks/embeddings.py [--rounds 7] [--n 30] [--dimensions 1536]

The same call, ``POST /v1/embeddings`` with 100 texts and base64 vectors asked for, to the emulator in its own
process: through ``OpenAIEmbedder.embed`` (checks, batching, the host's transport, base64 decoded into one
float32 buffer, usage and cost) and through one reused ``httpx.Client`` that posts the same body and decodes the
same answer with ``base64`` + ``array``. Rounds are interleaved (``cases.measure``); the ratio of the medians is
printed, one run, never asserted: this machine is shared.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
from array import array
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import KEY, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--n", type=int, default=30, help="calls per round")
    parser.add_argument("--dimensions", type=int, default=1536)
    args = parser.parse_args()
    import httpx

    from rehost import OpenAI, OpenAIEmbedder
    from rehost.testing.emulator import emulator_process

    texts = [f"passage number {i}: a sentence of ordinary length to embed" for i in range(100)]
    with emulator_process() as url:
        base = f"{url}/openai/v1"
        embedder = OpenAIEmbedder("text-embedding-3-small", provider=OpenAI(KEY, base_url=base))
        http = httpx.Client(timeout=60)
        body = json.dumps({"model": "text-embedding-3-small", "input": texts, "encoding_format": "base64",
                           "dimensions": args.dimensions}).encode()
        headers = {"authorization": f"Bearer {KEY}", "content-type": "application/json"}

        def raw() -> int:
            data = http.post(f"{base}/embeddings", content=body, headers=headers).json()["data"]
            flat = array("f")
            for item in sorted(data, key=lambda d: d["index"]):
                flat.frombytes(base64.b64decode(item["embedding"]))
            return len(flat)

        def rehost_call() -> int:
            return len(embedder.embed(texts, dimensions=args.dimensions).vectors.buffer)

        assert raw() == rehost_call() == 100 * args.dimensions
        times = measure({"httpx": raw, "rehost": rehost_call}, n=args.n, rounds=args.rounds, warmup=5)
    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"embeddings, 100 texts x {args.dimensions} dims: httpx {med['httpx'] * 1000:.2f} ms, rehost "
          f"{med['rehost'] * 1000:.2f} ms per call; rehost/httpx = {med['rehost'] / med['httpx']:.2f}")


if __name__ == "__main__":
    main()
