"""Bad input is refused before anything is sent, with a ``rehost.errors`` class whose message says what to do
(issue 12, items 20-22): no raw pydantic, Unicode, attribute or decimal errors escape, nothing invalid reaches
a host, and nothing is accepted silently."""

from __future__ import annotations

import base64 as _b64

import httpx
import pytest

from rehost import GenericClient, Groq, Thinking
from rehost.errors import ConfigurationError, RehostError

ANSWER = {"id": "c", "object": "chat.completion", "model": "m",
          "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 3, "completion_tokens": 1}}


class Recorder:
    """A Groq provider whose transport records every request it is asked to send (and answers "ok")."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []
        self.provider = Groq("gsk-test-0123456789", transport=httpx.MockTransport(self._answer),
                             async_transport=httpx.MockTransport(self._answer))

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(200, json=ANSWER)

    def client(self, **options):
        return GenericClient("m", provider=self.provider, **options)


@pytest.fixture
def host():
    return Recorder()


def refused(exc_info, *words):
    """The error is a rehost error (never a raw foreign one) and its message holds each of ``words``."""
    exc = exc_info.value
    assert isinstance(exc, RehostError), f"{type(exc).__module__}.{type(exc).__name__}: {exc}"
    text = str(exc)
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"
    return text


def test_a_valid_call_is_sent(host):
    assert host.client().complete("hi").text == "ok"
    assert len(host.sent) == 1


# ---------------------------------------------------------------------------------------------- item 20: thinking

BAD_THINKING = ["xyz", "", "HIGHEST", -1, 1.5, [], {"effort": "high"}, object()]


@pytest.mark.parametrize("value", BAD_THINKING, ids=repr)
def test_an_invalid_thinking_setting_is_a_configuration_error(host, value):
    with pytest.raises(ConfigurationError) as caught:
        host.client(thinking=value)
    refused(caught, "thinking", "off")  # the message lists what is accepted
    with pytest.raises(ConfigurationError) as caught:
        host.client().complete("hi", thinking=value)
    refused(caught, "thinking")
    assert host.sent == []


@pytest.mark.parametrize("kwargs", [{"effort": "bad"}, {"budget": -5}, {"effort": "low", "budget": 10},
                                    {"enabled": False, "effort": "high"}, {"include": "maybe"}, {"nope": 1}],
                         ids=repr)
def test_an_invalid_thinking_object_is_a_configuration_error(kwargs):
    with pytest.raises(ConfigurationError) as caught:
        Thinking(**kwargs)
    refused(caught, "Thinking")
    with pytest.raises(ConfigurationError):
        Thinking.model_validate(kwargs)


@pytest.mark.parametrize(("word", "expected"), [("on", Thinking.on()), ("off", Thinking.off()),
                                                ("none", Thinking.off()), ("On", Thinking.on()),
                                                (" OFF ", Thinking.off()), ("High", Thinking(effort="high"))])
def test_on_is_accepted_wherever_off_is(host, word, expected):
    assert Thinking.coerce(word) == expected
    client = host.client(thinking=word)
    assert client.thinking == expected
    assert host.client().complete("hi", thinking=word).text == "ok"


# ---------------------------------------------------------------------------------------------- item 20: messages

BAD_MESSAGES = [None, 42, 3.5, b"hi", bytearray(b"hi"), [], (), [42], [None], ["hi", b"there"], object(), {},
                {"role": "user"}, {"role": "bot", "content": "hi"}, [{"role": "system", "content": "be brief"}], "  "]


@pytest.mark.parametrize("messages", BAD_MESSAGES, ids=repr)
@pytest.mark.parametrize("call", ["complete", "stream", "run", "count_tokens", "prepare"])
def test_messages_that_are_not_messages_are_refused_before_sending(host, messages, call):
    client = host.client()
    with pytest.raises(ConfigurationError) as caught:
        getattr(client, call)(messages)
    refused(caught)
    assert host.sent == []


async def test_async_calls_refuse_them_too(host):
    for messages in (None, 42, b"hi", []):
        with pytest.raises(ConfigurationError):
            await host.client().acomplete(messages)
        with pytest.raises(ConfigurationError):
            await host.client().arun(messages)
    assert host.sent == []


def test_bytes_get_a_hint_to_decode_them(host):
    with pytest.raises(ConfigurationError) as caught:
        host.client().complete(b"hi")
    refused(caught, "decode")


LONE = "caf\udce9"  # what bytes decoded with errors="surrogateescape" leave behind


@pytest.mark.parametrize("where", ["prompt", "system", "dict", "list", "tool result", "tool description",
                                   "stop", "extra_body"])
def test_lone_surrogates_are_refused_before_sending(host, where):
    from rehost import Message, Tool, ToolCall

    client = host.client()
    options = {}
    messages = ["hi"]
    if where == "prompt":
        messages = LONE
    elif where == "system":
        options["system"] = LONE
    elif where == "dict":
        messages = [{"role": "user", "content": LONE}]
    elif where == "list":
        messages = [Message.user("look"), Message.assistant("ok"), Message.user(LONE)]
    elif where == "tool result":
        call = ToolCall(id="1", name="f", arguments={})
        messages = [Message.user("go"), Message.assistant(parts=[call]), Message.tool(call, LONE)]
    elif where == "tool description":
        options["tools"] = [Tool(name="f", description=LONE)]
    elif where == "stop":
        options["stop"] = [LONE]
    else:
        options["extra_body"] = {"note": LONE}
    with pytest.raises(ConfigurationError) as caught:
        client.complete(messages, **options)
    text = refused(caught, "surrogate")
    assert "\udce9" not in text  # the message stays printable
    assert host.sent == []


@pytest.mark.parametrize("call", ["count_tokens", "stream"])
def test_lone_surrogates_are_refused_when_counting_and_streaming(host, call):
    with pytest.raises(ConfigurationError) as caught:
        getattr(host.client(), call)("word " * 5000 + LONE)
    refused(caught, "surrogate")
    assert host.sent == []


# ---------------------------------------------------------------------------------------------- item 20: tools


class WeatherLookup:
    """Looks up the weather."""

    def __init__(self, unit: str) -> None:
        self.unit = unit

    def __call__(self, city: str, days: int = 1) -> str:
        """Get the weather for a city.

        Args:
            city: The city name.
            days: How many days ahead.
        """
        return f"{city}: sunny for {days} day(s), 22{self.unit}"


def forecast(city: str, days: int, unit: str = "C") -> str:
    """Forecast the weather.

    Args:
        city: The city name.
        days: How many days ahead.
        unit: C or F.
    """
    return f"{city} in {days} day(s): 22{unit}"


def _tool_and_run(item, arguments):
    from rehost.shared.tools import ToolRegistry
    from rehost.shared.types import ToolCall

    registry = ToolRegistry.of([item])
    (tool,) = registry.tools
    answer = registry.call(ToolCall(id="1", name=tool.name, arguments=arguments)).parts[0]
    assert not answer.is_error, answer.content
    return tool, answer.content


def test_a_callable_object_is_a_tool():
    tool, result = _tool_and_run(WeatherLookup("C"), {"city": "Paris", "days": 2})
    assert tool.name == "WeatherLookup"
    assert tool.description == "Get the weather for a city."
    assert set(tool.parameters["properties"]) == {"city", "days"}  # no self
    assert tool.parameters["properties"]["city"]["description"] == "The city name."
    assert tool.parameters["required"] == ["city"]
    assert result == "Paris: sunny for 2 day(s), 22C"


def test_a_partial_is_a_tool_without_the_arguments_it_binds():
    import functools

    tool, result = _tool_and_run(functools.partial(forecast, unit="F"), {"city": "Oslo", "days": 3})
    assert tool.name == "forecast"
    assert tool.description == "Forecast the weather."
    assert set(tool.parameters["properties"]) == {"city", "days"}  # unit is bound: the model cannot change it
    assert result == "Oslo in 3 day(s): 22F"
    tool, result = _tool_and_run(functools.partial(forecast, "Rome"), {"days": 1})
    assert set(tool.parameters["properties"]) == {"days", "unit"}
    assert result == "Rome in 1 day(s): 22C"
    tool, _ = _tool_and_run(functools.partial(functools.partial(forecast, unit="F"), "Rome"), {"days": 1})
    assert set(tool.parameters["properties"]) == {"days"}


def test_a_bound_method_and_a_partial_of_a_callable_object_are_tools():
    import functools

    class Shop:
        def price(self, item: str) -> float:
            """The price of an item."""
            return 9.5

    tool, result = _tool_and_run(Shop().price, {"item": "tea"})
    assert (tool.name, result) == ("price", "9.5")
    tool, result = _tool_and_run(functools.partial(WeatherLookup("F"), days=5), {"city": "Lima"})
    assert tool.name == "WeatherLookup"
    assert set(tool.parameters["properties"]) == {"city"}
    assert result == "Lima: sunny for 5 day(s), 22F"


def _star(*items: int) -> int:
    return sum(items)


def _undefined_hint(x: NoSuchType) -> int:  # noqa: F821
    return 1


class _Opaque:
    pass


def _opaque(thing: _Opaque) -> int:
    return 1


BAD_TOOLS = {
    "lambda": (lambda x: x, "def"),
    "number": (42, "Tool"),
    "string": ("get_weather", "Tool"),
    "star args": (_star, "*args"),
    "undefined hint": (_undefined_hint, "NoSuchType"),
    "opaque hint": (_opaque, "_Opaque"),
    "dict missing name": ({"description": "x"}, "name"),
    "tool with a bad name": ({"name": "has space"}, "name"),
}


@pytest.mark.parametrize("case", list(BAD_TOOLS))
def test_what_cannot_be_a_tool_is_a_configuration_error(host, case):
    item, word = BAD_TOOLS[case]
    with pytest.raises(ConfigurationError) as caught:
        host.client(tools=[item])
    refused(caught, word)
    with pytest.raises(ConfigurationError):
        host.client().complete("hi", tools=[item])
    with pytest.raises(ConfigurationError):
        host.client().run("hi", tools=[item])
    assert host.sent == []


def test_two_tools_with_one_name_are_a_configuration_error(host):
    with pytest.raises(ConfigurationError) as caught:
        host.client(tools=[forecast, forecast])
    refused(caught, "forecast")


# ---------------------------------------------------------------------------------------------- items 20, 22: prices

BAD_PRICES = ["abc", "1,5", "", " ", float("nan"), "NaN", "inf", float("-inf"), True, [], {}, "-1", -0.5, -1]


def _catalog():
    from rehost import Catalog

    return Catalog.load()  # a private copy: nothing here touches the shared catalogue


@pytest.mark.parametrize("value", BAD_PRICES, ids=repr)
@pytest.mark.parametrize("field", ["input", "output", "cached_input"])
def test_set_prices_refuses_what_is_not_a_price(value, field):
    cat = _catalog()
    before = cat.prices("deepseek-v4-flash", "deepseek")
    prices = {"input": "0.22", "output": "0.66", field: value}
    with pytest.raises(ConfigurationError) as caught:
        cat.set_prices("deepseek-v4-flash", "deepseek", **prices)
    refused(caught, field.replace("_", " "), "USD per million tokens")
    assert cat.prices("deepseek-v4-flash", "deepseek") == before  # unchanged


@pytest.mark.parametrize("value", [v for v in BAD_PRICES if v not in ("", " ")], ids=repr)
def test_register_refuses_what_is_not_a_price(value):
    """(A blank price in a row means "none known", as in the catalogue file, so it is not among these.)"""
    cat = _catalog()
    with pytest.raises(ConfigurationError) as caught:
        cat.register("my-model", "groq", "my-id", family="test", input_price=value, output_price="1")
    refused(caught, "input price")
    assert "my-model" not in cat


@pytest.mark.parametrize("value", [0, "0", "0.22", 1.5, 3])
def test_valid_prices_are_taken(value):
    from decimal import Decimal

    cat = _catalog()
    cat.set_prices("deepseek-v4-flash", "deepseek", input=value, output=value, cached_input=value)
    prices = cat.prices("deepseek-v4-flash", "deepseek")
    assert prices is not None
    assert prices.input == prices.output == prices.cached_input == Decimal(str(value))


@pytest.mark.parametrize("missing", ["input", "output"])
def test_set_prices_needs_both_prices(missing):
    """A price left out keeps the row's (item 15); starting afresh (replace=True) needs both."""
    cat = _catalog()
    with pytest.raises(ConfigurationError) as caught:
        cat.set_prices("deepseek-v4-flash", "deepseek", replace=True, **{"input": "1", "output": "2", missing: None})
    refused(caught, missing)


# ---------------------------------------------------------------------------------------------- item 20: provider=


@pytest.mark.parametrize("name", ["groq", "openrouter", "mistral"])
def test_a_host_name_is_accepted_as_the_provider(name):
    from rehost.entry import provider as by_name

    client = GenericClient("m", provider=name)
    assert type(client.provider) is type(by_name(name))
    assert client.provider.name == name
    client = GenericClient("m")
    client.provider = name
    assert client.provider.name == name


def test_an_unknown_host_name_is_refused_with_the_closest_names():
    with pytest.raises(ConfigurationError) as caught:
        GenericClient("m", provider="grok")
    refused(caught, "groq")


@pytest.mark.parametrize("value", ["Groq", "OpenRouter"])
def test_a_provider_class_is_refused_with_a_hint_to_make_one(value):
    import rehost

    cls = getattr(rehost, value)
    with pytest.raises(ConfigurationError) as caught:
        GenericClient("m", provider=cls)
    refused(caught, f"{value}()")
    client = GenericClient("m")
    with pytest.raises(ConfigurationError):
        client.provider = cls


@pytest.mark.parametrize("value", [42, True, 1.5, b"groq", ["groq"], {"host": "groq"}, object(), ""], ids=repr)
def test_what_is_not_a_provider_is_refused(value):
    with pytest.raises(ConfigurationError) as caught:
        GenericClient("m", provider=value)
    refused(caught, "provider")


# ---------------------------------------------------------------------------------------------- item 20: Vertex


class _VertexRecorder(Recorder):
    def __init__(self, **options) -> None:
        from rehost import Vertex

        self.sent = []
        self.provider = Vertex("my-project", transport=httpx.MockTransport(self._answer),
                               async_transport=httpx.MockTransport(self._answer), **options)


def _no_adc(monkeypatch):
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    def default(*args, **kwargs):
        raise DefaultCredentialsError("Your default credentials were not found. To set up Application Default "
                                      "Credentials, see https://cloud.google.com/docs/authentication/external/"
                                      "set-up-adc for more information.")

    monkeypatch.setattr(google.auth, "default", default)


async def test_vertex_without_credentials_is_missing_api_key_not_google_auth_error(monkeypatch):
    from rehost import GeminiClient
    from rehost.errors import MissingAPIKey

    _no_adc(monkeypatch)
    host = _VertexRecorder()
    client = GeminiClient("2.5-flash-lite", provider=host.provider)
    with pytest.raises(MissingAPIKey) as caught:
        client.complete("hi")
    refused(caught, "access_token", "gcloud auth application-default login", "GOOGLE_APPLICATION_CREDENTIALS")
    with pytest.raises(MissingAPIKey):
        await client.acomplete("hi")
    with pytest.raises(MissingAPIKey):
        list(client.stream("hi"))
    assert host.sent == []


class _Creds:
    valid = False
    expired = True
    token = None

    def __init__(self, error) -> None:
        self.error = error

    def refresh(self, request) -> None:
        raise self.error


@pytest.mark.parametrize(("error", "expected"), [("refresh", "AuthenticationError"), ("transport", "ConnectionFailed")])
def test_vertex_credentials_that_cannot_give_a_token_are_rehost_errors(error, expected):
    from google.auth.exceptions import RefreshError, TransportError

    from rehost import GeminiClient

    exc = RefreshError("invalid_grant: Token has been expired or revoked.") if error == "refresh" else \
        TransportError("Failed to connect to oauth2.googleapis.com")
    host = _VertexRecorder(credentials=_Creds(exc))
    with pytest.raises(RehostError) as caught:
        GeminiClient("2.5-flash-lite", provider=host.provider).complete("hi")
    assert type(caught.value).__name__ == expected
    refused(caught, "vertex")
    assert host.sent == []


# ---------------------------------------------------------------------------------------------- item 20: output=


def test_a_typing_typeddict_output_works_or_says_to_use_typing_extensions(host):
    import sys
    import typing

    import typing_extensions

    class City(typing.TypedDict):
        name: str

    class ExtCity(typing_extensions.TypedDict):
        name: str

    assert host.client().prepare("hi", output=ExtCity).output is not None
    if sys.version_info >= (3, 12):
        assert host.client().prepare("hi", output=City).output is not None
        return
    with pytest.raises(ConfigurationError) as caught:
        host.client().complete("hi", output=City)
    refused(caught, "typing_extensions.TypedDict", "City")
    assert host.sent == []


class _NotAType:
    pass


BAD_OUTPUTS = {
    "instance": (42, "a type"),
    "object instance": (object(), "a type"),
    "string": ("json", "output=dict"),
    "schema dict": ({"type": "object", "properties": {}}, "Output(schema="),
    "function": (len, "a type"),
    "opaque class": (_NotAType, "_NotAType"),
    "bytes": (b"x", "a type"),
}


@pytest.mark.parametrize("case", list(BAD_OUTPUTS))
def test_what_cannot_describe_an_answer_is_a_configuration_error(host, case):
    target, word = BAD_OUTPUTS[case]
    with pytest.raises(ConfigurationError) as caught:
        host.client().complete("hi", output=target)
    refused(caught, "output", word)
    with pytest.raises(ConfigurationError):
        host.client().run("hi", output=target)
    assert host.sent == []


# ---------------------------------------------------------------------------------------------- item 21: tool_choice


def get_time(city: str) -> str:
    """The local time in a city."""
    return "12:00"


@pytest.mark.parametrize("choice", [5, True, 1.5, ["get_time"], {"type": "function", "function": {"name": "get_time"}},
                                    "get_tme", "AUTO", "", "any"], ids=repr)
@pytest.mark.parametrize("call", ["complete", "stream", "run"])
def test_a_tool_choice_that_names_no_mode_or_tool_is_refused(host, choice, call):
    with pytest.raises(ConfigurationError) as caught:
        getattr(host.client(tools=[get_time]), call)("hi", tool_choice=choice)
    refused(caught, "tool_choice", "get_time")  # the message lists the tools it could name
    assert host.sent == []


def test_a_tool_choice_without_tools_is_refused(host):
    with pytest.raises(ConfigurationError) as caught:
        host.client().complete("hi", tool_choice="get_time")
    refused(caught, "tool_choice", "tools=")
    assert host.sent == []


@pytest.mark.parametrize("choice", ["auto", "none", "required", "get_time"])
def test_valid_tool_choices_are_sent(host, choice):
    assert host.client(tools=[get_time]).complete("hi", tool_choice=choice).text == "ok"
    assert host.client().complete("hi", tools=[get_time], tool_choice=choice).text == "ok"
    assert len(host.sent) == 2


# ---------------------------------------------------------------------------------------------- item 21: stream=


@pytest.mark.parametrize("call", ["complete", "run"])
def test_stream_true_given_to_complete_points_to_stream(host, call):
    with pytest.raises(ConfigurationError) as caught:
        getattr(host.client(), call)("hi", stream=True)
    refused(caught, "stream()")
    assert host.sent == []


async def test_stream_true_given_to_acomplete_points_to_astream(host):
    with pytest.raises(ConfigurationError) as caught:
        await host.client().acomplete("hi", stream=True)
    refused(caught, "astream()")
    with pytest.raises(ConfigurationError):
        await host.client().arun("hi", stream=True)
    assert host.sent == []


@pytest.mark.parametrize("value", [True, False])
def test_stream_given_to_stream_is_refused_not_a_type_error(host, value):
    with pytest.raises(ConfigurationError) as caught:
        host.client().stream("hi", stream=value)
    refused(caught, "stream")
    with pytest.raises(ConfigurationError):
        host.client().astream("hi", stream=value)
    assert host.sent == []


def test_stream_false_given_to_complete_is_harmless(host):
    assert host.client().complete("hi", stream=False).text == "ok"


# ---------------------------------------------------------------------------------------------- item 21: Claude


@pytest.mark.parametrize("temperature", [1.01, 1.5, 2.0])
@pytest.mark.parametrize("where", ["client", "call"])
def test_claude_refuses_a_temperature_above_1(temperature, where):
    from rehost import ClaudeClient
    from rehost.errors import UnsupportedFeature

    sent = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(500))
    from rehost.entry import provider as by_name

    keys = {"anthropic": {"api_key": "sk-ant-test-0123456789"}, "openrouter": {"api_key": "sk-or-test-0123456789"},
            "vertex": {"project": "p", "location": "us-east5", "access_token": "ya29.test"}}
    for host_name, options in keys.items():  # model knowledge: the same on every host
        bound = by_name(host_name, transport=transport, **options)
        with pytest.raises(UnsupportedFeature) as caught:
            if where == "client":
                ClaudeClient("sonnet-4.5", provider=bound, temperature=temperature).complete("hi")
            else:
                ClaudeClient("sonnet-4.5", provider=bound).complete("hi", temperature=temperature)
        refused(caught, "0..1", str(temperature))
    assert sent == []


