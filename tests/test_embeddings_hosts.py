"""Embeddings through the emulator on every host that serves them: the family embedder splits, sends and
reassembles; each host spells the request its own way; faults, cost, provider swap and bad input."""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Iterator
from decimal import Decimal

import pytest

import rehost
from rehost import (
    CohereEmbedder,
    E5Embedder,
    GeminiEmbedder,
    MiniLMEmbedder,
    MistralEmbedder,
    OpenAIEmbedder,
    Qwen3Embedder,
    VoyageEmbedder,
)
from rehost.clients.embed_base import _batches
from rehost.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequest,
    RateLimited,
    ServerError,
    UnsupportedFeature,
)
from rehost.providers.cohere import Cohere
from rehost.providers.voyage import ATLAS_BASE_URL, BASE_URL, Voyage
from rehost.shared.catalog import models_table
from rehost.shared.embed import EmbedRequest
from rehost.shared.transport import RetryPolicy
from rehost.testing.emulator import Emulator
from rehost.testing.emulator_embed import vector_for

FAST = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05, jitter=False)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def _texts(n: int) -> list[str]:
    return [f"text number {i}" for i in range(n)]


#: (style, embedder, model, the path the host posts to, where the texts travel in the body)
HOSTS = [
    ("openai", OpenAIEmbedder, "text-embedding-3-small", "/openai/v1/embeddings"),
    ("google", GeminiEmbedder, "gemini-embedding-001", "/google/v1beta/models/gemini-embedding-001:batchEmbedContents"),
    ("vertex", GeminiEmbedder, "text-embedding-005", ":predict"),
    ("vertex", GeminiEmbedder, "gemini-embedding-2", "/gemini-embedding-2:embedContent"),
    ("mistral", MistralEmbedder, "codestral-embed", "/mistral/v1/embeddings"),
    ("cohere", CohereEmbedder, "embed-v4.0", "/cohere/v2/embed"),
    ("voyage", VoyageEmbedder, "voyage-3.5", "/voyage/v1/embeddings"),
    ("together", rehost.BGEEmbedder, "bge-large-en-v1.5", "/together/v1/embeddings"),
    ("fireworks", rehost.NomicEmbedder, "nomic-embed-text-v1.5", "/fireworks/inference/v1/embeddings"),
    ("ollama", MiniLMEmbedder, "all-minilm-l6-v2", "/ollama/api/embed"),
    ("vllm", E5Embedder, "e5-large-v2", "/vllm/v1/embeddings"),
    ("llamacpp", Qwen3Embedder, "qwen3-embedding-0.6b", "/llamacpp/v1/embeddings"),
]


@pytest.mark.parametrize(("style", "cls", "model", "path"), HOSTS, ids=[f"{h[0]}-{h[2]}" for h in HOSTS])
def test_every_host_embeds_in_order_with_its_own_request(emu: Emulator, style, cls, model, path):
    embedder = cls(model, provider=emu.provider(style))
    texts = ["alpha", "beta beta", "gamma gamma gamma"]
    result = embedder.embed(texts, purpose="document")
    assert len(result) == 3
    assert result.dimensions == 8
    assert result.host == style
    assert result.model == model
    assert result.usage.input_tokens is not None
    assert result.usage.input_tokens > 0
    assert result.seconds > 0
    seen = [r for r in emu.requests if r.method == "POST"]
    assert seen
    assert all(path in r.path for r in seen), [r.path for r in seen]
    sent = [t for r in seen for t in _sent_texts(r.json())]
    assert len(sent) == 3
    for vector, text in zip(result.vectors, sent, strict=True):  # the host's vector of the text it was sent
        assert vector == pytest.approx(vector_for(text, 8), abs=1e-6)
    assert result.array().shape == (3, 8)


def _sent_texts(body: dict) -> list[str]:
    if "requests" in body:
        return [e["content"]["parts"][0]["text"] for e in body["requests"]]
    if "instances" in body:
        return [i["content"] for i in body["instances"]]
    if "content" in body:
        return [body["content"]["parts"][0]["text"]]
    return list(body.get("texts") or body["input"])


