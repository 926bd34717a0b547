"""Sign-up, sign-in and the public signing keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from identity import service
from identity.api.deps import SettingsDep, UnitsDep
from identity.api.schemas import SignIn, SignUp, TokenOut, UserOut

router = APIRouter(tags=["auth"])


@router.post("/api/auth/sign-up", status_code=status.HTTP_201_CREATED)
async def sign_up(body: SignUp, units: UnitsDep, settings: SettingsDep) -> TokenOut:
    user, token = await service.sign_up(
        units, settings, email=body.email, password=body.password, name=body.name, role=body.role
    )
    return TokenOut(
        access_token=token, expires_in=settings.access_token_ttl_seconds, user=UserOut.of(user)
    )


@router.post("/api/auth/sign-in")
async def sign_in(body: SignIn, units: UnitsDep, settings: SettingsDep) -> TokenOut:
    user, token = await service.sign_in(units, settings, email=body.email, password=body.password)
    return TokenOut(
        access_token=token, expires_in=settings.access_token_ttl_seconds, user=UserOut.of(user)
    )


@router.get("/.well-known/jwks.json")
@router.get("/api/auth/jwks.json")
async def jwks(units: UnitsDep, settings: SettingsDep, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=60"
    return await service.public_keys(units, settings)