@pytest.mark.parametrize("temperature", [0, 0.5, 1.0])
def test_claude_takes_temperatures_0_to_1(temperature):
    from rehost import ClaudeClient

    request = ClaudeClient("sonnet-4.5").prepare("hi", temperature=temperature)
    assert request.sampling.temperature == temperature


# ---------------------------------------------------------------------------------------------- item 21: sampling


@pytest.mark.parametrize("name", ["max_tokens", "top_k", "seed", "temperature", "top_p", "presence_penalty",
                                  "frequency_penalty"])
@pytest.mark.parametrize("value", [True, False])
def test_bools_are_not_numbers_in_sampling(host, name, value):
    with pytest.raises(ConfigurationError) as caught:
        host.client().complete("hi", **{name: value})
    refused(caught, name)
    with pytest.raises(ConfigurationError):
        host.client(**{name: value})
    assert host.sent == []


@pytest.mark.parametrize("stop", [[], (), "", [""], ["ok", ""]], ids=repr)
def test_empty_stop_sequences_are_refused(host, stop):
    with pytest.raises(ConfigurationError) as caught:
        host.client().complete("hi", stop=stop)
    refused(caught, "stop")
    with pytest.raises(ConfigurationError):
        host.client(stop=stop)
    assert host.sent == []


def test_real_stop_sequences_are_sent(host):
    assert host.client().complete("hi", stop=["\n\n", " ", "END"]).text == "ok"  # whitespace is text too
    assert host.client().complete("hi", stop="END").text == "ok"
    import json

    assert json.loads(host.sent[-1].content)["stop"] == ["END"]


