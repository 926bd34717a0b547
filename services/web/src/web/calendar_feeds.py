"""View logic of an owner's calendar feeds: what each feed covers, and its URL as a whole."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request

from web.security import came_over_https


def feed_rows(feeds: list[dict[str, Any]], room_names: dict[str, str]) -> list[dict[str, str]]:
    """Each feed with what it shows in words: the whole studio, or one room by name."""
    return [
        {
            "id": str(feed["id"]),
            "covers": (
                "Whole studio"
                if feed["room_id"] is None
                else room_names.get(str(feed["room_id"]), "A removed room")
            ),
            "since": str(feed["rotated_at"]),
        }
        for feed in feeds
    ]


def feed_url(request: Request, path: str) -> str:
    """The feed's address as the owner's browser reached this site.

    Only asked after a form the CSRF check let through, so the Origin (or Referer) it sent is
    this site's; the gateway's Host header carries no port, which a calendar app would need.
    """
    sent = request.headers.get("origin") or request.headers.get("referer")
    if sent and sent != "null":
        parts = urlsplit(sent)
        return f"{parts.scheme}://{parts.netloc}{path}"
    scheme = "https" if came_over_https(request) else "http"
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    return f"{scheme}://{host}{path}"
