"""pytest fixtures for testing code that uses rehost, offline.

Enable with ``pytest_plugins = ["rehost.testing.pytest_plugin"]`` in a conftest.py. ``rehost_emulator`` is a
host emulator on loopback, fresh for each test (scripts and injected faults reset)::

    def test_my_app_survives_a_rate_limit(rehost_emulator):
        rehost_emulator.inject("429", retry_after="0")
        client = GenericClient("m", provider=rehost_emulator.provider("groq"))
        assert my_app(client) == ...

``rehost_realtime_emulator`` is the realtime voice emulator (websockets; ``emulator_realtime``), reset the
same way: ``rehost_realtime_emulator.url("openai", model="gpt-realtime")``, ``.inject("drop")``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .emulator import Emulator
from .emulator_realtime import RealtimeEmulator


@pytest.fixture(scope="session")
def _rehost_emulator_server() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def rehost_emulator(_rehost_emulator_server: Emulator) -> Iterator[Emulator]:
    _rehost_emulator_server.reset()
    yield _rehost_emulator_server
    _rehost_emulator_server.reset()


@pytest.fixture(scope="session")
def _rehost_realtime_server() -> Iterator[RealtimeEmulator]:
    with RealtimeEmulator() as emulator:
        yield emulator


@pytest.fixture
def rehost_realtime_emulator(_rehost_realtime_server: RealtimeEmulator) -> Iterator[RealtimeEmulator]:
    _rehost_realtime_server.reset()
    yield _rehost_realtime_server
    _rehost_realtime_server.reset()