# ---------------------------------------------------------------------------------------------- item 21: Tool schema


@pytest.mark.parametrize("parameters", [{"type": "string"}, {"type": "array", "items": {"type": "integer"}},
                                        {"type": "integer"}, {"enum": ["a", "b"]}, {"items": {}}], ids=repr)
def test_a_tool_whose_parameters_are_not_an_object_schema_is_refused(host, parameters):
    from rehost import Tool

    with pytest.raises(ConfigurationError) as caught:
        Tool(name="f", parameters=parameters)
    refused(caught, "object")
    with pytest.raises(ConfigurationError):
        host.client(tools=[{"name": "f", "parameters": parameters}])


@pytest.mark.parametrize("parameters", [{}, {"type": "object"}, {"type": "object", "properties": {"a": {}}},
                                        {"properties": {"a": {"type": "string"}}}, {"type": ["object", "null"]}],
                         ids=repr)
def test_object_schemas_are_tool_parameters(parameters):
    from rehost import Tool

    assert Tool(name="f", parameters=parameters).parameters == parameters


def test_a_pydantic_root_model_is_not_a_tool():
    from pydantic import RootModel

    from rehost.shared.tools import tools_and_runners

    class Numbers(RootModel[list[int]]):
        pass

    with pytest.raises(ConfigurationError) as caught:
        tools_and_runners([Numbers])
    refused(caught, "object")


