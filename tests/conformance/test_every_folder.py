"""Every folder of realtime (and of more chat) recordings has a suite that replays it: a new folder under
``../shared/conformance/realtime/`` with no suite fails here rather than being skipped unseen (each folder's own
suite then checks that it interprets every file in it)."""

from __future__ import annotations

from tests.conformance import test_realtime_google_xai as google_xai
from tests.conformance import test_realtime_openai as openai
from tests.conformance.realtime_replay import FOLDER


def test_every_realtime_folder_is_replayed_by_a_suite():
    folders = {p.name for p in FOLDER.iterdir() if p.is_dir()}
    assert folders, f"no recordings under {FOLDER}"
    covered = set(openai.FOLDERS) | {p.parent.name for p in
                                     google_xai.XAI_FILES + google_xai.GOOGLE_FILES + google_xai.GATEWAY_FILES}
    assert folders <= covered, f"folders no suite replays: {sorted(folders - covered)}"
    replayed = {p for p in openai.CASSETTES} | set(google_xai.XAI_FILES + google_xai.GOOGLE_FILES
                                                   + google_xai.GATEWAY_FILES)
    assert replayed == set(FOLDER.glob("*/*.yaml")), "a recording no suite replays"


def test_every_folder_of_more_chat_recordings_is_replayed_by_a_suite():
    """The same for ``cassettes-more/``: Bedrock's suite and the one for the other new chat hosts."""
    from tests.conformance import test_cassettes_more as more
    from tests.conformance import test_cassettes_more_bedrock as bedrock

    folders = {p.name for p in more.MORE.iterdir() if p.is_dir()}
    assert folders, f"no recordings under {more.MORE}"
    assert folders <= set(more.FOLDERS) | {bedrock.BEDROCK.name}, \
        f"folders no suite replays: {sorted(folders - set(more.FOLDERS) - {bedrock.BEDROCK.name})}"
