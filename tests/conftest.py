"""Suite-wide guards.

The process-wide model catalogue (``rehost.catalog()``) is shared by every test in a run: a test that
registers a row into it and leaves it there changes what every later test sees (issue 12, item 33: a fixture
re-registered a row without its prices). A test that must change the process-wide catalogue asks for
``private_catalog``: a fresh copy of the shipped catalogue stands in for it during that test. The autouse
guard fails any test that leaves the process-wide catalogue changed, naming the rows, and a session guard
catches what module- or session-scoped fixtures leave behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rehost.shared import catalog as _catalog
from tests.redis_server import redis_server  # noqa: F401  (the fixture starting a real Redis, issue 19)


@pytest.fixture
def private_catalog(monkeypatch: pytest.MonkeyPatch) -> _catalog.Catalog:
    """A fresh copy of the shipped catalogue as the process-wide one, for this test only."""
    private = _catalog.Catalog.load()
    monkeypatch.setattr(_catalog, "_default", private)
    return private


def _snapshot() -> tuple[_catalog.Catalog, tuple[Any, ...]]:
    cat = _catalog.default_catalog()
    return cat, tuple(cat.models())  # rows are immutable: register and set_prices replace them


def _changes(before: tuple[_catalog.Catalog, tuple[Any, ...]]) -> list[str]:
    cat, rows = before
    now = _catalog.default_catalog()
    if now is not cat:
        return ["the process-wide catalogue itself was replaced"]
    old = {m.id: m for m in rows}
    new = {m.id: m for m in now.models()}
    changed = [f"added {k}" for k in new.keys() - old.keys()] + [f"removed {k}" for k in old.keys() - new.keys()]
    changed += [f"changed {k}" for k in new.keys() & old.keys() if new[k] is not old[k] and new[k] != old[k]]
    return sorted(changed)


@pytest.fixture(autouse=True)
def _catalogue_left_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    before = _snapshot()
    yield
    changes = _changes(before)
    if changes:
        pytest.fail(f"{request.node.nodeid} left the process-wide catalogue changed ({', '.join(changes)}); "
                    "use the private_catalog fixture", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def _catalogue_left_as_found_by_the_session() -> Iterator[None]:
    before = _snapshot()
    yield
    changes = _changes(before)
    if changes:
        pytest.fail(f"the test session left the process-wide catalogue changed ({', '.join(changes)})",
                    pytrace=False)
