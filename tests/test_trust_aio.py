"""The async path on both of its transports: aiohttp's pool (the default, ``rehost.shared.aio``) and httpx's own
(httpcore, ``REHOST_ASYNC_HTTP=httpx``). The reliability suite's fault matrix, async; timeouts, cancellation,
connection limits, proxies, TLS; the lazily loaded TLS contexts; the warm-up helpers."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import ssl
import subprocess
import threading
import time

import httpx
import pytest

from rehost import GenericClient, Groq, RetryPolicy, Timeouts
from rehost.errors import ConfigurationError, ConnectionFailed, RehostError, RequestTimeout
from rehost.shared import aio, tls
from rehost.shared.transport import wire_timing
from rehost.testing.emulator import Emulator

from .servers import Handler, ScriptedServer, endless_stream, short_answer, silent
from .test_reliability import INBAND, ONCE, PERSISTENT, SECRET

BOUND = 20  # seconds: any single case taking longer is a hang
BACKENDS = ["aiohttp", "httpx"]


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch):
    """Every test taking this fixture runs once on each async transport."""
    monkeypatch.setenv(aio.BACKEND_ENV, request.param)
    return request.param


@pytest.fixture(scope="module")
def emu():
    with Emulator() as emulator:
        yield emulator


OPENED: list = []


@pytest.fixture
async def fresh(emu):
    emu.reset()
    yield
    while OPENED:
        await OPENED.pop().aclose()
    assert await until(lambda: emu.open_connections == 0), "a test left sockets open"


async def until(predicate, seconds=3.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return predicate()


def client_for(emu, style, **provider_kwargs):
    provider_kwargs.setdefault("timeouts", Timeouts(read=2, stream_idle=0.5, total=10))
    provider_kwargs.setdefault("retry", RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05))
    provider = emu.provider(style, **provider_kwargs)
    OPENED.append(provider)
    return GenericClient("gemini-x" if style == "google" else "m", provider=provider), provider


async def acall(client, stream):
    if stream:
        return await client.astream("hi").final()
    return await client.acomplete("hi")


def uses(provider, backend):
    """The async pool of this loop is on the transport the test asked for."""
    inner = provider._transport.aclient._transport
    return isinstance(inner, aio.AiohttpTransport) == (backend == "aiohttp")


def async_pool_is_clean(provider):
    """No connection of this loop's pool is still lent to a request."""
    inner = provider._transport.aclient._transport
    if isinstance(inner, aio.AiohttpTransport):
        session = inner._session
        return session is None or not session.connector._acquired
    pool = inner._pool
    return all(c.is_idle() or c.is_closed() for c in pool.connections) and not pool._requests


# ------------------------------------------------------------------------------------------ the fault matrix


@pytest.mark.usefixtures("fresh")
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("style", ["groq", "openrouter", "google"])
@pytest.mark.parametrize("fault", sorted(ONCE))
async def test_fault_once_async(emu, backend, style, fault, stream):
    client, provider = client_for(emu, style)
    emu.inject(fault, times=1, oversize_bytes=70 * 1024 * 1024)
    expected = ONCE[fault][0 if stream else 1]
    if expected == "inband":
        expected = INBAND[style]
    before = len(emu.requests)
    async with asyncio.timeout(BOUND):
        if expected == "ok":
            done = await acall(client, stream)
            assert done.text == "Hello w1 w2 w3 w4 w5 w6 w7"
        else:
            with pytest.raises(expected):
                await acall(client, stream)
    assert uses(provider, backend)
    sent = len(emu.requests) - before
    retried = expected == "ok" and fault != "keepalive"
    assert sent == (2 if retried else 1)
    assert await until(lambda: async_pool_is_clean(provider)), "a connection was left busy"
    await provider.aclose()
    assert await until(lambda: emu.open_connections == 0), "a socket was left open"


