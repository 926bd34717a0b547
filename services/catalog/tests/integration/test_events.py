"""Studio changes are recorded in the outbox with the change and reach the bus."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from catalog.db.base import outbox
from contracts.catalog import StudioPublished, StudioSuspended, StudioUpdated
from service_runtime.bus import Bus
from tests.fixtures.infra import delete_queues, eventually
from tests.fixtures.tokens import TestIssuer

from ..conftest import Catalog, create_studio


async def _outbox_rows(catalog: Catalog) -> list[Any]:
    async with catalog.runtime.database.transaction() as session:
        return list(
            (
                await session.execute(
                    select(
                        outbox.c.message_type, outbox.c.envelope, outbox.c.published_at
                    ).order_by(outbox.c.id)
                )
            ).all()
        )


async def test_studio_events_carry_each_revision_and_are_published_on_the_bus(
    catalog: Catalog, token_issuer: TestIssuer, rabbit_url: str, bus_namespace: str
) -> None:
    received: list[dict[str, Any]] = []

    async def consume(body: dict[str, Any]) -> None:
        received.append(body)

    name = f"probe-{uuid.uuid4().hex[:8]}"
    probe = Bus(rabbit_url, namespace=bus_namespace, max_deliveries=3)
    keys = [StudioPublished.routing_key, StudioUpdated.routing_key, StudioSuspended.routing_key]
    probe.consume(name, keys, consume)
    await probe.start()
    owner = token_issuer.headers("owner", uuid.uuid4())
    admin_id = uuid.uuid4()
    try:
        studio = await create_studio(catalog.client, owner)
        path = f"/api/studios/{studio['id']}"
        await catalog.client.patch(path, json={"capacity": 5, "version": 1}, headers=owner)
        await catalog.client.post(f"{path}/publish", headers=owner)
        change = {"hourly_price_minor": 5200, "booking_mode": "request", "version": 3}
        await catalog.client.patch(path, json=change | {"request_window_hours": 12}, headers=owner)
        await catalog.client.post(
            f"{path}/suspend",
            json={"reason": "fake photos"},
            headers=token_issuer.headers("admin", admin_id),
        )

        async def all_received_and_marked() -> bool:  # marked in a batch after publishing
            rows = await _outbox_rows(catalog)
            return len(received) == 3 and all(row.published_at is not None for row in rows)

        await eventually(all_received_and_marked)
    finally:
        await probe.stop()
        await delete_queues(rabbit_url, probe.topology.queues_of(name))

    rows = await _outbox_rows(catalog)
    # The draft's own edits stay private; publishing announces it, then every change follows.
    assert [row.message_type for row in rows] == [
        "catalog.studio_published",
        "catalog.studio_updated",
        "catalog.studio_suspended",
    ]
    assert all(row.published_at is not None for row in rows)
    by_type = {body["message_type"]: body["payload"] for body in received}
    published = StudioPublished.model_validate(by_type["catalog.studio_published"])
    updated = StudioUpdated.model_validate(by_type["catalog.studio_updated"])
    suspended = StudioSuspended.model_validate(by_type["catalog.studio_suspended"])
    assert (published.revision, updated.revision, suspended.revision) == (3, 4, 5)
    assert published.slug == "echo-room"
    assert (published.hourly_price_minor, updated.hourly_price_minor) == (4500, 5200)
    assert (published.currency, published.minimum_hours, published.maximum_hours) == ("EUR", 2, 24)
    assert published.timezone == "Europe/Berlin"
    assert (published.booking_mode, updated.booking_mode) == ("instant", "request")
    assert (published.request_window_hours, updated.request_window_hours) == (24, 12)
    assert published.cancellation_policy == "moderate"
    assert [room.name for room in published.rooms] == ["Live Room"]
    assert published.hourly_price(published.rooms[0].room_id).amount_minor == 4500
    assert (suspended.reason, suspended.suspended_by) == ("fake photos", admin_id)
    assert all(body["correlation_id"] == studio["id"] for body in received)
