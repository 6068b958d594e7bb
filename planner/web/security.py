"""Security designed in: loopback-only without accounts, trusted Host names, CSRF, headers with a CSP.

CSRF: a random token lives in an HttpOnly, SameSite=Strict cookie and in each page (a <meta> tag
for scripts, a hidden field in forms). A state-changing request is refused when the browser says
it came from another site (Sec-Fetch-Site, Origin), and, when it carries the cookie (a browser),
unless it also carries the token. Scripts without cookies (curl) are not browsers a page can steer.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse, Response

CSRF_COOKIE = "planner_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])
SANDBOXED_CSP = (
    "sandbox allow-scripts; default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "font-src data:"
)
"""For pages the planner writes (report.html, compare.html): their inline styles and scripts run in
a sandbox, an origin of their own, so they can reach nothing of the workspace."""


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def csrf_token(request: Request) -> str:
    """The request's CSRF token (from its cookie, or a new one the response will set)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if token is None:
        token = request.state.new_csrf = secrets.token_urlsafe(32)
    return str(token)


async def check_csrf(request: Request) -> None:
    """FastAPI dependency for every state-changing route."""
    if request.method in SAFE_METHODS:
        return
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise HTTPException(403, "cross-site request refused")
    origin = request.headers.get("origin")
    if origin is not None and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, "cross-origin request refused")
    if origin == "null":
        raise HTTPException(403, "request from an opaque origin refused")
    cookie = request.cookies.get(CSRF_COOKIE)
    if cookie is None:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if sent is None or not secrets.compare_digest(sent, cookie):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


MAX_BODY_BYTES = 25 * 1024 * 1024
"""Largest request body announced in Content-Length (uploads are 20 MB at most), refused before it is read."""


class SecurityHeaders(BaseHTTPMiddleware):
    """Security headers on every response; sets the CSRF cookie when a page made a token; refuses huge bodies."""

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Refuse an oversized body up front; add the headers after the route ran."""
        length = request.headers.get("content-length", "")
        response: Response
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            response = JSONResponse(
                {"detail": f"request body over {MAX_BODY_BYTES // 2**20} MB; refused"}, status_code=413
            )
        else:
            response = await call_next(request)
        headers = response.headers
        headers.setdefault("content-security-policy", CSP)
        headers.setdefault("x-content-type-options", "nosniff")
        headers.setdefault("x-frame-options", "SAMEORIGIN")
        headers.setdefault(
            "referrer-policy", "same-origin"
        )  # no-referrer would make browsers send `Origin: null` on our own forms
        headers.setdefault("cross-origin-opener-policy", "same-origin")
        headers.setdefault("permissions-policy", "camera=(), microphone=(), geolocation=()")
        token = getattr(request.state, "new_csrf", None)
        if token is not None and CSRF_COOKIE not in request.cookies:
            response.set_cookie(
                CSRF_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
            )
        return response
