"""Pages for everyone: the landing page, search with its map, a studio's page."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from web.api_client import ApiProblem
from web.deps import ApiDep
from web.formatting import GRACE_WORDS
from web.pages import page_router
from web.places import PLACES
from web.rendering import is_htmx, render
from web.search_form import AMENITIES, CURRENCIES, HOURS, SORTS, SearchForm

router = page_router()
FEATURED = 6
REVIEWS_SHOWN = 20
SLUG = re.compile(r"^[A-Za-z0-9-]{1,200}$")


@router.get("/", response_class=HTMLResponse)
async def landing(request: Request, api: ApiDep) -> HTMLResponse:
    featured = await api.get("/api/studios", params={"sort": "rating", "limit": FEATURED})
    return render(request, "landing.html", {"featured": featured["items"]})


@router.get("/search", response_class=HTMLResponse)
async def search(
    request: Request,
    api: ApiDep,
    amenities: Annotated[list[str], Query(max_length=30)] = [],  # noqa: B006 (FastAPI copies it)
) -> HTMLResponse:
    form = SearchForm.of(request.query_params, amenities)
    params = form.api_params()
    page: dict[str, Any] = {"items": [], "next_cursor": None}
    if params is not None:
        try:
            page = await api.get("/api/studios", params=params)
        except ApiProblem as refused:
            if refused.status != 422 or not form.take_api_errors(refused.field_errors):
                raise
    context = {
        "form": form,
        "page": page,
        "markers": json.dumps(_markers(page["items"])),
        "next_url": _next_url(form, page.get("next_cursor")),
        "place_options": [("", "Anywhere")] + [(p.key, p.label) for p in PLACES.values()],
        "amenity_names": AMENITIES,
        "currency_options": [("", "Any currency")] + [(c, c) for c in CURRENCIES],
        "sorts": SORTS,
        "hours_options": list(HOURS.items()),
    }
    if not is_htmx(request, "results"):
        return render(request, "search.html", context, status=422 if form.errors else 200)
    if form.errors:  # htmx: the whole form again, so each error shows beside its field
        page_part = render(request, "_search_page.html", context, status=422)
        page_part.headers.update({"HX-Retarget": "#search-page", "HX-Reswap": "outerHTML"})
        return page_part
    return render(request, "_results.html", context)


@router.get("/studios/{slug}", response_class=HTMLResponse)
async def studio(request: Request, slug: str, api: ApiDep) -> HTMLResponse:
    if not SLUG.match(slug):
        raise HTTPException(404)
    try:
        found = await api.get(f"/api/studios/{slug}")
    except ApiProblem as missing:
        if missing.status in (404, 422):
            raise HTTPException(404) from missing
        raise
    reviews = await api.get(f"/api/studios/{found['id']}/reviews", params={"limit": REVIEWS_SHOWN})
    marker = _markers([found])
    return render(
        request,
        "studio.html",
        {
            "studio": found,
            "reviews": reviews["items"],
            "more_reviews": reviews.get("next_cursor") is not None,
            "markers": json.dumps(marker),
            "grace_words": GRACE_WORDS,
        },
    )


def _markers(studios: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the map shows of each studio (static/js/map.js reads it from a data attribute)."""
    return [
        {
            "name": studio["name"],
            "lat": studio["latitude"],
            "lng": studio["longitude"],
            "url": f"/studios/{studio['slug']}",
        }
        for studio in studios
    ]


def _next_url(form: SearchForm, cursor: str | None) -> str | None:
    if not cursor:
        return None
    return "/search?" + urlencode([*form.query_without_cursor(), ("cursor", cursor)])
