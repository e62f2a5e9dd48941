"""The dashboard's door: the admin token, in a form a browser can carry.

With no admin token the dashboard is open, like the control API. With one, a request
gets in with `Authorization: Bearer <token>` (scripts), or with the cookie that opening
`/_ulmock/ui/?token=<token>` once sets (people): the page then redirects to itself
without the token in the address bar. The cookie holds a digest of the token, not the
token, is HttpOnly, SameSite=Strict and scoped to the dashboard's path. The page's own
script sends the token as a bearer header to the control API, which takes nothing else.
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ulmock.api.control import bearer_matches

COOKIE = "ulmock_ui"
PREFIX = "/_ulmock/ui"


def cookie_value(token: str) -> str:
    return hmac.new(token.encode(), b"ulmock-dashboard", hashlib.sha256).hexdigest()


def admitted(request: Request, token: str | None) -> bool:
    if token is None:
        return True
    if bearer_matches(request.headers.get("authorization", ""), token):
        return True
    cookie = request.cookies.get(COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), cookie_value(token).encode())


def login(request: Request, token: str | None) -> Response | None:
    """`?token=` with the right token: set the cookie and come back without it."""
    offered = request.query_params.get("token")
    if token is None or offered is None or not hmac.compare_digest(offered.encode(), token.encode()):
        return None
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
    target = URL(request.url.path).include_query_params(**dict(rest)) if rest else URL(request.url.path)
    response = RedirectResponse(str(target), status_code=303)
    response.set_cookie(COOKIE, cookie_value(token), httponly=True, samesite="strict", path=PREFIX)
    return response
