"""Issue 12 trust pass, item 18: a local server (vLLM, Ollama, llama.cpp's server, the in-process engine, an
OpenAI-compatible server on this machine or network) serves whatever it was started with, so a family client
bound to one takes any catalogued model: its id from host_model_id=, the provider's models=, the host's own
catalogue row, else the model's open-weights id; a model with none of these is refused, before any request,
with what to pass."""

from __future__ import annotations

import pytest

import rehost
from rehost import (
    VLLM,
    ClaudeClient,
    DeepSeekClient,
    GemmaClient,
    GenericClient,
    GPTClient,
    LlamaClient,
    LlamaCpp,
    LlamaCppServer,
    MistralClient,
    Ollama,
    OpenAICompatible,
    QwenClient,
    Together,
)
from rehost.errors import ModelNotServed
from rehost.shared.catalog import default_catalog
from rehost.testing.emulator import Emulator

LOCAL_HOSTS = {
    "vllm": VLLM,
    "ollama": Ollama,
    "ollama-openai": lambda: Ollama(api="openai"),
    "llamacpp": LlamaCppServer,
    "openai-compatible-loopback": lambda: OpenAICompatible(base_url="http://127.0.0.1:30000/v1"),
    "openai-compatible-localhost": lambda: OpenAICompatible(base_url="http://localhost:1234/v1", name="lmstudio"),
    "openai-compatible-lan": lambda: OpenAICompatible(base_url="http://192.168.1.20:8000/v1", name="sglang"),
}

# family client -> the open-weights id the catalogue gives the model
FAMILY_MODELS = [
    (lambda p: QwenClient("3-32b", provider=p), "Qwen/Qwen3-32B"),
    (lambda p: DeepSeekClient("r1-distill-qwen-32b", provider=p), "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B"),
    (lambda p: LlamaClient("3.1-8b", provider=p), "meta-llama/Llama-3.1-8B-Instruct"),
    (lambda p: GPTClient("oss-20b", provider=p), "openai/gpt-oss-20b"),
    (lambda p: MistralClient("small-3.2", provider=p), "mistralai/Mistral-Small-3.2-24B-Instruct-2506"),
    (lambda p: GemmaClient("3-4b-it", provider=p), "google/gemma-3-4b-it"),
]


def sent_model(client) -> str:
    prepared = client.provider.prepare(client.prepare("hi"))
    return prepared.call.body["model"]


@pytest.mark.parametrize(("make_client", "weights"), FAMILY_MODELS,
                         ids=["qwen", "deepseek", "llama", "gpt-oss", "mistral", "gemma"])
@pytest.mark.parametrize("host", sorted(LOCAL_HOSTS))
def test_a_local_host_takes_any_catalogued_model_by_its_open_weights_id(host, make_client, weights):
    provider = LOCAL_HOSTS[host]()
    assert sent_model(make_client(provider)) == weights


@pytest.mark.parametrize("host", sorted(LOCAL_HOSTS))
def test_host_model_id_and_models_still_come_first(host):
    provider = LOCAL_HOSTS[host]()
    assert sent_model(QwenClient("3-32b", provider=provider, host_model_id="my-qwen")) == "my-qwen"
    mapped = type(provider)(models={"qwen3-32b": "qwen3:32b"}, base_url=provider.base_url)
    assert sent_model(QwenClient("3-32b", provider=mapped)) == "qwen3:32b"


def test_the_in_process_engine_takes_any_catalogued_model_too(tmp_path):
    engine = LlamaCpp(tmp_path / "qwen3-32b-q4.gguf")  # the file is the model: the id only names it
    request = QwenClient("3-32b", provider=engine).prepare("hi")
    assert engine.prepare(request).info.host_model_id == "qwen3-32b"


def test_a_local_hosts_own_catalogue_row_comes_before_the_open_weights_id():
    assert sent_model(GemmaClient("3-27b-it", provider=Ollama())) == "gemma3:27b"  # the Ollama library tag
    assert sent_model(GemmaClient("3-270m", provider=LlamaCppServer())) == "gemma-3-270m"  # llama_server's alias


@pytest.mark.parametrize("host", sorted(LOCAL_HOSTS))
def test_a_model_with_no_open_weights_says_what_to_pass(host):
    provider = LOCAL_HOSTS[host]()
    with pytest.raises(ModelNotServed) as caught:
        sent_model(ClaudeClient("sonnet-4.5", provider=provider))
    text = str(caught.value)
    assert "host_model_id=" in text
    assert "models={'claude-sonnet-4-5-20250929': " in text
    assert f"{type(provider).__name__}(" in text


def test_hosted_services_still_refuse_what_they_do_not_serve():
    with pytest.raises(ModelNotServed, match="groq, openrouter"):
        sent_model(QwenClient("3-32b", provider=Together("k")))
    with pytest.raises(ModelNotServed):  # the generic class on a remote URL knows nothing of what is served there
        sent_model(QwenClient("3-32b", provider=OpenAICompatible("k", base_url="https://api.example.com/v1")))
    with pytest.raises(ModelNotServed):  # ollama.com's cloud serves its own list, not whatever it was given
        sent_model(QwenClient("3-32b", provider=Ollama("k", base_url="https://ollama.com")))


def test_every_open_weights_id_looks_like_a_hugging_face_repo():
    catalog = default_catalog()
    ids = {m.id: m.open_weights for m in catalog.models() if m.open_weights}
    assert len(ids) >= 40
    for model, repo in ids.items():
        owner, _, name = repo.partition("/")
        assert owner, model
        assert name, model
        assert " " not in repo, model


def test_the_string_entry_point_takes_the_open_weights_id_on_a_local_host():
    client = rehost.client("vllm/Qwen/Qwen3-32B")
    assert isinstance(client, QwenClient)
    assert client.model == "qwen3-32b"
    assert sent_model(client) == "Qwen/Qwen3-32B"
    assert sent_model(rehost.client("vllm/qwen3-32b")) == "Qwen/Qwen3-32B"
    assert sent_model(rehost.client("ollama/3-32b")) == "Qwen/Qwen3-32B"


def test_a_family_client_on_an_emulated_vllm_sends_the_open_weights_id():
    with Emulator() as emu:
        vllm = emu.provider("vllm")
        try:
            done = QwenClient("3-32b", provider=vllm).complete("hi")
            assert done.host == "vllm"
            assert emu.requests[-1].json()["model"] == "Qwen/Qwen3-32B"
            generic = GenericClient("qwen3-32b", provider=vllm).complete("hi")
            assert generic.text
            assert emu.requests[-1].json()["model"] == "Qwen/Qwen3-32B"
        finally:
            vllm.close()