@pytest.mark.usefixtures("fresh")
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("fault", sorted(PERSISTENT))
async def test_fault_that_persists_gives_the_typed_error_async(emu, backend, fault, stream):
    client, provider = client_for(emu, "groq")
    emu.inject(fault, times=10)
    before = len(emu.requests)
    async with asyncio.timeout(BOUND):
        with pytest.raises(PERSISTENT[fault]):
            await acall(client, stream)
    assert len(emu.requests) - before == 3  # one try and two retries, never more
    await provider.aclose()
    assert await until(lambda: emu.open_connections == 0)


@pytest.mark.usefixtures("fresh")
@pytest.mark.parametrize("fault", ["401", "500", "reset_before", "malformed_chunk", "truncated", "stall"])
@pytest.mark.parametrize("stream", [True, False])
async def test_the_key_never_appears_in_async_errors_or_logs(emu, backend, fault, stream, caplog):
    caplog.set_level(logging.DEBUG)
    client, provider = client_for(emu, "openrouter", retry=RetryPolicy(max_retries=1, initial_delay=0.01),
                                  timeouts=Timeouts(read=1, stream_idle=0.3))
    provider._api_key = SECRET
    emu.inject(fault, times=5)
    with pytest.raises(RehostError) as caught:
        await acall(client, stream)
    err = caught.value
    texts = [str(err), repr(err), err.message, err.body or "", repr(provider), caplog.text,
             str(err.__cause__ or ""), repr(err.__cause__ or ""), repr(err.__context__ or "")]
    assert all(SECRET not in t for t in texts)


# ------------------------------------------------------------------------------------------ timeouts


async def test_read_timeout_on_a_silent_host_async(backend):
    with ScriptedServer(silent) as server:
        provider = Groq("k", base_url=server.url, timeouts=Timeouts(read=0.3), retry=RetryPolicy(max_retries=0))
        async with asyncio.timeout(BOUND):
            with pytest.raises(RequestTimeout, match="read timeout"):
                await GenericClient("m", provider=provider).acomplete("hi")
        assert uses(provider, backend)
        await provider.aclose()


async def test_total_timeout_bounds_the_retries_async(backend):
    with ScriptedServer(silent) as server:
        provider = Groq("k", base_url=server.url, timeouts=Timeouts(read=0.2, total=0.5),
                        retry=RetryPolicy(max_retries=50, initial_delay=0.01, max_delay=0.01))
        t0 = time.monotonic()
        with pytest.raises(RequestTimeout):
            await GenericClient("m", provider=provider).acomplete("hi")
        assert time.monotonic() - t0 < 5  # raised at the deadline, not after fifty reads
        await provider.aclose()


async def test_stream_idle_timeout_async(backend):
    def stalls(handler):
        from .servers import chunk

        handler.start_stream()
        handler.write_chunk(chunk("first"))
        time.sleep(3)

    with ScriptedServer(stalls) as server:
        provider = Groq("k", base_url=server.url, timeouts=Timeouts(stream_idle=0.3))
        got = []
        async with asyncio.timeout(BOUND):
            with pytest.raises(RequestTimeout, match="silent"):
                async for event in GenericClient("m", provider=provider).astream("hi"):
                    got.append(event)
        assert [e.text for e in got] == ["first"]
        await provider.aclose()


async def test_a_refused_connection_is_a_typed_error_async(backend):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = Groq("k", base_url=f"http://127.0.0.1:{port}", retry=RetryPolicy(max_retries=1, initial_delay=0.01))
    with pytest.raises(ConnectionFailed, match="groq"):
        await GenericClient("m", provider=provider).acomplete("hi")
    await provider.aclose()


