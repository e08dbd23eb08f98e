"""Images and PDFs as message parts: encoded per dialect, refused before any request where the model or the
host cannot take them."""

from __future__ import annotations

import base64

import pytest

from rehost import (
    DeepSeek,
    DeepSeekClient,
    GeminiClient,
    GenericClient,
    Google,
    Groq,
    Message,
    Mistral,
    MistralClient,
    OpenRouter,
    Together,
    Vertex,
)
from rehost.errors import UnsupportedFeature
from rehost.shared.types import DocumentPart, ImagePart

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
PDF = b"%PDF-1.7\n" + b"\x00" * 16


def user_content(provider, *parts):
    request = GenericClient("m").prepare([Message.user("What is this?", *parts)])
    return provider.prepare(request).call.body


def test_parts_know_their_media_type():
    assert ImagePart(data=PNG).media_type == "image/png"
    assert ImagePart(url="https://x.test/cat.webp").media_type == "image/webp"
    assert DocumentPart(data=PDF).media_type == "application/pdf"
    assert ImagePart(data=PNG).data_url == "data:image/png;base64," + base64.b64encode(PNG).decode()
    with pytest.raises(ValueError, match="either url"):
        ImagePart()
    with pytest.raises(ValueError, match="cannot hold"):
        ImagePart(data=PDF)


@pytest.mark.parametrize("provider", [Groq("k"), OpenRouter("k"), Together("k")], ids=["groq", "openrouter",
                                                                                       "together"])
def test_openai_dialect_images(provider):
    body = user_content(provider, ImagePart(url="https://x.test/a.jpg"), ImagePart(data=PNG))
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "https://x.test/a.jpg"}},
        {"type": "image_url", "image_url": {"url": ImagePart(data=PNG).data_url}},
    ]


def test_openrouter_pdfs_are_file_parts():
    body = user_content(OpenRouter("k"), DocumentPart(data=PDF, name="report.pdf"))
    assert body["messages"][0]["content"][1] == {
        "type": "file", "file": {"filename": "report.pdf", "file_data": DocumentPart(data=PDF).data_url}}


def test_mistral_spelling_and_pdf_by_url_only():
    body = user_content(Mistral("k"), ImagePart(url="https://x.test/a.png"),
                        DocumentPart(url="https://x.test/r.pdf"))
    assert body["messages"][0]["content"][1:] == [
        {"type": "image_url", "image_url": "https://x.test/a.png"},
        {"type": "document_url", "document_url": "https://x.test/r.pdf"},
    ]
    with pytest.raises(UnsupportedFeature, match="by URL"):
        user_content(Mistral("k"), DocumentPart(data=PDF))


@pytest.mark.parametrize("provider", [Google("k"), Vertex("p", access_token="t")], ids=["google", "vertex"])
def test_gemini_inline_and_file_data(provider):
    body = user_content(provider, ImagePart(data=PNG), DocumentPart(url="gs://bucket/r.pdf"))
    assert body["contents"][0]["parts"] == [
        {"text": "What is this?"},
        {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(PNG).decode()}},
        {"fileData": {"mimeType": "application/pdf", "fileUri": "gs://bucket/r.pdf"}},
    ]


def test_gemini_needs_a_media_type_for_an_unknown_url():
    with pytest.raises(UnsupportedFeature, match="media type"):
        user_content(Google("k"), ImagePart(url="https://x.test/image"))


def test_hosts_refuse_what_they_cannot_take():
    with pytest.raises(UnsupportedFeature, match="deepseek does not take image"):
        user_content(DeepSeek("k"), ImagePart(data=PNG))
    with pytest.raises(UnsupportedFeature, match="groq does not take document"):
        user_content(Groq("k"), DocumentPart(data=PDF))


def test_models_refuse_what_they_cannot_read():
    with pytest.raises(UnsupportedFeature, match="does not read image"):
        DeepSeekClient("v4-flash").prepare([Message.user("see", ImagePart(data=PNG))])
    with pytest.raises(UnsupportedFeature, match="does not read document"):
        MistralClient("codestral").prepare([Message.user("read", DocumentPart(url="https://x.test/r.pdf"))])
    assert GeminiClient("2.5-flash").prepare([Message.user("see", ImagePart(data=PNG))]).messages


def test_images_only_in_user_turns():
    with pytest.raises(ValueError, match="assistant message cannot hold image parts"):
        Message(role="assistant", parts=(ImagePart(data=PNG),))


def test_tool_results_with_images_go_to_gemini_only():
    from rehost import ToolCall

    call = ToolCall(id="c1", name="get_file")
    history = [Message.user("fetch it"), Message(role="assistant", parts=(call,)),
               Message.tool(call, {}, parts=[ImagePart(url="https://x.test/1.png")])]
    body = Google("k").prepare(GenericClient("g").prepare(history)).call.body
    assert body["contents"][2]["parts"][0]["functionResponse"] == {
        "name": "get_file", "response": {}, "id": "c1",
        "parts": [{"fileData": {"mimeType": "image/png", "fileUri": "https://x.test/1.png"}}]}
    with pytest.raises(UnsupportedFeature, match="text tool results only"):
        OpenRouter("k").prepare(GenericClient("m").prepare(history))


def test_web_search_is_the_hosts_own_tool():
    from rehost.shared.types import WebSearch

    req = GenericClient("m").prepare("news?", tools=[WebSearch()])
    assert Google("k").prepare(req).call.body["tools"] == [{"googleSearch": {}}]
    assert OpenRouter("k").prepare(req).call.body["plugins"] == [{"id": "web"}]
    with pytest.raises(UnsupportedFeature, match="no built-in web_search"):
        Groq("k").prepare(req)
