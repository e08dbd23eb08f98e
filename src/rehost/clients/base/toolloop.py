"""The tool loop behind ``ModelClient.run`` / ``arun``: call the model, run the Python tools it asks for, send
the results back, until it answers (``RunResult``) or ``max_turns`` runs out (ToolLoopLimit). Each turn reads
``client.provider`` afresh, so a provider swapped mid-loop serves the next turn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ... import calls as _calls
from ...shared.chat.request import Request
from ...shared.chat.tools import ToolLike, ToolRegistry, split_builtin, tools_and_runners
from ...shared.chat.types import Completion, Message, MessageLike, ToolCall
from ...shared.errors import ToolLoopLimit
from .binding import chat_sender
from .checks import _check_max_turns, _no_stream, coerce_messages

if TYPE_CHECKING:
    from .chat import ModelClient

__all__ = ["RunResult", "arun_tools", "run_tools"]


@dataclass(frozen=True, slots=True)
class RunResult:
    """The end of a tool loop: the final Completion, the whole conversation, and the typed answer."""

    completion: Completion
    messages: tuple[Message, ...]
    output: Any
    turns: int

    @property
    def text(self) -> str:
        return self.completion.text


def registry_for(client: ModelClient, tools: Sequence[ToolLike]) -> ToolRegistry:
    """The client's tools and runners, overridden by the call's tools of the same name."""
    extra, runners = tools_and_runners(split_builtin(tools)[0])
    known = {t.name for t in extra}
    merged = tuple(t for t in client.tools if t.name not in known) + extra
    return ToolRegistry(merged, {**client._runners, **runners})


def run_tools(client: ModelClient, messages: MessageLike | Sequence[MessageLike], *,
              tools: Sequence[ToolLike] = (), output: Any = None, max_turns: int = 10,
              **options: Any) -> RunResult:
    """``ModelClient.run`` (its docstring says what the loop does)."""
    _check_max_turns(max_turns)
    _no_stream(options, "run", "stream")
    cache = _calls.choose_cache(client.cache, options.pop("cache", None))
    registry = registry_for(client, tools)
    offered: list[ToolLike] = [*registry.tools, *(split_builtin(tools)[1] or client.builtin_tools)]
    history = list(coerce_messages(messages))
    for turn in range(1, max_turns + 1):
        provider = chat_sender(client.provider)
        request = client._checked(provider, history, tools=offered, output=output, **options)
        done = _calls.call(client.hooks, cache, provider, request)
        history.append(done.message)
        answer, external = _sort_calls(done, registry, request)
        if answer:
            history.extend(registry.call(c, timeout=request.timeout) for c in answer)
        if external or not answer:
            return RunResult(done, tuple(history), done.output, turn)
    raise ToolLoopLimit(f"no final answer after {max_turns} turns of tool calls", host=done.host)


async def arun_tools(client: ModelClient, messages: MessageLike | Sequence[MessageLike], *,
                     tools: Sequence[ToolLike] = (), output: Any = None, max_turns: int = 10,
                     **options: Any) -> RunResult:
    """The async twin of ``run_tools`` (async tools are awaited; sync ones are called)."""
    _check_max_turns(max_turns)
    _no_stream(options, "arun", "astream")
    cache = _calls.choose_cache(client.cache, options.pop("cache", None))
    registry = registry_for(client, tools)
    offered: list[ToolLike] = [*registry.tools, *(split_builtin(tools)[1] or client.builtin_tools)]
    history = list(coerce_messages(messages))
    for turn in range(1, max_turns + 1):
        provider = chat_sender(client.provider)
        request = client._checked(provider, history, tools=offered, output=output, **options)
        done = await _calls.acall(client.hooks, cache, provider, request)
        history.append(done.message)
        answer, external = _sort_calls(done, registry, request)
        for call in answer:
            history.append(await registry.acall(call, timeout=request.timeout))
        if external or not answer:
            return RunResult(done, tuple(history), done.output, turn)
    raise ToolLoopLimit(f"no final answer after {max_turns} turns of tool calls", host=done.host)


def _sort_calls(done: Completion, registry: ToolRegistry, request: Request) -> tuple[list[ToolCall], bool]:
    """(the calls the loop answers itself, whether a call is the caller's to answer).

    The loop answers calls to tools it can run and calls to tools that do not exist (with an error the model
    can act on). The caller answers calls to offered tools that have no runner, and the forced output tool's
    call is the final answer."""
    known = {t.name for t in request.tools}
    if request.output is not None:
        known.add(request.output.name)
    answer: list[ToolCall] = []
    external = False
    for call in done.tool_calls:
        if registry.handles(call) or call.name not in known:
            answer.append(call)
        else:
            external = True
    return answer, external

