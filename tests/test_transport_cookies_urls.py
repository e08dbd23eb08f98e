"""The pool's cookie jar (asked only when a response sets a cookie) and its parsed-URL cache keep httpx's
behaviour: a host's cookie is kept and sent back, each call goes to its own URL, and the cache stays bounded."""

from __future__ import annotations

import asyncio

import httpx

from rehost.shared.io import http as http_module
from rehost.shared.io.call import HttpCall
from rehost.shared.io.cookies import SetCookieJar
from rehost.shared.io.http import Transport


def _host(seen: list[httpx.Request]):
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/login":
            return httpx.Response(200, headers=[("set-cookie", "AWSALB=sticky-1; Path=/"),
                                                ("set-cookie", "other=2; Path=/v1")], json={})
        return httpx.Response(200, json={"path": request.url.path, "query": str(request.url.query, "ascii")})
    return handler


def _fail(status: int, headers: object, body: bytes) -> Exception:
    return RuntimeError(f"{status}")


def test_a_cookie_the_host_sets_is_sent_back_sync():
    seen: list[httpx.Request] = []
    transport = Transport(host="h", sync_transport=httpx.MockTransport(_host(seen)))
    transport.request(HttpCall("GET", "http://h.test/v1/models"), _fail)
    transport.request(HttpCall("POST", "http://h.test/login", body={}), _fail)
    transport.request(HttpCall("GET", "http://h.test/v1/models"), _fail)
    assert "cookie" not in seen[0].headers
    assert seen[2].headers["cookie"] in ("AWSALB=sticky-1; other=2", "other=2; AWSALB=sticky-1")
    assert isinstance(transport.client.cookies, httpx.Cookies)
    assert transport.client.cookies.get("AWSALB") == "sticky-1"


def test_a_cookie_the_host_sets_is_sent_back_async():
    seen: list[httpx.Request] = []

    async def main() -> None:
        transport = Transport(host="h", async_transport=httpx.MockTransport(_host(seen)))
        await transport.arequest(HttpCall("POST", "http://h.test/login", body={}), _fail)
        await transport.arequest(HttpCall("GET", "http://h.test/v1/x"), _fail)
        await transport.aclose()

    asyncio.run(main())
    assert "AWSALB=sticky-1" in seen[1].headers["cookie"]


def test_the_jar_reads_only_responses_that_set_cookies(monkeypatch):
    asked: list[str] = []
    monkeypatch.setattr(httpx.Cookies, "extract_cookies", lambda self, response: asked.append(response.url.path))
    jar = SetCookieJar()
    request = httpx.Request("GET", "http://h.test/a")
    jar.extract_cookies(httpx.Response(200, request=request, headers={"content-type": "text/plain"}))
    jar.extract_cookies(httpx.Response(200, request=httpx.Request("GET", "http://h.test/b"),
                                       headers={"Set-Cookie": "a=1"}))
    jar.extract_cookies(httpx.Response(200, request=httpx.Request("GET", "http://h.test/c"),
                                       headers={"set-cookie2": "a=1"}))
    assert asked == ["/b", "/c"]


def test_each_call_goes_to_its_own_url_and_the_parsed_urls_stay_bounded(monkeypatch):
    monkeypatch.setattr(http_module, "_URLS_KEPT", 4)
    seen: list[httpx.Request] = []
    transport = Transport(host="h", sync_transport=httpx.MockTransport(_host(seen)))
    urls = [f"http://h.test/v1/jobs/{i}?alt=sse&n={i}" for i in range(10)] + ["http://h.test/v1/jobs/3?alt=sse&n=3"]
    for url in urls:
        transport.request(HttpCall("GET", url), _fail)
    assert [str(r.url) for r in seen] == urls
    assert len(transport._urls) <= 4
    # the same text twice is one parsed URL
    transport.request(HttpCall("GET", urls[-1]), _fail)
    assert transport._urls[urls[-1]] is transport._url(urls[-1])
