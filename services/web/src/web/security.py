"""What keeps a browser's session safe: the cookie, CSRF checks and the response headers."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from urllib.parse import urlsplit

from fastapi import Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.types import ASGIApp

from web.sessions import COOKIE_NAME, Session, SessionCodec

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class CsrfRefused(Exception):
    """An unsafe request without this session's CSRF token, or from another site."""


def current_session(request: Request) -> Session:
    session: Session = request.state.session
    return session


def save_session(request: Request, session: Session) -> None:
    """Keep the session for this response's cookie (SessionTooLarge here, in the route)."""
    codec: SessionCodec = request.app.state.session_codec
    request.state.session_cookie = codec.encode(session)
    request.state.session = session


def came_over_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return (forwarded or request.url.scheme) == "https"


class SessionCookies(BaseHTTPMiddleware):
    """Reads the session from its cookie before a request, writes it back when it changed."""

    def __init__(self, app: ASGIApp, codec: SessionCodec, max_age: int, secure: str) -> None:
        super().__init__(app)
        self._codec, self._max_age, self._secure = codec, max_age, secure

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.url.path.startswith("/static/"):
            return await call_next(request)
        cookie = request.cookies.get(COOKIE_NAME)
        session = self._codec.decode(cookie)
        request.state.session_cookie = None  # unchanged, unless a route saves a session
        if session is None:  # a first visit, or a cookie tampered with, too old or unreadable
            session = Session()
            request.state.session_cookie = self._codec.encode(session)
        request.state.session = session
        response = await call_next(request)
        value: str | None = request.state.session_cookie
        if value is not None:
            secure = self._secure == "always" or (
                self._secure == "auto" and came_over_https(request)
            )
            response.set_cookie(
                COOKIE_NAME, value, max_age=self._max_age, path="/",
                httponly=True, samesite="lax", secure=secure,
            )  # fmt: skip
        return response


def same_origin(request: Request, allowed_origins: Sequence[str]) -> bool:
    """Whether the Origin (or, lacking it, the Referer) is this site.

    With `allowed_origins` configured (WEB_PUBLIC_ORIGINS) only those match; otherwise the
    scheme and host the gateway forwarded (its Host header carries no port).
    """
    sent = request.headers.get("origin") or request.headers.get("referer")
    if sent is None:
        return True  # not a browser's cross-site form: the CSRF token still decides
    parts = urlsplit(sent)
    if allowed_origins:
        return f"{parts.scheme}://{parts.netloc}" in allowed_origins
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or ""
    expected_scheme = "https" if came_over_https(request) else "http"
    return parts.scheme == expected_scheme and parts.hostname == urlsplit(f"//{host}").hostname


async def check_csrf(request: Request) -> None:
    """A route dependency: every unsafe request carries the session's CSRF token.

    Forms send it in a hidden field, htmx in the X-CSRF-Token header (static/js/site.js).
    """
    if request.method in SAFE_METHODS:
        return
    if not same_origin(request, request.app.state.settings.public_origins):
        raise CsrfRefused("origin")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent_field = (await request.form()).get(CSRF_FIELD)
        sent = sent_field if isinstance(sent_field, str) else None
    expected = current_session(request).csrf_token
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused("token")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(
    tile_url: str | None, stripe_js_url: str = "", stripe_api_origin: str = ""
) -> str:
    """Scripts and styles only from this site (no inline ones) and Stripe.js; photos from
    anywhere. Stripe.js's Payment Element runs in frames from its own origin."""
    images = "'self' data: https: http:"
    connect = "'self'"
    scripts = "'self'"
    frames = "'self'"
    if tile_url:
        connect += f" {_origin(tile_url)}"
    if stripe_js_url:
        scripts += f" {_origin(stripe_js_url)}"
        connect += f" {_origin(stripe_js_url)}"
        frames = _origin(stripe_js_url)
    if stripe_api_origin:
        connect += f" {_origin(stripe_api_origin)}"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            f"img-src {images}",
            f"connect-src {connect}",
            "font-src 'self'",
            f"frame-src {frames}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, csp: str) -> None:
        super().__init__(app)
        self._headers = {
            "Content-Security-Policy": csp,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin",
        }

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.update(self._headers)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
