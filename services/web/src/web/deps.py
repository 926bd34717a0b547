"""What page routes reach for, as `Annotated` dependencies defined once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from web.accounts import fresh_tokens
from web.api_client import ApiClient
from web.config import WebSettings
from web.security import current_session, save_session
from web.sessions import Session


async def _settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


async def _api(request: Request) -> ApiClient:
    api: ApiClient = request.app.state.api
    return api


SettingsDep = Annotated[WebSettings, Depends(_settings)]
ApiDep = Annotated[ApiClient, Depends(_api)]
SessionDep = Annotated[Session, Depends(current_session)]


async def _access_token(request: Request, api: ApiDep, settings: SettingsDep) -> str:
    """The signed-in person's access token, refreshed first when it is about to expire;
    SignInRequired (a redirect to sign-in) when there is none to be had."""
    session = current_session(request)
    tokens = await fresh_tokens(api, session, settings.refresh_margin_seconds)
    if tokens != session.tokens:
        save_session(request, session.with_tokens(tokens))
    return tokens.access_token


AccessTokenDep = Annotated[str, Depends(_access_token)]