def test_each_host_spells_dimensions_purpose_and_truncation_its_own_way(emu: Emulator):
    OpenAIEmbedder("text-embedding-3-small", provider=emu.provider("openai")).embed("q", dimensions=4)
    MistralEmbedder("codestral-embed", provider=emu.provider("mistral")).embed("q", dimensions=4)
    CohereEmbedder("embed-v4.0", provider=emu.provider("cohere")).embed("q", dimensions=256, purpose="query",
                                                                      truncate="end")
    VoyageEmbedder("voyage-3.5", provider=emu.provider("voyage")).embed("q", dimensions=512, purpose="query",
                                                                      truncate="none")
    GeminiEmbedder("gemini-embedding-001", provider=emu.provider("google")).embed("q", dimensions=128,
                                                                                  purpose="document", title="T")
    GeminiEmbedder("text-embedding-005", provider=emu.provider("vertex")).embed("q", dimensions=64,
                                                                                purpose="similarity", truncate="end")
    openai, mistral, cohere, voyage, google, vertex = (r.json() for r in emu.requests)
    assert openai == {"model": "text-embedding-3-small", "input": ["q"], "encoding_format": "base64",
                      "dimensions": 4}
    assert mistral == {"model": "codestral-embed", "input": ["q"], "output_dimension": 4}
    assert cohere == {"model": "embed-v4.0", "texts": ["q"], "embedding_types": ["float"],
                      "input_type": "search_query", "truncate": "END", "output_dimension": 256}
    assert voyage == {"model": "voyage-3.5", "input": ["q"], "encoding_format": "base64", "input_type": "query",
                      "truncation": False, "output_dimension": 512}
    assert google == {"requests": [{"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "q"}]},
                                    "taskType": "RETRIEVAL_DOCUMENT", "title": "T", "outputDimensionality": 128}]}
    assert vertex == {"instances": [{"content": "q", "task_type": "SEMANTIC_SIMILARITY"}],
                      "parameters": {"autoTruncate": True, "outputDimensionality": 64}}