def test_aiohttp_errors_map_to_the_httpx_errors_httpcore_raises():
    import aiohttp

    cases = [
        (aiohttp.ConnectionTimeoutError("t"), False, httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError("t"), False, httpx.ReadTimeout),
        (aiohttp.SocketTimeoutError("t"), True, httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), False, httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError("cut"), True, httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset"), True, httpx.ReadError),
        (aiohttp.ClientOSError(32, "broken pipe"), False, httpx.ConnectError),
        (ConnectionResetError(104, "reset"), True, httpx.ReadError),
    ]
    for exc, reading, expected in cases:
        assert type(aio._map_error(exc, reading=reading)) is expected, exc
    assert aio._map_error(ValueError("not ours"), reading=True) is None


# ------------------------------------------------------------------------------------------ streams and pools


async def test_cancelling_an_async_stream_closes_its_connection_on_either_transport(backend):
    with ScriptedServer(endless_stream) as server:
        provider = Groq("k", base_url=server.url)
        client = GenericClient("m", provider=provider)

        async def consume():
            async for _event in client.astream("hi"):
                pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(server.disconnected.wait, 3)
        assert uses(provider, backend)
        await provider.aclose()


async def test_leaving_an_async_stream_early_closes_its_connection(backend):
    with ScriptedServer(endless_stream) as server:
        provider = Groq("k", base_url=server.url)
        async with GenericClient("m", provider=provider).astream("hi") as stream:
            async for n, _event in _enumerate(stream):
                if n == 2:
                    break
        assert await asyncio.to_thread(server.disconnected.wait, 3)
        await provider.aclose()


async def _enumerate(items):
    n = 0
    async for item in items:
        yield n, item
        n += 1


async def test_one_async_pool_reuses_its_connection(backend):
    with ScriptedServer(short_answer) as server:
        provider = Groq("k", base_url=server.url)
        client = GenericClient("m", provider=provider)
        for _ in range(5):
            assert (await client.acomplete("hi")).text == "ok"
        assert server.connections == 1
        await provider.aclose()


async def test_the_pool_never_opens_more_connections_than_its_limit(backend):
    def slow_stream(handler):
        from .servers import FINISH, chunk

        handler.start_stream()
        handler.write_chunk(chunk("a"))
        time.sleep(0.2)
        handler.write_chunk(chunk("b") + FINISH)
        handler.end_stream()

    with ScriptedServer(slow_stream) as server:
        provider = Groq("k", base_url=server.url, limits=httpx.Limits(max_connections=2))
        client = GenericClient("m", provider=provider)
        async with asyncio.timeout(BOUND):
            done = await asyncio.gather(*(client.astream("hi").final() for _ in range(6)))
        assert [d.text for d in done] == ["ab"] * 6
        assert server.connections <= 2
        await provider.aclose()


async def test_a_full_pool_raises_a_pool_timeout(backend):
    with ScriptedServer(endless_stream) as server:
        provider = Groq("k", base_url=server.url, limits=httpx.Limits(max_connections=1),
                        timeouts=Timeouts(pool=0.2), retry=RetryPolicy(max_retries=0))
        client = GenericClient("m", provider=provider)
        async with asyncio.timeout(BOUND), client.astream("hi") as held:
            events = held.__aiter__()
            await events.__anext__()  # the stream holds the only connection
            with pytest.raises(RequestTimeout, match="pool"):
                await client.acomplete("hi")
            await events.aclose()
        await provider.aclose()


@pytest.mark.usefixtures("fresh")
async def test_the_body_sent_trace_is_reported_on_either_transport(backend, emu):
    provider = emu.provider("groq")
    with wire_timing():
        done = await GenericClient("m", provider=provider).acomplete("hi")
    assert done.timing.request_sent is not None
    assert 0 < done.timing.request_sent <= done.timing.total
    await provider.aclose()


@pytest.mark.usefixtures("fresh")
async def test_an_unknown_async_backend_is_a_configuration_error(monkeypatch, emu):
    monkeypatch.setenv(aio.BACKEND_ENV, "curl")
    provider = emu.provider("groq")
    before = len(emu.requests)
    with pytest.raises(ConfigurationError, match="REHOST_ASYNC_HTTP"):
        await GenericClient("m", provider=provider).acomplete("hi")
    assert len(emu.requests) == before


