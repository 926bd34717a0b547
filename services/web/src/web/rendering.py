"""Pages from templates: every page gets the session's person, CSRF token and one-time notice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from web import booking_views, formatting
from web.security import CSRF_FIELD, current_session, save_session

TEMPLATES = Path(__file__).with_name("templates")


def create_templates() -> Jinja2Templates:
    # As Starlette's own environment for a directory, but the templates, which ship with the
    # service, are not looked at again on every render (Jinja2's auto_reload).
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(), auto_reload=False
    )
    templates = Jinja2Templates(env=environment)
    templates.env.filters["money"] = formatting.money
    templates.env.filters["add_on_price"] = formatting.add_on_price
    templates.env.filters["amenity"] = formatting.amenity
    templates.env.filters["policy"] = formatting.policy
    templates.env.filters["status_words"] = booking_views.status_words
    templates.env.filters["local_text"] = booking_views.local_text
    templates.env.filters["booking_when"] = booking_views.when
    templates.env.globals["room_options"] = booking_views.room_options
    templates.env.globals["hour_options"] = booking_views.hour_options
    templates.env.globals["rating_words"] = formatting.rating
    templates.env.globals["csrf_field"] = CSRF_FIELD
    return templates


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """The template as a page; a notice waiting in the session is shown on it, once."""
    session = current_session(request)
    if session.notice:
        save_session(request, session.with_notice(None))
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        template,
        {
            "session": session,
            "user": session.user if session.signed_in else None,
            "csrf_token": session.csrf_token,
            "notice": session.notice,
            "settings": request.app.state.settings,
            **(context or {}),
        },
        status_code=status,
    )


def is_htmx(request: Request, target: str) -> bool:
    """Whether htmx asked for one part of the page (the element with this id)."""
    return request.headers.get("hx-request") == "true" and (
        request.headers.get("hx-target") == target
    )
