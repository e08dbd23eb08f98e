"""The emulator is a package of small modules (issue 13): its old import paths keep working, every module stays
small, and the dialect responders read host quirks from ``quirks.STYLES`` rather than naming hosts."""

from __future__ import annotations

import re
from pathlib import Path

import rehost.testing.emulator as emulator
import rehost.testing.emulator_embed as old_embed
from rehost.testing.emulator import embed, quirks

PACKAGE = Path(emulator.__file__).parent
RESPONDERS = ("chat.py", "gemini.py", "messages.py", "responses.py", "ollama.py", "responder.py")


def test_every_module_of_the_emulator_is_under_500_lines() -> None:
    sizes = {p.name: len(p.read_text().splitlines()) for p in PACKAGE.glob("*.py")}
    assert set(RESPONDERS) <= set(sizes)
    assert {name: n for name, n in sizes.items() if n >= 500} == {}


def test_the_old_embeddings_module_is_the_package_one() -> None:
    assert old_embed.vector_for is embed.vector_for
    assert old_embed.embed_responder is embed.embed_responder
    assert emulator.vector_for is embed.vector_for


def test_the_public_names_are_where_they_were() -> None:
    for name in ("FAULTS", "STYLES", "Emulator", "Script", "Seen", "emulator_process", "main"):
        assert hasattr(emulator, name), name
    assert emulator.STYLES is quirks.STYLES
    assert (PACKAGE / "__main__.py").exists()  # ``python -m rehost.testing.emulator`` (emulator_process)


def test_responders_ask_the_quirk_table_not_the_host_name() -> None:
    named = re.compile(r"""style\s*(==|!=|in)\s*[("']""")
    offenders = [f"{name}:{i}" for name in RESPONDERS
                 for i, line in enumerate((PACKAGE / name).read_text().splitlines(), 1) if named.search(line)]
    assert offenders == []