# ---------------------------------------------------------------------------------------------- item 21: images

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"\x00" * 32


def _image(**kwargs):
    from rehost import ImagePart

    return ImagePart(**kwargs)


def _document(**kwargs):
    from rehost import DocumentPart

    return DocumentPart(**kwargs)


BAD_IMAGES = {
    "empty bytes": ({"data": b""}, "empty"),
    "text bytes": ({"data": b"hello world, not an image"}, "not a PNG, JPEG, GIF, WebP"),
    "html error page": ({"data": b"<!DOCTYPE html><html>404</html>"}, "not a PNG, JPEG, GIF, WebP"),
    "truncated png": ({"data": b"\x89PN"}, "not a PNG, JPEG, GIF, WebP"),
    "base64 png": ({"data": _b64.b64encode(PNG)}, "base64"),
    "base64 jpeg": ({"data": _b64.b64encode(JPEG)}, "base64"),
    "base64 with newlines": ({"data": _b64.encodebytes(PNG * 4)}, "base64"),
    "data url bytes": ({"data": b"data:image/png;base64," + _b64.b64encode(PNG)}, "base64"),
    "too large": ({"data": PNG + b"\x00" * (20 * 1024 * 1024)}, "20 MB"),
    "empty url": ({"url": ""}, "url"),
    "blank url": ({"url": "   "}, "url"),
    "local path as url": ({"url": "photos/cat.png"}, "read_bytes"),
    "file url": ({"url": "file:///tmp/cat.png"}, "read_bytes"),
    "media type says jpeg, bytes are png": ({"data": PNG, "media_type": "image/jpeg"}, "image/png"),
    "media type says png, bytes are not": ({"data": b"hello", "media_type": "image/png"}, "image/png"),
    "a pdf": ({"data": PDF}, "DocumentPart"),
    "bad base64": ({"base64": "not base64!!"}, "base64"),
    "base64 and data": ({"base64": _b64.b64encode(PNG).decode(), "data": PNG}, "base64"),
}