def test_a_long_list_is_split_by_the_hosts_cap_and_reassembled_in_order_across_three_calls(emu: Emulator):
    texts = _texts(200)  # Cohere takes 96 texts a call: 96 + 96 + 8
    result = CohereEmbedder("embed-v4.0", provider=emu.provider("cohere")).embed(texts, purpose="document")
    assert result.calls == 3
    assert [len(r.json()["texts"]) for r in emu.requests] == [96, 96, 8]
    assert result.vectors.tolist() == [vector_for(t, 8) for t in texts]
    assert result.usage.input_tokens == sum(max(1, len(t) // 4) for t in texts)


def test_async_sends_the_batches_together_and_keeps_their_order(emu: Emulator):
    emu.script("cohere", ttft=0.4)
    texts = _texts(200)
    embedder = CohereEmbedder("embed-v4.0", provider=emu.provider("cohere"), concurrency=3)
    result = asyncio.run(embedder.aembed(texts))
    arrivals = sorted(r.at for r in emu.requests)
    assert len(arrivals) == 3
    assert arrivals[-1] - arrivals[0] < 0.3  # all three were in flight before the first (0.4 s) answer came
    assert result.calls == 3
    assert result.vectors.tolist() == [vector_for(t, 8) for t in texts]


def test_async_concurrency_is_bounded(emu: Emulator):
    emu.script("cohere", ttft=0.25)
    embedder = CohereEmbedder("embed-v4.0", provider=emu.provider("cohere"), concurrency=1)
    asyncio.run(embedder.aembed(_texts(200)))
    arrivals = sorted(r.at for r in emu.requests)
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(arrivals))  # one at a time


def test_a_429_is_retried_after_its_retry_after(emu: Emulator):
    emu.inject("429", times=1, host="openai", retry_after="0")
    host = rehost.OpenAI("emulator-key", base_url=emu.base_url("openai"), retry=FAST)
    result = OpenAIEmbedder("text-embedding-3-small", provider=host).embed(["a", "b"])
    assert len(result) == 2
    assert len(emu.requests) == 2


@pytest.mark.parametrize(("fault", "error"), [("429", RateLimited), ("500", ServerError),
                                              ("401", AuthenticationError), ("400", InvalidRequest)])
@pytest.mark.parametrize("style", ["openai", "google", "vertex", "cohere", "voyage", "ollama"])
def test_host_errors_are_typed_and_never_show_the_key(emu: Emulator, style, fault, error):
    emu.inject(fault, times=5, host=style)
    embedder = {"openai": OpenAIEmbedder("text-embedding-3-small"), "google": GeminiEmbedder("gemini-embedding-001"),
                "vertex": GeminiEmbedder("text-embedding-005"), "cohere": CohereEmbedder("embed-v4.0"),
                "voyage": VoyageEmbedder("voyage-3.5"), "ollama": MiniLMEmbedder("all-minilm-l6-v2")}[style]
    embedder.provider = emu.provider(style, retry=RetryPolicy(max_retries=0))
    with pytest.raises(error) as caught:
        embedder.embed("hello")
    assert "emulator-key" not in str(caught.value)
    assert "emulator-key" not in repr(caught.value)


def test_cost_comes_from_the_catalogue_in_the_rows_unit(emu: Emulator, private_catalog):
    private_catalog.set_prices("text-embedding-3-small", "openai", input="0.02", read="2026-12-01", source="test")
    result = OpenAIEmbedder("text-embedding-3-small", provider=emu.provider("openai")).embed(_texts(3))
    assert result.cost is not None
    assert result.cost.total == Decimal(result.usage.input_tokens) * Decimal("0.02") / 1_000_000
    # Vertex's classic models bill per 1,000 characters
    private_catalog.register("text-embedding-005", "vertex", "text-embedding-005", input_price="0.025",
                             price_unit="character", price_per=1000, prices_read="2026-12-01", prices_source="t")
    vertex = GeminiEmbedder("text-embedding-005", provider=emu.provider("vertex")).embed(_texts(7))
    assert vertex.calls == 2  # five texts a call
    chars = vertex.usage.billable_characters
    assert chars == sum(len(t.replace(" ", "")) for t in _texts(7))
    assert vertex.cost is not None
    assert vertex.cost.total == Decimal(chars) * Decimal("0.025") / 1000
    table = models_table(private_catalog, host="vertex")
    assert "0.025/1k character" in table
    assert " embed " in table


def test_an_embed_row_takes_an_input_price_only():
    row = rehost.catalog().model("text-embedding-3-small")
    assert row.kind == "embed"
    assert row.dimensions == 1536
    assert rehost.catalog().model("deepseek-r1").kind == "chat"


def test_the_provider_is_swapped_at_run_time(emu: Emulator):
    embedder = MiniLMEmbedder("all-minilm-l6-v2", provider=emu.provider("ollama"))
    first = embedder.embed("hello")
    embedder.provider = emu.provider("vllm")
    second = embedder.embed("hello")
    assert (first.host, second.host) == ("ollama", "vllm")
    assert [r.path for r in emu.requests] == ["/ollama/api/embed", "/vllm/v1/embeddings"]
    assert first.vectors == second.vectors


@pytest.mark.parametrize(("call", "words"), [
    (lambda e: e.embed([]), "empty"),
    (lambda e: e.embed(""), "empty"),
    (lambda e: e.embed(["ok", "  "]), "texts[1]"),
    (lambda e: e.embed(["ok", 3]), "texts[1] is a int"),
    (lambda e: e.embed(None), "string or a list"),
    (lambda e: e.embed("x", purpose="search"), "purpose"),
    (lambda e: e.embed("x", dimensions=2000), "1 to 1536"),
    (lambda e: e.embed("x", dimensions=0), "above 0"),
    (lambda e: e.embed("x", dimensions=True), "above 0"),
    (lambda e: e.embed("x", truncate="middle"), "truncate"),
    (lambda e: e.embed("x", normalize="yes"), "normalize"),
    (lambda e: e.embed("x", title="T"), "title"),
], ids=["empty list", "empty string", "blank item", "non-str item", "none", "bad purpose", "too many dimensions",
        "zero dimensions", "bool dimensions", "bad truncate", "bad normalize", "title on a symmetric model"])
def test_bad_input_is_refused_before_the_network(emu: Emulator, call, words):
    embedder = OpenAIEmbedder("text-embedding-3-small", provider=emu.provider("openai"))
    with pytest.raises(InvalidRequest) as caught:
        call(embedder)
    assert words in str(caught.value)
    assert not emu.requests


def test_each_family_checks_its_own_dimensions_and_purposes(emu: Emulator):
    with pytest.raises(InvalidRequest, match="256, 512, 1024, 1536"):
        CohereEmbedder("embed-v4.0", provider=emu.provider("cohere")).embed("x", dimensions=300)
    with pytest.raises(InvalidRequest, match="cannot shorten"):
        OpenAIEmbedder("text-embedding-ada-002", provider=emu.provider("openai")).embed("x", dimensions=512)
    with pytest.raises(InvalidRequest, match="purpose"):
        CohereEmbedder("embed-v4.0", provider=emu.provider("cohere")).embed("x", purpose="similarity")
    with pytest.raises(InvalidRequest, match="title"):
        GeminiEmbedder("gemini-embedding-001", provider=emu.provider("google")).embed("x", purpose="query", title="T")
    assert not emu.requests
    OpenAIEmbedder("text-embedding-ada-002", provider=emu.provider("openai")).embed("x", dimensions=1536)
    assert "dimensions" not in emu.requests[-1].json()  # its own length: nothing to ask for


def test_open_families_write_their_prefixes(emu: Emulator):
    E5Embedder("e5-large-v2", provider=emu.provider("vllm")).embed(["a"], purpose="document")
    E5Embedder("e5-large-v2", provider=emu.provider("vllm")).embed(["a"])
    rehost.BGEEmbedder("bge-base-en-v1.5", provider=emu.provider("together")).embed(["a"], purpose="query")
    rehost.BGEEmbedder("bge-base-en-v1.5", provider=emu.provider("together")).embed(["a"], purpose="document")
    Qwen3Embedder("qwen3-embedding-8b", provider=emu.provider("vllm")).embed(["a"], purpose="document")
    GeminiEmbedder("gemini-embedding-2", provider=emu.provider("google")).embed(["a"], purpose="similarity")
    sent = [r.json() for r in emu.requests]
    assert [s["input"] for s in sent[:5]] == [["passage: a"], ["query: a"],
                                              ["Represent this sentence for searching relevant passages: a"], ["a"],
                                              ["a"]]
    assert sent[5]["requests"][0]["content"]["parts"][0]["text"] == "task: sentence similarity | query: a"
    assert "taskType" not in sent[5]["requests"][0]


def test_one_string_gives_one_vector_and_normalize_scales_shortened_gemini_vectors(emu: Emulator):
    embedder = GeminiEmbedder("gemini-embedding-001", provider=emu.provider("google"))
    one = embedder.embed("hello", dimensions=128)
    assert len(one) == 1
    assert one.dimensions == 128
    scaled = embedder.embed("hello", dimensions=128, normalize=True)
    assert math.isclose(math.fsum(x * x for x in scaled[0]), 1.0, rel_tol=1e-9)


def test_a_host_without_embeddings_is_refused_when_bound():
    with pytest.raises(ConfigurationError, match="serves no embeddings"):
        OpenAIEmbedder("text-embedding-3-small", provider=rehost.Groq("k"))
    with pytest.raises(ConfigurationError, match="is the class"):
        OpenAIEmbedder("text-embedding-3-small", provider=rehost.OpenAI)
    with pytest.raises(ConfigurationError, match="has no model"):
        OpenAIEmbedder("gpt-4o")
    with pytest.raises(ConfigurationError, match="not bound"):
        OpenAIEmbedder("text-embedding-3-small").embed("x")
    assert OpenAIEmbedder("text-embedding-3-small", provider="openai").provider.name == "openai"


def test_rehost_client_gives_the_embedder_of_an_embed_row(emu: Emulator):
    embedder = rehost.client("openai/text-embedding-3-small", bound_to=emu.provider("openai"))
    assert type(embedder) is OpenAIEmbedder
    assert type(rehost.client("cohere/embed-v4.0", provider_options={"api_key": "k"})) is CohereEmbedder
    assert type(rehost.client("voyage/voyage-3.5", provider_options={"api_key": "k"})) is VoyageEmbedder
    assert embedder.embed("hello").host == "openai"
    assert rehost.GeminiEmbedder is GeminiEmbedder


def test_hosts_say_what_they_serve():
    assert "embed" in rehost.OpenAI("k").kinds
    assert "chat" in rehost.OpenAI("k").kinds
    assert "embed" not in rehost.Groq("k").kinds
    # Cohere serves v2 chat too since issue 17; Voyage is the host here that serves embeddings only
    assert Cohere("k").kinds == frozenset({"chat", "embed"})
    assert Voyage("k").kinds == frozenset({"embed"})
    with pytest.raises(UnsupportedFeature):
        Voyage("k").endpoint("chat")
    assert Cohere("k").endpoint("embed").max_inputs == 96


def test_voyage_keys_from_atlas_go_to_atlas():
    assert Voyage("al-abc").base_url == ATLAS_BASE_URL
    assert Voyage("pa-abc").base_url == BASE_URL
    assert Voyage("al-abc", base_url="http://127.0.0.1:1/v1").base_url == "http://127.0.0.1:1/v1"
    assert "al-abc" not in repr(Voyage("al-abc"))


def test_the_token_budget_splits_a_call_before_the_host_would_refuse_it():
    texts = ("a" * 120_000, "b" * 120_000, "c" * 120_000, "d")
    assert [len(b) for b in _batches(texts, 2048, 300_000)] == [2, 2]
    assert [len(b) for b in _batches(texts, 1, None)] == [1, 1, 1, 1]
    assert [len(b) for b in _batches(("x" * 400_000, "y"), None, 300_000)] == [1, 1]  # over alone: alone


def test_an_endpoint_refuses_what_its_host_cannot_spell():
    with pytest.raises(UnsupportedFeature, match="end"):
        rehost.Ollama().endpoint("embed").build_call(EmbedRequest("m", ("x",), truncate="start"), "m")
    with pytest.raises(UnsupportedFeature, match="title"):
        rehost.OpenAI("k").endpoint("embed").build_call(EmbedRequest("m", ("x",), title="T"), "m")
    with pytest.raises(UnsupportedFeature, match="one text per call"):
        rehost.Vertex("p", "global", access_token="t").endpoint("embed").build_call(
            EmbedRequest("gemini-embedding-2", ("x", "y")), "gemini-embedding-2")


def test_the_bench_compares_one_embedding_model_across_hosts(emu: Emulator, private_catalog, tmp_path):
    from rehost.bench.embed import compare_embeddings

    private_catalog.register("all-minilm-l6-v2", "vllm", "all-minilm", input_price="0.01", prices_read="2026-12-01",
                             prices_source="test")
    emu.script("ollama", ttft=0.03)
    emu.script("vllm", ttft=0.01)
    emu.inject("500", times=1, host="ollama")
    hosts = [emu.provider("ollama", retry=RetryPolicy(max_retries=0)), emu.provider("vllm"), rehost.Groq("k")]
    report = compare_embeddings(MiniLMEmbedder("all-minilm-l6-v2"), hosts, batch=10, runs=4, warmup=1)
    assert [h.host for h in report.hosts] == ["ollama", "vllm", "groq"]
    assert report.result("groq").skipped is not None
    assert "serves no embeddings" in report.result("groq").skipped
    ollama, vllm = report.result("ollama"), report.result("vllm")
    assert ollama.samples == vllm.samples == 4
    assert sum(ollama.errors.values()) <= 1  # the 500 fell on the warm-up or on one timed call
    assert report.ranking("latency") == ["vllm", "ollama"]
    assert vllm.vectors_per_second is not None
    assert vllm.vectors_per_second.p50 > 0
    assert vllm.cost_per_million_tokens == Decimal("0.0100")  # what the row says, from what each call cost
    table = report.table()
    assert "batch ms p50/p95/p99" in table
    assert "vectors/s p50" in table
    assert "$ / 1M tokens" in table
    assert "fastest batch: vllm < ollama" in table
    assert report.to_dict()["kind"] == "embed"
    svg = report.plot(tmp_path / "e.svg")
    assert svg.read_text().startswith("<?xml")


def test_rehost_bench_picks_the_embeddings_mode_by_the_models_kind(emu: Emulator, tmp_path):
    import json
    import subprocess
    import sys

    hosts = f"vllm:base_url={emu.base_url('vllm')},ollama:base_url={emu.url}/ollama"
    out = tmp_path / "e.json"
    done = subprocess.run([sys.executable, "-m", "rehost.cli", "bench", "all-minilm-l6-v2", "--hosts", hosts,
                           "--runs", "2", "--batch", "5", "--json", str(out)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "(embeddings)" in done.stdout
    assert "vectors/s p50" in done.stdout
    report = json.loads(out.read_text())
    assert report["kind"] == "embed"
    assert report["config"]["batch"] == 5
    assert len(report["samples"]) == 4
    assert {r.path for r in emu.requests} >= {"/vllm/v1/embeddings", "/ollama/api/embed"}


def test_the_hosts_rate_limit_paces_an_embedders_calls(emu: Emulator):
    from rehost import RateLimit

    host = emu.provider("cohere", rate_limit=RateLimit(requests_per_minute=600))  # one call every 0.1 s
    result = asyncio.run(CohereEmbedder("embed-v4.0", provider=host, concurrency=4).aembed(_texts(300)))
    arrivals = sorted(r.at for r in emu.requests)
    assert result.calls == 4
    assert len(arrivals) == 4
    assert arrivals[-1] - arrivals[0] >= 0.15  # paced by the host's limiter (unpaced: milliseconds)
