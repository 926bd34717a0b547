"""Refunds never give back more than was captured."""

from __future__ import annotations

import pytest
import stripe


async def test_refunds_never_exceed_the_captured_amount(client, authorize, receiver):
    intent = await authorize(10_000)
    await client.v1.payment_intents.capture_async(intent.id, params={"amount_to_capture": 8_000})

    first = await client.v1.refunds.create_async(
        params={"payment_intent": intent.id, "amount": 3_000, "reason": "requested_by_customer"}
    )
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        await client.v1.refunds.create_async(params={"payment_intent": intent.id, "amount": 5_001})
    rest = await client.v1.refunds.create_async(params={"payment_intent": intent.id})
    with pytest.raises(stripe.InvalidRequestError) as already:
        await client.v1.refunds.create_async(params={"charge": intent.latest_charge})

    assert first.id.startswith("re_")
    assert (first.amount, rest.amount) == (3_000, 5_000)
    assert (too_much.value.code, too_much.value.param) == ("amount_too_large", "amount")
    assert already.value.code == "charge_already_refunded"
    charge = await client.v1.charges.retrieve_async(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (8_000, True)
    types = await receiver.wait_for(4)
    assert types[-2:] == ["charge.refunded", "charge.refunded"]
    assert receiver.events[-1].data.object.amount_refunded == 8_000


async def test_refunds_are_listed_by_payment_intent(client, authorize):
    intent = await authorize(6_000)
    other = await authorize(1_000)
    for paid in (intent, other):
        await client.v1.payment_intents.capture_async(paid.id)
    first = await client.v1.refunds.create_async(
        params={"payment_intent": intent.id, "amount": 1_000}
    )
    second = await client.v1.refunds.create_async(
        params={"payment_intent": intent.id, "amount": 2_000}
    )
    await client.v1.refunds.create_async(params={"payment_intent": other.id})

    listed = await client.v1.refunds.list_async(params={"payment_intent": intent.id})

    assert [refund.id for refund in listed.data] == [second.id, first.id]
    assert (await client.v1.refunds.retrieve_async(first.id)).amount == 1_000


async def test_an_uncaptured_payment_cannot_be_refunded(client, authorize):
    intent = await authorize(2_000)

    with pytest.raises(stripe.InvalidRequestError) as error:
        await client.v1.refunds.create_async(params={"payment_intent": intent.id})

    assert error.value.code == "charge_not_refundable"