@pytest.mark.parametrize("case", list(BAD_IMAGES))
def test_images_that_cannot_be_sent_are_refused(host, case):
    kwargs, word = BAD_IMAGES[case]
    with pytest.raises(ConfigurationError) as caught:
        _image(**kwargs)
    refused(caught, word)
    from rehost import Message

    as_dict = {"role": "user", "content": ["look", {"type": "image", **kwargs}]}
    with pytest.raises(ConfigurationError):
        host.client().complete([as_dict])
    with pytest.raises(ConfigurationError):
        Message.model_validate(as_dict)
    assert host.sent == []


@pytest.mark.parametrize(("data", "media_type"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"),
                                                  (WEBP, "image/webp"), (HEIC, "image/heic")],
                         ids=["png", "jpeg", "gif", "webp", "heic"])
def test_real_images_are_taken_and_sent(host, data, media_type):
    from rehost import Message

    part = _image(data=data)
    assert part.media_type == media_type
    assert _image(data=data, media_type=media_type).media_type == media_type
    assert _image(base64=_b64.b64encode(data).decode()).data == data  # base64= is the decoded way in
    assert _image(base64=f"data:{media_type};base64,{_b64.b64encode(data).decode()}").data == data
    assert host.client().complete([Message.user("look", part)]).text == "ok"