async def test_a_transport_passed_in_is_used_as_given(monkeypatch):
    seen = []

    def answer(request):
        seen.append(request.url.path)
        return httpx.Response(200, json={"id": "r", "choices": [{"index": 0, "message": {
            "role": "assistant", "content": "mocked"}, "finish_reason": "stop"}]})

    provider = Groq("k", async_transport=httpx.MockTransport(answer))
    assert (await GenericClient("m", provider=provider).acomplete("hi")).text == "mocked"
    assert seen == ["/openai/v1/chat/completions"]


def test_an_unclosed_async_pool_is_closed_quietly(emu, caplog):
    """A provider dropped without aclose after its event loop ended: aiohttp would log "Unclosed client
    session" at error level; httpx's pool is silent in the same case, and so is rehost on either."""
    import gc

    emu.reset()
    for name in BACKENDS:
        caplog.clear()
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv(aio.BACKEND_ENV, name)
            provider = emu.provider("groq")
            asyncio.run(GenericClient("m", provider=provider).acomplete("hi"))
            del provider
            gc.collect()
        assert "Unclosed" not in caplog.text, name


# ------------------------------------------------------------------------------------------ proxies


class _Proxy(ScriptedServer):
    """A forward proxy that answers itself: it records the absolute-form target each request was sent to."""

    def __init__(self) -> None:
        super().__init__(short_answer)


async def test_env_proxies_are_honoured_on_either_transport(backend, monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    with _Proxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        provider = Groq("k", base_url="http://model-host.invalid/openai/v1", retry=RetryPolicy(max_retries=0))
        assert (await GenericClient("m", provider=provider).acomplete("hi")).text == "ok"
        assert [path for path, _ in proxy.requests] == ["http://model-host.invalid/openai/v1/chat/completions"]
        await provider.aclose()


def test_only_http_proxies_go_through_aiohttp():
    client = aio.AiohttpClient(proxy="https://127.0.0.1:1")
    transports = list(client._mounts.values())
    assert transports
    assert not any(isinstance(t, aio.AiohttpTransport) for t in transports)
    assert isinstance(aio.AiohttpClient(proxy="http://127.0.0.1:1")._mounts.popitem()[1], aio.AiohttpTransport)
    with pytest.raises(ValueError, match="http:// proxies"):
        aio.AiohttpTransport(proxy=httpx.Proxy("https://127.0.0.1:1"))


# ------------------------------------------------------------------------------------------ TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-addext", "basicConstraints=critical,CA:TRUE"],
                   check=True, capture_output=True)
    return str(cert), str(key)


