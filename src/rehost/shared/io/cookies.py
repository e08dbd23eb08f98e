"""The cookie jar of rehost's pools: httpx's own, asked only when a response sets a cookie.

httpx hands every response to its client's jar, building a ``urllib`` request and response adapter for the
standard library's ``CookieJar`` each time (about 20 us per call, measured, on a call whose whole client stack
costs 150-250 us). Model hosts seldom set cookies; one that does (a load balancer's sticky session) still has
them kept and sent back, exactly as httpx would.
"""

from __future__ import annotations

import httpx

__all__ = ["SetCookieJar", "use_set_cookie_jar"]

_SETS = ("set-cookie", "set-cookie2")


class SetCookieJar(httpx.Cookies):
    """``httpx.Cookies`` that looks at a response only when it carries a ``Set-Cookie`` header."""

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if _SETS[0] in headers or _SETS[1] in headers:
            super().extract_cookies(response)


def use_set_cookie_jar(client: httpx.Client | httpx.AsyncClient) -> None:
    """Give ``client`` a SetCookieJar holding the cookies it has. httpx's ``cookies`` setter would wrap the jar
    in a plain ``Cookies`` again, so the attribute behind it is set; a client without one is left as it is."""
    current = getattr(client, "_cookies", None)
    if isinstance(current, httpx.Cookies) and not isinstance(current, SetCookieJar):
        jar = SetCookieJar()
        jar.jar = current.jar
        client._cookies = jar
