"""Tests leave no state in the process-wide catalogue (issue 12, item 33): the guard in conftest.py fails a
test that does, and ``private_catalog`` is the way to change it for one test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rehost import catalog

ROOT = Path(__file__).resolve().parents[1]

LEAKY = '''
from rehost import catalog

def test_leaks():
    catalog().register("leaked-model", "groq", "x", family="test")

def test_overwrites_a_shipped_row():
    row = catalog().model("deepseek-v4-flash").hosts["deepseek"]
    catalog().register("deepseek-v4-flash", "deepseek", row.id, context_window=64)

def test_keeps_to_itself(private_catalog):
    private_catalog.register("private-model", "groq", "x", family="test")
    assert catalog().host_entry("private-model", "groq").id == "x"
'''


def test_the_guard_fails_a_test_that_leaves_the_catalogue_changed(tmp_path):
    (tmp_path / "test_leaky.py").write_text(LEAKY, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
                           "--rootdir", str(tmp_path), str(tmp_path / "test_leaky.py")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    out = done.stdout
    assert done.returncode == 1, out
    assert "test_leaky.py::test_leaks left the process-wide catalogue changed (added leaked-model)" in out
    assert "test_overwrites_a_shipped_row left the process-wide catalogue changed (changed deepseek-v4-flash)" in out
    assert "test_keeps_to_itself left" not in out
    assert "the test session left the process-wide catalogue changed" in out  # and the session guard too
    assert "3 passed, 3 errors" in out


def test_private_catalogue_changes_stay_private(private_catalog):
    private_catalog.register("only-here", "groq", "x", family="test")
    assert "only-here" in catalog()


def test_and_are_gone_in_the_next_test():
    assert "only-here" not in catalog()
