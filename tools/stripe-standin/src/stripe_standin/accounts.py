"""Connect Express accounts and their onboarding links."""

from __future__ import annotations

import secrets
from typing import Any

from stripe_standin.errors import InvalidRequestError
from stripe_standin.objects import Account, AccountLink, new_id
from stripe_standin.params import Params, RequestRef
from stripe_standin.state import StandinState, lookup

# Stripe's onboarding links expire after a few minutes and work once.
ACCOUNT_LINK_TTL_SECONDS = 300


def create(state: StandinState, p: Params) -> Account:
    """`POST /v1/accounts`: a new account waits for onboarding with its capabilities inactive."""
    account_type = p.string("type", choices=("express", "standard", "custom")) or "express"
    account = Account(
        id=new_id("acct"),
        type=account_type,
        country=p.string("country") or "US",
        created=state.now(),
        email=p.string("email"),
        business_type=p.string("business_type"),
        default_currency=(p.string("default_currency") or "usd").lower(),
        capabilities=_requested_capabilities(p.mapping("capabilities")),
        metadata=p.metadata(),
    )
    p.mapping("business_profile")
    p.mapping("controller")
    p.reject_unknown()
    state.accounts[account.id] = account
    return account


def retrieve(state: StandinState, account_id: str) -> Account:
    """`GET /v1/accounts/{id}`."""
    return lookup(state.accounts, account_id, "account", param="account")


def create_link(state: StandinState, p: Params, base_url: str) -> AccountLink:
    """`POST /v1/account_links`: a url on the stand-in whose visit completes onboarding."""
    account_id = p.require_string("account")
    refresh_url = p.require_string("refresh_url")
    return_url = p.require_string("return_url")
    link_type = p.require_string("type", choices=("account_onboarding", "account_update"))
    p.string("collect")
    p.mapping("collection_options")
    p.reject_unknown()
    lookup(state.accounts, account_id, "account", param="account")
    token = secrets.token_urlsafe(24)
    link = AccountLink(
        account=account_id,
        url=f"{base_url.rstrip('/')}/_standin/account_links/{token}",
        refresh_url=refresh_url,
        return_url=return_url,
        type=link_type,
        created=state.now(),
        expires_at=state.now() + ACCOUNT_LINK_TTL_SECONDS,
    )
    state.account_links[token] = link
    return link


def visit_link(state: StandinState, token: str) -> str:
    """The owner finishes onboarding; returns where the browser goes next, as Stripe redirects."""
    link = state.account_links.get(token)
    if link is None:
        raise InvalidRequestError("This account link does not exist.", code="resource_missing")
    if link.used or state.now() > link.expires_at:
        return link.refresh_url
    link.used = True
    account = state.accounts[link.account]
    if not account.details_submitted:
        _complete_onboarding(state, account)
    return link.return_url


def _complete_onboarding(state: StandinState, account: Account) -> None:
    previous: dict[str, Any] = {
        "capabilities": dict(account.capabilities),
        "charges_enabled": account.charges_enabled,
        "details_submitted": account.details_submitted,
        "payouts_enabled": account.payouts_enabled,
    }
    account.capabilities = {name: "active" for name in account.capabilities}
    account.charges_enabled = True
    account.payouts_enabled = True
    account.details_submitted = True
    state.emit("account.updated", account, RequestRef(), previous_attributes=previous)


def _requested_capabilities(raw: dict[str, Any]) -> dict[str, str]:
    requested = {}
    for name, options in raw.items():
        if not isinstance(options, dict) or options.get("requested") not in ("true", "false"):
            raise InvalidRequestError(
                f"Invalid capabilities[{name}]: expected requested=true|false",
                param=f"capabilities[{name}]",
            )
        if options["requested"] == "true":
            requested[name] = "inactive"
    return requested
