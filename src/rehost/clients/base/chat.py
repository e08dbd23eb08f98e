"""ModelClient: what to ask a model family, bound to a provider that can be swapped at run time.

A client owns the family's knowledge: its variants, prompt rules (R1 takes no system prompt), sampling
defaults, and what a thinking setting means for it. ``prepare()`` applies all of that and returns a neutral
Request; the bound provider does the rest. Every call reads ``self.provider`` once, at its start, so a
provider swapped while a call is in flight takes effect from the next call and the running one finishes on
the host it started on.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, overload

from pydantic import ValidationError

from ... import calls as _calls
from ...shared.chat.output import Output, OutputMode
from ...shared.chat.plain import construct, validation_message
from ...shared.chat.request import Request, Sampling, ThinkingPlan
from ...shared.checks import check_timeout
from ...shared.errors import ConfigurationError, OutputValidationError, UnsupportedFeature
from ...shared.lazy import lazy_module
from .binding import Bound, _as_provider, _host_counts, chat_sender, check_catalog, in_catalog
from .checks import _check_context, _check_output_mode, _check_text, _check_tool_choice, _no_stream, coerce_messages
from .context import checked_request
from .streams import AsyncCompletionStream, CompletionStream
from .variant import ThinkingLike, Variant, fold_system, plan_for_style

if TYPE_CHECKING:  # tools, tokens, the tool loop, cache and hooks: imported by the calls that use them; the
    # neutral types (pydantic models) by a client's constructor and its first call, so that importing a client
    # loads no pydantic model machinery (issue 18: import time)
    from ...cache import ResponseCache
    from ...hooks import Hooks
    from ...shared.catalog import Catalog
    from ...shared.chat.caching import PromptCache
    from ...shared.chat.tools import ToolLike, ToolRegistry
    from ...shared.chat.types import Completion, Message, MessageLike, Thinking, ToolChoice
    from ...shared.tokens import TokenCount
    from .sampling import SamplingOptions
    from .toolloop import RunResult

if TYPE_CHECKING:
    from ...shared.chat import messages as _messages
    from ...shared.chat import sampling_options as _sampling_options
else:  # the neutral types and the validated sampling settings are pydantic's: loaded by a client's first use
    _messages = lazy_module("rehost.shared.chat.messages")
    _sampling_options = lazy_module("rehost.shared.chat.sampling_options")

__all__ = ["ModelClient"]

T = TypeVar("T")


def _tools_of(tools: Sequence[ToolLike] | None) -> tuple[tuple[Any, ...], dict[str, Any], tuple[Any, ...]]:
    """(declared tools, their runners, built-in tools) of a ``tools=`` value; the tools module is imported only
    when there are tools, so a client without them does not pay for it at import or construction."""
    if not tools:
        return (), {}, ()
    from ...shared.chat.tools import split_builtin, tools_and_runners

    mine, builtin = split_builtin(tools)
    declared, runners = tools_and_runners(mine)
    return declared, runners, builtin


class ModelClient(Bound):
    """Base of every family client. Subclasses declare ``family`` and ``variants`` and may override
    ``plan_thinking`` and ``apply_prompt_rules``. ``token_ratio`` / ``token_overhead`` shape the family's token
    estimate (host-reported tokens per cl100k_base token, template tokens per message), measured against
    recorded exchanges where the family has any (``token_ratio_note`` says how)."""

    family: ClassVar[str] = ""
    variants: ClassVar[Mapping[str, Variant]] = {}
    token_ratio: ClassVar[float] = 1.0
    token_overhead: ClassVar[int] = 3
    token_ratio_note: ClassVar[str] = "not measured"

    @classmethod
    def for_host(cls, model: str, host: Any, **options: Any) -> Self:
        """This client for ``model`` bound to ``host``: the one way ``rehost.client`` makes a client of any
        kind, whatever order its constructor takes them in."""
        return cls(model, provider=host, **options)

    def __init__(
        self,
        variant: str,
        *,
        provider: Any = None,
        thinking: ThinkingLike = None,
        system: str | None = None,
        tools: Sequence[ToolLike] | None = None,
        host_model_id: str | None = None,
        timeout: float | None = None,
        check_context: bool = True,
        catalog: Catalog | None = None,
        cache: ResponseCache | None = None,
        hooks: Hooks | None = None,
        **sampling: Any,
    ) -> None:
        self.variant_name, self.variant = self.resolve_variant(variant)
        self.check_context = _check_context(check_context)
        if self.variant.deprecated:
            warnings.warn(f"{self.variant.model}: {self.variant.deprecated}", DeprecationWarning, stacklevel=2)
        self.catalog = check_catalog(catalog)
        self._provider = _as_provider(provider)
        self.thinking = _thinking(thinking)
        self.system = system
        self.tools, self._runners, self.builtin_tools = _tools_of(tools)
        self.host_model_id = host_model_id
        self.timeout = check_timeout(timeout)
        self.cache = _calls.choose_cache(None, cache) if cache is not None else None  # (see rehost.cache)
        self.hooks = _calls.check_hooks(hooks)  # (see rehost.hooks)
        try:
            self.sampling = _sampling_options.sampling_from(sampling)
        except ValidationError as exc:
            raise ConfigurationError(validation_message(exc, "sampling setting")) from None
        if sampling:
            raise TypeError(f"unknown option(s): {', '.join(sorted(sampling))}")
        if self.thinking is not None:
            self.plan_thinking(self.thinking)  # fail now, not at the first call

    # ------------------------------------------------------------------------------------------ identity
    @classmethod
    def resolve_variant(cls, name: str) -> tuple[str, Variant]:
        if name in cls.variants:
            return name, cls.variants[name]
        for key, variant in cls.variants.items():
            if name == variant.model or name in variant.aliases:
                return key, variant
        import difflib

        names = sorted(cls.variants)
        close = difflib.get_close_matches(name, names + [v.model for v in cls.variants.values()], n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ConfigurationError(
            f"{cls.__name__} has no variant {name!r}.{hint} Variants: {', '.join(names)}"
        )

    @property
    def model(self) -> str:
        """The canonical model id (the catalogue key)."""
        return self.variant.model

    def __repr__(self) -> str:
        host = type(self._provider).__name__ if self._provider is not None else "unbound"
        return f"{type(self).__name__}({self.variant_name!r}, provider={host})"

    # ------------------------------------------------------------------------------------------ model rules
    def plan_thinking(self, thinking: Thinking | None) -> ThinkingPlan | None:
        """Turn the caller's thinking setting into this family's plan, refusing what the model cannot do."""
        return plan_for_style(self.variant, thinking, family=type(self).__name__)

    def apply_prompt_rules(self, messages: tuple[Message, ...]) -> tuple[Message, ...]:
        """Family prompt rules; by default, a model that takes no system prompt gets it in its first turn."""
        if self.variant.system_prompt or not any(m.role == "system" for m in messages):
            return messages
        return fold_system(messages)

    def apply_history_rules(self, messages: tuple[Message, ...]) -> tuple[Message, ...]:
        """Keep only the earlier reasoning this family wants back (``Variant.reasoning_history``)."""
        rule = self.variant.reasoning_history
        if rule == "all":
            return messages
        reasoning = _messages.ReasoningPart
        out: list[Message] = []
        for message in messages:
            keep = rule == "tool_turns" and bool(message.tool_calls)
            if message.role != "assistant" or keep or not any(isinstance(p, reasoning) for p in message.parts):
                out.append(message)
                continue
            parts = tuple(p for p in message.parts if not isinstance(p, reasoning))
            if parts:  # a turn that was only thinking says nothing to send back
                out.append(construct(_messages.Message, role="assistant", parts=parts))
        return tuple(out)

    def check_inputs(self, messages: tuple[Message, ...]) -> None:
        used = {p.type for m in messages if m.role == "user" for p in m.parts}
        refused = used - self.variant.inputs - {"text"}
        if refused:
            raise UnsupportedFeature(f"{self.model} does not read {' or '.join(sorted(refused))} input")

    def default_sampling(self) -> SamplingOptions:
        v = self.variant  # (no validator is built when both are unset)
        return _sampling_options.sampling_of(temperature=v.temperature, top_p=v.top_p)

    def check_sampling(self, sampling: SamplingOptions, thinking: ThinkingPlan | None = None) -> None:
        """Family-specific advice or refusal about sampling (warnings, not silent changes). ``thinking`` is the
        plan of the call being prepared (its own setting, else the client's), never the client's alone."""

    # ------------------------------------------------------------------------------------------ prepare
    def prepare(
        self,
        messages: MessageLike | Sequence[MessageLike],
        *,
        stream: bool = False,
        thinking: ThinkingLike = None,
        system: str | None = None,
        tools: Sequence[ToolLike] | None = None,
        tool_choice: ToolChoice | None = None,
        output: Any = None,
        output_mode: OutputMode = "auto",
        extra_body: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        prompt_cache: PromptCache | None = None,
        **sampling: Any,
    ) -> Request:
        """The neutral Request for a call, with every model rule applied; nothing is sent.

        ``system=`` is this call's system prompt. It is always sent, first, before any system message the
        messages hold (both apply, as OpenAI's ``instructions`` do beside the input's own system messages),
        and it replaces the client's ``system=`` for this call (``system=""``: none at all). The client's
        system prompt is a default: it is used only when the call gives neither ``system=`` nor a system
        message of its own."""
        _check_output_mode(output, output_mode)
        msgs = coerce_messages(messages)
        try:
            call_sampling = _sampling_options.sampling_from(sampling)
        except ValidationError as exc:
            raise ConfigurationError(validation_message(exc, "sampling setting")) from None
        if sampling:
            raise TypeError(f"unknown option(s): {', '.join(sorted(sampling))}")
        if system is not None:
            if system:
                msgs = (_messages.Message.system(system), *msgs)
        elif self.system and not any(m.role == "system" for m in msgs):
            msgs = (_messages.Message.system(self.system), *msgs)
        self.check_inputs(msgs)  # before the family's rules rewrite the turns, so nothing is dropped unseen
        msgs = self.apply_history_rules(self.apply_prompt_rules(msgs))
        chosen = _thinking(thinking) if thinking is not None else self.thinking
        plan = self.plan_thinking(chosen)
        merged = self.default_sampling().merged(self.sampling).merged(call_sampling)
        self.check_sampling(merged, plan)
        if tools is not None:
            all_tools, _, builtin = _tools_of(tools)
        else:
            all_tools, builtin = self.tools, self.builtin_tools
        _check_text(msgs, all_tools, merged.stop)
        _check_tool_choice(tool_choice, all_tools)
        return Request(
            model=self.model,
            messages=msgs,
            sampling=Sampling(**merged.set_values()),
            thinking=plan,
            tools=all_tools,
            builtin_tools=builtin,
            tool_choice=tool_choice,
            stream=stream,
            host_model_id=self.host_model_id,
            reasoning_tags=self.variant.tags,
            output=Output.of(output) if output is not None else None,
            output_mode=output_mode,
            prompt=self.render_base_prompt(msgs) if self.variant.base else None,
            extra_body=extra_body,
            extra_headers=extra_headers,
            timeout=check_timeout(timeout) if timeout is not None else self.timeout,
            prompt_cache=prompt_cache,
        )

    def render_base_prompt(self, messages: tuple[Message, ...]) -> str:
        """The plain text a base model continues: the turns' text, in order, one paragraph each."""
        return "\n\n".join(m.text for m in messages if m.text)

    # ------------------------------------------------------------------------------------------ calls
    @overload
    def complete(self, messages: MessageLike | Sequence[MessageLike], *, output: None = None,
                 **options: Any) -> Completion: ...

    @overload
    def complete(self, messages: MessageLike | Sequence[MessageLike], *, output: type[T], **options: Any) -> T: ...

    @overload
    def complete(self, messages: MessageLike | Sequence[MessageLike], *, output: Output, **options: Any) -> Any: ...

    @in_catalog
    def complete(self, messages: MessageLike | Sequence[MessageLike], *, output: Any = None, **options: Any) -> Any:
        """One answer. With ``output=`` (a type or an Output) the answer is that validated value.

        ``check_context=False`` skips the check that the input and ``max_tokens`` fit the context window."""
        _no_stream(options, "complete", "stream")
        provider = chat_sender(self.provider)
        cache = _calls.choose_cache(self.cache, options.pop("cache", None))
        result = _calls.call(self.hooks, cache, provider, self._checked(provider, messages, output=output, **options))
        return result if output is None else _structured(result)

    @overload
    async def acomplete(self, messages: MessageLike | Sequence[MessageLike], *, output: None = None,
                        **options: Any) -> Completion: ...

    @overload
    async def acomplete(self, messages: MessageLike | Sequence[MessageLike], *, output: type[T],
                        **options: Any) -> T: ...

    @overload
    async def acomplete(self, messages: MessageLike | Sequence[MessageLike], *, output: Output,
                        **options: Any) -> Any: ...

    @in_catalog
    async def acomplete(self, messages: MessageLike | Sequence[MessageLike], *, output: Any = None,
                        **options: Any) -> Any:
        _no_stream(options, "acomplete", "astream")
        provider = chat_sender(self.provider)
        cache = _calls.choose_cache(self.cache, options.pop("cache", None))
        result = await _calls.acall(self.hooks, cache, provider,
                                    self._checked(provider, messages, output=output, **options))
        return result if output is None else _structured(result)

    # ------------------------------------------------------------------------------------------ tool loops
    def _registry(self, tools: Sequence[ToolLike]) -> ToolRegistry:
        from .toolloop import registry_for

        return registry_for(self, tools)

    @in_catalog
    def run(self, messages: MessageLike | Sequence[MessageLike], *, tools: Sequence[ToolLike] = (),
            output: Any = None, max_turns: int = 10, **options: Any) -> RunResult:
        """Call the model, run the Python tools it asks for, send the results back, until it answers.

        Tools are functions (described by their signature and docstring), pydantic models or Tool objects
        with a runner; a tool that raises, is called with bad arguments, or does not exist (a name the model
        made up) answers the model with the error so it can correct itself, within ``max_turns`` turns (at
        least 1). A call to an offered tool that has no Python runner (a bare ``Tool`` schema) ends the loop
        after the other calls of that turn are answered: the caller answers it. With ``output=`` the final
        answer is that validated value.

        A tool's result is sent as it is when it is a string, else as JSON (pydantic models, dataclasses,
        sets, generators, dates ... included); a result JSON cannot hold raises ``ToolResultError``, since
        the model cannot fix the tool. ``timeout=`` (or the client's) bounds each tool call as it bounds each
        request: a tool still running when it expires answers the model with a timeout error.
        """
        from .toolloop import run_tools

        return run_tools(self, messages, tools=tools, output=output, max_turns=max_turns, **options)

    @in_catalog
    async def arun(self, messages: MessageLike | Sequence[MessageLike], *, tools: Sequence[ToolLike] = (),
                   output: Any = None, max_turns: int = 10, **options: Any) -> RunResult:
        """The async twin of ``run`` (async tools are awaited; sync ones are called)."""
        from .toolloop import arun_tools

        return await arun_tools(self, messages, tools=tools, output=output, max_turns=max_turns, **options)

    @in_catalog
    def stream(self, messages: MessageLike | Sequence[MessageLike], **options: Any) -> CompletionStream:
        """Events as they arrive (TextDelta, ReasoningDelta, ToolCallDelta, Usage, then Done).

        The request is checked now; it is sent when iteration starts. Leaving the loop early, or calling
        ``close()``, closes the connection."""
        _no_stream(options, "stream", None)
        provider = chat_sender(self.provider)
        cache = _calls.choose_cache(self.cache, options.pop("cache", None))
        prepared = provider.prepare(self._checked(provider, messages, stream=True, **options))
        return CompletionStream(_calls.stream(self.hooks, cache, provider, prepared))

    @in_catalog
    def astream(self, messages: MessageLike | Sequence[MessageLike], **options: Any) -> AsyncCompletionStream:
        _no_stream(options, "astream", None)
        provider = chat_sender(self.provider)
        cache = _calls.choose_cache(self.cache, options.pop("cache", None))
        prepared = provider.prepare(self._checked(provider, messages, stream=True, **options))
        return AsyncCompletionStream(_calls.astream(self.hooks, cache, provider, prepared))

    # ------------------------------------------------------------------------------------------ tokens
    def count_request(self, request: Request) -> TokenCount:
        """The input tokens of a prepared request, counted offline with this family's tokenizer or estimate."""
        from ...shared.tokens import count_tokens

        return count_tokens(request.messages, request.tools, tokenizer=self.variant.tokenizer,
                            ratio=self.token_ratio, ratio_note=self.token_ratio_note, overhead=self.token_overhead)

    @in_catalog
    def count_tokens(self, messages: MessageLike | Sequence[MessageLike], *, tools: Sequence[ToolLike] | None = None,
                     exact: bool = False, **options: Any) -> TokenCount:
        """How many input tokens this call would send, whether that is exact, and how it was counted.

        Counted offline after the family's prompt rules (so a folded system prompt or dropped reasoning is
        counted as it will be sent). With ``exact=True``, a family with no offline tokenizer asks the bound
        host to count (Gemini's ``countTokens``) when the host can and a key is present: the only case in
        which counting makes a request.
        """
        request = self.prepare(messages, tools=tools, **options)
        local = self.count_request(request)
        provider = self._provider
        if exact and not local.exact and _host_counts(provider, request, "count_tokens"):
            remote: TokenCount = provider.count_tokens(request)
            return remote
        return local

    @in_catalog
    async def acount_tokens(self, messages: MessageLike | Sequence[MessageLike], *,
                            tools: Sequence[ToolLike] | None = None, exact: bool = False,
                            **options: Any) -> TokenCount:
        """The async twin of ``count_tokens``."""
        request = self.prepare(messages, tools=tools, **options)
        local = self.count_request(request)
        provider = self._provider
        if exact and not local.exact and _host_counts(provider, request, "acount_tokens"):
            remote: TokenCount = await provider.acount_tokens(request)
            return remote
        return local

    # ------------------------------------------------------------------------------------------ batches
    def batch_request(self, prompts: Mapping[str, MessageLike | Sequence[MessageLike]], **options: Any) -> Any:
        """A ``BatchRequest`` of one prepared request per custom id (``options`` as ``complete`` takes them,
        the same for every item); nothing is sent."""
        from ...shared.batch.request import BatchItem, BatchRequest

        if not isinstance(prompts, Mapping):
            raise ConfigurationError("batch prompts are a dict of custom id -> messages (ids are how the results "
                                     f"are matched), not {type(prompts).__name__}")
        return BatchRequest(tuple(BatchItem(cid, self.prepare(m, **options)) for cid, m in prompts.items()))

    @in_catalog
    def submit_batch(self, prompts: Mapping[str, MessageLike | Sequence[MessageLike]], **options: Any) -> Any:
        """Send ``prompts`` (custom id -> messages) as one batch to the bound host's batch API (half the price,
        answered within a day) and return its ``BatchJob`` at once; ``job.wait()`` gives the results in the
        order given. UnsupportedFeature, before anything is sent, on a host with no batch API."""
        from ...shared.batch.sender import batch_sender

        sender = batch_sender(self.provider)
        return sender.submit(self.batch_request(prompts, **options))

    def _checked(self, provider: Any, messages: MessageLike | Sequence[MessageLike], *,
                 check_context: bool | None = None, **options: Any) -> Request:
        """The prepared request, checked against the context window on ``provider`` (``context.py``)."""
        return checked_request(self, provider, messages, check_context=check_context, **options)


def _thinking(value: ThinkingLike) -> Thinking | None:
    """``Thinking.coerce(value)``; the thinking module is loaded by the first client or call that sets one."""
    if value is None:
        return None
    from ...shared.chat.thinking import Thinking

    return Thinking.coerce(value)


def _structured(result: Completion) -> Any:
    if result.output is None and result.tool_calls:
        names = ", ".join(c.name for c in result.tool_calls)
        exc = OutputValidationError(f"the model called tools ({names}) instead of answering; use run() to run them",
                                    text=result.text, host=result.host)
        exc.completion = result
        raise exc
    return result.output