def test_image_media_type_jpg_is_jpeg_and_other_formats_can_be_named():
    assert _image(data=JPEG, media_type="image/jpg").media_type == "image/jpeg"
    bmp = b"BM" + b"\x00" * 32
    assert _image(data=bmp, media_type="image/bmp").media_type == "image/bmp"  # named: the host decides
    assert _image(url="https://example.com/cat").media_type is None
    assert _image(url="gs://bucket/cat.png").media_type == "image/png"
    assert _image(url="data:image/png;base64," + _b64.b64encode(PNG).decode()).url.startswith("data:")


BAD_DOCUMENTS = {
    "empty bytes": ({"data": b""}, "empty"),
    "not a pdf": ({"data": b"hello world"}, "PDF"),
    "base64 pdf": ({"data": _b64.b64encode(PDF)}, "base64"),
    "an image": ({"data": PNG}, "ImagePart"),
    "empty url": ({"url": ""}, "url"),
    "local path": ({"url": "report.pdf"}, "read_bytes"),
}


@pytest.mark.parametrize("case", list(BAD_DOCUMENTS))
def test_documents_that_cannot_be_sent_are_refused(case):
    kwargs, word = BAD_DOCUMENTS[case]
    with pytest.raises(ConfigurationError) as caught:
        _document(**kwargs)
    refused(caught, word)


