"""`GET /v3/`: the stand-in's Stripe.js, at the path js.stripe.com serves the real one from."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Response

router = APIRouter()


@cache
def _script() -> bytes:
    return files("stripe_standin").joinpath("static/stripe.js").read_bytes()


@router.get("/v3/")
@router.get("/v3")
async def stripe_js() -> Response:
    """A small Stripe.js: `Stripe(key)`, the Payment Element's card form, `confirmPayment`."""
    # no-cache: a page reloaded after the stand-in changed gets the new script.
    return Response(
        _script(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )
