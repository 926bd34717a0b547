"""Identity's account links (email verification, password reset), sent to the address in the
event: the person may not be in the read model yet."""

from __future__ import annotations

from contracts import Envelope
from contracts.identity import EmailVerificationRequested, PasswordResetRequested
from notifications.domain.notices import Kind
from notifications.domain.read_models import Person
from notifications.repositories import NotificationsUnit
from notifications.service.writing import Writing, record


async def account_link_requested(
    unit: NotificationsUnit,
    event: EmailVerificationRequested | PasswordResetRequested,
    envelope: Envelope,
    writing: Writing,
) -> None:
    """Send the link to the address identity names: the person may not be known here yet (the
    link comes with the sign-up), and a reset goes to the account's address as identity has it."""
    kind = (
        Kind.EMAIL_VERIFICATION
        if isinstance(event, EmailVerificationRequested)
        else Kind.PASSWORD_RESET
    )
    email = writing.composer.compose_link(
        kind,
        Person(event.user_id, event.email, event.name),
        event_id=envelope.message_id,
        link=event.link,
        expires_at=event.expires_at,
    )
    await record(unit, writing, email)
