"""Model prompt rules applied in ``prepare``: a folded system prompt keeps the turn's images (Gemma), the
call's thinking setting decides DeepSeek's sampling advice, and a per-call ``system=`` is never dropped."""

from __future__ import annotations

import warnings

import pytest

from rehost import DeepSeekClient, GemmaClient, GenericClient, Message, Thinking
from rehost.errors import UnsupportedFeature
from rehost.shared.types import DocumentPart, ImagePart, TextPart

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
PDF = b"%PDF-1.4 tiny"

# ------------------------------------------------------------------------------------------ item 12


TURNS = {
    "image_after_text": Message.user("What is this?", ImagePart(data=PNG)),
    "image_first": Message(role="user", parts=(ImagePart(data=PNG), TextPart(text="What is this?"))),
    "image_url": Message.user("Describe it.", ImagePart(url="https://example.com/cat.png")),
    "two_images": Message.user("Compare.", ImagePart(data=PNG), ImagePart(url="https://example.com/b.png")),
    "image_only": Message(role="user", parts=(ImagePart(data=PNG),)),
}


@pytest.mark.parametrize("variant", ["3-4b-it", "3-12b-it", "3-27b-it"])
@pytest.mark.parametrize("turn", sorted(TURNS))
@pytest.mark.parametrize("where", ["client", "call", "message"])
def test_a_folded_system_prompt_keeps_the_images_of_the_first_turn(variant, turn, where):
    user = TURNS[turn]
    client = GemmaClient(variant, system="Answer in French." if where == "client" else None)
    messages = [Message.system("Answer in French."), user] if where == "message" else [user]
    request = client.prepare(messages, system="Answer in French." if where == "call" else None)
    assert [m.role for m in request.messages] == ["user"]
    parts = request.messages[0].parts
    assert [p for p in parts if isinstance(p, ImagePart)] == [p for p in user.parts if isinstance(p, ImagePart)]
    assert request.messages[0].text.startswith("Answer in French.")
    assert "What is this?" in request.messages[0].text or turn not in ("image_after_text", "image_first")


@pytest.mark.parametrize("part", [ImagePart(data=PNG), DocumentPart(data=PDF)], ids=["image", "document"])
@pytest.mark.parametrize("variant", ["3-1b-it", "3-270m-it", "2-9b-it"])
@pytest.mark.parametrize("with_system", [True, False])
def test_a_text_only_gemma_refuses_media_with_or_without_a_system_prompt(variant, part, with_system):
    client = GemmaClient(variant, system="Be brief." if with_system else None)
    with pytest.raises(UnsupportedFeature, match=part.type):
        client.prepare([Message.user("What is this?", part)])


def test_vision_gemma_still_refuses_documents_when_a_system_prompt_is_folded():
    client = GemmaClient("3-4b-it", system="Be brief.")
    with pytest.raises(UnsupportedFeature, match="document"):
        client.prepare([Message.user("Read this.", DocumentPart(data=PDF))])


def test_the_fold_of_a_text_turn_is_unchanged():
    request = GemmaClient("3-1b-it", system="Be brief.").prepare("Hello")
    assert request.messages == (Message(role="user", parts=(TextPart(text="Be brief.\n\nHello"),)),)


# ------------------------------------------------------------------------------------------ item 13


def _warned(client: DeepSeekClient, **call: object) -> bool:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.prepare("hi", temperature=0.3, **call)
    return any("ignores temperature" in str(w.message) for w in caught)


CASES = [
    # (client thinking, call thinking, warned?)
    (None, None, True),  # V4 thinks by default
    (None, False, False),
    (None, Thinking.off(), False),
    (False, None, False),
    (False, True, True),
    (False, "high", True),
    (False, Thinking(effort="max"), True),
    (True, False, False),
    ("high", Thinking.off(), False),
    (True, None, True),
]


@pytest.mark.parametrize("variant", ["v4-flash", "v4-pro"])
@pytest.mark.parametrize(("mine", "call", "warned"), CASES)
def test_deepseek_sampling_advice_follows_the_calls_thinking(variant, mine, call, warned):
    client = DeepSeekClient(variant, thinking=mine)
    options = {} if call is None else {"thinking": call}
    assert _warned(client, **options) is warned


# ------------------------------------------------------------------------------------------ item 19


HISTORY = [Message.system("You are a pirate."), Message.user("Hi")]


@pytest.mark.parametrize("client_system", [None, "Client default."])
def test_a_per_call_system_is_sent_with_the_messages_own_system(client_system):
    request = GenericClient("m", system=client_system).prepare(HISTORY, system="Answer in French.")
    systems = [m.text for m in request.messages if m.role == "system"]
    assert systems == ["Answer in French.", "You are a pirate."]
    assert request.messages[-1] == Message.user("Hi")


def test_a_per_call_system_replaces_the_clients_default():
    request = GenericClient("m", system="Client default.").prepare("Hi", system="Answer in French.")
    assert [m.text for m in request.messages if m.role == "system"] == ["Answer in French."]


def test_the_clients_default_yields_to_the_messages_own_system():
    request = GenericClient("m", system="Client default.").prepare(HISTORY)
    assert [m.text for m in request.messages if m.role == "system"] == ["You are a pirate."]


def test_a_model_without_a_system_role_gets_both_folded_in_order():
    request = GemmaClient("3-1b-it").prepare(HISTORY, system="Answer in French.")
    assert request.messages[0].text == "Answer in French.\n\nYou are a pirate.\n\nHi"


def test_an_empty_per_call_system_turns_the_default_off():
    request = GenericClient("m", system="Client default.").prepare("Hi", system="")
    assert [m.role for m in request.messages] == ["user"]
