"""llama.cpp, two ways: in this process (``LlamaCpp``, through llama-cpp-python) and as its OpenAI-compatible
server (``LlamaCppServer``, ``python -m llama_cpp.server``), plus ``llama_server(...)`` to start and stop one.

Both need the ``local`` extra (llama-cpp-python compiles llama.cpp on install). The in-process host has no
HTTP at all: it keeps the same contract (prepare checks everything first; streams yield the same events;
usage counts the tokens the model really produced) so a client moves between it and any remote host freely.
A model loads once per provider, on first use, and calls into it take turns (a llama.cpp context serves one
generation at a time): a call waits up to ``queue_timeout`` for the one running, an open stream holds the model
until it is read to the end or closed, and a call on the thread of a stream it would wait for fails at once
rather than deadlock. Cancelling an async call, or leaving a stream early, stops its generation at the next
token, so the next call starts at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from ..shared.catalog import Catalog
from ..shared.errors import ConfigurationError, HostError, InvalidRequest, Overloaded, UnsupportedFeature
from ..shared.output import OutputMode
from ..shared.request import Request
from ..shared.types import Completion, Done, StreamEvent, TextDelta, TextPart, Usage
from .base.chat import attach_output, check_parts, plan_output
from .base.headers import checked_headers, deep_merge
from .dialects import openai_chat
from .dialects.common import CallInfo, finish_completion
from .openai_compatible import OpenAIChat, OpenAICompatible

if TYPE_CHECKING:
    from .base.kinds import Kind

__all__ = ["LlamaCpp", "LlamaCppServer", "LocalCall", "free_port", "llama_server"]

_SAMPLING = {"temperature": "temperature", "top_p": "top_p", "top_k": "top_k", "max_tokens": "max_tokens",
             "stop": "stop", "seed": "seed", "presence_penalty": "presence_penalty",
             "frequency_penalty": "frequency_penalty"}


def _import_llama() -> Any:
    try:
        import llama_cpp
    except ImportError as exc:
        raise ConfigurationError("llama.cpp in-process needs llama-cpp-python: pip install 'rehost[local]'") from exc
    return llama_cpp


@functools.cache
def _engine_class(llama_cpp: Any) -> Any:
    """``llama_cpp.Llama`` with a stop check rehost sets for each generation.

    llama-cpp-python stops between tokens only through ``stopping_criteria``, which ``create_completion`` takes
    but ``create_chat_completion`` does not pass on; both end in ``create_completion``, so the check is added
    there. It also records the prompt's length in tokens, as the chat template tokenised it (a stream reports
    no usage of its own)."""

    class Engine(llama_cpp.Llama):  # type: ignore[misc]
        stop_check: Callable[[], bool] | None = None
        last_prompt_tokens: int | None = None

        def create_completion(self, prompt: Any, *args: Any, stopping_criteria: Any = None, **kwargs: Any) -> Any:
            self.last_prompt_tokens = len(prompt) if isinstance(prompt, list) else None
            check = self.stop_check
            if check is not None:
                stopping_criteria = llama_cpp.StoppingCriteriaList(
                    [*(stopping_criteria or ()), lambda _ids, _logits: check()])
            return super().create_completion(prompt, *args, stopping_criteria=stopping_criteria, **kwargs)

    return Engine


class _Cancelled(Exception):
    """A generation stopped because its caller went away (an async call cancelled, a stream closed)."""


class _Gate:
    """One generation at a time on a loaded model (a llama.cpp context holds one sequence), the others queued.

    A stream holds the gate from its first event until it ends or is closed, since its tokens come from the
    model's state. A call that would wait on its own thread for a stream that thread has left open can never
    get its turn, so it fails at once; a call from elsewhere waits up to its timeout, then fails with
    ``Overloaded`` rather than blocking for ever behind a stream nobody reads."""

    def __init__(self, host: str) -> None:
        self.host = host
        self._cond = threading.Condition()
        self._owner: int | None = None  # the thread that holds the gate

    @property
    def busy(self) -> bool:
        return self._owner is not None

    def wake(self) -> None:
        """Let waiters re-check their cancel flags."""
        with self._cond:
            self._cond.notify_all()

    @contextlib.contextmanager
    def hold(self, timeout: float | None, cancel: threading.Event | None = None) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                raise ConfigurationError(
                    f"{self.host}: a stream from this provider is still open on this thread, and the model runs "
                    "one generation at a time; read it to the end or close() it (or use it in a with block) "
                    "before the next call, or give parallel work a LlamaCpp of its own", host=self.host)
            ready = self._cond.wait_for(lambda: self._owner is None or (cancel is not None and cancel.is_set()),
                                        timeout)
            if cancel is not None and cancel.is_set():
                raise _Cancelled
            if not ready:
                raise Overloaded(
                    f"{self.host}: the model was busy with another generation for {timeout:g}s (one runs at a "
                    "time: an open stream holds the model until it is read to the end or closed); try again, "
                    "raise queue_timeout=, or give parallel work a LlamaCpp of its own", host=self.host)
            self._owner = me
        try:
            yield
        finally:
            with self._cond:
                self._owner = None
                self._cond.notify()


@dataclass(slots=True)
class LocalCall:
    """A request checked and turned into llama-cpp-python's arguments (``prepare``); nothing has run yet.

    ``args`` go to ``create_chat_completion`` (a chat: ``messages``) or ``create_completion`` (a base model's
    plain ``prompt``) as they are; ``info`` times the call and names the model in the Completion."""

    request: Request
    args: dict[str, Any]
    info: CallInfo
    #: unused in process (nothing is retried); kept so a Fallback may set it as it does on any member's call
    retry: Any = None

    @property
    def stream(self) -> bool:
        return self.request.stream


class LlamaCpp:
    """A GGUF model run in this process by llama-cpp-python: a chat sender of its own (``ChatSender``), with no
    HTTP, handed out by ``endpoint("chat")`` like a host's chat endpoint.

    ``queue_timeout``: how long a call waits for the model while another generation runs (the call's own
    ``timeout=`` when shorter; None: as long as it takes) before failing with ``Overloaded``."""

    name: ClassVar[str] = "llamacpp-local"
    default_base_url: ClassVar[str] = "inprocess://llama.cpp"
    accepts: ClassVar[frozenset[str]] = frozenset({"text"})
    builtin_tools: ClassVar[frozenset[str]] = frozenset()
    takes_prompts: ClassVar[bool] = True
    output_modes: ClassVar[tuple[OutputMode, ...]] = ("prompt",)
    rate_limiter: ClassVar[None] = None  # (what a client reads of a host: calls take turns on the model instead)

    def __init__(self, model_path: str | Path | None = None, *, n_ctx: int = 4096, n_threads: int | None = None,
                 seed: int = 0, verbose: bool = False, queue_timeout: float | None = 300.0,
                 catalog: Catalog | None = None) -> None:
        if model_path is None:  # optional in the signature only so that leaving it out says what to pass
            raise ConfigurationError(
                f"{self.name}: no model file: pass model_path='path/to/model.gguf' to LlamaCpp(), or "
                f"provider_options={{'model_path': ...}} to rehost.client('{self.name}/<model>')", host=self.name)
        self.base_url = self.default_base_url
        self.model_path = Path(model_path)
        self.queue_timeout = queue_timeout
        self._catalog = catalog
        self._llama_kwargs = {"n_ctx": n_ctx, "n_threads": n_threads, "seed": seed, "verbose": verbose}
        self._llm: Any = None
        self._gate = _Gate(self.name)
        self._load_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LlamaCpp(model_path={str(self.model_path)!r})"

    # -- what a client asks of whatever it is bound to ----------------------------------------------------
    #: the kinds of work it serves (a class attribute: the registry's rows are checked against it)
    kinds: ClassVar[frozenset[str]] = frozenset({"chat"})

    def endpoint(self, kind: Kind) -> LlamaCpp:
        """Itself for chat (it is its own chat sender); UnsupportedFeature for other kinds."""
        if kind != "chat":
            raise UnsupportedFeature(f"{self.name} serves chat only, not {kind}", host=self.name)
        return self

    @property
    def has_key(self) -> bool:
        return True

    @property
    def missing_key_reason(self) -> str | None:
        if not self.model_path.exists():
            return f"{self.name}: no model file at {self.model_path}"
        return None

    @property
    def serves_any_model(self) -> bool:
        return True  # the GGUF file it was given

    def host_model_id(self, request: Request) -> str:
        """Only informative: the loaded file is the model, whatever the request calls it."""
        return request.host_model_id or request.model

    def context_window(self, request: Request) -> int | None:
        """The catalogue's window for the model here, if it has one (the loaded context is ``n_ctx``)."""
        from ..shared.catalog import default_catalog

        return (self._catalog or default_catalog()).context_window(request.model, self.name)

    @property
    def llm(self) -> Any:
        """The loaded model (loaded on first use)."""
        if self._llm is None:
            with self._load_lock:
                if self._llm is None:
                    if not self.model_path.exists():
                        raise ConfigurationError(f"{self.name}: no model file at {self.model_path}", host=self.name)
                    llama_cpp = _import_llama()
                    self._llm = _engine_class(llama_cpp)(model_path=str(self.model_path), **self._llama_kwargs)
        return self._llm

    def warm(self) -> None:
        """Load the model now (the in-process host's first connect), so that the first call does not."""
        _ = self.llm

    async def awarm(self, connections: int = 1) -> None:
        await asyncio.to_thread(self.warm)

    def close(self) -> None:
        """Nothing to close: the model is freed with this object."""

    async def aclose(self) -> None:
        """Nothing to close: the model is freed with this object."""

    def __enter__(self) -> LlamaCpp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the request, checked and turned into llama-cpp-python arguments --------------------------------
    def prepare(self, request: Request) -> LocalCall:
        """Check the request (as a host's chat endpoint would) and turn it into the generation's arguments."""
        check_parts(request, self.name, accepts=self.accepts, builtin_tools=self.builtin_tools,
                    takes_prompts=self.takes_prompts)
        if request.output is not None:
            request = plan_output(request, self.name, self.output_modes)
        if request.tools or request.builtin_tools:
            raise UnsupportedFeature(f"{self.name}: tools are not supported in-process", host=self.name)
        if request.thinking is not None:
            raise UnsupportedFeature(f"{self.name}: no thinking controls in-process", host=self.name)
        args: dict[str, Any] = {}
        for name, value in request.sampling.items():
            args[_SAMPLING[name]] = list(value) if name == "stop" else value
        if request.prompt is not None:
            args["prompt"] = request.prompt
        else:
            args["messages"] = openai_chat.encode_messages(request.messages)
        if request.extra_body:
            deep_merge(args, request.extra_body)  # further llama-cpp-python arguments
        if request.extra_headers:  # no headers are sent in process, but bad ones are still refused
            checked_headers(request.extra_headers, self.name, "extra_headers=", InvalidRequest)
        include = request.thinking.include_reasoning if request.thinking is not None else True
        info = CallInfo(host=self.name, model=request.model, host_model_id=self.host_model_id(request),
                        tags=request.reasoning_tags, include_reasoning=include)
        return LocalCall(request, args, info)

    # -- running ------------------------------------------------------------------------------------------
    def _queue_timeout(self, request: Request) -> float | None:
        limits = [t for t in (self.queue_timeout, request.timeout) if t is not None]
        return min(limits) if limits else None

    @staticmethod
    def _start(call: LocalCall) -> CallInfo:
        info = call.info
        info.started_at = time.time()
        info.t0 = time.perf_counter()
        return info

    def _generate(self, call: LocalCall, *, stream: bool, cancel: threading.Event | None) -> Any:
        """Start a generation (the caller holds the gate); ``cancel`` stops it between two tokens."""
        args = dict(call.args)
        llm = self.llm
        llm.stop_check = None if cancel is None else cancel.is_set
        try:
            if "prompt" in args:
                return llm.create_completion(stream=stream, **args)
            return llm.create_chat_completion(stream=stream, **args)
        except (ValueError, RuntimeError) as exc:  # e.g. a prompt longer than the context
            raise _host_error(exc, self.name) from exc

    def _prompt_tokens(self, call: LocalCall) -> int:
        counted = self.llm.last_prompt_tokens  # a chat, as its template tokenised it
        if counted is not None:
            return int(counted)
        return len(self.llm.tokenize(str(call.args.get("prompt") or "").encode("utf-8")))

    def send(self, request: Request) -> Completion:
        return self.send_prepared(self.prepare(request))

    async def asend(self, request: Request) -> Completion:
        return await self.asend_prepared(self.prepare(request))

    def stream(self, request: Request) -> Iterator[StreamEvent]:
        return self.stream_prepared(self.prepare(request))

    def astream(self, request: Request) -> AsyncIterator[StreamEvent]:
        return self.astream_prepared(self.prepare(request))

    def send_prepared(self, prepared: LocalCall) -> Completion:
        return self._send(prepared, None)

    def _send(self, prepared: LocalCall, cancel: threading.Event | None) -> Completion:
        info = self._start(prepared)
        with self._gate.hold(self._queue_timeout(prepared.request), cancel):
            out = self._generate(prepared, stream=False, cancel=cancel)
        if cancel is not None and cancel.is_set():
            raise _Cancelled
        return attach_output(self._whole(out, info), prepared.request, self.name)

    def _whole(self, out: dict[str, Any], info: CallInfo) -> Completion:
        choice = out["choices"][0]
        text = choice.get("text") if "text" in choice else (choice.get("message") or {}).get("content") or ""
        usage = out.get("usage") or {}
        info.time_to_first_byte = info.time_to_first_token = None
        return finish_completion(
            info, [TextPart.model_construct(type="text", text=text, signature=None)] if text else [],
            finish_reason=openai_chat.finish_reason(choice.get("finish_reason")),
            native_finish_reason=choice.get("finish_reason"),
            usage=Usage.model_construct(input_tokens=int(usage.get("prompt_tokens") or 0),
                                        output_tokens=int(usage.get("completion_tokens") or 0),
                                        reasoning_tokens=None, cached_input_tokens=None, cache_write_tokens=None),
            served_model=str(self.model_path.name), response_id=out.get("id"),
        )

    def stream_prepared(self, prepared: LocalCall) -> Iterator[StreamEvent]:
        """The events of one generation; the model is this stream's until it ends or is closed."""
        return self._stream(prepared, None)

    def _stream(self, prepared: LocalCall, cancel: threading.Event | None) -> Iterator[StreamEvent]:
        info = self._start(prepared)
        call = prepared
        with self._gate.hold(self._queue_timeout(prepared.request), cancel):
            chunks = iter(self._generate(call, stream=True, cancel=cancel))
            try:
                prompt_tokens = self._prompt_tokens(call)
                produced = 0
                pieces: list[str] = []
                finish: str | None = None
                while True:
                    try:
                        chunk = next(chunks)
                    except StopIteration:
                        break
                    except (ValueError, RuntimeError) as exc:
                        raise _host_error(exc, self.name) from exc
                    choice = chunk["choices"][0]
                    piece = choice.get("text") if "text" in choice else (choice.get("delta") or {}).get("content")
                    if choice.get("finish_reason"):
                        finish = choice["finish_reason"]
                    if not choice.get("finish_reason"):
                        produced += 1  # one chunk per sampled token; the closing chunk (with the reason) holds none
                    if piece:
                        info.mark_first_token()
                        pieces.append(piece)
                        yield TextDelta(piece)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()  # a stream left early stops the generation here, before the model is let go
        if cancel is not None and cancel.is_set():
            return
        completion = finish_completion(
            info, [TextPart.model_construct(type="text", text="".join(pieces), signature=None)] if pieces else [],
            finish_reason=openai_chat.finish_reason(finish), native_finish_reason=finish,
            usage=Usage.model_construct(input_tokens=prompt_tokens, output_tokens=produced, reasoning_tokens=None,
                                        cached_input_tokens=None, cache_write_tokens=None),
            served_model=str(self.model_path.name),
        )
        completion = attach_output(completion, prepared.request, self.name)
        assert completion.usage is not None
        yield completion.usage
        yield Done(completion)

    async def asend_prepared(self, prepared: LocalCall) -> Completion:
        """Run in a worker thread; cancelling the call stops its generation at the next token."""
        cancel = threading.Event()
        try:
            return await asyncio.to_thread(self._send, prepared, cancel)
        except asyncio.CancelledError:
            cancel.set()
            self._gate.wake()  # a call still queued for the model leaves the queue too
            raise

    async def astream_prepared(self, prepared: LocalCall) -> AsyncIterator[StreamEvent]:
        """The sync stream, run in a worker thread, its events handed over as they come; leaving it early
        (or cancelling the task reading it) stops its generation at the next token."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()
        end = object()

        def produce() -> None:
            try:
                for event in self._stream(prepared, stop):
                    if stop.is_set():
                        break
                    loop.call_soon_threadsafe(queue.put_nowait, event)
            except _Cancelled:
                pass
            except BaseException as exc:  # handed to the consumer
                loop.call_soon_threadsafe(queue.put_nowait, exc)
            with contextlib.suppress(RuntimeError):  # the loop may be gone once the consumer has left
                loop.call_soon_threadsafe(queue.put_nowait, end)

        worker = threading.Thread(target=produce, name="rehost-llamacpp", daemon=True)
        worker.start()
        try:
            while True:
                item = await queue.get()
                if item is end:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            self._gate.wake()


def _host_error(exc: Exception, host: str) -> HostError:
    from ..shared.errors import ContextWindowExceeded, InvalidRequest

    text = str(exc)
    if "context" in text.lower() or "exceed" in text.lower():
        return ContextWindowExceeded(text, host=host)
    return InvalidRequest(text, host=host)


class LlamaCppServerChat(OpenAIChat):
    """llama.cpp server's chat completions."""

    accepts: frozenset[str] = frozenset({"text", "image"})
    #: ``reasoning_content`` with ``--reasoning-format deepseek``; ``none`` leaves ``<think>`` in content
    #: (HOSTS.md 11.2)
    reasoning_fields: ClassVar[tuple[str, ...]] = ("reasoning_content",)


