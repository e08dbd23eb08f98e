"""A tool loop and a typed answer, each with one client moved between two hosts, offline.

The answers are the ones real hosts gave to these same requests (../shared/conformance), replayed from a local
HTTP server. The model ids differ per host, so each client names a catalogue entry that this script adds, and
each provider looks up its own id for it: the same code would run against the live hosts with keys set.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel

import rehost
from rehost import GenericClient, Google, Groq, Mistral
from rehost.shared.output import Output
from rehost.testing.replay import ReplayServer

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = Path(os.environ.get("REHOST_CASSETTES") or ROOT.parent / "shared" / "conformance" / "cassettes")
KEY = "offline-demo-key"


def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    print(f"    (tool) get_weather({city!r})")
    return f"Sunny, 22C in {city}"


class CityLocation(BaseModel):
    """A city and its country."""

    city: str
    country: str


def replay(name: str) -> ReplayServer:
    return ReplayServer.from_cassettes([CASSETTES / name])


def main() -> None:
    catalog = rehost.catalog()
    catalog.register("demo-weather-model", "groq", "meta-llama/llama-4-scout-17b-16e-instruct", family="demo")
    catalog.register("demo-weather-model", "mistral", "mistral-large-latest")
    catalog.register("demo-city-model", "groq", "openai/gpt-oss-120b", family="demo")
    catalog.register("demo-city-model", "google", "gemini-2.0-flash")

    print("Tool loop: the client runs get_weather when the model asks, then sends the result back")
    weather = GenericClient("demo-weather-model")
    for name, make in (("groq/tools_auto_roundtrip_llama4.yaml", lambda url: Groq(KEY, base_url=url + "/openai/v1")),
                       ("mistral/tools_auto_roundtrip_large.yaml", lambda url: Mistral(KEY, base_url=url + "/v1"))):
        with replay(name) as server:
            weather.provider = make(server.url)
            result = weather.run("What's the weather in Paris?", tools=[get_weather], tool_choice="auto")
            print(f"  {weather.provider.name:8} after {result.turns} turns: {result.text}")

    print("\nTyped answer: the same pydantic model, each host's own structured-output mechanism")
    city = GenericClient("demo-city-model")
    for name, make in (("groq/json_schema_native_output_gpt_oss.yaml",
                        lambda url: Groq(KEY, base_url=url + "/openai/v1")),
                       ("gemini/json_response_schema_native_output.yaml",
                        lambda url: Google(KEY, base_url=url + "/v1beta"))):
        with replay(name) as server:
            city.provider = make(server.url)
            answer = city.complete("What is the largest city in Mexico?", output=Output.of(CityLocation, strict=True))
            print(f"  {city.provider.name:8} -> {answer!r}")


if __name__ == "__main__":
    main()
