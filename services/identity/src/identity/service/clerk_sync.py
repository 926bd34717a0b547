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

from contracts.identity import Role, UserUpdated
from identity.clerk import ClerkUserEvent
from identity.clerk_api import ClerkBackend
from identity.db.clerk_deliveries import record_clerk_delivery
from identity.db.users import add_user, save_user, user_by_clerk_id, user_by_email
from identity.domain.users import EmailTaken, User, link_to_clerk, normalize_email, with_role
from identity.service.users import apply_access_change, created
from service_runtime.unit_of_work import UnitOfWork, UnitsOfWork

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this svix delivery was applied before
    IGNORED = "ignored"  # an older event than one applied already, or a deleted user's


async def apply_clerk_event(units: UnitsOfWork, event: ClerkUserEvent) -> Outcome:
    """Sync a Clerk user event once per svix id."""
    async with units.begin() as uow:
        if not await record_clerk_delivery(uow.session, event.svix_id, event.event_type):
            return Outcome.DUPLICATE
        if event.event_type == "user.deleted":
            return await _delete(uow, event)
        if event.event_type in ("user.created", "user.updated"):
            return await _upsert(uow, event)
    return Outcome.IGNORED


async def share_our_id(
    units: UnitsOfWork, clerk: ClerkBackend | None, event: ClerkUserEvent
) -> None:
    """Give the Clerk user our id as its external_id, unless the event shows Clerk has it.

    Asked on every delivery, a repeated one too: a failed call is retried with the webhook.
    """
    if clerk is None or event.event_type not in ("user.created", "user.updated"):
        return
    async with units.begin() as uow:
        user = await user_by_clerk_id(uow.session, event.clerk_user_id)
    if user is not None and not user.deleted and event.external_id != str(user.id):
        await clerk.set_external_id(event.clerk_user_id, user.id)


async def _delete(uow: UnitOfWork, event: ClerkUserEvent) -> Outcome:
    user = await user_by_clerk_id(uow.session, event.clerk_user_id)
    if user is None:
        await add_user(uow.session, _tombstone(event))
        return Outcome.APPLIED
    if user.deleted:
        return Outcome.IGNORED
    await apply_access_change(
        uow, user, replace(user, deleted=True, clerk_event_at=event.occurred_at)
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


async def _upsert(uow: UnitOfWork, event: ClerkUserEvent) -> Outcome:
    known = await user_by_clerk_id(uow.session, event.clerk_user_id)
    if known is None:
        return await _create_or_link(uow, event)
    if known.deleted:
        log.info("Clerk %s for deleted user %s ignored", event.event_type, known.id)
        return Outcome.IGNORED
    if known.clerk_event_at and event.occurred_at < known.clerk_event_at:
        log.info("Clerk %s older than the last one applied to %s", event.event_type, known.id)
        return Outcome.IGNORED
    email = normalize_email(event.email) if event.email else known.email
    if email != known.email and await user_by_email(uow.session, email):
        raise EmailTaken(email)
    await _update(uow, known, replace(known, email=email, name=event.name), event)
    return Outcome.APPLIED


async def _create_or_link(uow: UnitOfWork, event: ClerkUserEvent) -> Outcome:
    email = normalize_email(event.email or f"{event.clerk_user_id}@users.clerk.invalid")
    local = await user_by_email(uow.session, email)
    if local is None:
        user = User(
            id=uuid.uuid4(),
            email=email,
            name=event.name,
            role=event.role or Role.BOOKER,
            clerk_user_id=event.clerk_user_id,
            clerk_event_at=event.occurred_at,
        )
        await add_user(uow.session, user)
        await uow.publish(created(user), correlation_id=str(user.id))
        return Outcome.APPLIED
    if local.deleted:
        log.info("Clerk user %s has the email of deleted user %s", event.clerk_user_id, local.id)
        return Outcome.IGNORED
    linked = link_to_clerk(local, event.clerk_user_id, email_verified=event.email_verified)
    log.info("local user %s linked to Clerk user %s", local.id, event.clerk_user_id)
    await _update(uow, local, linked, event)
    return Outcome.APPLIED


async def _update(uow: UnitOfWork, before: User, after: User, event: ClerkUserEvent) -> None:
    after = replace(after, clerk_event_at=event.occurred_at)
    await save_user(uow.session, after)
    if (after.email, after.name) != (before.email, before.name):
        await uow.publish(
            UserUpdated(user_id=after.id, email=after.email, name=after.name),
            correlation_id=str(after.id),
        )
    if event.role and event.role is not after.role:
        await apply_access_change(uow, after, with_role(after, event.role))