class LlamaCppServer(OpenAICompatible):
    """llama.cpp's OpenAI-compatible server (``python -m llama_cpp.server`` or ``llama-server``)."""

    name: ClassVar[str] = "llamacpp"
    embed_endpoint = "LlamaCppEmbed"  # (defined at the end of this file)
    default_base_url: ClassVar[str] = "http://127.0.0.1:8080/v1"
    api_key_env: ClassVar[tuple[str, ...]] = ("LLAMACPP_API_KEY",)
    chat_endpoint: ClassVar[type[Any] | None] = LlamaCppServerChat

    @property
    def missing_key_reason(self) -> str | None:
        return None  # a local server without --api-key takes no key

    @property
    def serves_any_model(self) -> bool:
        return True  # the GGUF it was started with, under its --model_alias (llama_server's alias=)

    def auth_headers(self) -> dict[str, str]:
        key = self._resolve_key()
        return {"Authorization": f"Bearer {key}"} if key else {}


def free_port(host: str = "127.0.0.1") -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def llama_server(model_path: str | Path, *, alias: str | None = None, n_ctx: int = 4096, host: str = "127.0.0.1",
                 port: int | None = None, timeout: float = 120.0, extra_args: tuple[str, ...] = (),
                 **provider_kwargs: Any) -> Iterator[LlamaCppServer]:
    """Start llama-cpp-python's server for a GGUF file on a free loopback port; yield a provider for it; stop it.

    Waits until the server answers; a server that exits or never answers raises ConfigurationError with its
    own output, so a failed start explains itself.
    """
    path = Path(model_path)
    if not path.exists():
        raise ConfigurationError(f"llama_server: no model file at {path}")
    port = port or free_port(host)
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", host, "--port", str(port),
               "--n_ctx", str(n_ctx), *(("--model_alias", alias) if alias else ()), *extra_args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    output: list[str] = []

    def collect() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip())
            del output[:-200]

    threading.Thread(target=collect, name="rehost-llama-server-output", daemon=True).start()
    base = f"http://{host}:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise ConfigurationError(f"llama.cpp server exited with code {process.returncode} before it was "
                                         "ready:\n" + "\n".join(output[-40:]))
            try:
                if httpx.get(base + "/v1/models", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ConfigurationError(f"llama.cpp server did not answer within {timeout:.0f}s:\n"
                                         + "\n".join(output[-40:]))
            time.sleep(0.2)
        provider = LlamaCppServer(base_url=base + "/v1", **provider_kwargs)
        try:
            yield provider
        finally:
            provider.close()
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


# --- embeddings
from .openai_embed import OpenAIEmbed  # noqa: E402


class LlamaCppEmbed(OpenAIEmbed):
    """``POST /v1/embeddings`` of ``llama-server --embeddings`` (its ``--pooling`` must suit the model: a wrong one
    gives right-shaped wrong vectors [HOSTS-MEDIA §5.7]). Float vectors."""
