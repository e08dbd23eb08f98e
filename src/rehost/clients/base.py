"""ModelClient: what to ask a model family, bound to a provider that can be swapped at run time.

A client owns the family's knowledge: its variants, prompt rules (R1 takes no system prompt), sampling
defaults, and what a thinking setting means for it. ``prepare()`` applies all of that and returns a neutral
Request; the bound provider does the rest. Every call reads ``self.provider`` once, at its start, so a
provider swapped while a call is in flight takes effect from the next call and the running one finishes on
the host it started on.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeAlias, TypeVar, overload

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .. import calls as _calls
from ..cache import ResponseCache
from ..hooks import Hooks
from ..shared.checks import check_timeout
from ..shared.errors import (
    ConfigurationError,
    ContextWindowExceeded,
    OutputValidationError,
    ToolLoopLimit,
    UnsupportedFeature,
)
from ..shared.output import Output, OutputMode
from ..shared.request import ReasoningTags, Request, Sampling, ThinkingPlan
from ..shared.tokens import TokenCount, count_tokens
from ..shared.tools import ToolLike, ToolRegistry, split_builtin, tools_and_runners
from ..shared.types import (
    Completion,
    Done,
    Message,
    MessageLike,
    ReasoningPart,
    StreamEvent,
    TextDelta,
    TextPart,
    Thinking,
    Tool,
    ToolCall,
    ToolChoice,
    ToolResult,
    construct,
    unencodable_at,
    validation_message,
)

__all__ = [
    "AsyncCompletionStream",
    "CompletionStream",
    "ModelClient",
    "RunResult",
    "ToolLoopLimit",
    "SamplingOptions",
    "ThinkingStyle",
    "Variant",
    "coerce_messages",
]

ThinkingStyle: TypeAlias = Literal["none", "always", "toggle", "effort", "budget", "level"]
ThinkingLike: TypeAlias = Thinking | bool | str | int | None
ReasoningHistory: TypeAlias = Literal["drop", "tool_turns", "all"]
T = TypeVar("T")

ALL_INPUTS = frozenset({"text", "image", "document"})


@dataclass(frozen=True, slots=True)
class Variant:
    """One model of a family, as its client knows it.

    ``thinking`` says how the model thinks: ``none`` (it does not), ``always`` (it always does, no control),
    ``toggle`` (on/off), ``effort`` (on/off plus the efforts in ``efforts``), ``budget`` (token budgets in
    ``budget_range``), ``level`` (Gemini 3 levels in ``efforts``). ``can_disable`` says whether thinking can be
    turned off at all. ``inputs`` are the kinds of content the model reads. ``reasoning_history`` says which
    earlier reasoning goes back to the model: ``drop`` (none: R1-era models were trained without it),
    ``tool_turns`` (the reasoning of turns that called tools, as DeepSeek's thinking mode requires), ``all``.
    ``tokenizer`` names the exact tokenizer of the model (``rehost.shared.tokens.TOKENIZERS``), or None when
    no installable package ships it (counts are then the family's estimate).
    ``max_output_tokens`` is the most the model can write in one answer, where the family needs it (Claude
    thinking budgets must stay below the answer's limit).
    """

    model: str
    name: str = ""
    thinking: ThinkingStyle = "none"
    efforts: tuple[str, ...] = ()
    budget_range: tuple[int, int] | None = None
    can_disable: bool = True
    system_prompt: bool = True
    temperature: float | None = None
    top_p: float | None = None
    tags: ReasoningTags | None = None
    inputs: frozenset[str] = ALL_INPUTS
    reasoning_history: ReasoningHistory = "all"
    deprecated: str | None = None
    aliases: tuple[str, ...] = ()
    tokenizer: str | None = None
    notes: tuple[str, ...] = field(default=())
    max_output_tokens: int | None = None
    #: a base (pretrained, not instruction-tuned) model: it continues text, so it gets a plain prompt through
    #: the host's text-completion endpoint, never a chat
    base: bool = False


class SamplingOptions(BaseModel):
    """Sampling settings a caller may give; validated here so a bad value never reaches a host."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=1)
    max_tokens: int | None = Field(default=None, ge=1)
    stop: tuple[str, ...] | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)

    @field_validator("temperature", "top_p", "top_k", "max_tokens", "seed", "presence_penalty", "frequency_penalty",
                     mode="before")
    @classmethod
    def _not_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):  # pydantic would take True as 1: a slip (max_tokens=True), never meant
            raise ValueError(f"must be a number, not the bool {value}")
        return value

    @field_validator("stop", mode="before")
    @classmethod
    def _stop(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = (value,)
        if isinstance(value, list | tuple):
            if not value:
                raise ValueError("an empty list stops nothing: leave stop unset")
            if any(word == "" for word in value):
                raise ValueError("an empty stop sequence matches everywhere (hosts refuse it): remove it")
        return value

    def merged(self, other: SamplingOptions) -> SamplingOptions:
        """These settings overridden by those ``other`` sets. Both are validated already, so the result is
        built without validating again (this runs on every call)."""
        theirs = other.set_values()
        if not theirs:
            return self
        values = self.set_values()
        values.update(theirs)
        return construct(SamplingOptions, **values)

    def set_values(self) -> dict[str, Any]:
        """The settings that are set (not None), by name."""
        return {name: value for name in _SAMPLING_ORDER if (value := getattr(self, name)) is not None}


_SAMPLING_ORDER = tuple(SamplingOptions.model_fields)
_SAMPLING_NAMES = frozenset(_SAMPLING_ORDER)
_NO_SAMPLING = SamplingOptions()


def coerce_messages(messages: MessageLike | Sequence[MessageLike]) -> tuple[Message, ...]:
    """A prompt string, one message, or a list of messages / dicts, as validated Messages; anything else is a
    ConfigurationError saying what a message can be."""
    if isinstance(messages, str | Message | Mapping):
        items: Sequence[Any] = [messages]
    elif isinstance(messages, bytes | bytearray | memoryview):
        raise ConfigurationError(_BYTES_HINT)
    elif isinstance(messages, Iterable):
        items = list(messages)
    else:
        raise ConfigurationError(f"messages must be {_MESSAGE_KINDS}, or a list of them; not "
                                 f"{type(messages).__name__}")
    out: list[Message] = []
    for i, item in enumerate(items):
        if isinstance(item, Message):
            out.append(item)
        elif isinstance(item, str):
            if item.strip():  # what validation would check; a blank prompt still gets its error from Message.user
                out.append(construct(Message, role="user", parts=(construct(TextPart, text=item),)))
            else:
                out.append(Message.user(item))
        elif isinstance(item, Mapping):
            out.append(Message.model_validate(item))
        elif isinstance(item, bytes | bytearray | memoryview):
            raise ConfigurationError(f"message {i}: {_BYTES_HINT}")
        else:
            raise ConfigurationError(f"message {i} must be {_MESSAGE_KINDS}; not {type(item).__name__}")
    if not out:
        raise ConfigurationError("no messages: give a prompt string or at least one message")
    if all(m.role == "system" for m in out):
        raise ConfigurationError("only system messages: add a user message for the model to answer")
    return tuple(out)


_MESSAGE_KINDS = "a prompt string, a Message, or a {'role': ..., 'content': ...} dict"
_BYTES_HINT = "messages are text, not bytes: decode them first (data.decode('utf-8')); images and PDFs go in " \
              "ImagePart / DocumentPart"


_TOOL_MODES = ("auto", "none", "required")
_OUTPUT_MODES: tuple[str, ...] = OutputMode.__args__  # type: ignore[attr-defined]


def _check_output_mode(output: Any, mode: Any) -> None:
    if mode not in _OUTPUT_MODES or not isinstance(mode, str):
        raise ConfigurationError(f"output_mode={mode!r:.40} is not a mode: give {', '.join(map(repr, _OUTPUT_MODES))}")
    if output is None and mode != "auto":
        raise ConfigurationError(f"output_mode={mode!r} says how a structured answer travels, but no output= was "
                                 "given: pass output=YourModel (or a type, or Output(...)), or drop output_mode")


def _check_context(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"check_context must be True or False, not {value!r:.40}")
    return value


def _check_tool_choice(choice: Any, tools: Sequence[Tool]) -> None:
    """``tool_choice`` is a mode or the name of one of the call's tools; anything else would reach the host as a
    value it rejects (or, worse, one it ignores)."""
    if choice is None or choice in _TOOL_MODES:
        return
    names = [t.name for t in tools]
    if isinstance(choice, str) and choice in names:
        return
    offered = f"or one of the tools: {', '.join(names)}" if names else "(no tools were given: pass tools=[...])"
    what = f"{choice!r:.60}" if isinstance(choice, str) else f"{choice!r:.60} (a {type(choice).__name__})"
    raise ConfigurationError(f"tool_choice={what} is neither a mode nor a tool of this call: give "
                             f"'auto', 'none', 'required' {offered}")


def _check_text(messages: tuple[Message, ...], tools: Sequence[Tool], stop: Sequence[str] | None) -> None:
    """Refuse text UTF-8 cannot carry (lone surrogates, left by ``errors="surrogateescape"`` decoding or a
    string cut inside a surrogate pair) before it is counted or sent; it would fail deep in encoding."""
    for i, message in enumerate(messages):
        for part in message.parts:
            text = part.content if isinstance(part, ToolResult) else getattr(part, "text", None)
            if isinstance(text, str):
                _refuse_surrogates(text, f"message {i} ({message.role})")
    for tool in tools:
        _refuse_surrogates(tool.description, f"the description of tool {tool.name!r}")
    for word in stop or ():
        _refuse_surrogates(word, "a stop sequence")


def _refuse_surrogates(text: str, where: str) -> None:
    at = unencodable_at(text)
    if at is not None:
        raise ConfigurationError(
            f"{where} holds a lone surrogate ({text[at]!a} at character {at}), which UTF-8 cannot carry; it "
            "comes from bytes decoded with errors='surrogateescape' or text cut inside a character. Fix the "
            "text, e.g. text.encode('utf-8', 'replace').decode('utf-8')"
        )


def _sampling_from(kwargs: dict[str, Any]) -> SamplingOptions:
    if not kwargs:
        return _NO_SAMPLING
    values = {k: kwargs.pop(k) for k in list(kwargs) if k in _SAMPLING_NAMES}
    return SamplingOptions(**values) if values else _NO_SAMPLING


class ModelClient:
    """Base of every family client. Subclasses declare ``family`` and ``variants`` and may override
    ``plan_thinking`` and ``apply_prompt_rules``. ``token_ratio`` / ``token_overhead`` shape the family's token
    estimate (host-reported tokens per cl100k_base token, template tokens per message), measured against
    recorded exchanges where the family has any (``token_ratio_note`` says how)."""

    family: ClassVar[str] = ""
    variants: ClassVar[Mapping[str, Variant]] = {}
    token_ratio: ClassVar[float] = 1.0
    token_overhead: ClassVar[int] = 3
    token_ratio_note: ClassVar[str] = "not measured"

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
        cache: ResponseCache | None = None,
        hooks: Hooks | None = None,
        **sampling: Any,
    ) -> None:
        self.variant_name, self.variant = self.resolve_variant(variant)
        self.check_context = _check_context(check_context)
        if self.variant.deprecated:
            warnings.warn(f"{self.variant.model}: {self.variant.deprecated}", DeprecationWarning, stacklevel=2)
        self._provider = _as_provider(provider)
        self.thinking = Thinking.coerce(thinking)
        self.system = system
        mine, self.builtin_tools = split_builtin(tools or ())
        self.tools, self._runners = tools_and_runners(mine)
        self.host_model_id = host_model_id
        self.timeout = check_timeout(timeout)
        self.cache = _calls.choose_cache(None, cache) if cache is not None else None  # (see rehost.cache)
        self.hooks = _calls.check_hooks(hooks)  # (see rehost.hooks)
        try:
            self.sampling = _sampling_from(sampling)
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

    @property
    def provider(self) -> Any:
        if self._provider is None:
            raise ConfigurationError(f"{type(self).__name__}({self.variant_name!r}) is not bound to a provider: "
                                     "pass provider=... or set client.provider")
        return self._provider

    @provider.setter
    def provider(self, provider: Any) -> None:
        self._provider = _as_provider(provider)

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
        out: list[Message] = []
        for message in messages:
            keep = rule == "tool_turns" and bool(message.tool_calls)
            if message.role != "assistant" or keep or not any(isinstance(p, ReasoningPart) for p in message.parts):
                out.append(message)
                continue
            parts = tuple(p for p in message.parts if not isinstance(p, ReasoningPart))
            if parts:  # a turn that was only thinking says nothing to send back
                out.append(construct(Message, role="assistant", parts=parts))
        return tuple(out)

    def check_inputs(self, messages: tuple[Message, ...]) -> None:
        used = {p.type for m in messages if m.role == "user" for p in m.parts}
        refused = used - self.variant.inputs - {"text"}
        if refused:
            raise UnsupportedFeature(f"{self.model} does not read {' or '.join(sorted(refused))} input")

    def default_sampling(self) -> SamplingOptions:
        v = self.variant
        return SamplingOptions(temperature=v.temperature, top_p=v.top_p)

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
            call_sampling = _sampling_from(sampling)
        except ValidationError as exc:
            raise ConfigurationError(validation_message(exc, "sampling setting")) from None
        if sampling:
            raise TypeError(f"unknown option(s): {', '.join(sorted(sampling))}")
        if system is not None:
            if system:
                msgs = (Message.system(system), *msgs)
        elif self.system and not any(m.role == "system" for m in msgs):
            msgs = (Message.system(self.system), *msgs)
        self.check_inputs(msgs)  # before the family's rules rewrite the turns, so nothing is dropped unseen
        msgs = self.apply_history_rules(self.apply_prompt_rules(msgs))
        chosen = Thinking.coerce(thinking) if thinking is not None else self.thinking
        plan = self.plan_thinking(chosen)
        merged = self.default_sampling().merged(self.sampling).merged(call_sampling)
        self.check_sampling(merged, plan)
        if tools is not None:
            mine, builtin = split_builtin(tools)
            all_tools = tools_and_runners(mine)[0]
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

    def complete(self, messages: MessageLike | Sequence[MessageLike], *, output: Any = None, **options: Any) -> Any:
        """One answer. With ``output=`` (a type or an Output) the answer is that validated value.

        ``check_context=False`` skips the check that the input and ``max_tokens`` fit the context window."""
        _no_stream(options, "complete", "stream")
        provider = self.provider
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

    async def acomplete(self, messages: MessageLike | Sequence[MessageLike], *, output: Any = None,
                        **options: Any) -> Any:
        _no_stream(options, "acomplete", "astream")
        provider = self.provider
        cache = _calls.choose_cache(self.cache, options.pop("cache", None))
        result = await _calls.acall(self.hooks, cache, provider,
                                    self._checked(provider, messages, output=output, **options))
        return result if output is None else _structured(result)

    # ------------------------------------------------------------------------------------------ tool loops
    def _registry(self, tools: Sequence[ToolLike]) -> ToolRegistry:
        extra, runners = tools_and_runners(split_builtin(tools)[0])
        known = {t.name for t in extra}
        merged = tuple(t for t in self.tools if t.name not in known) + extra
        return ToolRegistry(merged, {**self._runners, **runners})

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
        _check_max_turns(max_turns)
        _no_stream(options, "run", "stream")
        cache = _calls.choose_cache(self.cache, options.pop("cache", None))
        registry = self._registry(tools)
        offered: list[ToolLike] = [*registry.tools, *(split_builtin(tools)[1] or self.builtin_tools)]
        history = list(coerce_messages(messages))
        for turn in range(1, max_turns + 1):
            provider = self.provider
            request = self._checked(provider, history, tools=offered, output=output, **options)
            done = _calls.call(self.hooks, cache, provider, request)
            history.append(done.message)
            answer, external = _sort_calls(done, registry, request)
            if answer:
                history.extend(registry.call(c, timeout=request.timeout) for c in answer)
            if external or not answer:
                return RunResult(done, tuple(history), done.output, turn)
        raise ToolLoopLimit(f"no final answer after {max_turns} turns of tool calls", host=done.host)

    async def arun(self, messages: MessageLike | Sequence[MessageLike], *, tools: Sequence[ToolLike] = (),
                   output: Any = None, max_turns: int = 10, **options: Any) -> RunResult:
        """The async twin of ``run`` (async tools are awaited; sync ones are called)."""
        _check_max_turns(max_turns)
        _no_stream(options, "arun", "astream")
        cache = _calls.choose_cache(self.cache, options.pop("cache", None))
        registry = self._registry(tools)
        offered: list[ToolLike] = [*registry.tools, *(split_builtin(tools)[1] or self.builtin_tools)]
        history = list(coerce_messages(messages))
        for turn in range(1, max_turns + 1):
            provider = self.provider
            request = self._checked(provider, history, tools=offered, output=output, **options)
            done = await _calls.acall(self.hooks, cache, provider, request)
            history.append(done.message)
            answer, external = _sort_calls(done, registry, request)
            for call in answer:
                history.append(await registry.acall(call, timeout=request.timeout))
            if external or not answer:
                return RunResult(done, tuple(history), done.output, turn)
        raise ToolLoopLimit(f"no final answer after {max_turns} turns of tool calls", host=done.host)

    def stream(self, messages: MessageLike | Sequence[MessageLike], **options: Any) -> CompletionStream:
        """Events as they arrive (TextDelta, ReasoningDelta, ToolCallDelta, Usage, then Done).

        The request is checked now; it is sent when iteration starts. Leaving the loop early, or calling
        ``close()``, closes the connection."""
        _no_stream(options, "stream", None)
        provider = self.provider
        cache = _calls.choose_cache(self.cache, options.pop("cache", None))
        prepared = provider.prepare(self._checked(provider, messages, stream=True, **options))
        return CompletionStream(_calls.stream(self.hooks, cache, provider, prepared))

    def astream(self, messages: MessageLike | Sequence[MessageLike], **options: Any) -> AsyncCompletionStream:
        _no_stream(options, "astream", None)
        provider = self.provider
        cache = _calls.choose_cache(self.cache, options.pop("cache", None))
        prepared = provider.prepare(self._checked(provider, messages, stream=True, **options))
        return AsyncCompletionStream(_calls.astream(self.hooks, cache, provider, prepared))

    # ------------------------------------------------------------------------------------------ tokens
    def count_request(self, request: Request) -> TokenCount:
        """The input tokens of a prepared request, counted offline with this family's tokenizer or estimate."""
        return count_tokens(request.messages, request.tools, tokenizer=self.variant.tokenizer,
                            ratio=self.token_ratio, ratio_note=self.token_ratio_note, overhead=self.token_overhead)

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

    def _checked(self, provider: Any, messages: MessageLike | Sequence[MessageLike], *,
                 check_context: bool | None = None, **options: Any) -> Request:
        """The prepared request, refused with ContextWindowExceeded when it cannot fit the model's context
        window on this host: counted input + ``max_tokens`` (0 when unset) > window. Skipped when the window is
        unknown, or when turned off (``check_context=False`` per call or per client). The count is the offline
        one (never a request); an estimate errs high on tool declarations, so a request near the limit may be
        refused that the host would take: turn the check off for it."""
        request = self.prepare(messages, **options)
        enabled = self.check_context if check_context is None else _check_context(check_context)
        window = provider.context_window(request) if enabled and hasattr(provider, "context_window") else None
        if window is None:
            return request
        wanted = request.sampling.max_tokens or 0
        if _surely_fits(request, window - wanted):
            return request
        counted = self.count_request(request)
        if counted.count + wanted > window:
            kind = "exactly" if counted.exact else "an estimated"
            raise ContextWindowExceeded(
                f"{request.model} on {provider.name}: {kind} {counted.count} input tokens + {wanted} max output "
                f"tokens = {counted.count + wanted} > the context window of {window} ({counted.method}). "
                "Shorten the input or max_tokens, or pass check_context=False to send it anyway",
                host=provider.name, input_tokens=counted.count, max_output_tokens=wanted, context_window=window,
                count_method=counted.method, exact=counted.exact,
            )
        return request


# ---------------------------------------------------------------------------------------------- helpers


def _host_counts(provider: Any, request: Request, method: str) -> bool:
    """Whether the bound host can count this request's tokens: it has the method, a key, and (where one host
    serves models of several publishers, as Vertex does) a counter for this model."""
    if provider is None or not hasattr(provider, method) or not provider.has_key:
        return False
    counts = getattr(provider, "counts_tokens", None)
    return counts is None or bool(counts(request))


def _as_provider(provider: Any) -> Any:
    """The provider a client is bound to. A host name (``provider="groq"``) is that host's provider with its
    defaults, as ``rehost.client("groq/...")`` makes it (the key from the environment); a provider class is
    refused with a hint to make one (it is a likely slip, and some need arguments); anything that cannot send
    a request is refused here rather than with an AttributeError at the first call."""
    if provider is None:
        return None
    if isinstance(provider, str):
        from ..entry import provider as by_name

        try:
            return by_name(provider)
        except ConfigurationError as exc:
            raise ConfigurationError(f"provider={provider!r}: {exc.message}", host=exc.host) from None
    if isinstance(provider, type):
        raise ConfigurationError(f"provider={provider.__name__} is the class: pass a provider, "
                                 f"provider={provider.__name__}() (or a host name, provider='groq')")
    if not (callable(getattr(provider, "send", None)) and callable(getattr(provider, "prepare", None))):
        raise ConfigurationError(f"provider must be a provider such as Groq() or a host name such as 'groq', not "
                                 f"{type(provider).__name__} {provider!r:.40}")
    return provider


def _no_stream(options: dict[str, Any], call: str, streaming: str | None) -> None:
    """Whether a call streams is its method's choice: ``stream=True`` given to ``complete`` would send a
    streamed request whose answer ``complete`` cannot read, and ``stream=`` given to ``stream`` collided with
    the one it passes (a TypeError)."""
    if "stream" not in options:
        return
    if streaming is None:
        options.pop("stream")
        raise ConfigurationError(f"{call}() always streams: drop stream=")
    if options["stream"]:
        raise ConfigurationError(f"{call}() returns one answer: for events as they arrive call {streaming}() "
                                 "instead of passing stream=True")
    options.pop("stream")  # stream=False is what this call does anyway


def _surely_fits(request: Request, room: int) -> bool:
    """A cheap bound that spares counting most requests: no tokenizer here makes more tokens than the text
    has UTF-8 bytes, plus a few template tokens per message (and none counts images, which this skips)."""
    from ..shared.tokens import render_text

    size = sum(len(p.encode("utf-8")) for p in render_text(request.messages, request.tools))
    return size + 16 * (len(request.messages) + 4) <= room


def _check_max_turns(max_turns: Any) -> None:
    """``max_turns`` is a whole number of model calls, at least one (0 would answer nothing, and used to fail
    with an UnboundLocalError)."""
    if isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 1:
        raise ConfigurationError(f"max_turns must be a whole number of at least 1, not {max_turns!r}")


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


def _structured(result: Completion) -> Any:
    if result.output is None and result.tool_calls:
        names = ", ".join(c.name for c in result.tool_calls)
        exc = OutputValidationError(f"the model called tools ({names}) instead of answering; use run() to run them",
                                    text=result.text, host=result.host)
        exc.completion = result
        raise exc
    return result.output


def fold_system(messages: tuple[Message, ...]) -> tuple[Message, ...]:
    """Move system text into the first user turn (for models trained without a system role).

    The system text goes in front of the turn's first text part (or before its parts, when it starts with an
    image); every other part of the turn, its images and documents included, stays as it was."""
    system = "\n\n".join(m.text for m in messages if m.role == "system")
    rest = [m for m in messages if m.role != "system"]
    for i, m in enumerate(rest):
        if m.role == "user":
            first = m.parts[0]
            if isinstance(first, TextPart):
                parts: tuple[Any, ...] = (TextPart(text=f"{system}\n\n{first.text}"), *m.parts[1:])
            else:
                parts = (TextPart(text=system), *m.parts)
            rest[i] = Message(role="user", parts=parts)
            break
    else:
        rest.insert(0, Message.user(system))
    return tuple(rest)


def plan_for_style(variant: Variant, thinking: Thinking | None, *, family: str) -> ThinkingPlan | None:
    """The common meaning of a thinking setting for each thinking style; families refine it."""
    model = variant.model
    style = variant.thinking
    if style == "none":
        if thinking is not None and thinking.enabled:
            raise UnsupportedFeature(f"{model} does not think; pick a reasoning variant of {family}")
        return None
    if style == "always":
        if thinking is None:
            return ThinkingPlan(enabled=True, always_on=True)
        if not thinking.enabled:
            raise UnsupportedFeature(f"{model} always thinks; it cannot be turned off")
        if thinking.effort is not None or thinking.budget is not None:
            raise UnsupportedFeature(f"{model} always thinks and takes no effort or budget; use Thinking() "
                                     "or leave thinking unset")
        return ThinkingPlan(enabled=True, include_reasoning=thinking.include, always_on=True)
    if thinking is None:
        return None
    if not thinking.enabled:
        if not variant.can_disable:
            raise UnsupportedFeature(f"{model} cannot turn thinking off")
        return ThinkingPlan(enabled=False, include_reasoning=False)
    if thinking.budget is not None and style != "budget":
        raise UnsupportedFeature(f"{model} takes no thinking budget" +
                                 (f"; efforts: {'|'.join(variant.efforts)}" if variant.efforts else ""))
    if thinking.effort is not None:
        if style == "toggle" or thinking.effort not in variant.efforts:
            allowed = "|".join(variant.efforts) if variant.efforts else "none (it only turns on or off)"
            raise UnsupportedFeature(f"{model} takes thinking effort {allowed}, not {thinking.effort!r}")
        return ThinkingPlan(enabled=True, effort=thinking.effort, include_reasoning=thinking.include)
    if thinking.budget is not None and variant.budget_range is not None:
        low, high = variant.budget_range
        if not low <= thinking.budget <= high:
            raise UnsupportedFeature(f"{model} takes a thinking budget of {low}..{high}, not {thinking.budget}")
        return ThinkingPlan(enabled=True, budget=thinking.budget, include_reasoning=thinking.include)
    return ThinkingPlan(enabled=True, include_reasoning=thinking.include)


# ---------------------------------------------------------------------------------------------- streams


class CompletionStream:
    """A streamed call: iterate for events; ``final()`` gives the Completion (consuming what is left)."""

    def __init__(self, events: Iterator[StreamEvent]) -> None:
        self._events = events
        self._completion: Completion | None = None

    def __iter__(self) -> Iterator[StreamEvent]:
        try:
            for event in self._events:
                if isinstance(event, Done):
                    self._completion = event.completion
                yield event
        finally:
            if self._completion is None:
                self.close()  # left early or failed: release the connection now

    def text(self) -> Iterator[str]:
        """Only the answer's text, piece by piece."""
        for event in self:
            if isinstance(event, TextDelta):
                yield event.text

    def final(self) -> Completion:
        if self._completion is None:
            for _ in self:
                pass
        if self._completion is None:
            raise RuntimeError("the stream was closed before it finished")
        return self._completion

    @property
    def completion(self) -> Completion | None:
        return self._completion

    def close(self) -> None:
        close = getattr(self._events, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> CompletionStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncCompletionStream:
    """The async twin of CompletionStream.

    It is its own iterator (``__anext__``), not an async generator over the events: a generator left by
    ``break`` is closed later by the event loop's finaliser, in a task of its own, which then raced
    ``__aexit__`` / ``aclose()`` closing the same events ("aclose(): asynchronous generator is already
    running"). With nothing in between, leaving early leaves the events to ``aclose()`` (or, without it, to the
    loop's finaliser of the events themselves), and ``final()`` after a ``break`` consumes the rest."""

    def __init__(self, events: AsyncIterator[StreamEvent]) -> None:
        self._events = events
        self._completion: Completion | None = None

    def __aiter__(self) -> AsyncCompletionStream:
        return self

    async def __anext__(self) -> StreamEvent:
        event = await self._events.__anext__()  # an error or the end finishes the events' generator itself
        if isinstance(event, Done):
            self._completion = event.completion
        return event

    async def text(self) -> AsyncIterator[str]:
        async for event in self:
            if isinstance(event, TextDelta):
                yield event.text

    async def final(self) -> Completion:
        if self._completion is None:
            async for _ in self:
                pass
        if self._completion is None:
            raise RuntimeError("the stream was closed before it finished")
        return self._completion

    @property
    def completion(self) -> Completion | None:
        return self._completion

    async def aclose(self) -> None:
        aclose = getattr(self._events, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> AsyncCompletionStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
