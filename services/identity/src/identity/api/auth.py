"""Sign-up, sign-in, refresh, sign-out and the public signing keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from identity.api.deps import IdentityUnitsDep, SettingsDep
from identity.api.schemas import (
    EmailVerification,
    PasswordReset,
    PasswordResetRequest,
    RefreshTokenIn,
    SignIn,
    SignUp,
    TokenOut,
)
from identity.service import account_links, refresh_tokens, users
from service_runtime.auth import CurrentUser

router = APIRouter(tags=["auth"])


@router.post("/api/auth/sign-up", status_code=status.HTTP_201_CREATED)
async def sign_up(body: SignUp, units: IdentityUnitsDep, settings: SettingsDep) -> TokenOut:
    user, tokens = await users.sign_up(
        units, settings, email=body.email, password=body.password, name=body.name, role=body.role
    )
    return TokenOut.of(user, tokens)


@router.post("/api/auth/sign-in")
async def sign_in(body: SignIn, units: IdentityUnitsDep, settings: SettingsDep) -> TokenOut:
    user, tokens = await users.sign_in(units, settings, email=body.email, password=body.password)
    return TokenOut.of(user, tokens)


@router.post("/api/auth/refresh")
async def refresh(body: RefreshTokenIn, units: IdentityUnitsDep, settings: SettingsDep) -> TokenOut:
    """New tokens for a refresh token, which is used up; a used one revokes its sign-in."""
    user, tokens = await refresh_tokens.refresh(units, settings, body.refresh_token)
    return TokenOut.of(user, tokens)


@router.post("/api/auth/sign-out", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(body: RefreshTokenIn, units: IdentityUnitsDep) -> None:
    """End the sign-in the refresh token belongs to; unknown tokens are answered alike."""
    await refresh_tokens.sign_out(units, body.refresh_token)


@router.post("/api/auth/email-verification", status_code=status.HTTP_202_ACCEPTED)
async def ask_for_email_verification(
    principal: CurrentUser, units: IdentityUnitsDep, settings: SettingsDep
) -> None:
    """Email the signed-in person a new verification link (at most one a minute)."""
    await account_links.request_email_verification(units, settings, principal.user_id)


@router.post("/api/auth/email-verification/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def verify_email(body: EmailVerification, units: IdentityUnitsDep) -> None:
    """The token of a verification link proves the email; it works once, until it expires."""
    await account_links.verify_email(units, body.token)


@router.post("/api/auth/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def ask_for_password_reset(
    body: PasswordResetRequest, units: IdentityUnitsDep, settings: SettingsDep
) -> None:
    """Email a reset link if an account has this email; answered alike either way."""
    await account_links.request_password_reset(units, settings, body.email)


@router.post("/api/auth/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def reset_password(
    body: PasswordReset, units: IdentityUnitsDep, settings: SettingsDep
) -> None:
    """Set a new password with a reset link's token; every sign-in of the account ends."""
    await account_links.reset_password(units, settings, body.token, body.password)


@router.get("/.well-known/jwks.json")
@router.get("/api/auth/jwks.json")
async def jwks(
    units: IdentityUnitsDep, settings: SettingsDep, response: Response
) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=60"
    return await users.public_keys(units, settings)
