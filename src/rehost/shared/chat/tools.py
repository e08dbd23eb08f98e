"""Tools from Python: a function (its signature and docstring) or a pydantic model becomes a ``Tool``, and
the registry that runs the calls a model makes.

A function's parameters become a pydantic model, so the arguments a model sends are validated (and
coerced) exactly as pydantic would, and a bad call comes back to the model as an error it can fix rather
than an exception in the caller's program.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, get_type_hints

from pydantic import BaseModel, PydanticUserError, ValidationError, create_model
from pydantic.fields import FieldInfo
from pydantic_core import PydanticSerializationError, to_json

from ..errors import ConfigurationError, RehostError
from .messages import Message, ToolCall
from .schema import clean_function_schema
from .tool_types import BuiltinTool, Tool, WebSearch

__all__ = ["ToolRegistry", "ToolResultError", "tool_from_function", "tool_from_model", "tools_and_runners"]

ToolLike = Tool | BuiltinTool | Callable[..., Any] | type[BaseModel] | Mapping[str, Any]

_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Params|Returns|Raises|Yields|Examples?|Notes?):\s*$")
_ARG = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_SPHINX_ARG = re.compile(r"^\s*:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")
_ARG_SECTIONS = ("args", "arguments", "parameters", "params")
_TOOL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")


def _docstring(fn: Any) -> tuple[str, dict[str, str]]:
    """(description, per-parameter descriptions) from a Google- or Sphinx-style docstring."""
    summary: list[str] = []
    params: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    arg_indent: int | None = None
    for line in (inspect.getdoc(fn) or "").splitlines():
        stripped = line.strip()
        heading = _SECTION.match(line)
        if heading:
            section, current, arg_indent = heading.group(1).lower(), None, None
            continue
        sphinx = _SPHINX_ARG.match(line)
        if sphinx:
            section, current = "sphinx", sphinx.group(1)
            params[current] = sphinx.group(2).strip()
            continue
        if section is None and stripped.startswith(":"):
            section = "sphinx"
        if section is None:
            summary.append(line)
        elif stripped and section in _ARG_SECTIONS:
            indent = len(line) - len(line.lstrip())
            arg = _ARG.match(stripped)
            if arg and (arg_indent is None or indent <= arg_indent):
                arg_indent, current = indent, arg.group(1).lstrip("*")
                params[current] = arg.group(2).strip()
            elif current:
                params[current] = f"{params[current]} {stripped}".strip()
        elif stripped and section == "sphinx" and current and not stripped.startswith(":"):
            params[current] = f"{params[current]} {stripped}".strip()
    return "\n".join(summary).strip(), params


def _described(fn: Callable[..., Any]) -> tuple[Any, str, dict[str, Any]]:
    """(the function whose hints and docstring describe ``fn``, the tool's name, the keywords a partial binds).

    A plain function or method describes itself; a callable object is described by its ``__call__`` (its
    class names the tool); a ``functools.partial`` by the function it wraps, less what it binds."""
    if isinstance(fn, functools.partial):
        inner, name, _ = _described(fn.func)
        return inner, name, dict(fn.keywords)
    if inspect.isroutine(fn) or isinstance(fn, type):
        return fn, getattr(fn, "__name__", ""), {}
    if not callable(fn):
        raise ConfigurationError(f"cannot make a tool of {fn!r:.60}: {_TOOL_KINDS}")
    return type(fn).__call__, type(fn).__name__, {}


def _signature_model(fn: Callable[..., Any], name: str, params_doc: dict[str, str]) -> type[BaseModel]:
    described, _, bound = _described(fn)
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"tool {name}: its signature cannot be read ({exc}): {_TOOL_KINDS}") from None
    try:
        hints = get_type_hints(described, include_extras=True)
    except Exception as exc:  # NameError for an undefined forward reference, TypeError for odd objects
        raise ConfigurationError(f"tool {name}: its type hints cannot be read ({type(exc).__name__}: {exc}); "
                                 "define the types they name, or give a Tool(...) schema") from None
    fields: dict[str, Any] = {}
    for pname, param in signature.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ConfigurationError(f"tool {name}: *args / **kwargs cannot be described to a model; name each "
                                     "parameter")
        if pname in ("self", "cls") or pname in bound:  # bound by a partial: the model may not change it
            continue
        annotation = hints.get(pname, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        if isinstance(default, FieldInfo):
            fields[pname] = (annotation, default)
        else:
            fields[pname] = (annotation, FieldInfo(default=default, description=params_doc.get(pname)))
    try:
        model: type[BaseModel] = create_model(name, **fields)
    except PydanticUserError as exc:  # includes PydanticSchemaGenerationError (a type pydantic cannot check)
        raise _untyped(name, exc) from None
    return model


def _untyped(name: str, exc: Exception) -> ConfigurationError:
    first = str(exc).split("\n")[0].split(". ")[0]
    return ConfigurationError(f"tool {name}: a parameter's type cannot be described to a model ({first}); "
                              "annotate the parameters with JSON types, dataclasses or pydantic models")


_TOOL_KINDS = ("a tool is a function (def), a callable object, a functools.partial, a pydantic model, a Tool(...) "
               "or a {'name', 'description', 'parameters'} dict")


def tool_from_function(fn: Callable[..., Any], *, name: str | None = None, description: str | None = None,
                       strict: bool | None = None) -> tuple[Tool, Callable[[dict[str, Any]], Any]]:
    """The Tool a function describes, and a runner that validates a call's arguments and calls it. Callable
    objects and ``functools.partial`` work too (the arguments a partial binds are not offered to the model)."""
    described, own_name, _ = _described(fn)
    tool_name = name or own_name
    if not _TOOL_NAME.match(tool_name):
        raise ConfigurationError(f"{tool_name!r} cannot be a tool's name (letters, digits, _ . -, at most 64, "
                                 "not starting with a digit): define the tool with def and a name, or pass name=...")
    doc, params_doc = _docstring(described)
    if not doc and not isinstance(fn, functools.partial) and not inspect.isroutine(fn):
        doc, more = _docstring(type(fn))  # a callable object: its class may say what it is for
        params_doc = params_doc or more
    model = _signature_model(fn, tool_name, params_doc)
    try:
        schema = model.model_json_schema()
    except PydanticUserError as exc:  # a type pydantic can check but not describe (PydanticInvalidForJsonSchema)
        raise _untyped(tool_name, exc) from None
    tool = Tool(name=tool_name, description=description if description is not None else doc,
                parameters=clean_function_schema(schema), strict=strict)

    def run(arguments: dict[str, Any]) -> Any:
        values = model.model_validate(arguments)
        return fn(**{k: getattr(values, k) for k in type(values).model_fields})

    return tool, run


def tool_from_model(model: type[BaseModel], *, name: str | None = None, description: str | None = None,
                    strict: bool | None = None) -> tuple[Tool, Callable[[dict[str, Any]], Any]]:
    """A pydantic model as a tool: calling it yields a validated instance of the model."""
    try:
        schema = model.model_json_schema()
    except PydanticUserError as exc:
        raise _untyped(name or model.__name__, exc) from None
    desc = description if description is not None else (schema.pop("description", None) or "")
    tool = Tool(name=name or model.__name__, description=desc, parameters=clean_function_schema(schema),
                strict=strict)
    return tool, model.model_validate


def split_builtin(items: Iterable[ToolLike]) -> tuple[list[ToolLike], tuple[BuiltinTool, ...]]:
    """(the caller's tools, the host's own tools such as WebSearch)."""
    mine: list[ToolLike] = []
    builtin: list[BuiltinTool] = []
    for item in items:
        (builtin if isinstance(item, WebSearch) else mine).append(item)  # type: ignore[arg-type]
    return mine, tuple(builtin)


def tools_and_runners(items: Iterable[ToolLike]) -> tuple[tuple[Tool, ...], dict[str, Callable[..., Any]]]:
    """Tools from any mix of Tool, function, pydantic model or ``{"name", "description", "parameters"}``."""
    tools: list[Tool] = []
    runners: dict[str, Callable[..., Any]] = {}
    for item in items:
        runner: Callable[..., Any] | None = None
        if isinstance(item, WebSearch):
            raise ConfigurationError("a host's built-in tool has no Python runner")
        if isinstance(item, Tool):
            tool = item
        elif isinstance(item, Mapping):
            tool = Tool.model_validate(dict(item))
        elif isinstance(item, type) and issubclass(item, BaseModel):
            tool, runner = tool_from_model(item)
        elif callable(item) and not isinstance(item, str | bytes):
            tool, runner = tool_from_function(item)
        else:
            raise ConfigurationError(f"cannot make a tool of {item!r:.60}: {_TOOL_KINDS}")
        if any(t.name == tool.name for t in tools):
            raise ConfigurationError(f"two tools are named {tool.name!r}: give each tool its own name")
        tools.append(tool)
        if runner is not None:
            runners[tool.name] = runner
    return tuple(tools), runners


class ToolResultError(RehostError, TypeError):
    """A tool returned a value that cannot be sent to the model as JSON.

    That is a fault in the tool, which the model cannot fix, so it is raised to the caller instead of being
    sent back (sending ``str(value)`` would hand the model ``"<generator object ...>"``)."""


def _as_text(name: str, value: Any) -> str:
    """A tool's result as the text of its tool message: a string as it is, anything else as JSON.

    pydantic's serialiser takes what JSON can hold and what pydantic knows how to write as JSON: pydantic
    models, dataclasses, TypedDicts, sets and tuples (as arrays), generators (drained, as an array), dates,
    decimals, enums, UUIDs, paths; NaN and infinities become strings, since JSON has no spelling for them."""
    if isinstance(value, str):
        return value
    try:
        return to_json(value, by_alias=False, inf_nan_mode="strings").decode()
    except (PydanticSerializationError, ValueError) as exc:
        raise ToolResultError(
            f"tool {name!r} returned a {type(value).__name__} that cannot be sent to the model as JSON ({exc}). "
            "Return a string, or data JSON can hold (dicts, lists, numbers, pydantic models, dataclasses, "
            "dates); turn other objects into one of those in the tool"
        ) from None


class _ToolTimedOut(Exception):
    """The tool was still running when the call's timeout expired."""


def _in_thread(fn: Callable[[], str], timeout: float) -> str:
    """``fn()`` in a daemon thread (with the caller's context variables), waited for at most ``timeout``
    seconds. A thread cannot be stopped: one that overruns is left to finish on its own, its result unused."""
    box: dict[str, Any] = {}
    context = contextvars.copy_context()

    def target() -> None:
        try:
            box["value"] = context.run(fn)
        except BaseException as exc:  # handed to the waiting caller
            box["error"] = exc

    thread = threading.Thread(target=target, name="rehost-tool", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise _ToolTimedOut
    if "error" in box:
        raise box["error"]
    text: str = box["value"]
    return text


async def _in_thread_async(fn: Callable[[], Any]) -> Any:
    """``fn()`` in a daemon thread, awaited without blocking the event loop. Unlike ``asyncio.to_thread``
    (the loop's default executor), a thread left running after a timeout does not hold up ``asyncio.run``'s
    exit, which waits for the default executor."""
    import asyncio  # here, not at the top: only an async tool loop needs it, and it is loaded by then

    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    context = contextvars.copy_context()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():
            return  # the wait was abandoned (timeout)
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def target() -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = context.run(fn)
        except BaseException as exc:  # handed to the awaiting caller
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting any more
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=target, name="rehost-tool", daemon=True).start()
    return await future


@dataclass
class ToolRegistry:
    """Runs the calls a model makes to Python tools, turning each into the tool message that answers it.

    ``timeout`` (seconds, per call) bounds a tool: a sync tool then runs in a thread of its own, an async one
    under ``asyncio.timeout``, and one that has not finished in time answers the model with an error saying
    so (a thread cannot be killed: an overrunning sync tool finishes in the background, its result unused).
    Without a timeout a sync tool runs in the caller's thread, as a plain call."""

    tools: tuple[Tool, ...]
    runners: dict[str, Callable[..., Any]]

    @classmethod
    def of(cls, items: Iterable[ToolLike]) -> ToolRegistry:
        tools, runners = tools_and_runners(items)
        return cls(tools, runners)

    def handles(self, call: ToolCall) -> bool:
        return call.name in self.runners

    def _failure(self, call: ToolCall, exc: Exception) -> Message:
        if isinstance(exc, ValidationError):
            text = f"Invalid arguments for {call.name}: {exc.errors(include_url=False)}. Fix them and try again."
        else:
            text = f"{call.name} failed: {type(exc).__name__}: {exc}"
        return Message.tool(call, text, is_error=True)

    def _timed_out(self, call: ToolCall, timeout: float) -> Message:
        return Message.tool(call, f"{call.name} did not finish within {timeout:g} s (the call's timeout); its "
                                  "result is unknown.", is_error=True)

    def _unknown(self, call: ToolCall) -> Message:
        names = ", ".join(t.name for t in self.tools) or "none"
        return Message.tool(call, f"There is no tool named {call.name!r}. The tools are: {names}. Call one of "
                                  "them, or answer without a tool.", is_error=True)

    def _run_sync(self, call: ToolCall) -> str:
        value = self.runners[call.name](dict(call.arguments))
        if inspect.isawaitable(value):
            close = getattr(value, "close", None)
            if close is not None:
                close()  # never started: say so instead of leaving a coroutine to warn later
            raise TypeError(f"{call.name} is async: use arun()")
        return _as_text(call.name, value)

    def call(self, call: ToolCall, *, timeout: float | None = None) -> Message:
        if call.name not in self.runners:
            return self._unknown(call)
        try:
            text = self._run_sync(call) if timeout is None else _in_thread(lambda: self._run_sync(call), timeout)
        except ToolResultError:
            raise
        except _ToolTimedOut:
            assert timeout is not None
            return self._timed_out(call, timeout)
        except Exception as exc:  # the model gets the failure and may correct itself
            return self._failure(call, exc)
        return Message.tool(call, text)

    async def acall(self, call: ToolCall, *, timeout: float | None = None) -> Message:
        if call.name not in self.runners:
            return self._unknown(call)
        import asyncio

        runner = self.runners[call.name]
        arguments = dict(call.arguments)
        try:
            async with asyncio.timeout(timeout) as deadline:
                # a sync tool under a timeout runs in a thread, so the wait can be abandoned; without one it is
                # called as it always was, in the event loop's thread
                value = await _in_thread_async(lambda: runner(arguments)) if timeout is not None \
                    else runner(arguments)
                if inspect.isawaitable(value):
                    value = await value
                text = _as_text(call.name, value)
        except ToolResultError:
            raise
        except TimeoutError as exc:
            if timeout is not None and deadline.expired():
                return self._timed_out(call, timeout)
            return self._failure(call, exc)
        except Exception as exc:
            return self._failure(call, exc)
        return Message.tool(call, text)
