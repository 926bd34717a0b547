"""Clerk's user events applied to our users: once per delivery, in the order they happened.

A deleted user stays deleted, whatever arrives after (a `user.deleted` seen before its
`user.created` leaves a tombstone). A Clerk user takes over a local account with the same
email only when Clerk verified that email. Once synced, the Clerk user is given our id as its
`external_id`, which Clerk's session tokens then carry.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from enum import StrEnum
from typing import Protocol

from contracts.identity import Role, UserUpdated
from identity.clerk import ClerkUserEvent
from identity.domain.users import EmailTaken, User, link_to_clerk, normalize_email, with_role
from identity.repositories import IdentityUnit, IdentityUnits
from identity.service.users import apply_access_change, created

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this svix delivery was applied before
    IGNORED = "ignored"  # an older event than one applied already, or a deleted user's


async def apply_clerk_event(units: IdentityUnits, event: ClerkUserEvent) -> Outcome:
    """Sync a Clerk user event once per svix id."""
    async with units.begin() as unit:
        if not await unit.record_clerk_delivery(event.svix_id, event.event_type):
            return Outcome.DUPLICATE
        if event.event_type == "user.deleted":
            return await _delete(unit, event)
        if event.event_type in ("user.created", "user.updated"):
            return await _upsert(unit, event)
    return Outcome.IGNORED


class ClerkUsers(Protocol):
    """What identity asks of Clerk's Backend API (identity.clerk_api.ClerkBackend)."""

    async def set_external_id(self, clerk_user_id: str, user_id: uuid.UUID) -> None: ...


async def share_our_id(
    units: IdentityUnits, clerk: ClerkUsers | None, event: ClerkUserEvent
) -> None:
    """Give the Clerk user our id as its external_id, unless the event shows Clerk has it.

    Asked on every delivery, a repeated one too: a failed call is retried with the webhook.
    """
    if clerk is None or event.event_type not in ("user.created", "user.updated"):
        return
    async with units.begin() as unit:
        user = await unit.users.by_clerk_id(event.clerk_user_id)
    if user is not None and not user.deleted and event.external_id != str(user.id):
        await clerk.set_external_id(event.clerk_user_id, user.id)


async def _delete(unit: IdentityUnit, event: ClerkUserEvent) -> Outcome:
    user = await unit.users.by_clerk_id(event.clerk_user_id)
    if user is None:
        await unit.users.add(_tombstone(event))
        return Outcome.APPLIED
    if user.deleted:
        return Outcome.IGNORED
    await apply_access_change(
        unit, user, replace(user, deleted=True, clerk_event_at=event.occurred_at)
    )
    return Outcome.APPLIED


def _tombstone(event: ClerkUserEvent) -> User:
    """A user known only from its deletion: a late `user.created` finds it deleted."""
    return User(
        id=uuid.uuid4(),
        email=f"{event.clerk_user_id.lower()}@users.clerk.invalid",
        name=event.clerk_user_id,
        role=Role.BOOKER,
        clerk_user_id=event.clerk_user_id,
        deleted=True,
        clerk_event_at=event.occurred_at,
    )


async def _upsert(unit: IdentityUnit, event: ClerkUserEvent) -> Outcome:
    known = await unit.users.by_clerk_id(event.clerk_user_id)
    if known is None:
        return await _create_or_link(unit, event)
    if known.deleted:
        log.info("Clerk %s for deleted user %s ignored", event.event_type, known.id)
        return Outcome.IGNORED
    if known.clerk_event_at and event.occurred_at < known.clerk_event_at:
        log.info("Clerk %s older than the last one applied to %s", event.event_type, known.id)
        return Outcome.IGNORED
    email = normalize_email(event.email) if event.email else known.email
    if email != known.email and await unit.users.by_email(email):
        raise EmailTaken(email)
    await _update(unit, known, replace(known, email=email, name=event.name), event)
    return Outcome.APPLIED


async def _create_or_link(unit: IdentityUnit, event: ClerkUserEvent) -> Outcome:
    email = normalize_email(event.email or f"{event.clerk_user_id}@users.clerk.invalid")
    local = await unit.users.by_email(email)
    if local is None:
        user = User(
            id=uuid.uuid4(),
            email=email,
            name=event.name,
            role=event.role or Role.BOOKER,
            clerk_user_id=event.clerk_user_id,
            clerk_event_at=event.occurred_at,
        )
        await unit.users.add(user)
        await unit.publish(created(user), correlation_id=str(user.id))
        return Outcome.APPLIED
    if local.deleted:
        log.info("Clerk user %s has the email of deleted user %s", event.clerk_user_id, local.id)
        return Outcome.IGNORED
    linked = link_to_clerk(local, event.clerk_user_id, email_verified=event.email_verified)
    log.info("local user %s linked to Clerk user %s", local.id, event.clerk_user_id)
    await _update(unit, local, linked, event)
    return Outcome.APPLIED


async def _update(unit: IdentityUnit, before: User, after: User, event: ClerkUserEvent) -> None:
    after = replace(after, clerk_event_at=event.occurred_at)
    await unit.users.save(after)
    if (after.email, after.name) != (before.email, before.name):
        await unit.publish(
            UserUpdated(user_id=after.id, email=after.email, name=after.name),
            correlation_id=str(after.id),
        )
    if event.role and event.role is not after.role:
        await apply_access_change(unit, after, with_role(after, event.role))
