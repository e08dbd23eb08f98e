"""The encoded submit bodies match the documented shapes (HOSTS-MEDIA §4) field by field, and a request
outside a model's rules fails before anything is sent, with the allowed values in the message."""

from __future__ import annotations

import base64
import uuid

import pytest

from rehost.clients.video.base import VideoRules
from rehost.clients.video.hailuo import HailuoClient
from rehost.clients.video.kling import KlingClient
from rehost.clients.video.runway import RunwayClient
from rehost.clients.video.seedance import SeedanceClient
from rehost.clients.video.veo import VeoClient
from rehost.errors import ConfigurationError, UnsupportedFeature
from rehost.providers.runware import Runware
from rehost.shared.video.media import as_media
from rehost.shared.video.size import aspect_of, parse_size, resolution_of

from .video_hosts import GoogleVideoHost, OpenRouterVideoHost, VertexVideoHost

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 24
B64 = base64.b64encode(PNG).decode()


def submit_body(client, **options):
    request = client.request("A cat playing with a ball of yarn", **options)
    call, model_id = client.endpoint.prepare_submit(request)
    return call, model_id


def test_runware_submit_is_the_documented_task_array():
    client = KlingClient("kling-video-3-standard", provider=Runware("k"))
    call, model_id = submit_body(client, duration=10, size="1280x720", seed=42, negative_prompt="blur",
                                 image="https://example.com/first.png", webhook_url="https://me.example/hook")
    assert call.method == "POST"
    assert call.url == "https://api.runware.ai/v1"
    assert isinstance(call.body, list)
    assert len(call.body) == 1
    task = call.body[0]
    assert uuid.UUID(task.pop("taskUUID")).version == 4
    assert task == {"taskType": "videoInference", "model": "klingai:kling-video@3-standard",
                    "positivePrompt": "A cat playing with a ball of yarn", "negativePrompt": "blur",
                    "duration": 10, "width": 1280, "height": 720, "seed": 42, "numberResults": 1,
                    "deliveryMethod": "async", "includeCost": True, "outputFormat": "MP4",
                    "frameImages": [{"inputImage": "https://example.com/first.png", "frame": "first"}],
                    "webhookURL": "https://me.example/hook"}
    assert model_id == "klingai:kling-video@3-standard"
    assert call.headers["Content-Type"] == "application/json"
    assert "Authorization" not in call.headers  # added at send time, never kept in the prepared call


def test_runware_uuids_are_new_for_every_submit():
    client = KlingClient("kling-video-3-standard", provider=Runware("k"))
    first = submit_body(client, duration=5, size="1280x720")[0].body[0]["taskUUID"]
    assert first != submit_body(client, duration=5, size="1280x720")[0].body[0]["taskUUID"]


def test_runware_frames_inline_as_data_uris_and_a_fps_where_the_model_has_one():
    client = HailuoClient("hailuo-2.3", provider=Runware("k"))
    call, _ = submit_body(client, duration=6, size="1920x1080", fps=25, first_frame=PNG,
                          last_frame=None)
    task = call.body[0]
    assert task["model"] == "minimax:4@1"
    assert task["fps"] == 25
    assert task["frameImages"] == [{"inputImage": f"data:image/png;base64,{B64}", "frame": "first"}]


def test_runware_refuses_what_it_has_no_field_for():
    client = KlingClient("kling-video-3-standard", provider=Runware("k"))
    with pytest.raises(UnsupportedFeature, match="providerSettings"):
        submit_body(client, duration=5, size="1280x720", audio=True)


def test_gemini_api_submit_is_predict_long_running():
    client = VeoClient("veo-3.1", provider=GoogleVideoHost("k"))
    call, _ = submit_body(client, duration=8, aspect_ratio="16:9", resolution="720p", negative_prompt="blur",
                          image=PNG, last_frame=PNG, seed=7)
    assert call.url == ("https://generativelanguage.googleapis.com/v1beta/models/veo-3.1-generate-preview"
                        ":predictLongRunning")
    assert call.body == {
        "instances": [{"prompt": "A cat playing with a ball of yarn",
                       "image": {"bytesBase64Encoded": B64, "mimeType": "image/png"},
                       "lastFrame": {"bytesBase64Encoded": B64, "mimeType": "image/png"}}],
        "parameters": {"aspectRatio": "16:9", "durationSeconds": 8, "resolution": "720p",
                       "negativePrompt": "blur", "seed": 7, "sampleCount": 1}}


