"""Clerk's user events applied to our users, on in-memory fakes: once per delivery, in the order
they happened, a deleted user staying deleted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest

from contracts.identity import Role, RoleChanged, UserCreated, UserDeleted, UserUpdated
from identity.clerk import ClerkUserEvent
from identity.config import IdentitySettings
from identity.domain.users import ClerkLinkRefused
from identity.service import account_links, clerk_sync
from identity.service.clerk_sync import Outcome

from .fakes import FakeIdentityUnits
from .service_world import NOW, signed_up


def clerk_event(kind: str = "user.created", *, minutes: int = 0, **changes: Any) -> ClerkUserEvent:
    event = ClerkUserEvent(
        svix_id=f"msg_{uuid.uuid4().hex}",
        event_type=kind,
        clerk_user_id="user_2abc",
        external_id=None,
        email="grace@example.com",
        email_verified=True,
        name="Grace Hopper",
        role=None,
        occurred_at=NOW + timedelta(minutes=minutes),
    )
    return replace(event, **changes)


@dataclass
class FakeClerk:
    """Clerk's Backend API as identity calls it: the external ids it was given."""

    external_ids: dict[str, uuid.UUID] = field(default_factory=dict)

    async def set_external_id(self, clerk_user_id: str, user_id: uuid.UUID) -> None:
        self.external_ids[clerk_user_id] = user_id


async def test_a_new_clerk_user_is_created_and_announced_once_per_delivery(
    units: FakeIdentityUnits,
) -> None:
    created = clerk_event()

    first = await clerk_sync.apply_clerk_event(units, created)
    again = await clerk_sync.apply_clerk_event(units, created)

    [event] = units.outbox.messages(UserCreated)
    assert (first, again) == (Outcome.APPLIED, Outcome.DUPLICATE)
    assert (event.email, event.name, event.role) == ("grace@example.com", "Grace Hopper", "booker")


async def test_an_email_changed_at_clerk_is_announced_and_no_longer_verified(
    units: FakeIdentityUnits,
) -> None:
    await clerk_sync.apply_clerk_event(units, clerk_event())
    user = units.tables.user_by_email("grace@example.com")
    async with units.begin() as unit:
        await unit.users.mark_email_verified(user.id, NOW)

    await clerk_sync.apply_clerk_event(
        units, clerk_event("user.updated", minutes=1, email="Grace@Navy.example")
    )

    [event] = units.outbox.messages(UserUpdated)
    assert (event.user_id, event.email) == (user.id, "grace@navy.example")
    assert not units.tables.users[user.id].email_verified


async def test_an_event_older_than_the_last_applied_changes_nothing(
    units: FakeIdentityUnits,
) -> None:
    await clerk_sync.apply_clerk_event(units, clerk_event(minutes=5))

    late = await clerk_sync.apply_clerk_event(
        units, clerk_event("user.updated", minutes=1, name="Old Name")
    )

    assert late is Outcome.IGNORED
    assert units.tables.user_by_email("grace@example.com").name == "Grace Hopper"
    assert units.outbox.messages(UserUpdated) == []


async def test_a_role_given_at_clerk_is_a_role_change(units: FakeIdentityUnits) -> None:
    await clerk_sync.apply_clerk_event(units, clerk_event())

    await clerk_sync.apply_clerk_event(units, clerk_event("user.updated", role=Role.OWNER))

    [event] = units.outbox.messages(RoleChanged)
    assert (event.old_role, event.new_role, event.clerk_user_id) == (
        Role.BOOKER,
        Role.OWNER,
        "user_2abc",
    )


async def test_a_deleted_clerk_user_stays_deleted_whatever_arrives_after(
    units: FakeIdentityUnits,
) -> None:
    await clerk_sync.apply_clerk_event(units, clerk_event())

    await clerk_sync.apply_clerk_event(units, clerk_event("user.deleted", minutes=1))
    late = await clerk_sync.apply_clerk_event(units, clerk_event("user.updated", minutes=2))

    [event] = units.outbox.messages(UserDeleted)
    assert event.clerk_user_id == "user_2abc"
    assert late is Outcome.IGNORED
    assert units.tables.user_by_email("grace@example.com").deleted


async def test_a_deletion_seen_before_the_creation_leaves_a_tombstone(
    units: FakeIdentityUnits,
) -> None:
    await clerk_sync.apply_clerk_event(units, clerk_event("user.deleted", minutes=1))

    late = await clerk_sync.apply_clerk_event(units, clerk_event())

    [tombstone] = units.tables.users.values()
    assert late is Outcome.IGNORED
    assert tombstone.deleted
    assert units.outbox.messages(UserCreated) == []


async def test_a_local_account_is_linked_to_clerk_only_when_clerk_verified_the_email(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    local, _ = await signed_up(units, settings, email="grace@example.com")

    with pytest.raises(ClerkLinkRefused):
        await clerk_sync.apply_clerk_event(units, clerk_event(email_verified=False))
    await clerk_sync.apply_clerk_event(units, clerk_event())

    linked = units.tables.users[local.id]
    assert linked.clerk_user_id == "user_2abc"
    assert linked.name == "Ada Lovelace"  # linking is not a rename
    assert len(units.outbox.messages(UserCreated)) == 1  # the sign-up's


async def test_clerk_is_given_our_id_until_its_events_show_it(units: FakeIdentityUnits) -> None:
    created = clerk_event()
    await clerk_sync.apply_clerk_event(units, created)
    ours = units.tables.user_by_email("grace@example.com").id
    told, known = FakeClerk(), FakeClerk()

    await clerk_sync.share_our_id(units, told, created)
    await clerk_sync.share_our_id(units, known, clerk_event("user.updated", external_id=str(ours)))

    assert told.external_ids == {"user_2abc": ours}
    assert known.external_ids == {}


async def test_a_clerk_user_without_our_password_gets_no_reset_link(
    units: FakeIdentityUnits, settings: IdentitySettings
) -> None:
    await clerk_sync.apply_clerk_event(units, clerk_event())

    await account_links.request_password_reset(units, settings, "grace@example.com")

    assert units.tables.links == {}