class _TLSServer(ScriptedServer):
    def __init__(self, script, certificate) -> None:
        super().__init__(script)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*certificate)
        self.socket = context.wrap_socket(self.socket, server_side=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def loads(monkeypatch):
    """How many times a CA store is read, from a clean process-wide cache."""
    count = []
    real = ssl.SSLContext.load_verify_locations

    def counting(self, *args, **kwargs):
        count.append(args or kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    tls._cached.cache_clear()
    yield count
    tls._cached.cache_clear()


@pytest.mark.usefixtures("fresh")
async def test_plain_http_never_loads_a_ca_store(loads, emu):
    for _ in range(2):
        provider = emu.provider("groq")
        client = GenericClient("m", provider=provider)
        assert client.complete("hi").text
        assert (await client.acomplete("hi")).text
        provider.close()
        await provider.aclose()
    assert loads == []


async def test_https_loads_the_ca_store_once_per_process_and_verifies(loads, certificate, backend, monkeypatch):
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])  # trusted here as httpx trusts it: through the env
    with _TLSServer(short_answer, certificate) as server:
        for _ in range(2):
            provider = Groq("k", base_url=server.url)
            client = GenericClient("m", provider=provider)
            assert client.complete("hi").text == "ok"
            assert (await client.acomplete("hi")).text == "ok"
            assert uses(provider, backend)
            provider.close()
            await provider.aclose()
        assert len(loads) == 1  # two providers, sync and async, one read of the bundle

        monkeypatch.delenv("SSL_CERT_FILE")
        # the default store (certifi) does not know this certificate: a typed error, not an answer
        untrusted = Groq("k", base_url=server.url, retry=RetryPolicy(max_retries=0))
        with pytest.raises(ConnectionFailed, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            await GenericClient("m", provider=untrusted).acomplete("hi")
        with pytest.raises(ConnectionFailed, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            GenericClient("m", provider=untrusted).complete("hi")
        await untrusted.aclose()
        untrusted.close()


def test_lazy_context_is_shared_and_configured_like_httpx():
    a, b = tls.ssl_context(), tls.ssl_context(True)
    assert a is b
    reference = httpx.create_ssl_context()
    assert (a.verify_mode, a.check_hostname, a.minimum_version, a.options) == (
        reference.verify_mode, reference.check_hostname, reference.minimum_version, reference.options)
    assert tls.ssl_context(False).verify_mode == ssl.CERT_NONE
    mine = ssl.create_default_context()
    assert tls.ssl_context(mine) is mine


# ------------------------------------------------------------------------------------------ warm-up


class _Counting(ScriptedServer):
    """Answers GETs as well as POSTs (the warm-up is a GET of the base URL), recording the method."""

    def __init__(self, script) -> None:
        super().__init__(script)

        class Both(Handler):
            def do_GET(self) -> None:
                self.server.requests.append((f"GET {self.path}", b""))
                self.server.gets_had_auth = "authorization" in {k.lower() for k in self.headers}
                self.send_json(404, {"error": "no route"})

        self.RequestHandlerClass = Both
        self.gets_had_auth = None


def test_warm_opens_the_connection_the_first_call_then_reuses():
    with _Counting(short_answer) as server:
        provider = Groq("k", base_url=server.url + "/openai/v1")
        provider.warm()
        assert server.connections == 1
        assert server.requests == [("GET /openai/v1", b"")]
        assert server.gets_had_auth is False  # the warm-up never sends the key
        assert GenericClient("m", provider=provider).complete("hi").text == "ok"
        assert server.connections == 1
        provider.close()


async def test_awarm_opens_connections_ahead_in_the_async_pool(backend):
    with _Counting(short_answer) as server:
        provider = Groq("k", base_url=server.url + "/openai/v1")
        await provider.awarm(connections=3)
        opened = server.connections
        assert 1 <= opened <= 3
        client = GenericClient("m", provider=provider)
        assert (await client.acomplete("hi")).text == "ok"
        assert server.connections == opened  # the first call found a connection waiting
        await provider.aclose()


def test_warm_also_loads_the_neutral_types_a_first_call_would_define():
    """Issue 18: importing rehost leaves the pydantic types to the first call; ``warm()`` (what a benchmark calls
    before its first sample) loads them, so that sample does not define them inside its time."""
    import json
    import sys

    probe = ("import json, sys\nfrom rehost import GenericClient, Groq\nfrom rehost.testing.emulator import Emulator\n"
             "with Emulator() as emu:\n    p = emu.provider('groq')\n"
             "    before = 'rehost.shared.chat.completion' in sys.modules\n    p.warm()\n"
             "    print(json.dumps([before, all(m in sys.modules for m in ('rehost.shared.chat.messages', "
             "'rehost.shared.chat.completion', 'pydantic.main'))]))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [False, True]


async def test_warm_on_an_unreachable_host_is_a_typed_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = Groq("k", base_url=f"http://127.0.0.1:{port}/v1")
    with pytest.raises(ConnectionFailed):
        provider.warm()
    with pytest.raises(ConnectionFailed):
        await provider.awarm()
    await provider.aclose()


def test_threads_share_one_lazy_context_and_load_it_once(loads, certificate):
    context = tls.ssl_context(certificate[0])
    barrier = threading.Barrier(4)

    def handshake():
        barrier.wait()
        with socket.socket() as raw, context.wrap_socket(raw, server_hostname="127.0.0.1",
                                                         do_handshake_on_connect=False):
            pass

    threads = [threading.Thread(target=handshake) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(loads) == 1
    assert context.loaded


IMPORT_PROBE = """
import asyncio, json, ssl, sys
loads = []
NAMES = ("load_verify_locations", "load_default_certs", "set_default_verify_paths")

def counting(real, name):
    def method(self, *args, **kwargs):
        loads.append(name)
        return real(self, *args, **kwargs)
    return method

for name in NAMES:
    setattr(ssl.SSLContext, name, counting(getattr(ssl.SSLContext, name), name))
patched = {name: vars(ssl.SSLContext)[name] for name in NAMES}
from rehost import GenericClient, Groq
provider = Groq("k", base_url=sys.argv[1])
text = asyncio.run(GenericClient("m", provider=provider).acomplete("hi")).text
import aiohttp.connector as connector
default = connector._SSL_CONTEXT_VERIFIED
print(json.dumps({"text": text, "loads": loads, "aiohttp_loaded": "aiohttp" in sys.modules,
                  "restored": ssl.create_default_context.__module__ == "ssl"
                              and all(vars(ssl.SSLContext)[n] is f for n, f in patched.items()),
                  "default_verifies": default.verify_mode == ssl.CERT_REQUIRED and default.check_hostname}))
"""


@pytest.mark.usefixtures("fresh")
def test_the_first_async_call_to_plain_http_reads_no_certificate_store(emu):
    """aiohttp reads the system store at import for contexts of its own; rehost imports it with those deferred
    (they still verify, and read the store on their first use), and restores ``ssl`` as it was."""
    import json
    import sys

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    proc = subprocess.run([sys.executable, "-c", IMPORT_PROBE, emu.base_url("groq")], capture_output=True,
                          text=True, timeout=120, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"text": "Hello w1 w2 w3 w4 w5 w6 w7", "loads": [], "aiohttp_loaded": True, "restored": True,
                      "default_verifies": True}


_HEAVY = ("aiohttp", "httpcore", "certifi", "rehost.shared.catalog", "tomllib",
          # pydantic's model machinery (``BaseModel``, ``Field``, ``TypeAdapter``) and rehost's pydantic models
          "pydantic.main", "pydantic.fields", "pydantic.type_adapter", "pydantic.dataclasses",
          "rehost.shared.chat._input", "rehost.shared.chat.messages", "rehost.shared.chat.completion",
          "rehost.shared.chat.thinking", "rehost.shared.chat.tool_types", "rehost.shared.chat.annotations",
          "rehost.shared.chat.sampling_options", "rehost.shared.types", "rehost.shared.pricing")


def test_the_first_real_import_leaves_the_heavy_parts_for_later():
    """``from rehost import GenericClient, Groq`` imports neither aiohttp (the first async call does), nor
    httpcore or certifi (the first pool does), nor the catalogue and its TOML parser (the first client does),
    nor pydantic's model machinery and rehost's neutral models (a client's constructor and first call do:
    defining them costs about as much as ``import httpx, pydantic`` itself, issue 18's import goal)."""
    import json
    import sys

    probe = ("import json, sys\nfrom rehost import GenericClient, Groq\nprint(json.dumps(sorted(m for m in "
             f"{_HEAVY!r} if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout) == []


_DEFERRED_PROBE = """
import json, sys
from rehost import GenericClient, Groq
from rehost.shared.chat.completion import Completion
from rehost.shared.chat.messages import Message, TextPart
from rehost.shared.chat.sampling import SamplingOptions

deferred = ("asyncio", "aiolimiter", "importlib.metadata", "pydantic.plugin._loader", "rehost.shared.embed.types",
            "rehost.providers.base.embed", "rehost.cache", "rehost.hooks", "rehost.shared.chat.tools",
            "rehost.shared.tokens", "rehost.clients.base.toolloop", "rehost.shared.io.state",
            "rehost.shared.chat.caching")
models = (Message, TextPart, Completion, SamplingOptions)
report = {"loaded": sorted(m for m in deferred if m in sys.modules),
          "built": sorted(c.__name__ for c in models if c.__pydantic_complete__)}
# what was deferred still works the first time it is used
report["message"] = Message.user("hi").parts[0].text
try:
    TextPart(text=3)
except Exception as exc:
    report["bad_part"] = type(exc).__name__
report["built_after"] = sorted(c.__name__ for c in (Message, TextPart) if c.__pydantic_complete__)
import rehost.shared.transport as transport
from rehost.providers.base import EmbedEndpoint
from rehost.clients.base import RunResult
report["late"] = [transport.asyncio.__name__, EmbedEndpoint.__name__, RunResult.__name__]
print(json.dumps(report))
"""


def test_the_first_real_import_builds_no_schema_and_loads_no_asyncio():
    """Issue 18: ``from rehost import GenericClient, Groq`` builds no pydantic schema (``defer_build``: the
    first validation builds it), and loads neither asyncio nor aiolimiter (the async code imports them, and
    aiolimiter reads its version through importlib.metadata), nor pydantic's plugin lookup, nor the embeddings'
    types a chat host never needs, nor the response cache, hooks, tool declarations, token counting, the tool loop
    or the shared state backends (each imported by the call that uses it). Module presence in a fresh
    interpreter, never a timing. The deferred parts still work when first used: a message validates (and a bad
    part is still a ConfigurationError), and ``rehost.shared.transport.asyncio``,
    ``rehost.providers.base.EmbedEndpoint`` and ``rehost.clients.base.RunResult`` are still there."""
    import json
    import sys

    proc = subprocess.run([sys.executable, "-c", _DEFERRED_PROBE], capture_output=True, text=True, timeout=120,
                          check=False, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["loaded"] == []
    assert report["built"] == []
    assert report["message"] == "hi"
    assert report["bad_part"] == "ConfigurationError"
    assert report["built_after"] == ["Message", "TextPart"]
    assert report["late"] == ["asyncio", "EmbedEndpoint", "RunResult"]


_FIRST_CALL_PROBE = """
import json, sys
from rehost import GenericClient, Groq
from rehost.shared.chat import completion, messages, sampling, thinking, tool_types
from rehost.testing.emulator import Emulator

models = [v for mod in (messages, completion, tool_types, thinking, sampling)
          for v in vars(mod).values() if isinstance(v, type) and hasattr(v, "__pydantic_complete__")]
report = {}
with Emulator() as emu:
    client = GenericClient("m", provider=emu.provider("groq"))
    report["text"] = client.complete("hi").text
    report["built"] = sorted({m.__name__ for m in models if m.__pydantic_complete__})
    report["metadata"] = "importlib.metadata" in sys.modules
    try:
        client.complete("hi", temperature=5)
    except Exception as exc:
        report["bad_sampling"] = type(exc).__name__
print(json.dumps(report))
"""


def test_the_first_call_builds_no_schema_either():
    """Issue 18: ``defer_build`` moves a schema's cost to the first validation, so the first ``complete`` must
    not validate what it already knows is valid: a client's unset sampling defaults build no validator (and so
    pydantic's plugin lookup through importlib.metadata waits too), messages from a prompt and the decoded answer
    are built with ``construct``. A bad setting is still refused, the first time it is given."""
    import json
    import sys

    proc = subprocess.run([sys.executable, "-c", _FIRST_CALL_PROBE], capture_output=True, text=True, timeout=120,
                          check=False, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["text"]
    assert report["built"] == []
    assert report["metadata"] is False
    assert report["bad_sampling"] == "ConfigurationError"