def test_gemini_api_wants_image_bytes_not_urls():
    client = VeoClient("veo-3.1", provider=GoogleVideoHost("k"))
    with pytest.raises(UnsupportedFeature, match="bytes"):
        submit_body(client, image="https://example.com/a.png")


def test_vertex_submit_carries_the_storage_uri_and_gcs_frames():
    client = VeoClient("veo-3.1", provider=VertexVideoHost("t"))
    call, _ = submit_body(client, duration=8, aspect_ratio="9:16", audio=True, output_uri="gs://bucket/out",
                          image="gs://bucket/first.png")
    assert call.url == ("https://aiplatform.googleapis.com/v1/projects/emu-project/locations/us-central1/publishers/"
                        "google/models/veo-3.1-generate-001:predictLongRunning")
    assert call.body == {
        "instances": [{"prompt": "A cat playing with a ball of yarn",
                       "image": {"gcsUri": "gs://bucket/first.png", "mimeType": "image/png"}}],
        "parameters": {"aspectRatio": "9:16", "durationSeconds": 8, "generateAudio": True,
                       "storageUri": "gs://bucket/out", "sampleCount": 1}}


def test_openrouter_submit_is_the_videos_body():
    client = VeoClient("veo-3.1", provider=OpenRouterVideoHost("k"))
    call, _ = submit_body(client, duration=8, resolution="720p", aspect_ratio="16:9", audio=True, seed=3,
                          image="https://example.com/first.png", webhook_url="https://me.example/done")
    assert call.url == "https://openrouter.ai/api/v1/videos"
    assert call.body == {"model": "google/veo-3.1", "prompt": "A cat playing with a ball of yarn", "duration": 8,
                         "resolution": "720p", "aspect_ratio": "16:9", "generate_audio": True, "seed": 3,
                         "callback_url": "https://me.example/done",
                         "frame_images": [{"type": "image_url", "image_url": {"url": "https://example.com/first.png"},
                                           "frame_type": "first_frame"}]}


def test_extra_body_is_merged_into_the_task():
    client = KlingClient("kling-video-3-standard", provider=Runware("k"))
    call, _ = submit_body(client, duration=5, size="1280x720",
                          extra_body={"providerSettings": {"klingai": {"sound": True}}})
    assert call.body[0]["providerSettings"] == {"klingai": {"sound": True}}


# -- model knowledge: outside the rules fails before the network, naming what is allowed ----------------------
@pytest.mark.parametrize(("client", "options", "words"), [
    (KlingClient("kling-video-3-standard", provider=Runware("k")), {"duration": 7}, ["5, 10 seconds", "UNCONFIRMED"]),
    (KlingClient("kling-video-3-standard", provider=Runware("k")), {"size": "1920x1080"},
     ["1280x720, 960x960, 720x1280"]),
    (VeoClient("veo-3.1", provider=GoogleVideoHost("k")), {"resolution": "4k"}, ["720p, 1080p"]),
    (VeoClient("veo-2.0", provider=GoogleVideoHost("k")), {"audio": True}, ["no sound"]),
    (VeoClient("veo-2.0", provider=GoogleVideoHost("k")), {"duration": 9}, ["from 5 to 8"]),
    (SeedanceClient("seedance-1.0-pro", provider=Runware("k")), {"duration": 5.5}, ["whole seconds from 5 to 10"]),
    (HailuoClient("hailuo-2.3", provider=Runware("k")), {"duration": 10, "size": "1920x1080"}, ["768p"]),
    (HailuoClient("hailuo-2.3", provider=Runware("k")), {"fps": 30}, ["allowed: 25"]),
    (RunwayClient("runway-gen4-turbo", provider=Runware("k")), {}, ["from an image only"]),
], ids=["kling duration", "kling size", "veo resolution", "veo2 audio", "veo2 duration", "seedance whole seconds",
        "hailuo 10s 1080p", "hailuo fps", "runway image only"])