def test_real_documents_are_taken():
    assert _document(data=PDF).media_type == "application/pdf"
    assert _document(data=b"\xef\xbb\xbf%PDF-1.4\n").media_type == "application/pdf"  # junk before the header
    assert _document(base64=_b64.b64encode(PDF).decode()).data == PDF
    assert _document(url="https://example.com/r.pdf").url == "https://example.com/r.pdf"


# ---------------------------------------------------------------------------------------------- item 22


@pytest.mark.parametrize("mode", ["native", "json", "tool", "prompt"])
@pytest.mark.parametrize("call", ["complete", "stream", "run", "prepare"])
def test_output_mode_without_output_is_refused(host, mode, call):
    with pytest.raises(ConfigurationError) as caught:
        getattr(host.client(), call)("hi", output_mode=mode)
    refused(caught, "output_mode", "output=")
    assert host.sent == []


@pytest.mark.parametrize("mode", ["jsn", "JSON", "", None, 1, True])
def test_an_unknown_output_mode_is_refused(host, mode):
    with pytest.raises(ConfigurationError) as caught:
        host.client().complete("hi", output=dict, output_mode=mode)
    refused(caught, "output_mode", "native")
    assert host.sent == []


def test_output_mode_auto_without_output_is_the_default(host):
    assert host.client().complete("hi", output_mode="auto").text == "ok"


