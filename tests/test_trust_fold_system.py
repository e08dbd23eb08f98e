"""fold_system: the system prompt of a model without a system role goes into the first user turn, and that turn
keeps everything else it held."""

from __future__ import annotations

from rehost import GemmaClient, Message
from rehost.shared.types import ImagePart

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_a_folded_system_prompt_keeps_the_turns_images():
    """fold_system (models without a system role) rebuilt the first user turn from its text alone, silently
    dropping its images: a MedGemma X-ray question reached the model without the X-ray."""
    request = GemmaClient("3-4b-it").prepare([Message.system("You are a radiologist."),
                                              Message.user("Describe this X-ray.", ImagePart(data=PNG))])
    (turn,) = request.messages
    assert [p.type for p in turn.parts] == ["text", "image"]
    assert turn.parts[0].text == "You are a radiologist.\n\nDescribe this X-ray."
    only_image = GemmaClient("3-4b-it").prepare([Message.system("Be brief."), Message.user("", ImagePart(data=PNG))])
    assert [p.type for p in only_image.messages[0].parts] == ["text", "image"]
    assert GemmaClient("3-4b-it").prepare("hi", system="Be brief.").messages[0].parts[0].text == "Be brief.\n\nhi"