def test_a_request_outside_the_models_rules_fails_before_the_network(client, options, words):
    with pytest.raises(UnsupportedFeature) as caught:
        client.request("a cat", **options)
    for word in words:
        assert word in str(caught.value)


def test_a_prompt_over_the_limit_names_the_limit():
    client = KlingClient("kling-video-3-standard", provider=Runware("k"))
    with pytest.raises(UnsupportedFeature, match="2 to 2500 characters"):
        client.request("x" * 2501)


def test_rules_can_be_replaced_or_the_check_turned_off():
    client = KlingClient("kling-video-3-standard", provider=Runware("k"))
    assert client.with_rules(durations=(5, 7, 10)).request("a cat", duration=7).duration == 7
    loose = KlingClient("kling-video-3-standard", provider=Runware("k"), check=False)
    assert loose.request("a cat", duration=7).duration == 7
    mine = KlingClient("my-kling", provider=Runware("k"), rules=VideoRules(durations=(3,)))
    assert mine.request("a cat", duration=3, host_model_id="klingai:x@1").model == "my-kling"


@pytest.mark.parametrize(("options", "words"), [
    ({"duration": -1}, ["duration", "> 0"]),
    ({"duration": True}, ["duration"]),
    ({"size": "big"}, ["WIDTHxHEIGHT"]),
    ({"seed": -3}, ["seed"]),
    ({"audio": "yes"}, ["audio"]),
    ({"image": 12}, ["image", "URL"]),
    ({"image": "https://a/b.png", "first_frame": "https://a/c.png"}, ["one of them"]),
    ({"image": "data:image/png;base64,@@@"}, ["base64"]),
    ({"size": "1280x720", "aspect_ratio": "9:16"}, ["16:9"]),
], ids=["negative duration", "bool duration", "bad size", "negative seed", "audio str", "image int", "two firsts",
        "bad data uri", "size vs aspect"])
def test_bad_input_is_a_clear_configuration_error(options, words):
    client = KlingClient("kling-video-3-standard", provider=Runware("k"))
    with pytest.raises(ConfigurationError) as caught:
        client.request("a cat", **options)
    for word in words:
        assert word in str(caught.value)


def test_an_unknown_model_names_the_known_ones():
    with pytest.raises(ConfigurationError, match="kling-video-3-pro"):
        KlingClient("kling-9", provider=Runware("k"))


def test_an_aspect_ratio_picks_the_models_size_for_hosts_that_want_width_and_height():
    client = KlingClient("kling-video-3-pro", provider=Runware("k"))
    request = client.request("a cat", aspect_ratio="9:16")
    assert (request.width, request.height) == (1080, 1920)


def test_sizes_and_media_are_neutral_arithmetic():
    assert parse_size("1280x720") == (1280, 720)
    assert aspect_of(1366, 768) == "16:9"
    assert aspect_of(1920, 1088) == "16:9"
    assert resolution_of(1080, 1920) == "1080p"
    assert as_media(PNG).mime == "image/png"
    assert as_media(f"data:image/png;base64,{B64}").data == PNG
    assert "bytes" in repr(as_media(PNG))


def test_rehost_client_gives_a_video_models_family_client(monkeypatch):
    import rehost

    monkeypatch.setenv("RUNWARE_API_KEY", "k")
    client = rehost.client("runware/kling-video-3-standard")
    assert type(client) is KlingClient
    assert type(client.provider) is Runware
    assert Runware("k").kinds == frozenset({"video"})
    assert Runware("k").endpoint_class("video").__name__ == "RunwareVideo"


def test_a_host_without_video_says_so_before_any_request(monkeypatch):
    from rehost import Groq

    with pytest.raises(UnsupportedFeature, match="serves no video") as caught:
        VeoClient("veo-3.1", provider=Groq("k")).generate("a cat", duration=8)
    assert "runware" in str(caught.value)
    with pytest.raises(UnsupportedFeature, match="serves no chat"):
        Runware("k").endpoint("chat")