@pytest.mark.parametrize("value", ["no", "false", 0, 1, None, "", [], "True"], ids=repr)
def test_check_context_must_be_a_bool(host, value):
    with pytest.raises(ConfigurationError) as caught:
        host.client(check_context=value)
    refused(caught, "check_context", "True or False")
    if value is not None:  # check_context=None per call means "the client's setting"
        with pytest.raises(ConfigurationError):
            host.client().complete("hi", check_context=value)
    assert host.sent == []


@pytest.mark.parametrize("value", [True, False])
def test_check_context_takes_bools(host, value):
    assert host.client(check_context=value).complete("hi", check_context=value).text == "ok"


@pytest.mark.parametrize("kwargs", [{"project": ""}, {"project": "   "}, {"project": "p", "location": ""},
                                    {"project": 42}], ids=repr)
def test_vertex_refuses_an_empty_project_or_location(kwargs, monkeypatch):
    from rehost import Vertex

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "from-the-environment")
    with pytest.raises(ConfigurationError) as caught:
        Vertex(access_token="t", **kwargs)
    refused(caught, "vertex", list(kwargs)[-1])


def test_vertex_still_reads_the_project_from_the_environment(monkeypatch):
    from rehost import Vertex

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "from-the-environment")
    assert Vertex(access_token="t").project == "from-the-environment"
    assert Vertex("mine", access_token="t").project == "mine"


@pytest.mark.parametrize(("host_name", "host_id", "word"), [("nosuchhost", "x", "nosuchhost"), ("grok", "x", "groq"),
                                                            ("", "x", "host"), ("groq", "", "id"),
                                                            ("groq", "   ", "id"), ("groq", 42, "id")])
def test_register_refuses_an_unknown_host_or_an_empty_id(host_name, host_id, word):
    cat = _catalog()
    with pytest.raises(ConfigurationError) as caught:
        cat.register("deepseek-r1", host_name, host_id)
    refused(caught, word)
    assert host_name not in cat.model("deepseek-r1").hosts or cat.model("deepseek-r1").hosts[host_name].id != host_id


def test_register_takes_known_hosts_and_new_hosts_when_asked():
    cat = _catalog()
    cat.register("deepseek-r1", "groq", "my-r1")
    assert cat.host_entry("deepseek-r1", "groq").id == "my-r1"
    cat.register("deepseek-r1", "my-gateway", "r1", new_host=True)  # a host of one's own (OpenAICompatible(name=))
    assert cat.host_entry("deepseek-r1", "my-gateway").id == "r1"
    cat.register("deepseek-v4-flash", "my-gateway", "v4")  # known now
    assert cat.host_entry("deepseek-v4-flash", "my-gateway").id == "v4"
