"""Connect: Express onboarding through the link, transfers to owners and their reversals."""

from __future__ import annotations

import httpx
import pytest
import stripe


async def onboarded_account(client: stripe.StripeClient) -> stripe.Account:
    account = await client.v1.accounts.create_async(
        params={
            "type": "express",
            "country": "US",
            "email": "owner@example.com",
            "capabilities": {"transfers": {"requested": True}},
            "metadata": {"owner_id": "own_1"},
        }
    )
    link = await client.v1.account_links.create_async(
        params={
            "account": account.id,
            "refresh_url": "https://studios.test/payouts/refresh",
            "return_url": "https://studios.test/payouts/done",
            "type": "account_onboarding",
        }
    )
    async with httpx.AsyncClient() as browser:
        visit = await browser.get(link.url)
    assert visit.headers["location"] == "https://studios.test/payouts/done"
    return account


async def test_onboarding_through_the_link_emits_account_updated(client, receiver):
    account = await onboarded_account(client)

    onboarded = await client.v1.accounts.retrieve_async(account.id)
    assert account.id.startswith("acct_")
    assert (account.charges_enabled, account.details_submitted) == (False, False)
    assert (onboarded.charges_enabled, onboarded.payouts_enabled) == (True, True)
    assert onboarded.details_submitted is True
    assert onboarded.capabilities.transfers == "active"
    assert await receiver.wait_for(1) == ["account.updated"]
    event = receiver.events[0]
    assert event.data.object.id == account.id
    assert event.data.previous_attributes.charges_enabled is False


async def test_transfer_and_reversal(client, authorize, receiver):
    account = await onboarded_account(client)
    intent = await authorize(10_000)
    await client.v1.payment_intents.capture_async(intent.id)

    transfer = await client.v1.transfers.create_async(
        params={
            "amount": 9_000,
            "currency": "usd",
            "destination": account.id,
            "source_transaction": intent.latest_charge,
            "transfer_group": "tg_booking",
            "metadata": {"booking_id": "bk_1"},
        }
    )
    reversal = await client.v1.transfers.reversals.create_async(
        transfer.id, params={"amount": 4_000}
    )
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        await client.v1.transfers.reversals.create_async(transfer.id, params={"amount": 5_001})

    assert transfer.id.startswith("tr_")
    assert (reversal.amount, reversal.transfer) == (4_000, transfer.id)
    assert too_much.value.code == "amount_too_large"
    reversed_transfer = await client.v1.transfers.retrieve_async(transfer.id)
    assert (reversed_transfer.amount_reversed, reversed_transfer.reversed) == (4_000, False)
    types = await receiver.wait_for(5)
    assert types[-2:] == ["transfer.created", "transfer.reversed"]


async def test_transfer_to_an_account_not_onboarded_is_rejected(client):
    account = await client.v1.accounts.create_async(
        params={"type": "express", "capabilities": {"transfers": {"requested": True}}}
    )

    with pytest.raises(stripe.InvalidRequestError) as error:
        await client.v1.transfers.create_async(
            params={"amount": 100, "currency": "usd", "destination": account.id}
        )

    assert error.value.param == "destination"
